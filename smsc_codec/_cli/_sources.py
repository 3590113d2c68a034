"""Where records come from: files, folders, standard input, gzip.

An input is a *body* (one answer per file, its request given on the command
line or in a sibling file), or a *log*: JSON Lines or CSV with one exchange a
record. Everything is read as a stream of chunks, so memory does not grow with
the input.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import sys
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from smsc_codec._limits import DEFAULT_LIMITS

from ._records import Record

__all__ = [
    "Chunk",
    "InputOptions",
    "Source",
    "UsageError",
    "find_sources",
    "read_chunks",
]

#: What a file's suffix (under an optional ``.gz``) says it holds.
_LOG_FORMS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
#: The files a folder is searched for; others (a corpus entry's ``.json``
#: sidecar, READMEs) are not inputs.
_FOLDER_SUFFIXES = {".body", *_LOG_FORMS}
#: About this many bytes of log lines make one chunk of work.
CHUNK_BYTES = 1 << 20
#: Records of a CSV log or body files per chunk.
CHUNK_RECORDS = 4096

_GZIP_MAGIC = b"\x1f\x8b"
_UTF8_BOM = b"\xef\xbb\xbf"


class UsageError(Exception):
    """The command line asks for something impossible (exit status 2)."""


class Source(NamedTuple):
    name: str  #: as diagnostics show it: the path as given or found, ``-`` for stdin
    path: Path | None  #: None for standard input
    form: str  #: "body", "jsonl" or "csv"


class InputOptions(NamedTuple):
    form: str = "auto"  #: "auto", "body", "jsonl" or "csv"
    request: str | None = None  #: the request of every body (``--request``)
    request_field: str = "request"
    body_field: str = "body"
    #: a body file is read up to this many bytes (``--limit max_body_bytes``)
    max_body: int = DEFAULT_LIMITS.max_body_bytes


class Chunk(NamedTuple):
    """A piece of one source: raw JSON Lines, or records already split."""

    source: str
    form: str  #: "jsonl": ``items`` are lines; otherwise ``items`` are Records
    first_line: int  #: the line number of the first item (JSON Lines)
    items: list[Any]


def _base_suffix(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def _form_of(path: Path, options: InputOptions) -> str:
    if options.form != "auto":
        return options.form
    return _LOG_FORMS.get(_base_suffix(path), "body")


def find_sources(
    paths: Sequence[str], options: InputOptions, outputs: Sequence[str] = ()
) -> list[Source]:
    """The inputs named on the command line; folders are searched recursively.

    A file named twice is read once. A file the command writes (``outputs``) is
    never an input: reading it while writing it would lose it or never end.
    """
    written = {Path(path).resolve() for path in outputs if path and path != "-"}
    sources = _find(paths, options)
    seen: set[Path] = set()
    kept = []
    for source in sources:
        if source.path is not None:
            resolved = source.path.resolve()
            if resolved in written:
                if source.name in paths:
                    raise UsageError(f"{source.name} is both an input and an output")
                continue
            if resolved in seen:
                continue
            seen.add(resolved)
        kept.append(source)
    return kept


def _find(paths: Sequence[str], options: InputOptions) -> list[Source]:
    sources = []
    for given in paths:
        if given == "-":
            if sys.stdin is None:  # started with standard input closed (`<&-`)
                raise UsageError("standard input is closed")
            form = options.form
            if form == "auto":
                form = "body" if options.request else "jsonl"
            sources.append(Source("-", None, form))
            continue
        path = Path(given)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.is_file() and _base_suffix(p) in _FOLDER_SUFFIXES
            )
            sources.extend(Source(str(p), p, _form_of(p, options)) for p in found)
        elif path.exists():
            # a file, or a pipe or device named by a path (`<(zcat log.gz)`)
            sources.append(Source(given, path, _form_of(path, options)))
        else:
            raise UsageError(f"no such file or folder: {given}")
    return sources


class _Counted(io.RawIOBase):
    """A raw stream that counts the bytes read through it (for the progress line)."""

    def __init__(self, raw: BinaryIO, counter: list[int]) -> None:
        self._raw = raw
        self._counter = counter

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        count = len(data)
        buffer[:count] = data
        self._counter[0] += count
        return count


def _open(source: Source, counter: list[int]) -> BinaryIO:
    if source.path is None:
        raw: BinaryIO = open(sys.stdin.fileno(), "rb", buffering=0, closefd=False)  # noqa: SIM115
    else:
        raw = open(source.path, "rb", buffering=0)  # noqa: SIM115
    stream = io.BufferedReader(_Counted(raw, counter), buffer_size=1 << 16)
    if stream.peek(2)[:2] == _GZIP_MAGIC:
        return gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[return-value]
    return stream


def _sibling_request(path: Path) -> str | None:
    """The request a body file's sibling names: ``<name>.json`` (a corpus entry's
    ``"request"``) or ``<name>.request`` (the request URL as text)."""
    stem = path.name
    for suffix in (".gz", ".body"):
        stem = stem.removesuffix(suffix)
    meta = path.with_name(stem + ".json")
    if meta.is_file():
        try:
            request = json.loads(meta.read_text(encoding="utf-8")).get("request")
        except (OSError, ValueError, AttributeError):
            return None
        return request if isinstance(request, str) else None
    text = path.with_name(stem + ".request")
    if text.is_file():
        try:
            return text.read_text(encoding="utf-8").strip() or None
        except (OSError, ValueError):
            return None
    return None


#: What reading a file can raise: missing or unreadable files, broken gzip,
#: text that is not UTF-8, a CSV the csv module cannot read.
_READ_ERRORS = (OSError, EOFError, ValueError, zlib.error, csv.Error)


def _unreadable(source: Source, line: int, exc: BaseException) -> Chunk:
    """A chunk of one record standing for the rest of a file that could not be read."""
    reason = f"cannot read {source.name} from here on: {exc}"
    record = Record(source.name, line, None, None, b"", reason, in_log=source.form != "body")
    return Chunk(source.name, "records", line, [record])


def read_chunks(
    sources: Sequence[Source], options: InputOptions, counter: list[int]
) -> Iterator[Chunk]:
    """Every source's records in chunks, in order. ``counter[0]`` counts bytes read.

    A file that cannot be read, or whose reading breaks off, gives a record
    saying so at the line where it happened; the run goes on with the next.
    """
    bodies: list[Record] = []
    size = 0
    for source in sources:
        if source.form == "body":
            before = counter[0]
            try:
                with _open(source, counter) as stream:
                    body = stream.read(options.max_body + 1)  # no more than the limit
            except _READ_ERRORS as exc:
                bodies.extend(_unreadable(source, 1, exc).items)
                continue
            request = options.request
            if request is None and source.path is not None:
                request = _sibling_request(source.path)
            problem = (
                None if request else "no request: give --request or a sibling .json/.request file"
            )
            raw = body
            if len(body) > options.max_body:
                problem = f"more than {options.max_body:,} bytes, over the limit max_body_bytes"
                raw = b""  # (the rejects file does not repeat a body this size)
            bodies.append(Record(source.name, 1, request, body, raw, problem, in_log=False))
            size += counter[0] - before
            if len(bodies) >= CHUNK_RECORDS or size >= CHUNK_BYTES:
                yield Chunk("", "records", 1, bodies)
                bodies, size = [], 0
            continue
        if bodies:  # keep the order of the sources
            yield Chunk("", "records", 1, bodies)
            bodies, size = [], 0
        position = [1]  # the line the sub-reader has reached
        try:
            with _open(source, counter) as stream:
                if source.form == "jsonl":
                    yield from _jsonl_chunks(source, stream, position)
                else:
                    yield from _csv_chunks(source, stream, options, counter, position)
        except _READ_ERRORS as exc:
            yield _unreadable(source, position[0], exc)
    if bodies:
        yield Chunk("", "records", 1, bodies)


def _jsonl_chunks(source: Source, stream: BinaryIO, position: list[int]) -> Iterator[Chunk]:
    lines: list[bytes] = []
    size = 0

    def chunk() -> Chunk:
        first = position[0]
        if first == 1 and lines[0].startswith(_UTF8_BOM):  # as an editor may save it
            lines[0] = lines[0][len(_UTF8_BOM) :]
        position[0] += len(lines)
        return Chunk(source.name, "jsonl", first, lines)

    try:
        for line in stream:
            lines.append(line)
            size += len(line)
            if size >= CHUNK_BYTES:
                yield chunk()
                lines, size = [], 0
    except _READ_ERRORS:
        if lines:  # the lines read before the fault (a truncated gzip) are not lost
            yield chunk()
        raise
    if lines:
        yield chunk()


#: a byte that is not UTF-8, as ``errors="surrogateescape"`` reads it
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


class _CsvHeader(NamedTuple):
    """Where a CSV log's request and body are, from its header row."""

    width: int  #: the number of columns
    request_at: int
    body_at: int
    problem: str | None  #: a column missing: every row is rejected with this

    @classmethod
    def read(cls, header: list[str], options: InputOptions) -> _CsvHeader:
        where = {name: index for index, name in enumerate(header)}
        wanted = (options.request_field, options.body_field)
        missing = [name for name in wanted if name not in where]
        problem = (
            f"no column named {', '.join(map(repr, missing))} (columns: {', '.join(header)})"
            if missing
            else None
        )
        request_at, body_at = (where.get(name, -1) for name in wanted)
        return cls(len(header), request_at, body_at, problem)

    def record(self, source: str, line: int, row: list[str], raw: str) -> Record:
        """The record of one row, read from ``raw`` (its lines, without the last break)."""
        not_utf8 = _ESCAPED_BYTE.search(raw)
        if not_utf8 is not None:  # kept as the bytes it was read from
            reason = f"not UTF-8: byte 0x{ord(not_utf8[0]) - 0xDC00:02X}"
            return Record(source, line, None, None, raw.encode("utf-8", "surrogateescape"), reason)
        if not row:
            return Record(source, line, None, None, raw, None)  # a blank line
        if self.problem is not None:
            return Record(source, line, None, None, raw, self.problem)
        if len(row) != self.width:
            reason = f"the row has {len(row)} fields, the header {self.width}"
            return Record(source, line, None, None, raw, reason)
        return Record(source, line, row[self.request_at], row[self.body_at], raw, None)


def _first_clause(exc: csv.Error) -> str:
    """The csv module's message without its advice (its "universal-newline
    mode" is not what a stray CR in a log asks for)."""
    return str(exc).split(" - ", 1)[0]


def _csv_chunks(
    source: Source,
    stream: BinaryIO,
    options: InputOptions,
    counter: list[int],
    position: list[int],
) -> Iterator[Chunk]:
    # newline="\n": only LF ends a line, as in the other inputs; a CR inside a
    # quoted body is the body's (the csv module still reads CRLF endings).
    # surrogateescape: a row that is not UTF-8 is that row's problem, and the
    # rows after it are still read.
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="\n", errors="surrogateescape")
    read: list[str] = []  # the lines the csv reader took for the current row

    def lines() -> Iterator[str]:
        for line in text:
            read.append(line)
            yield line

    csv.field_size_limit(sys.maxsize)  # a body may be a long list: no limit but memory
    reader = csv.reader(lines())
    first = next(reader, None)
    if first is None:
        return
    header = _CsvHeader.read(first, options)
    line = position[0] = len(read) + 1
    read.clear()
    records: list[Record] = []
    before = counter[0]
    rows = iter(reader)
    while True:
        try:
            row = next(rows, None)
        except csv.Error as exc:  # a stray CR, say: the reader starts afresh on the next line
            as_read = "".join(read).removesuffix("\n").encode("utf-8", "surrogateescape")
            reason = f"not a CSV row: {_first_clause(exc)}"
            records.append(Record(source.name, line, None, None, as_read, reason))
        except _READ_ERRORS:
            if records:  # what was read before the fault is not lost
                yield Chunk(source.name, "records", 0, records)
            raise
        else:
            if row is None:
                break
            raw = "".join(read).removesuffix("\n").removesuffix("\r")
            records.append(header.record(source.name, line, row, raw))
        line = position[0] = line + len(read)
        read.clear()
        if len(records) >= CHUNK_RECORDS or counter[0] - before >= CHUNK_BYTES:
            yield Chunk(source.name, "records", 0, records)
            records, before = [], counter[0]
    if records:
        yield Chunk(source.name, "records", 0, records)
