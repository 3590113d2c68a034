"""The work on one chunk of records, the same in this process or a worker.

Each command turns a chunk into an :class:`Outcome`: its output lines (or
table of rows), its rejected records with their reasons, its diagnostics and
its counts. Nothing here writes anywhere, so chunks can be spread over
processes and their outcomes written in input order.

A record is taken whole or rejected whole: everything that can fail on it
(reading its log line, decoding, rendering its output as the writer will write
it) runs first, inside a guard that turns any exception into that record's
reject, and only then is it counted and its output kept.
"""

from __future__ import annotations

import csv
import functools
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any, NamedTuple

import msgspec

from smsc_codec._api import shared_decoder
from smsc_codec._errors import DecodeError, EncodeError, SmscCodecError
from smsc_codec._exchange import CALLBACK, decode_exchange, encode_exchange
from smsc_codec._limits import DEFAULT_LIMITS, Limits
from smsc_codec._request import parse_request

from ._records import LogFields, Record, RecordError, diagnostic, log_line_type, reject_line
from ._redact import CREDENTIALS, Redactor
from ._rows import flat_row, reply_row, table_columns
from ._sources import Chunk
from ._stats import Stats

__all__ = ["Job", "Outcome", "Tally", "csv_columns", "process", "redactor", "with_fmt"]


class Job(NamedTuple):
    """What to do with each record (from the command line)."""

    command: str  #: decode, validate, convert or stats
    fields: LogFields = LogFields()
    strict: bool = False
    charset: str | None = None  #: a ``--charset`` name; None: the request's
    limits: Limits = DEFAULT_LIMITS
    output: str = "jsonl"  #: jsonl, csv or parquet
    to_fmt: int | None = None
    #: ``convert --lossy``: drop or empty what the target format has no place for
    lossy: bool = False
    #: the parameters whose values are masked in everything written
    redact: tuple[str, ...] = CREDENTIALS
    tz: str | None = None  #: ``--tz``: local times become instants in this zone


class Tally:
    """Counts of one chunk's records; added up over the run."""

    def __init__(self) -> None:
        self.records = 0
        self.rejected = 0
        self.blank = 0
        self.charsets: Counter[str] = Counter()
        #: (script, fmt, verdict) -> records; verdict: valid or invalid
        self.verdicts: Counter[tuple[str, str, str]] = Counter()
        self.stats = Stats()

    def merge(self, other: Tally) -> None:
        self.records += other.records
        self.rejected += other.rejected
        self.blank += other.blank
        self.charsets.update(other.charsets)
        self.verdicts.update(other.verdicts)
        self.stats.merge(other.stats)


class Outcome(NamedTuple):
    output: Any  #: bytes of whole lines, or Arrow tables by kind name for Parquet
    rejects: bytes
    diagnostics: str
    tally: Tally


@functools.cache
def redactor(names: tuple[str, ...]) -> Redactor:
    return Redactor(names)


@functools.cache
def _line_decoder(fields: LogFields) -> msgspec.json.Decoder[Any]:
    return msgspec.json.Decoder(log_line_type(fields))


def _log_records(chunk: Chunk, fields: LogFields) -> Iterator[Record]:
    decoder = _line_decoder(fields)
    for number, line in enumerate(chunk.items, chunk.first_line):
        yield log_item(chunk.source, number, line, decoder, fields)


def log_item(
    source: str,
    number: int,
    line: bytes | Record,
    decoder: msgspec.json.Decoder[Any],
    fields: LogFields,
) -> Record:
    """The record of a JSON Lines chunk's item (its line ``number``)."""
    if isinstance(line, Record):  # a line too long to read, rejected as it was read
        return line
    try:
        return _log_record(source, number, line, decoder, fields)
    except Exception as exc:  # nesting too deep for msgspec, no memory left: the
        # line's problem, not the run's
        return Record(source, number, None, None, line, f"not a log record: {exc!r}")


def _log_record(
    source: str, number: int, line: bytes, decoder: msgspec.json.Decoder[Any], fields: LogFields
) -> Record:
    if not line.strip():
        return Record(source, number, None, None, line, None)  # blank
    try:
        parsed = decoder.decode(line)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        return Record(source, number, None, None, line, f"not a log record: {exc}")
    request, body = parsed.request, parsed.body
    problem = None
    if body is None:
        problem = f"no {fields.body!r} field"
    elif not isinstance(body, str):
        problem = f"the {fields.body!r} field is not text"
    elif request is None:
        problem = f"no {fields.request!r} field"
    elif fields.script is not None and isinstance(request, dict):
        script = parsed.script
        request = request if script is None else {**request, "script": script}
    return Record(source, number, request, body, line, problem)


def _records(chunk: Chunk, fields: LogFields) -> Iterator[Record]:
    return _log_records(chunk, fields) if chunk.form == "jsonl" else iter(chunk.items)


def auto_charset(body: bytes) -> str:
    """``--charset auto``: UTF-8 when the bytes are valid UTF-8, else windows-1251."""
    if body.isascii():
        return "utf-8"
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "windows-1251"
    return "utf-8"


class _Done(NamedTuple):
    value: Any
    script: str
    fmt: str
    chosen: str | None  #: the charset ``--charset auto`` chose for a body file


def _decode(record: Record, job: Job, strict: bool) -> _Done:
    assert record.body is not None
    charset = job.charset
    chosen = None
    if isinstance(record.body, str):
        charset = None  # a log's body is text already: no charset applies
    elif charset == "auto":
        charset = chosen = auto_charset(record.body)
    # (--charset names are codec names)
    request = record.request
    if not isinstance(request, str) or CALLBACK in request:
        # a mapping, or a URL that may be a callback's: parsed once, in full
        request = parse_request(request)
        if request.script == CALLBACK:
            value = decode_exchange(
                record.body, request, strict=strict, charset=charset, limits=job.limits
            )
            return _Done(value, request.script, str(int(request.fmt)), chosen)
    # the decoder of the request's layout, found by the URL's shape where one
    # is learned: a log's URLs, each with its own ids and credentials, are
    # not parsed one by one
    decoder = shared_decoder(request, strict=strict, charset=charset, limits=job.limits)
    value = decoder.decode(record.body)
    return _Done(value, decoder.request.script, str(decoder.fmt), chosen)


def _group(record: Record) -> tuple[str, str]:
    """The (script, fmt) a record's answer is counted under by ``validate``."""
    try:
        request = parse_request(record.request)
    except Exception:  # whatever it is, the record's reject says it
        return ("?", "?")
    try:
        return request.script, str(int(request.fmt))
    except Exception:
        return request.script, "?"


def _kind(value: Any) -> str | None:
    if isinstance(value, list):
        return type(value[0]).__name__ if value else None
    return type(value).__name__


def request_text(request: Any) -> str:
    return request if isinstance(request, str) else msgspec.json.encode(request).decode()


_encoder = msgspec.json.Encoder()


class _Result(NamedTuple):
    """What one record gives, kept only once all of it could be made."""

    output: bytes = b""  #: its lines, as the output is written (JSON Lines, CSV)
    charset: str | None = None  #: the charset ``--charset auto`` chose for it


class _Kept:
    """A file for the csv module that keeps what it writes in a list."""

    def __init__(self) -> None:
        self.written: list[str] = []
        self.write = self.written.append


class _Writer:
    """Collects one chunk's output, rejects, diagnostics and counts."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.redactor = redactor(job.redact)
        self.lines: list[bytes] = []
        #: (position in the chunk, reject line, diagnostic)
        self.rejects: list[tuple[int, bytes, str]] = []
        self.tally = Tally()
        self._csv: tuple[_Kept, csv.DictWriter[str]] | None = None

    def csv_lines(self, rows: list[dict[str, Any]]) -> bytes:
        """``rows`` as the CSV output writes them."""
        if self._csv is None:
            kept = _Kept()
            columns = csv_columns(self.job)
            writer = csv.DictWriter(kept, columns, lineterminator="\n", extrasaction="ignore")
            self._csv = kept, writer
        kept, writer = self._csv
        kept.written.clear()
        writer.writerows(rows)
        return "".join(kept.written).encode("utf-8")

    def take(self, position: int, record: Record, result: _Result) -> None:
        self.lines.append(result.output)
        if result.charset is not None:
            self.tally.charsets[result.charset] += 1

    def reject(self, position: int, record: Record, problem: str | Exception) -> None:
        record = record._replace(raw=self.redactor.raw(record.raw))
        if not isinstance(problem, DecodeError):  # (a DecodeError shows the body only)
            problem = self.redactor.text(str(problem))
        report, reason = diagnostic(record, problem)
        self.rejects.append((position, reject_line(record, reason), report))
        self.tally.rejected += 1

    def outcome(self, output: Any = None) -> Outcome:
        if output is None:
            output = b"".join(self.lines)
        self.rejects.sort(key=lambda reject: reject[0])  # in the input's order
        rejects = b"".join(line for _, line, _ in self.rejects)
        diagnostics = "".join(report for _, _, report in self.rejects)
        return Outcome(output, rejects, diagnostics, self.tally)


class _Validating(_Writer):
    """``validate``'s writer: it keeps no output, and counts each record
    valid or invalid under the (script, fmt) of its answer."""

    def take(self, position: int, record: Record, result: _Result) -> None:
        script, fmt = _group(record)
        self.tally.verdicts[(script, fmt, "valid")] += 1

    def reject(self, position: int, record: Record, problem: str | Exception) -> None:
        super().reject(position, record, problem)
        script, fmt = _group(record)
        self.tally.verdicts[(script, fmt, "invalid")] += 1


def csv_columns(job: Job) -> list[str]:
    """The header of a CSV output: a decoded reply's columns, or a converted log's."""
    if job.command == "convert":
        return ["source", "line", job.fields.request, job.fields.body]
    return [column.name for column in table_columns()]


def process(chunk: Chunk, job: Job) -> Outcome:
    """Run ``job.command`` over every record of ``chunk``."""
    if job.command == "decode" and job.output == "parquet":
        from ._tables_out import decode_tables  # noqa: PLC0415 - needs pyarrow

        return decode_tables(chunk, job, _Writer(job), _records(chunk, job.fields))
    out = _Validating(job) if job.command == "validate" else _Writer(job)
    return _each_record(chunk, job, out)


def _each_record(chunk: Chunk, job: Job, out: _Writer) -> Outcome:
    """Run the command on each record, in a guard that makes whatever fails
    on it its reject; blank lines are counted apart."""
    handle = _COMMANDS[job.command]
    for position, record in enumerate(_records(chunk, job.fields)):
        if record.body is None and record.problem is None:
            out.tally.blank += 1
            continue
        out.tally.records += 1
        problem: str | Exception | None = record.problem
        if problem is None:
            try:
                result = handle(record, job, out)
            except (SmscCodecError, RecordError) as exc:
                problem = exc
            except Exception as exc:  # a bug, or no memory left: the record's reject
                problem = f"internal error: {exc!r}"
            else:
                out.take(position, record, result)
        if problem is not None:
            out.reject(position, record, problem)
    return out.outcome()


def _decode_command(record: Record, job: Job, out: _Writer) -> _Result:
    done = _decode(record, job, job.strict)
    charset = done.chosen
    value = done.value
    tz = job.tz
    listed = isinstance(value, list)
    reply = [reply_row(item, tz) for item in value] if listed else reply_row(value, tz)
    request = out.redactor.request(record.request)
    origin: dict[str, Any] = {
        "source": record.source,
        "line": record.line,
        "request": request,
        "script": done.script,
        "fmt": int(done.fmt),
        "kind": _kind(value),
    }
    if charset is not None:
        origin["charset"] = charset
    if job.output == "jsonl":
        # a list answer's replies, or the one reply: each key one type of value
        origin["replies" if listed else "reply"] = reply
        return _Result(_encoder.encode(origin) + b"\n", charset=charset)
    origin["request"] = request_text(request)
    if isinstance(reply, dict):
        rows = [{**origin, **flat_row(reply)}]
    elif reply:
        rows = [{**origin, **flat_row(item), "item": index} for index, item in enumerate(reply)]
    else:  # an empty list still says the record was read
        rows = [origin]
    return _Result(out.csv_lines(rows), charset=charset)


def _validate_command(record: Record, job: Job, out: _Writer) -> _Result:
    # lenient decoding finds what is malformed; strict decoding, with --strict,
    # what is unknown or ambiguous as well
    _decode(record, job, strict=False)
    if job.strict:
        _decode(record, job, strict=True)
    return _Result()


def with_fmt(request: Any, fmt: int) -> Any:
    """``request`` asking for ``fmt`` instead: a URL or tail, or a mapping of parameters."""
    if isinstance(request, dict):
        return {**request, "fmt": fmt if isinstance(request.get("fmt"), int) else str(fmt)}
    head, _, query = str(request).partition("?")
    query, hash_mark, fragment = query.partition("#")
    params = [p for p in query.split("&") if p and p.partition("=")[0] != "fmt"]
    params.append(f"fmt={fmt}")
    return f"{head}?{'&'.join(params)}{hash_mark}{fragment}"


#: the encoders' advice names their argument; the command line has an option
_LIBRARY_LOSSY = re.compile(r"\blossy=True\b")


def _convert_command(record: Record, job: Job, out: _Writer) -> _Result:
    assert job.to_fmt is not None
    done = _decode(record, job, job.strict)
    request = with_fmt(record.request, job.to_fmt)
    try:
        body = encode_exchange(done.value, request, lossy=job.lossy)
    except EncodeError as exc:
        # the library's remedy, as this command line spells it
        raise RecordError(_LIBRARY_LOSSY.sub("--lossy", str(exc))) from None
    text = body.decode(parse_request(request).charset)
    fields = job.fields
    redact = out.redactor
    entry: dict[str, Any]
    if job.output == "jsonl" and record.in_log and isinstance(record.raw, bytes):
        # a JSON Lines record keeps its other fields, and its request's own form
        # (without the script that --script-field added for decoding)
        entry = redact.request(msgspec.json.decode(record.raw))
        entry[fields.request] = redact.request(with_fmt(entry[fields.request], job.to_fmt))
        entry[fields.body] = text
        return _Result(_encoder.encode(entry) + b"\n")
    entry = {"source": record.source, "line": record.line}
    entry[fields.request] = redact.request(request)
    entry[fields.body] = text
    if job.output == "jsonl":
        return _Result(_encoder.encode(entry) + b"\n")
    entry[fields.request] = request_text(request)
    return _Result(out.csv_lines([entry]))


def _stats_command(record: Record, job: Job, out: _Writer) -> _Result:
    done = _decode(record, job, job.strict)
    # send.php's answer to cost=1 is a price quote
    quote = (
        done.script == "send" and (parse_request(record.request).get("cost") or "").strip() == "1"
    )
    out.tally.stats.add(done.value, done.script, quote=quote)  # all of the answer, or none
    return _Result()


_COMMANDS = {
    "decode": _decode_command,
    "validate": _validate_command,
    "convert": _convert_command,
    "stats": _stats_command,
}
