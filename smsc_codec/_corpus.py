"""Reading and checking a corpus of captured exchanges (``corpus/``).

An entry is two files side by side: ``<name>.body`` holds the answer's bytes
exactly as captured or constructed, and ``<name>.json`` says what they are::

    {
      "request": "status.php?id=5&phone=79990000000&fmt=1",
      "provenance": "recorded" | "documented" | "constructed",
      "source": "where it comes from",
      "note": "anything changed or worth knowing",
      "strict": true,        # the documented layout exactly: strict decoding accepts it
      "byte_exact": true,    # re-encoding the decoded value gives these bytes back
                             # (otherwise: bytes that decode to the same value, or EncodeError)
      "expect": {"kind": "SmsStatus", "fields": {...}}
              | {"list": [{"kind": ..., "fields": ...}, ...]}
              | {"error": {"line": 1, "column": 3}}     # the body must be rejected there
    }

Expected ``fields`` use the Struct's attribute names; dates are ISO 8601
(``2010-10-10T10:10:10``, a birthday ``1960-01-01``), money a decimal string,
codes numbers, lists (``phones``) their text as on the wire, ``extra`` a list
of ``[key, value]`` pairs. An entry whose lines are ambiguous lists the fields
in ``ambiguous_fields``, as decoding marks them.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import msgspec

from ._callbacks import Callback
from ._errors import DecodeError, EncodeError, SmscCodecError
from ._exchange import decode_exchange, encode_exchange, is_callback
from ._model import JsonText, Reply
from ._request import Request, parse_request
from ._schema import plan_for

__all__ = ["CorpusEntry", "EntryResult", "check_entry", "expected_value", "load_corpus"]

KINDS: dict[str, type[msgspec.Struct]] = {
    cls.__name__: cls for cls in (*typing.get_args(Reply), *typing.get_args(Callback))
}


class CorpusEntry(NamedTuple):
    name: str  #: path of the entry below the corpus folder, without suffix
    body: bytes
    meta: dict[str, Any]

    @property
    def request(self) -> str:
        return str(self.meta["request"])


def load_corpus(root: Path) -> list[CorpusEntry]:
    """Every entry below ``root``, sorted by name."""
    entries = []
    for meta_path in sorted(root.rglob("*.json")):
        body_path = meta_path.with_suffix(".body")
        if not body_path.exists():
            continue
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        name = meta_path.relative_to(root).with_suffix("").as_posix()
        entries.append(CorpusEntry(name, body_path.read_bytes(), meta))
    return entries


def _one(spec: dict[str, Any]) -> msgspec.Struct:
    cls = KINDS[spec["kind"]]
    # msgspec.convert reads wire names; the corpus speaks attribute names
    wire = {f.name: f.encode_name for f in msgspec.structs.fields(cls)}
    fields = {wire.get(k, k): v for k, v in spec.get("fields", {}).items()}
    if "extra" in fields:
        # a JSON object or array under an unknown key is kept as its JSON text
        fields["extra"] = [
            (key, JsonText.of(value) if isinstance(value, (dict, list)) else value)
            for key, value in fields["extra"]
        ]
    return msgspec.convert(fields, cls, strict=False)


def expected_value(meta: dict[str, Any]) -> Any:
    """The decoded value an entry's metadata expects (None for an expected rejection)."""
    expect = meta["expect"]
    if "list" in expect:
        return [_one(item) for item in expect["list"]]
    if "error" in expect:
        return None
    return _one(expect)


class EntryResult(NamedTuple):
    name: str
    ok: bool
    problems: tuple[str, ...]


def _decode(entry: CorpusEntry, *, strict: bool = False) -> Any:
    return decode_exchange(entry.body, entry.request, strict=strict)


def _iter_problems(entry: CorpusEntry) -> Iterator[str]:
    meta = entry.meta
    expect = meta["expect"]
    if "error" in expect:
        yield from _rejection_problems(entry, expect["error"])
        return
    want = expected_value(meta)
    try:
        got = _decode(entry)
    except SmscCodecError as exc:
        yield f"lenient decode failed: {exc}"
        return
    if got != want:
        yield f"decoded to {got!r}\n  expected   {want!r}"
    if meta.get("strict"):
        yield from _strict_problems(entry, want)
    if meta.get("byte_exact"):
        yield from _byte_exact_problems(entry, got)
    else:
        # what is read can be written back in its own format, without lossy
        yield from _faithful_or_refused(got, parse_request(entry.request), refusable=False)
    for other in _other_formats(parse_request(entry.request)):
        yield from _faithful_or_refused(_wire_value(got), other, _wire_value)


def _rejection_problems(entry: CorpusEntry, want: dict[str, Any]) -> Iterator[str]:
    """An entry that must be rejected is, by the decoder's own check, at the
    line and column ``want`` gives (either may be left out)."""
    try:
        got = _decode(entry)
    except DecodeError as exc:
        if exc.reason.startswith("internal error"):
            yield f"rejected by a bug the decoder caught: {exc.reason}"
        elif (exc.line, exc.column) != (
            want.get("line", exc.line),
            want.get("column", exc.column),
        ):
            yield f"rejected at {exc.line}:{exc.column}, expected {want}"
        return
    yield f"decoded to {got!r}, expected a DecodeError"


def _strict_problems(entry: CorpusEntry, want: Any) -> Iterator[str]:
    """A ``strict`` entry decodes strictly to the value expected."""
    try:
        strict = _decode(entry, strict=True)
    except SmscCodecError as exc:
        yield f"strict decode failed: {exc}"
    else:
        if strict != want:
            yield "strict decode differs from lenient decode"


def _byte_exact_problems(entry: CorpusEntry, got: Any) -> Iterator[str]:
    """A ``byte_exact`` entry's value re-encodes to the captured bytes."""
    try:
        again = encode_exchange(got, entry.request)
    except SmscCodecError as exc:
        yield f"re-encoding failed: {exc}"
    else:
        if again != entry.body:
            yield f"re-encoded to {again!r}, captured {entry.body!r}"


def _wire_value(value: Any) -> Any:
    """``value`` without its decoding context (the fields never written, such
    as ``Ok.bare``: a bare OK answers fmt=2/3, written in fmt=0 it is just
    the OK answer), which another format describes anew."""
    if isinstance(value, list):
        return [_wire_value(item) for item in value]
    if not isinstance(value, msgspec.Struct):
        return value
    written = {*plan_for(type(value)).by_name, "extra", "ambiguous_fields"}
    context = {
        info.name: info.default
        for info in msgspec.structs.fields(value)
        if info.name not in written
    }
    return msgspec.structs.replace(value, **context) if context else value


def _faithful_or_refused(
    value: Any,
    request: Request,
    seen: Callable[[Any], Any] = lambda value: value,
    *,
    refusable: bool = True,
) -> Iterator[str]:
    """What the encoder writes of any entry, in any format, reads back as the
    same value (as ``seen`` shows it), unless it refuses with EncodeError
    (docs/sdk/decoding.md, Encoding): what ``smsc-codec convert`` relies on. In the format
    it was read from (``refusable`` False), it is never refused."""
    where = f"in fmt={request.get('fmt')}: " if request.get("fmt") else "as form fields: "
    try:
        written = encode_exchange(value, request)
    except EncodeError as exc:
        if not refusable:
            yield f"re-encoding {where}refused: {exc}"
        return
    except SmscCodecError as exc:
        yield f"re-encoding {where}failed: {exc}"
        return
    try:
        back = decode_exchange(written, request)
    except SmscCodecError as exc:
        yield f"re-encoded {where}{written!r}, which does not decode: {exc}"
        return
    if seen(back) != value:
        yield f"re-encoded {where}{written!r}, which reads back as {back!r}"


def _other_formats(request: Request) -> Iterator[Request]:
    """``request`` asking for each other format (a callback: form fields, XML, JSON)."""
    own = request.get("fmt")
    formats = (None, "2", "3") if is_callback(request) else ("0", "1", "2", "3")
    for fmt in formats:
        if fmt != own and not (fmt == "0" and own is None):
            params = tuple(pair for pair in request.params if pair[0] != "fmt")
            yield Request(script=request.script, params=params + ((("fmt", fmt),) if fmt else ()))


def check_entry(entry: CorpusEntry) -> EntryResult:
    """Decode an entry, compare with its expectation, re-encode where byte-exact."""
    try:
        problems = tuple(_iter_problems(entry))
    except Exception as exc:  # a broken entry must not hide the others
        problems = (f"could not check: {exc!r}",)
    return EntryResult(entry.name, not problems, problems)
