"""Coverage-guided fuzzing of ``smsc_codec.decode`` with atheris.

    python fuzz/fuzz_decode.py --fmt 2 -max_total_time=600

``--fmt N`` fuzzes the requests of one answer format (0 text, 1 comma-separated,
2 XML, 3 JSON); without it, the requests of all four. ``--no-round-trip``
leaves the re-encoding check out. ``--budget US`` sets the CPU time an input
may take, in microseconds per byte on top of a fixed quarter of a second
(default 25: decoding is linear, about 1 µs per byte at worst without the
fuzzer's instrumentation); a slower input is a finding (``SlowInput``).
``--ignore SIGNATURE`` (repeatable) lets a known finding pass, so that
fuzzing goes on past it; a failure prints its signature. Every other argument
goes to libFuzzer: a folder is its corpus, a file is an input to replay
(``crash-...``); ``-fork=1 -ignore_crashes=1`` works too.

The first byte of an input picks a request (one of the corpus's requests of
that format, sorted, or no request at all); the rest is the body. Each input
must:

* decode, or raise ``DecodeError`` with a line and column of at least 1 and
  a caret line under the fault (``RequestError`` is allowed too without a
  request, or with one that has no success layout, like ``phones.php?fmt=3``);
  a ``DecodeError`` that wraps a foreign exception ("internal error") is a bug
  the decoder caught, and fails like the exception itself;
* when it decoded with a request, re-encode with ``encode`` to bytes that
  decode to an equal value, unless ``encode`` refuses with ``EncodeError``;
* take no more CPU time than the budget.

Anything else is raised, and libFuzzer reports it and saves the input. Seeds
are written at start-up from ``corpus/`` and from the hostile shapes below to
``fuzz/.seeds/`` (git-ignored), which libFuzzer also uses as its working
corpus. Inputs up to 8 KB are tried (``-max_len=8192 -len_control=0``
unless given): the super-linear cases need long lines. See fuzz/README.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import sys
import time
import traceback
import xml.etree.ElementTree
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import atheris

# The third-party parsers are imported first, so that only smsc_codec is
# instrumented (coverage of lark, msgspec and the XML parsers slows the runs
# down and says nothing about the library).
import defusedxml.ElementTree
import lark
import msgspec

with atheris.instrument_imports(include=["smsc_codec"]):
    import smsc_codec
    from smsc_codec._replies import reply_spec

_ = (defusedxml.ElementTree, lark, msgspec, xml.etree.ElementTree)

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent / "corpus"
SEEDS = HERE / ".seeds"
DEFAULT_TIMEOUT = "-timeout=10"  # seconds: an input that takes longer is a hang
#: long inputs, tried from the start: hostile lines are hundreds of commas long
DEFAULT_LENGTH = ("-max_len=8192", "-len_control=0")
#: CPU time an input may take: microseconds per byte, on top of a fixed part
DEFAULT_BUDGET_US_PER_BYTE = 25.0
FIXED_BUDGET_SECONDS = 0.25


def hostile_seeds() -> list[tuple[str, bytes]]:
    """(request, body) of shapes that once cost super-linear time or memory:
    free texts full of separators before a value that does not fit, blank
    lines, deep nesting. Each is short enough for -max_len and long enough to
    show a quadratic or worse path under the budget."""
    commas = ",".join(["a"] * 400)
    pairs = ", comment = b" * 150
    seeds = [
        ("status.php?id=5&phone=7&fmt=1&all=1", f"1,1,0,1,7,1,S,x,{commas}, z, X"),
        ("status.php?id=5&phone=7&fmt=1&all=2", f"1,1,0,1,7,RU,M,R,1.40,S,x,{commas}, z, X"),
        (
            "status.php?id=5&phone=7&all=1",
            "Status = 1, check_time = 10.10.2010 10:10:10, err = 0, send_date = 10.10.2010 "
            "10:10:09, phone = 7, cost = 1.40, sender_id = S, status_name = x, "
            f"message = hi{pairs}, comment = , type = Z",
        ),
        ("phones.php?get=1&fmt=1", "7999," + "Ив," * 300 + "5922,И,И,П,32.13.1980,c,x,v,"),
        ("phones.php?get=1&fmt=1", ",".join(["x" * 300] * 11)),
        ("phones.php?get=1&fmt=0", "phone = 7999, name = " + ", name = a" * 300),
        ("status.php?id=5&phone=7&fmt=1", "1,1286524541,0" + "\n" * 4000),
        ("status.php?id=1,2&phone=7&fmt=3", "[" * 2000),
        ("status.php?id=1,2&phone=7&fmt=2", "<list>" + "<sms>" * 1000),
        ("status.php?id=1,2&phone=7&fmt=3", "[" + ",".join(['{"status": 1}'] * 500) + ", {"),
    ]
    return [(request, body.encode("cp1251")) for request, body in seeds]


class BadDecodeError(AssertionError):
    """A DecodeError without a usable position or caret."""


class SlowInput(AssertionError):
    """An input that took more CPU time than the budget."""


class RoundTripError(AssertionError):
    """A decoded value that the encoder writes as something else."""

    def __init__(self, message: str, *, where: str) -> None:
        super().__init__(message)
        self.where = where  #: the reply's kind, and "changed" or "undecodable"


def corpus_entries(fmt: int | None) -> list[tuple[str, bytes]]:
    """(request, body) of every corpus entry answered in ``fmt`` (all for None).

    Callbacks are posts to a handler, not answers to a request: left out.
    """
    entries = []
    for meta_path in sorted(CORPUS.rglob("*.json")):
        body_path = meta_path.with_suffix(".body")
        if not body_path.exists():
            continue
        request = str(json.loads(meta_path.read_text(encoding="utf-8"))["request"])
        parsed = smsc_codec.parse_request(request)
        if parsed.script == "callback" or (fmt is not None and int(parsed.fmt) != fmt):
            continue
        entries.append((request, body_path.read_bytes()))
    return entries


def requests_of(entries: list[tuple[str, bytes]]) -> list[str | None]:
    """The distinct requests, sorted so that a selector byte keeps its meaning,
    then None (decoding without a request)."""
    requests: list[str | None] = [*sorted({request for request, _ in entries}), None]
    if len(requests) > 256:
        raise SystemExit(f"{len(requests)} requests: one selector byte cannot reach them all")
    return requests


def hostile_of(fmt: int | None) -> list[tuple[str, bytes]]:
    """The hostile seeds whose request is answered in ``fmt`` (all for None)."""
    return [
        (request, body)
        for request, body in hostile_seeds()
        if fmt is None or int(smsc_codec.parse_request(request).fmt) == fmt
    ]


def write_seeds(entries: list[tuple[str, bytes]], requests: list[str | None], folder: Path) -> Path:
    """Each corpus body with its own request's selector, and with None's."""
    folder.mkdir(parents=True, exist_ok=True)
    none = len(requests) - 1
    for request, body in entries:
        for selector in (requests.index(request), none):
            data = bytes([selector]) + body
            name = "seed-" + hashlib.sha1(data).hexdigest()
            (folder / name).write_bytes(data)
    return folder


def check_decode_error(exc: smsc_codec.DecodeError) -> None:
    """A DecodeError points at its fault: line and column from 1, a caret line.

    One that wraps a foreign exception is a bug the decoder caught: its cause
    is raised, so that the report shows where it happened.
    """
    if exc.reason.startswith("internal error") and exc.__cause__ is not None:
        raise exc.__cause__
    if exc.line < 1 or exc.column < 1:
        raise BadDecodeError(f"line {exc.line}, column {exc.column}: {exc!r}") from exc
    lines = str(exc).split("\n")
    if len(lines) < 3 or lines[-1].strip() != "^":
        raise BadDecodeError(f"no caret line: {str(exc)!r}") from exc


def has_layout(request: str) -> bool:
    """Whether the request says which success answer it gets (``phones.php``
    without a command does not: only its OK and error answers decode)."""
    try:
        reply_spec(smsc_codec.parse_request(request))
    except smsc_codec.RequestError:
        return False
    return True


def decoded_or_refused(body: bytes, request: str | None) -> Any:
    """The decoded value, or None when the body is refused as it may be."""
    try:
        return smsc_codec.decode(body, request)
    except smsc_codec.DecodeError as exc:
        check_decode_error(exc)
        return None
    except smsc_codec.RequestError:
        if request is None or not has_layout(request):
            return None  # a body that does not describe itself, or no layout to read it by
        raise


def kind_of(value: Any) -> str:
    """The reply's type name (of its first record for a list)."""
    first = value[0] if isinstance(value, list) and value else value
    return type(first).__name__


def check_round_trip(value: Any, request: str) -> None:
    """What the encoder writes (when it does not refuse) reads back as ``value``."""
    try:
        encoded = smsc_codec.encode(value, request)
    except smsc_codec.EncodeError:
        return
    try:
        again = smsc_codec.decode(encoded, request)
    except smsc_codec.DecodeError as exc:
        raise RoundTripError(
            f"{value!r} encoded as {encoded!r}, which does not decode",
            where=f"{kind_of(value)}:undecodable",
        ) from exc
    if again != value:
        raise RoundTripError(
            f"{value!r} encoded as {encoded!r}, which decodes as {again!r}",
            where=f"{kind_of(value)}:changed",
        )


def signature(exc: BaseException) -> str:
    """What tells one finding from another: ``Type@file:line`` of the innermost
    library frame (of the refused DecodeError for a BadDecodeError), or
    ``RoundTripError@Kind:changed|undecodable``."""
    if isinstance(exc, RoundTripError):
        return f"RoundTripError@{exc.where}"
    if isinstance(exc, SlowInput):
        return "SlowInput"
    origin = exc.__cause__ if isinstance(exc, BadDecodeError) and exc.__cause__ else exc
    frames = [
        frame
        for frame in traceback.extract_tb(origin.__traceback__)
        if f"{os.sep}smsc_codec{os.sep}" in frame.filename
    ]
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
    return f"{type(exc).__name__}@{where}"


class Target:
    """The fuzz target: selector byte, then body."""

    def __init__(self, requests: list[str | None], options: Options) -> None:
        self.requests = requests
        self.options = options

    def __call__(self, data: bytes) -> None:
        if not data:
            return
        request = self.requests[data[0] % len(self.requests)]
        body = data[1:]
        try:
            started = time.process_time()
            value = decoded_or_refused(body, request)
            spent = time.process_time() - started
            budget = FIXED_BUDGET_SECONDS + self.options.budget * 1e-6 * len(body)
            if spent > budget:
                raise SlowInput(
                    f"{spent:.2f} s of CPU for {len(body):,} bytes (budget {budget:.2f} s)"
                )
            if value is not None and request is not None and self.options.round_trip:
                check_round_trip(value, request)
        except Exception as exc:
            found = signature(exc)
            if found in self.options.ignore:
                return
            print(
                f"\n=== signature={found}\n=== request={request!r}\n=== body={body!r}",
                file=sys.stderr,
            )
            raise


@dataclass
class Options:
    """Our own command-line options; the rest of argv is libFuzzer's."""

    fmt: int | None = None
    round_trip: bool = True
    ignore: list[str] = field(default_factory=list)  #: signatures of known findings
    budget: float = DEFAULT_BUDGET_US_PER_BYTE  #: CPU microseconds per byte

    def words(self) -> list[str]:
        """These options as command-line words."""
        words = [] if self.fmt is None else [f"--fmt={self.fmt}"]
        words += [] if self.round_trip else ["--no-round-trip"]
        words += [f"--budget={self.budget}"]
        return words + [f"--ignore={found}" for found in self.ignore]


def parse_args(argv: list[str]) -> tuple[Options, list[str]]:
    """``--fmt N``, ``--no-round-trip`` and ``--ignore SIGNATURE`` (repeatable),
    taken out of argv; what is left goes to libFuzzer."""
    options = Options()
    rest = [argv[0]]
    args = iter(argv[1:])
    for arg in args:
        name, eq, value = arg.partition("=")
        if name in {"--fmt", "--ignore", "--budget"} and not eq:
            value = next(args, "")
        if name == "--fmt":
            if value not in {"0", "1", "2", "3"}:
                raise SystemExit(f"--fmt takes 0, 1, 2 or 3, not {value!r}")
            options.fmt = int(value)
        elif name == "--ignore":
            options.ignore.append(value)
        elif name == "--budget":
            try:
                options.budget = float(value)
            except ValueError:
                raise SystemExit(f"--budget takes microseconds per byte, not {value!r}") from None
        elif arg == "--no-round-trip":
            options.round_trip = False
        else:
            rest.append(arg)
    return options, rest


def child_command(argv0: str, options: Options) -> str:
    """The command that libFuzzer's ``-fork``/``-jobs`` modes run as argv[0].

    libFuzzer starts each child by joining its argv into a shell command; the
    script is not executable by itself and our own options are not libFuzzer's,
    so both go into the first word.
    """
    words = [sys.executable, argv0, *options.words()]
    return " ".join(shlex.quote(word) for word in words)


def main(argv: list[str]) -> None:
    options, rest = parse_args(argv)
    if any(arg.startswith(("-fork=", "-jobs=")) and not arg.endswith("=0") for arg in rest):
        rest[0] = child_command(rest[0], options)
    entries = corpus_entries(options.fmt)
    requests = requests_of(entries + hostile_of(options.fmt))
    if not any(not arg.startswith("-") for arg in rest[1:]):
        # no corpus folder or input file named: start from the corpus's seeds
        folder = SEEDS / ("all" if options.fmt is None else f"fmt{options.fmt}")
        seeds = entries + hostile_of(options.fmt)
        rest.append(str(write_seeds(seeds, requests, folder)))
    if not any(arg.startswith("-timeout=") for arg in rest):
        rest.append(DEFAULT_TIMEOUT)
    for default in DEFAULT_LENGTH:
        if not any(arg.startswith(default.partition("=")[0] + "=") for arg in rest):
            rest.append(default)
    atheris.Setup(rest, Target(requests, options))
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
