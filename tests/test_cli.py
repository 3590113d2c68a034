"""The ``smsc-codec`` command line, run as a subprocess over the corpus and over
small generated inputs.

Every expectation is derived from the inputs: the corpus's metadata (which
entries are rejections, their kinds, codes and error positions), the logs the
tests write (which line holds what) and in-process decoding of the same bodies.
"""

from __future__ import annotations

import base64
import csv
import enum
import gzip
import importlib
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

import msgspec
import pytest

import smsc_codec
from smsc_codec import MessageFlags, MessageStatus, api_error_meaning
from smsc_codec._corpus import CorpusEntry
from smsc_codec._exchange import decode_exchange
from tests.conftest import CORPUS, corpus_entries
from tests.logs import log_lines, write_log

REPO = CORPUS.parent
ENTRIES = corpus_entries()
HAS_PYARROW = importlib.util.find_spec("pyarrow") is not None
#: a status.php request answered in fmt=1 (``status,last_timestamp,err``)
STATUS_FMT1 = "status.php?id=101&phone=79991234567&fmt=1"

# -- running the tool ---------------------------------------------------------


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    # the package under test, whatever is installed; output text in UTF-8
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env["PYTHONUTF8"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    return env


ENV = _environment()


class Run(NamedTuple):
    code: int
    out: bytes
    err: str

    @property
    def text(self) -> str:
        return self.out.decode("utf-8")

    def rows(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.out.splitlines()]


def run_python(cwd: Path, args: Sequence[str | Path], stdin: bytes | None = None) -> Run:
    command = [sys.executable, *map(str, args)]
    if stdin is None:
        proc = subprocess.run(
            command,
            cwd=cwd,
            env=ENV,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=180,
            check=False,
        )
    else:
        proc = subprocess.run(
            command, cwd=cwd, env=ENV, input=stdin, capture_output=True, timeout=180, check=False
        )
    return Run(proc.returncode, proc.stdout, proc.stderr.decode("utf-8"))


def cli(cwd: Path, *args: str | Path, stdin: bytes | None = None) -> Run:
    return run_python(cwd, ["-m", "smsc_codec._cli", *args], stdin)


# -- the corpus's metadata ----------------------------------------------------


def is_rejection(entry: CorpusEntry) -> bool:
    return "error" in entry.meta["expect"]


def expected_kind(entry: CorpusEntry) -> str | None:
    expect = entry.meta["expect"]
    if "list" in expect:
        return str(expect["list"][0]["kind"]) if expect["list"] else None
    kind = expect.get("kind")
    return None if kind is None else str(kind)


def expected_items(entry: CorpusEntry) -> list[dict[str, Any]]:
    expect = entry.meta["expect"]
    return list(expect["list"]) if "list" in expect else [expect]


def body_path(entry: CorpusEntry) -> Path:
    return CORPUS / f"{entry.name}.body"


def script_and_fmt(request: str) -> tuple[str, int]:
    """The script and fmt a request names, read from the request text itself."""
    head, _, query = request.partition("?")
    script = head.rsplit("/", 1)[-1].removesuffix(".php")
    params = dict(parse_qsl(query, keep_blank_values=True))
    return script, int(params.get("fmt") or 0)


def body_text(entry: CorpusEntry) -> str:
    return entry.body.decode(smsc_codec.parse_request(entry.request).charset)


def copy_entry(entry: CorpusEntry, folder: Path) -> Path:
    """Copy an entry's body and metadata below ``folder``; return the body's path."""
    target = folder / f"{entry.name}.body"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(body_path(entry), target)
    shutil.copyfile(CORPUS / f"{entry.name}.json", target.with_suffix(".json"))
    return target


ACCEPTED = [e for e in ENTRIES if not is_rejection(e)]
REJECTED = [e for e in ENTRIES if is_rejection(e)]
LENIENT_ONLY = [e for e in ACCEPTED if not e.meta.get("strict")]


def test_the_corpus_has_what_these_tests_rely_on() -> None:
    assert ACCEPTED
    assert REJECTED
    assert LENIENT_ONLY
    assert len(ENTRIES) < 3000  # a 3,000-line log goes round the corpus at least once


# -- diagnostics --------------------------------------------------------------

_WHERE = re.compile(r"^(?P<path>\S.*?):(?P<line>\d+):(?P<column>\d+): (?P<message>.*)$")


class Diagnostic(NamedTuple):
    path: str
    line: int
    column: int
    message: str
    text: str  #: the offending text, as shown
    caret: str


def diagnostics(output: str) -> list[Diagnostic]:
    """Every ``path:line:column: message`` report with the two lines after it."""
    lines = output.splitlines()
    found = []
    for index, line in enumerate(lines):
        match = _WHERE.match(line)
        if match is None:
            continue
        found.append(
            Diagnostic(
                match["path"],
                int(match["line"]),
                int(match["column"]),
                match["message"],
                lines[index + 1] if index + 1 < len(lines) else "",
                lines[index + 2] if index + 2 < len(lines) else "",
            )
        )
    return found


_PICTURES = {code: 0x2400 + code for code in range(0x20)}


def assert_caret_under_column(diagnostic: Diagnostic, line_text: str | None = None) -> None:
    """The caret line puts ``^`` under the column of the (two-space indented)
    offending text; with ``line_text``, that text is the line's (control
    characters as their pictures, a long line shown around the fault)."""
    assert diagnostic.text.startswith("  "), diagnostic
    shown = diagnostic.text[2:]
    match = re.fullmatch(r"  ( *)\^", diagnostic.caret)
    assert match is not None, diagnostic
    at = len(match[1])
    if shown.startswith("…"):  # a window around the fault of a long line
        assert 0 < at <= len(shown), diagnostic
    else:
        assert at == diagnostic.column - 1, diagnostic
    if line_text is None:
        return
    pictured = line_text.removesuffix("\r").translate(_PICTURES)
    if len(pictured) <= 120:
        assert shown == pictured, diagnostic
    else:
        assert shown.strip("…") in pictured, diagnostic
    if diagnostic.column <= len(pictured):
        assert shown[at] == pictured[diagnostic.column - 1], diagnostic


def body_line(entry: CorpusEntry, number: int) -> str:
    lines = body_text(entry).split("\n")
    return lines[number - 1] if number <= len(lines) else ""


def assert_corpus_diagnostic(diagnostic: Diagnostic, entry: CorpusEntry) -> None:
    """A corpus entry is reported where its metadata says (for an expected
    rejection), with the body's line and a caret under the fault."""
    want = entry.meta["expect"].get("error", {})
    assert diagnostic.line == want.get("line", diagnostic.line), (entry.name, diagnostic)
    assert diagnostic.column == want.get("column", diagnostic.column), (entry.name, diagnostic)
    assert_caret_under_column(diagnostic, body_line(entry, diagnostic.line))


# -- shared runs over the corpus ----------------------------------------------


@pytest.fixture(scope="module")
def corpus_decode(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return cli(tmp_path_factory.mktemp("decode"), "decode", CORPUS)


class CsvRun(NamedTuple):
    run: Run
    header: list[str]
    rows: list[list[str]]


@pytest.fixture(scope="module")
def corpus_csv(tmp_path_factory: pytest.TempPathFactory) -> CsvRun:
    folder = tmp_path_factory.mktemp("csv")
    out = folder / "rows.csv"
    run = cli(folder, "decode", CORPUS, "--output-format", "csv", "-o", out)
    with out.open(newline="", encoding="utf-8") as stream:
        table = list(csv.reader(stream))
    return CsvRun(run, table[0], table[1:])


# -- 1. decode over the corpus ------------------------------------------------


def test_decode_corpus_gives_one_row_per_accepted_entry(corpus_decode: Run) -> None:
    run = corpus_decode
    assert run.code == 1  # there are expected rejections
    rows = run.rows()
    assert len(rows) == len(ACCEPTED)
    by_source = {row["source"]: row for row in rows}
    assert len(by_source) == len(rows)
    assert set(by_source) == {str(body_path(e)) for e in ACCEPTED}
    for entry in ACCEPTED:
        row = by_source[str(body_path(entry))]
        script, fmt = script_and_fmt(entry.request)
        assert row["line"] == 1, entry.name
        assert row["request"] == entry.request, entry.name
        assert (row["script"], row["fmt"]) == (script, fmt), entry.name
        assert row["kind"] == expected_kind(entry), entry.name
        expect = entry.meta["expect"]
        if "list" in expect:  # a list answer's replies, or the one reply: one type a key
            assert "reply" not in row, entry.name
            assert isinstance(row["replies"], list), entry.name
            assert len(row["replies"]) == len(expect["list"]), entry.name
        else:
            assert "replies" not in row, entry.name
            assert isinstance(row["reply"], dict), entry.name


def test_decode_corpus_reports_exactly_the_expected_rejections(corpus_decode: Run) -> None:
    reports = diagnostics(corpus_decode.err)
    by_path = {report.path: report for report in reports}
    assert len(by_path) == len(reports)  # one report per rejected entry
    assert set(by_path) == {str(body_path(e)) for e in REJECTED}
    for entry in REJECTED:
        assert_corpus_diagnostic(by_path[str(body_path(entry))], entry)
    summary = f"{len(ENTRIES):,} records, {len(ACCEPTED):,} read, {len(REJECTED):,} rejected"
    assert summary in corpus_decode.err


# -- 2. codes spelled out -----------------------------------------------------


def _code(value: enum.IntEnum) -> dict[str, Any]:
    return {"code": int(value), "name": value.name, "description": value.description}  # type: ignore[attr-defined]


def _single_rows(run: Run) -> dict[str, dict[str, Any]]:
    return {row["source"]: row for row in run.rows()}


def replies_of(row: dict[str, Any]) -> list[dict[str, Any]]:
    """A decoded row's replies: its list's, or its one reply."""
    return row["replies"] if "replies" in row else [row["reply"]]


def test_status_codes_are_spelled_out(corpus_decode: Run) -> None:
    rows = _single_rows(corpus_decode)
    checked = 0
    for entry in ACCEPTED:
        row = rows[str(body_path(entry))]
        replies = replies_of(row)
        for item, reply in zip(expected_items(entry), replies, strict=True):
            if item["kind"] in ("SmsStatus", "HlrStatus") and "status" in item.get("fields", {}):
                code = item["fields"]["status"]
                assert reply["status"] == _code(MessageStatus(code)), entry.name
                checked += 1
    assert checked >= 20


def test_send_error_3_is_no_money(corpus_decode: Run) -> None:
    rows = _single_rows(corpus_decode)
    entries = [
        e
        for e in ACCEPTED
        if script_and_fmt(e.request)[0] == "send"
        and e.meta["expect"].get("kind") == "ApiError"
        and e.meta["expect"]["fields"].get("code") == 3
    ]
    assert entries
    meaning = api_error_meaning("send", 3)
    for entry in entries:
        reply = rows[str(body_path(entry))]["reply"]
        assert reply["code"] == {
            "code": 3,
            "name": "NO_MONEY",
            "description": meaning.description,
        }, entry.name
        assert reply.get("description") == entry.meta["expect"]["fields"].get("description")


def test_flag_bits_are_spelled_out(corpus_decode: Run) -> None:
    rows = _single_rows(corpus_decode)
    checked = 0
    for entry in ACCEPTED:
        replies = replies_of(rows[str(body_path(entry))])
        for item, reply in zip(expected_items(entry), replies, strict=True):
            flag = item.get("fields", {}).get("flag")
            if flag is None:
                continue
            bits = MessageFlags(flag)
            assert reply["flag"] == {
                "value": flag,
                "message_type": bits.message_type.name,
                "second_balance": bits.second_balance,
                "template": bits.template,
                "template_type": bits.template_type.name,
                "unknown_bits": bits.unknown_bits,
            }, entry.name
            checked += 1
    assert checked >= 5


def _code_problems(value: msgspec.Struct, row: dict[str, Any], where: str) -> Iterator[str]:
    """Every code of ``value`` whose expansion in ``row`` is not its own enum's."""
    keys = importlib.import_module("smsc_codec._cli._rows").row_keys(type(value))
    for field in msgspec.structs.fields(value):
        got = getattr(value, field.name)
        if isinstance(got, enum.IntEnum) and hasattr(got, "description"):
            if row.get(field.name) != _code(got):
                yield f"{where}.{field.name}: {row.get(field.name)} is not {_code(got)}"
        elif isinstance(got, tuple) and got and all(isinstance(x, msgspec.Struct) for x in got):
            nested = row[keys[field.name]]
            for index, (inner, inner_row) in enumerate(zip(got, nested, strict=True)):
                yield from _code_problems(inner, inner_row, f"{where}.{field.name}[{index}]")


def test_every_code_is_spelled_out_from_its_own_table(corpus_decode: Run) -> None:
    """err, type and the others too: each expansion is the field's own code table's."""
    rows = _single_rows(corpus_decode)
    problems: list[str] = []
    for entry in ACCEPTED:
        value = decode_exchange(entry.body, entry.request)
        row = rows[str(body_path(entry))]
        values = value if isinstance(value, list) else [value]
        replies = replies_of(row)
        for index, (item, reply) in enumerate(zip(values, replies, strict=True)):
            problems.extend(_code_problems(item, reply, f"{entry.name}[{index}]"))
    assert not problems, f"{len(problems)} wrong expansions, e.g.:\n" + "\n".join(problems[:8])


def test_a_delivery_error_is_not_named_after_a_status(tmp_path: Path) -> None:
    """status 1 and err 1 in one answer: err is ABSENT_SUBSCRIBER, not DELIVERED."""
    run = cli(tmp_path, "decode", "-q", "--request", STATUS_FMT1, stdin=b"1,1286524541,1")
    assert run.code == 0
    (row,) = run.rows()
    value = smsc_codec.decode("1,1286524541,1", STATUS_FMT1)
    assert isinstance(value, smsc_codec.SmsStatus)
    assert row["reply"]["status"] == _code(value.status)
    assert value.err is not None
    assert row["reply"]["err"] == _code(value.err)


def test_each_record_is_decoded_for_its_own_request(tmp_path: Path) -> None:
    """Every record's row is its answer decoded for its own request, however
    the request is written: URLs of one layout (one decoder, found by the
    URL's shape), a mapping of parameters, and a callback's body under any
    URL that names the callback handler, a full one too."""
    callback_body = "id=1234&phone=79991234567&status=1&time=1700000000&ts=1700000000&err=0"
    status = "https://smsc.ru/sys/status.php?login=u{0}&psw=p{0}&id={0}&phone=7999{0:07d}&fmt=1"
    records: list[dict[str, Any]] = [
        {"request": status.format(n), "body": f"1,12865245{n:02d},0"} for n in range(12)
    ]
    records += [
        {
            "request": {"script": "status", "id": "7", "phone": "79990000007", "fmt": "1"},
            "body": "3,1286524541,0",
        },
        {"request": "callback", "body": callback_body},
        {"request": "https://shop.example/callback?fmt=1", "body": callback_body},
        {"request": "/hooks/callback.php", "body": callback_body},
        {"request": "https://shop.example/callback", "body": "OK"},
    ]
    log = tmp_path / "log.jsonl"
    log.write_bytes(b"".join(msgspec.json.encode(record) + b"\n" for record in records))
    run = cli(tmp_path, "decode", "-q", log)
    assert run.code == 0, run.err
    by_line = {row["line"]: row for row in run.rows()}
    assert sorted(by_line) == list(range(1, len(records) + 1))
    for line, record in enumerate(records, 1):
        # (the request as a whole decides: parsed, a handler's URL is a callback's)
        request = smsc_codec.parse_request(record["request"])
        value = decode_exchange(record["body"], request)
        row = by_line[line]
        assert (row["script"], row["fmt"]) == (request.script, int(request.fmt)), record
        assert row["kind"] == type(value).__name__, record
    assert [by_line[line]["kind"] for line in (14, 15, 16)] == ["StatusCallback"] * 3


# -- 3. rejects: every record is an output row or a reject ---------------------

#: hand-made bad records, as bytes with their line break
BAD_LINES: list[bytes] = [
    b"this is not JSON\n",
    b'{"request": "' + STATUS_FMT1.encode() + b'"}\n',  # no body
    b'{"request": "' + STATUS_FMT1.encode() + b'", "body": 42}\n',  # body not text
    b'{"request": "' + STATUS_FMT1.encode() + b'", "body": ["1,1286524541,0"]}\n',
    b'{"request": "' + STATUS_FMT1.encode() + b'", "body": "1,x,0"}\n',  # malformed answer
    b'{"body": "1,1286524541,0"}\n',  # no request
    b'\xff\xfe{"request": "not utf-8"}\n',  # not UTF-8 at all: raw_base64
]
BLANK_LINES: list[bytes] = [b"\n", b"   \t\r\n"]
#: the last line has no line break
LAST_LINE = b'{"request": "' + STATUS_FMT1.encode() + b'", "body": "1,1286524541,0"}'


def _append(path: Path, lines: Iterable[bytes], *, compress: bool = False) -> None:
    if compress:  # another gzip member: readers join them
        with gzip.open(path, "ab") as out:
            out.write(b"".join(lines))
    else:
        with path.open("ab") as out:
            out.write(b"".join(lines))


def _mixed_log(path: Path, count: int, *, compress: bool = False) -> list[bytes]:
    """A log of ``count`` corpus lines, then bad and blank lines; its lines as written."""
    write_log(path, count)
    tail = [BAD_LINES[0], BLANK_LINES[0], *BAD_LINES[1:4], BLANK_LINES[1], *BAD_LINES[4:]]
    _append(path, [*tail, LAST_LINE], compress=compress)
    return [*log_lines(count), *tail, LAST_LINE]


def _assert_every_line_accounted_for(
    source: Path, lines: list[bytes], corpus_count: int, run: Run, rejects_path: Path
) -> None:
    blank = {n for n, line in enumerate(lines, 1) if not line.strip()}
    records = {n for n in range(1, len(lines) + 1) if n not in blank}
    rows = run.rows()
    rejects = [json.loads(line) for line in rejects_path.read_bytes().splitlines()]
    assert len(rows) + len(rejects) == len(records)
    row_lines = {row["line"] for row in rows}
    reject_lines = {reject["line"] for reject in rejects}
    assert len(row_lines) == len(rows)
    assert len(reject_lines) == len(rejects)
    assert row_lines | reject_lines == records
    assert not row_lines & reject_lines
    # which lines are rejected: the corpus's expected rejections and the bad lines
    want = {n for n in range(1, corpus_count + 1) if is_rejection(ENTRIES[(n - 1) % len(ENTRIES)])}
    want |= {n for n in records if n > corpus_count and lines[n - 1] != LAST_LINE}
    assert reject_lines == want
    for reject in rejects:
        assert reject["source"] == str(source)
        assert isinstance(reject["reason"], str)
        assert reject["reason"]
        read = lines[reject["line"] - 1].rstrip(b"\r\n")
        try:
            read.decode("utf-8")
        except UnicodeDecodeError:
            assert "raw_base64" in reject
        if "raw" in reject:
            assert reject["raw"].encode("utf-8") == read
        else:
            assert base64.b64decode(reject["raw_base64"]) == read
    assert f"{len(blank):,} blank lines skipped" in run.err
    assert run.code == 1


def test_rejects_of_a_jsonl_log(tmp_path: Path) -> None:
    log = tmp_path / "traffic.jsonl"
    lines = _mixed_log(log, 3000)
    rejects = tmp_path / "rejects.jsonl"
    run = cli(tmp_path, "decode", log, "--rejects", rejects)
    _assert_every_line_accounted_for(log, lines, 3000, run, rejects)
    # the malformed answer is reported at its log line and the body's column
    number = lines.index(BAD_LINES[4]) + 1
    (report,) = [d for d in diagnostics(run.err) if d.line == number]
    assert (report.path, report.column) == (str(log), 3)
    assert_caret_under_column(report, "1,x,0")


def test_rejects_of_a_gzip_log(tmp_path: Path) -> None:
    log = tmp_path / "traffic.jsonl.gz"
    lines = _mixed_log(log, 600, compress=True)
    rejects = tmp_path / "rejects.jsonl"
    run = cli(tmp_path, "decode", log, "--rejects", rejects)
    _assert_every_line_accounted_for(log, lines, 600, run, rejects)


# -- CSV logs -----------------------------------------------------------------


class CsvRecord(NamedTuple):
    line: int  #: the line the record starts on
    text: str  #: the record as written, without its line break
    bad: bool  #: a record the tool must reject
    blank: bool


def write_csv_log(
    path: Path, rows: Sequence[Sequence[str] | None], bad: set[int], **fmt: Any
) -> list[CsvRecord]:
    """Write a CSV log (header request,body); ``None`` rows are blank lines."""
    out = io.StringIO()
    writer = csv.writer(out, **fmt)
    writer.writerow(["id", "request", "body"])
    records = []
    for index, row in enumerate(rows):
        line = out.getvalue().count("\n") + 1
        start = len(out.getvalue())
        if row is None:
            out.write("\r\n")
        else:
            writer.writerow(row)
        text = out.getvalue()[start:].removesuffix("\r\n")
        records.append(CsvRecord(line, text, index in bad, row is None))
    path.write_bytes(out.getvalue().encode("utf-8"))
    return records


def _csv_rows() -> tuple[list[list[str] | None], set[int]]:
    entries = ENTRIES[:150]
    rows: list[list[str] | None] = [
        [str(i), e.request, body_text(e)] for i, e in enumerate(entries)
    ]
    bad = {i for i, e in enumerate(entries) if is_rejection(e)}
    extra: list[tuple[list[str] | None, bool]] = [
        (None, False),
        (["x1", STATUS_FMT1], True),  # a field short
        (["x2", STATUS_FMT1, "1,x,0"], True),
        (["x3", STATUS_FMT1, "1,1286524541,0"], False),
        (["x4", STATUS_FMT1, "1,1286524541,0\n2x,1,0"], True),  # bad on its second line
        (None, False),
        (["x5", STATUS_FMT1, "1,1286524541,0"], False),
    ]
    for row, is_bad in extra:
        if is_bad:
            bad.add(len(rows))
        rows.append(row)
    return rows, bad


def test_rejects_and_lines_of_a_csv_log(tmp_path: Path) -> None:
    rows, bad = _csv_rows()
    bodies = [row[2] for row in rows if row is not None and len(row) == 3]
    assert sum("\n" in body for body in bodies) >= 20  # CSV quoting matters
    assert sum("," in body for body in bodies) >= 20
    log = tmp_path / "traffic.csv"
    records = write_csv_log(log, rows, bad)
    rejects_path = tmp_path / "rejects.jsonl"
    run = cli(tmp_path, "decode", log, "--rejects", rejects_path)
    assert run.code == 1
    out = run.rows()
    rejects = [json.loads(line) for line in rejects_path.read_bytes().splitlines()]
    real = [r for r in records if not r.blank]
    assert len(out) + len(rejects) == len(real)
    # each record is reported at the line it starts on
    assert [row["line"] for row in out] == [r.line for r in real if not r.bad]
    assert [reject["line"] for reject in rejects] == [r.line for r in real if r.bad]
    assert {row["source"] for row in out} == {str(log)}
    by_line = {r.line: r for r in real}
    for reject in rejects:
        assert reject["source"] == str(log)
        assert reject["reason"]
        assert reject["raw"] == by_line[reject["line"]].text
    reports = diagnostics(run.err)
    assert [(d.path, d.line) for d in reports] == [(str(log), r.line) for r in real if r.bad]
    for report in reports:
        assert_caret_under_column(report)
    blank = sum(r.blank for r in records)
    assert f"{blank:,} blank lines skipped" in run.err


def test_csv_rejects_keep_the_record_as_read(tmp_path: Path) -> None:
    """A CSV that quotes every field: the reject's raw is the record as it was read."""
    log = tmp_path / "quoted.csv"
    records = write_csv_log(log, [["1", STATUS_FMT1, "1,x,0"]], {0}, quoting=csv.QUOTE_ALL)
    rejects_path = tmp_path / "rejects.jsonl"
    run = cli(tmp_path, "decode", log, "--rejects", rejects_path)
    assert run.code == 1
    (reject,) = [json.loads(line) for line in rejects_path.read_bytes().splitlines()]
    assert reject["line"] == records[0].line == 2
    assert reject["raw"] == records[0].text  # '"1","status.php?...","1,x,0"'


def test_a_carriage_return_inside_a_csv_body_is_not_a_line_break(tmp_path: Path) -> None:
    """Line numbers count line feeds, as the codec's own body lines do: a lone CR
    inside a quoted body does not move the next record's line."""
    log = tmp_path / "cr.csv"
    rows = [["1", STATUS_FMT1, "1,1286524541,0\rjunk"], ["2", STATUS_FMT1, "1,y,0"]]
    records = write_csv_log(log, rows, {0, 1})
    run = cli(tmp_path, "decode", log)
    assert run.code == 1
    reports = diagnostics(run.err)
    assert [d.line for d in reports] == [r.line for r in records] == [2, 3]


def test_a_csv_row_that_cannot_be_read_is_rejected_and_reading_goes_on(tmp_path: Path) -> None:
    """A stray CR outside quotes, or bytes that are not UTF-8, spoil their own
    row only: it is rejected with the bytes as read, and the rows after it are
    decoded at their own lines."""
    good = b"1," + STATUS_FMT1.encode() + b',"1,1286524541,0"'
    stray_cr = b"2," + STATUS_FMT1.encode() + b",1\r2"
    not_utf8 = b"3," + STATUS_FMT1.encode() + b',"1,\xcf\xf0\xe8,0"'  # windows-1251
    both = b"4," + STATUS_FMT1.encode() + b",\xff\rx"  # a stray CR, not UTF-8
    rows = [good, stray_cr, good, not_utf8, both, good]
    log = tmp_path / "spoilt.csv"
    log.write_bytes(b"id,request,body\n" + b"\n".join(rows) + b"\n")
    rejects_path = tmp_path / "rejects.jsonl"
    run = cli(tmp_path, "decode", log, "--rejects", rejects_path)
    assert run.code == 1
    assert [row["line"] for row in run.rows()] == [2, 4, 7]
    rejects = [json.loads(line) for line in rejects_path.read_bytes().splitlines()]
    assert [reject["line"] for reject in rejects] == [3, 5, 6]
    for reject, row in zip(rejects, [stray_cr, not_utf8, both], strict=True):
        # the bytes as read: text when they are UTF-8, base64 when not
        assert ("raw" in reject) == (row is stray_cr)
        read = reject["raw"].encode() if "raw" in reject else base64.b64decode(reject["raw_base64"])
        assert read == row
    assert rejects[0]["reason"].startswith("not a CSV row: new-line character")
    assert "universal-newline" not in rejects[0]["reason"]  # the csv module's advice is not ours
    assert rejects[1]["reason"] == "not UTF-8: byte 0xCF"
    assert [d.line for d in diagnostics(run.err)] == [3, 5, 6]
    assert "cannot read" not in run.err


# -- 4. line numbers in a JSON Lines log --------------------------------------


def test_jsonl_line_numbers(tmp_path: Path) -> None:
    lines = list(log_lines(40))
    bad_json, bad_answer = 23, 31
    lines[bad_json - 1] = b'{"request": "balance.php", "body": \n'
    lines[bad_answer - 1] = (
        b'{"request": "' + STATUS_FMT1.encode() + b'", "body": "1,1286524541,0x"}\n'
    )
    log = tmp_path / "short.jsonl"
    log.write_bytes(b"".join(lines))
    rejects_path = tmp_path / "rejects.jsonl"
    run = cli(tmp_path, "decode", log, "--rejects", rejects_path)
    assert run.code == 1
    corpus_rejections = {n for n in range(1, 41) if is_rejection(ENTRIES[n - 1])}
    rejects = [json.loads(line) for line in rejects_path.read_bytes().splitlines()]
    assert {r["line"] for r in rejects} == corpus_rejections | {bad_json, bad_answer}
    reports = {d.line: d for d in diagnostics(run.err)}
    assert reports[bad_json].path == str(log)
    assert reports[bad_answer].path == str(log)
    assert run.err.count(f"{log}:{bad_json}:") == 1
    # the body's column: "1,1286524541,0x" is wrong at its 14th character
    # the column is the body's, where decoding it in-process finds the fault
    with pytest.raises(smsc_codec.DecodeError) as fault:
        smsc_codec.decode("1,1286524541,0x", STATUS_FMT1)
    assert run.err.count(f"{log}:{bad_answer}:{fault.value.column}:") == 1
    assert_caret_under_column(reports[bad_answer], "1,1286524541,0x")
    assert [row["line"] for row in run.rows()] == [
        n for n in range(1, 41) if n not in corpus_rejections | {bad_json, bad_answer}
    ]


# -- 5. validate ----------------------------------------------------------------


class Summary(NamedTuple):
    groups: dict[tuple[str, str], tuple[int, int, int]]  #: (script, fmt) -> answers, valid, invalid
    total: tuple[int, int, int]


def validate_summary(output: str) -> Summary:
    lines = output.splitlines()
    start = max(i for i, line in enumerate(lines) if line.split() == VALIDATE_HEADINGS)
    assert set(lines[start + 1]) <= {"-", " "}
    groups: dict[tuple[str, str], tuple[int, int, int]] = {}
    total: tuple[int, int, int] | None = None
    for line in lines[start + 2 :]:
        cells = line.split()
        answers, valid, invalid = (int(cell.replace(",", "")) for cell in cells[-3:])
        if cells[0] == "total":
            assert len(cells) == 4
            total = (answers, valid, invalid)
        else:
            assert len(cells) == 5
            groups[(cells[0], cells[1])] = (answers, valid, invalid)
    assert total is not None
    return Summary(groups, total)


VALIDATE_HEADINGS = ["script", "fmt", "answers", "valid", "invalid"]


def _assert_adds_up(summary: Summary) -> None:
    for answers, valid, invalid in [*summary.groups.values(), summary.total]:
        assert answers == valid + invalid
    for column in range(3):
        assert summary.total[column] == sum(g[column] for g in summary.groups.values())


def test_validate_a_folder_of_valid_answers(tmp_path: Path) -> None:
    chosen = [e for e in ACCEPTED if e.meta.get("strict")][::40]
    assert len(chosen) >= 5
    folder = tmp_path / "valid"
    for entry in chosen:
        copy_entry(entry, folder)
    for strict in ((), ("--strict",)):
        run = cli(tmp_path, "validate", *strict, folder)
        assert run.code == 0, run.text
        assert diagnostics(run.text) == []
        summary = validate_summary(run.text)
        _assert_adds_up(summary)
        assert summary.total == (len(chosen), len(chosen), 0)


def test_validate_the_corpus(tmp_path: Path) -> None:
    run = cli(tmp_path, "validate", CORPUS)
    assert run.code == 1
    reports = diagnostics(run.text)
    assert sorted(d.path for d in reports) == sorted(str(body_path(e)) for e in REJECTED)
    by_path = {d.path: d for d in reports}
    for entry in REJECTED:
        assert_corpus_diagnostic(by_path[str(body_path(entry))], entry)
    summary = validate_summary(run.text)
    _assert_adds_up(summary)
    assert summary.total == (len(ENTRIES), len(ACCEPTED), len(REJECTED))
    want: Counter[tuple[str, str]] = Counter()
    invalid: Counter[tuple[str, str]] = Counter()
    for entry in ENTRIES:
        script, fmt = script_and_fmt(entry.request)
        want[(script, str(fmt))] += 1
        invalid[(script, str(fmt))] += is_rejection(entry)
    assert {group: numbers[0] for group, numbers in summary.groups.items()} == dict(want)
    assert {group: numbers[2] for group, numbers in summary.groups.items()} == {
        group: invalid[group] for group in want
    }


def test_validate_strict_refuses_the_lenient_only_answers(tmp_path: Path) -> None:
    run = cli(tmp_path, "validate", "--strict", CORPUS)
    assert run.code == 1
    reports = {d.path: d for d in diagnostics(run.text)}
    assert len(reports) == len(diagnostics(run.text))
    assert set(reports) == {str(body_path(e)) for e in [*REJECTED, *LENIENT_ONLY]}
    for entry in [*REJECTED, *LENIENT_ONLY]:
        assert_corpus_diagnostic(reports[str(body_path(entry))], entry)
    summary = validate_summary(run.text)
    _assert_adds_up(summary)
    assert summary.total[2] == len(REJECTED) + len(LENIENT_ONLY)
    # one lenient-only entry on its own: valid, and invalid only with --strict
    folder = tmp_path / "lenient"
    body = copy_entry(LENIENT_ONLY[0], folder)
    lenient = cli(tmp_path, "validate", folder)
    assert lenient.code == 0
    assert diagnostics(lenient.text) == []
    strict = cli(tmp_path, "validate", "--strict", folder)
    assert strict.code == 1
    assert [d.path for d in diagnostics(strict.text)] == [str(body)]
    assert validate_summary(strict.text).total == (1, 0, 1)


def test_validate_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    run = cli(tmp_path, "validate", missing)
    assert run.code == 2
    assert str(missing) in run.err


# -- 6. convert -----------------------------------------------------------------

#: (not the variations beyond the documented layouts: an unknown key named
#: like the error envelope's has no fmt=3 form)
BYTE_EXACT_STATUS_FMT0 = [
    e
    for e in ACCEPTED
    if e.meta.get("byte_exact")
    and script_and_fmt(e.request) == ("status", 0)
    and not e.name.startswith("variation/")
]


def _params(request: str) -> Counter[tuple[str, str]]:
    return Counter(parse_qsl(request.partition("?")[2], keep_blank_values=True))


def test_convert_status_answers_to_json(tmp_path: Path) -> None:
    assert len(BYTE_EXACT_STATUS_FMT0) >= 10
    run = cli(tmp_path, "convert", "--to-fmt", "3", *map(body_path, BYTE_EXACT_STATUS_FMT0))
    assert run.code == 0, run.err
    rows = run.rows()
    assert [row["source"] for row in rows] == [str(body_path(e)) for e in BYTE_EXACT_STATUS_FMT0]
    for entry, row in zip(BYTE_EXACT_STATUS_FMT0, rows, strict=True):
        assert row["line"] == 1
        request = row["request"]
        assert request.partition("?")[0] == entry.request.partition("?")[0]
        want = _params(entry.request)
        for key in [k for k in want if k[0] == "fmt"]:
            del want[key]
        want[("fmt", "3")] += 1
        assert _params(request) == want, entry.name
        assert smsc_codec.decode(row["body"], request) == smsc_codec.decode(
            entry.body, entry.request
        ), entry.name


def test_convert_keeps_the_other_fields_of_a_jsonl_log(tmp_path: Path) -> None:
    records: list[dict[str, Any]] = [
        {
            "ts": f"2024-05-{number + 1:02d}T10:00:00",
            "request": entry.request,
            "meta": {"n": number, "tags": ["a", None, 1.5]},
            "body": body_text(entry),
            "ok": number % 2 == 0,
        }
        for number, entry in enumerate(BYTE_EXACT_STATUS_FMT0)
    ]
    log = tmp_path / "fmt0.jsonl"
    log.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    run = cli(tmp_path, "convert", "--to-fmt", "3", log)
    assert run.code == 0, run.err
    out = run.rows()
    assert len(out) == len(records)
    for before, after in zip(records, out, strict=True):
        assert list(after) == list(before)  # the same fields, in the same order
        assert {k: v for k, v in after.items() if k not in ("request", "body")} == {
            k: v for k, v in before.items() if k not in ("request", "body")
        }
        assert dict(parse_qsl(after["request"].partition("?")[2]))["fmt"] == "3"
        assert smsc_codec.decode(after["body"], after["request"]) == smsc_codec.decode(
            before["body"], before["request"]
        )


def test_convert_changes_only_the_fmt_of_a_request_mapping(tmp_path: Path) -> None:
    """A request given as an object of parameters (the script in its own field):
    the converted record's request is the same object with the new fmt."""
    request = {"id": "101", "phone": "79991234567", "fmt": "1"}
    body = "1,1286524541,0"
    record = {"script": "status", "request": request, "body": body}
    log = tmp_path / "mapping.jsonl"
    log.write_text(json.dumps(record) + "\n", "utf-8")
    run = cli(tmp_path, "convert", "--to-fmt", "3", "--script-field", "script", log)
    assert run.code == 0, run.err
    (out,) = run.rows()
    assert out["script"] == "status"
    assert out["request"] == {**request, "fmt": "3"}
    converted = smsc_codec.decode(out["body"], {**out["request"], "script": "status"})
    assert converted == smsc_codec.decode(body, {**request, "script": "status"})


def test_convert_to_csv_says_where_each_record_came_from(tmp_path: Path) -> None:
    """The CSV's source and line columns are filled for a JSON Lines log too."""
    lines = [
        json.dumps({"request": e.request, "body": body_text(e)}) + "\n"
        for e in BYTE_EXACT_STATUS_FMT0[:4]
    ]
    log = tmp_path / "fmt0.jsonl"
    log.write_text("".join(lines), "utf-8")
    run = cli(tmp_path, "convert", "--to-fmt", "3", "-f", "csv", log)
    assert run.code == 0, run.err
    header, *rows = list(csv.reader(io.StringIO(run.text, newline="")))
    assert header == ["source", "line", "request", "body"]
    assert [(row[0], row[1]) for row in rows] == [(str(log), str(n)) for n in range(1, 5)]


STATUS_FMT3 = [e for e in ACCEPTED if script_and_fmt(e.request) == ("status", 3)]


def test_convert_names_its_lossy_option_and_takes_it(tmp_path: Path) -> None:
    """fmt=1 has no place for some of what fmt=3 status answers carry: without
    ``--lossy`` those records are rejected with a message naming the option
    (not the library's argument); with it every record is written, and reads
    back as the answer without what was dropped (or with a text emptied)."""
    paths = list(map(body_path, STATUS_FMT3))
    refused = cli(tmp_path, "convert", "--to-fmt", "1", *paths)
    assert refused.code != 0
    assert "pass --lossy" in refused.err
    assert "lossy=True" not in refused.err
    kept = len(refused.rows())
    assert 0 < kept < len(paths)

    run = cli(tmp_path, "convert", "--to-fmt", "1", "--lossy", *paths)
    assert run.code == 0, run.err
    rows = run.rows()
    assert len(rows) == len(paths)
    for entry, row in zip(STATUS_FMT3, rows, strict=True):
        before = smsc_codec.decode(entry.body, entry.request)
        after = smsc_codec.decode(row["body"], row["request"])
        for old, new in zip(
            before if isinstance(before, list) else [before],
            after if isinstance(after, list) else [after],
            strict=True,
        ):
            assert type(new) is type(old), entry.name
            if isinstance(old, smsc_codec.Ok):
                continue  # (the bare OK has one form in fmt=1)
            for name in new.__struct_fields__:
                if name in ("extra", "ambiguous_fields"):
                    continue
                value = getattr(new, name)
                assert value is None or value == getattr(old, name) or value == "", (
                    entry.name,
                    name,
                )


# -- 7. stats ---------------------------------------------------------------------


class Expected(NamedTuple):
    rejected: int
    answers: int
    items: int
    #: (kind, currency, counted) -> [replies, total]
    costs: dict[tuple[str, str, str], list[Any]]
    by_script: Counter[str]
    by_kind: Counter[str]
    by_status: Counter[str]
    api_errors: Counter[str]


def _counted(item: msgspec.Struct, request: str) -> str | None:
    """What a reply's cost is, as the issue sorts them (independently of the tool)."""
    if isinstance(item, smsc_codec.SendResult):
        quote = smsc_codec.parse_request(request).get("cost") == "1"
        return "quoted" if quote else "charged"
    if isinstance(item, smsc_codec.JobCreated):
        return "charged"
    if isinstance(item, smsc_codec.PhoneResult):
        return None
    return "reported"


def expected_stats() -> Expected:
    rejected = answers = items = 0
    costs: dict[tuple[str, str, str], list[Any]] = {}
    by_script: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    api_errors: Counter[str] = Counter()
    for entry in ENTRIES:
        try:
            value = decode_exchange(entry.body, entry.request)
        except smsc_codec.SmscCodecError:
            rejected += 1
            continue
        answers += 1
        script = script_and_fmt(entry.request)[0]
        by_script[script] += 1
        for item in value if isinstance(value, list) else [value]:
            items += 1
            by_kind[type(item).__name__] += 1
            if isinstance(item, smsc_codec.ApiError):
                api_errors[f"{script}: {item.code} {item.meaning.name}"] += 1
                continue
            status = getattr(item, "status", None)
            if isinstance(status, MessageStatus):
                by_status[f"{int(status)} {status.name}"] += 1
            amount = item.credit if isinstance(item, smsc_codec.Statistics) else None
            amount = getattr(item, "cost", amount)
            counted = _counted(item, entry.request)
            if isinstance(amount, Decimal) and counted is not None:
                key = (type(item).__name__, getattr(item, "currency", None) or "", counted)
                entry_costs = costs.setdefault(key, [0, Decimal(0)])
                entry_costs[0] += 1
                entry_costs[1] += amount
    return Expected(rejected, answers, items, costs, by_script, by_kind, by_status, api_errors)


def test_stats_json_counts_what_decoding_finds(tmp_path: Path) -> None:
    want = expected_stats()
    assert want.rejected == len(REJECTED)
    roles = {role for _, _, role in want.costs}
    assert roles == {"charged", "quoted", "reported"}  # the corpus has each
    run = cli(tmp_path, "stats", CORPUS, "--json")
    assert run.code == 1
    report = json.loads(run.out)
    assert report["records"] == len(ENTRIES)
    assert report["rejected"] == want.rejected
    assert report["answers"] == want.answers
    assert report["items"] == want.items
    got = {
        (cost["kind"], cost["currency"], cost["counted"]): [cost["replies"], Decimal(cost["total"])]
        for cost in report["costs"]
    }
    assert got == want.costs
    charged: dict[str, Decimal] = {}
    for (_, currency, role), (_, total) in want.costs.items():
        if role == "charged":
            charged[currency] = charged.get(currency, Decimal(0)) + total
    assert {k: Decimal(v) for k, v in report["cost_charged"].items()} == charged
    assert report["by_script"] == dict(want.by_script)
    assert report["by_kind"] == dict(want.by_kind)
    assert report["by_status"] == dict(want.by_status)
    assert report["api_errors"] == dict(want.api_errors)

    table = cli(tmp_path, "stats", CORPUS)
    assert table.code == 1
    totals = {}
    for line in table.text.splitlines():
        match = re.fullmatch(r"(records|decoded|rejected|replies)\s+(\S+)", line)
        if match:
            totals[match[1]] = match[2]
    assert totals == {
        "records": f"{len(ENTRIES):,}",
        "decoded": f"{want.answers:,}",
        "rejected": f"{want.rejected:,}",
        "replies": f"{want.items:,}",
    }
    for script, count in want.by_script.items():
        assert re.search(rf"^{re.escape(script)}\s+{count:,}$", table.text, re.MULTILINE)
    # the cost table says what is added up and what is not
    assert re.search(r"^cost of\s+currency\s+replies\s+total\s+in the total$", table.text, re.M)
    for (kind, currency, role), (replies, total) in want.costs.items():
        note = "yes" if role == "charged" else "no: "
        assert re.search(
            rf"^{kind}\s+{currency or '-'}\s+{replies}\s+{re.escape(str(total))}\s+{note}",
            table.text,
            re.M,
        ), (kind, role)
    for total in charged.values():
        assert re.search(rf"^spent\s+-\s+{re.escape(str(total))}\s+the total", table.text, re.M)


# -- 8. charsets -------------------------------------------------------------------


def test_charsets(tmp_path: Path) -> None:
    entry = next(e for e in ENTRIES if e.name == "charset/windows-1251")
    text = body_text(entry)
    assert re.search("[а-яА-ЯёЁ]", text)
    request = entry.request
    assert "charset" not in request
    want = smsc_codec.decode(text, request)
    assert isinstance(want, smsc_codec.SmsStatus)
    assert want.message
    assert re.search("[а-яА-ЯёЁ]", want.message)
    files = {
        "windows-1251": tmp_path / "cp1251.body",
        "utf-8": tmp_path / "utf8.body",
        "koi8-r": tmp_path / "koi8.body",
    }
    files["windows-1251"].write_bytes(text.encode("cp1251"))
    files["utf-8"].write_bytes(text.encode("utf-8"))
    files["koi8-r"].write_bytes(text.encode("koi8_r"))

    auto = cli(
        tmp_path,
        "decode",
        "--charset",
        "auto",
        "--request",
        request,
        files["windows-1251"],
        files["utf-8"],
    )
    assert auto.code == 0, auto.err
    rows = {row["source"]: row for row in auto.rows()}
    for charset in ("windows-1251", "utf-8"):
        row = rows[str(files[charset])]
        assert row["charset"] == charset
        assert row["reply"]["message"] == want.message
        assert row["reply"]["status_name"] == want.status_name

    koi8 = cli(tmp_path, "decode", "--charset", "koi8-r", "--request", request, files["koi8-r"])
    assert koi8.code == 0, koi8.err
    (row,) = koi8.rows()
    assert row["reply"] == rows[str(files["utf-8"])]["reply"]
    assert row["reply"]["message"] == want.message


# -- 9. CSV output ------------------------------------------------------------------


def test_csv_output(corpus_csv: CsvRun) -> None:
    run, header, rows = corpus_csv
    assert run.code == 1
    assert {"source", "line", "item", "script", "fmt", "kind"} <= set(header)
    assert len(set(header)) == len(header)
    assert all(len(row) == len(header) for row in rows)
    at = {name: index for index, name in enumerate(header)}
    by_source: dict[str, list[list[str]]] = {}
    for row in rows:
        by_source.setdefault(row[at["source"]], []).append(row)
    assert set(by_source) == {str(body_path(e)) for e in ACCEPTED}
    lists = 0
    for entry in ACCEPTED:
        got = by_source[str(body_path(entry))]
        expect = entry.meta["expect"]
        assert {row[at["kind"]] for row in got} == {expected_kind(entry) or ""}
        if expect.get("list"):
            lists += 1
            assert [row[at["item"]] for row in got] == [str(i) for i in range(len(expect["list"]))]
        else:
            assert [row[at["item"]] for row in got] == [""]
    assert lists >= 30
    assert len(rows) == sum(max(1, len(expected_items(e))) for e in ACCEPTED)


# -- 10. Parquet ----------------------------------------------------------------------


def test_parquet_output(tmp_path: Path, corpus_csv: CsvRun) -> None:
    """A folder of one typed dataset per reply kind, a row per reply as in CSV."""
    out = tmp_path / "tables"
    run = cli(tmp_path, "decode", CORPUS, "-f", "parquet", "-o", out)
    if HAS_PYARROW:
        assert run.code == 1  # the corpus's rejections
        parquet = importlib.import_module("pyarrow.parquet")
        tables_out = importlib.import_module("smsc_codec._cli._tables_out")
        at = {name: index for index, name in enumerate(corpus_csv.header)}
        entries = {str(body_path(entry)): entry for entry in ACCEPTED}
        sources = list(dict.fromkeys(row[at["source"]] for row in corpus_csv.rows))
        want: dict[str, list[str]] = {}  # kind -> the source of each reply, in order
        for source in sources:
            entry = entries[source]
            value = decode_exchange(entry.body, entry.request)
            for reply in value if isinstance(value, list) else [value]:
                want.setdefault(type(reply).__name__, []).append(source)
        files = {path.stem: parquet.read_table(path) for path in out.iterdir()}
        assert {path.suffix for path in out.iterdir()} == {".parquet"}
        kinds = importlib.import_module("smsc_codec.arrow").kinds()
        for name, table in files.items():
            assert table.schema == tables_out.table_schema(kinds[name], None), name
        assert {name: table.column("source").to_pylist() for name, table in files.items()} == want
    else:
        assert run.code == 2
        assert "smsc-codec[parquet]" in run.err
        assert not out.exists()


def test_parquet_without_pyarrow_names_the_extra(tmp_path: Path) -> None:
    out = tmp_path / "rows.parquet"
    argv = ["decode", str(CORPUS), "-f", "parquet", "-o", str(out)]
    code = (
        "import sys; sys.modules['pyarrow'] = None; "
        "from smsc_codec._cli import main; "
        f"sys.exit(main({argv!r}))"
    )
    run = run_python(tmp_path, ["-c", code])
    assert run.code == 2
    assert "pyarrow" in run.err
    assert "smsc-codec[parquet]" in run.err
    assert not out.exists()
    assert run.out == b""


def test_the_parquet_extra_exists() -> None:
    """The hint says ``pip install 'smsc-codec[parquet]'``: the project declares that extra."""
    text = (REPO / "pyproject.toml").read_text("utf-8")
    section = re.search(r"^\[project\.optional-dependencies\]\n(.*?)(?=^\[)", text, re.S | re.M)
    assert section is not None
    assert re.search(r"^parquet\s*=\s*\[[^\]]*pyarrow", section[1], re.M), section[1]


# -- 11. help ------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["decode", "validate", "convert", "stats", "check-corpus"])
def test_help_shows_examples(tmp_path: Path, command: str) -> None:
    run = cli(tmp_path, command, "--help")
    assert run.code == 0
    assert "examples:" in run.text.splitlines()
    assert f"smsc-codec {command}" in run.text


def test_no_arguments_is_a_usage_error(tmp_path: Path) -> None:
    run = cli(tmp_path)
    assert run.code == 2
    assert "usage:" in run.err
    assert run.out == b""


# -- 12. --jobs -------------------------------------------------------------------------


def test_jobs_give_the_same_output(tmp_path: Path) -> None:
    log = write_log(tmp_path / "big.jsonl", 20_000)
    runs = []
    for jobs in ("1", "2"):
        rejects = tmp_path / f"rejects-{jobs}.jsonl"
        run = cli(tmp_path, "decode", log, "--jobs", jobs, "--rejects", rejects)
        assert run.code == 1
        runs.append((run, rejects.read_bytes()))
    (one, rejects_one), (two, rejects_two) = runs
    assert one.out == two.out
    assert rejects_one == rejects_two
    assert one.err.replace("rejects-1", "rejects-N") == two.err.replace("rejects-2", "rejects-N")
    rows = len(one.out.splitlines())
    rejected = len(rejects_one.splitlines())
    assert rows + rejected == 20_000
    assert rejected == sum(is_rejection(ENTRIES[n % len(ENTRIES)]) for n in range(20_000))


# -- 13. standard input ----------------------------------------------------------------


def test_stdin_jsonl_log(tmp_path: Path) -> None:
    lines = list(log_lines(30))
    run = cli(tmp_path, "decode", "-", stdin=b"".join(lines))
    rows = run.rows()
    accepted = [n for n in range(1, 31) if not is_rejection(ENTRIES[n - 1])]
    assert run.code == (0 if len(accepted) == 30 else 1)
    assert [row["line"] for row in rows] == accepted
    assert {row["source"] for row in rows} == {"-"}
    for row in rows:
        request = json.loads(lines[row["line"] - 1])["request"]
        assert row["request"] == request
        assert row["kind"] == expected_kind(ENTRIES[row["line"] - 1])


def test_stdin_body_with_request(tmp_path: Path) -> None:
    entry = next(e for e in ENTRIES if e.name == "status/sms-all1-fmt1")
    run = cli(tmp_path, "decode", "--request", entry.request, stdin=entry.body)
    assert run.code == 0, run.err
    (row,) = run.rows()
    assert (row["source"], row["line"], row["request"]) == ("-", 1, entry.request)
    assert row["kind"] == expected_kind(entry)
    # the same row as decoding the corpus file itself
    from_file = cli(tmp_path, "decode", body_path(entry))
    (file_row,) = from_file.rows()
    assert row["reply"] == file_row["reply"]
