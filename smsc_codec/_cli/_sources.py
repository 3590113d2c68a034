"""Where records come from: files, folders, standard input, gzip.

An input is a *body* (one answer per file, its request given on the command
line or in a sibling file), or a *log*: JSON Lines or CSV with one exchange a
record. Everything is read as a stream of chunks, so memory does not grow with
the input.
"""

from __future__ import annotations

import csv
import errno
import gzip
import io
import json
import os
import re
import stat
import sys
import zlib
from collections.abc import Callable, Generator, Iterator, Sequence
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

#: What a log record may hold besides its body: the request, the field names,
#: quoting and escapes, other fields. A JSON Lines line or a CSV record is read
#: up to ``max_body_bytes`` plus this; a longer one is rejected unread.
FRAMING_BYTES = 1 << 20
#: How much of a record too long to read the rejects file keeps.
KEPT_BYTES = 4096
#: A log is read in pieces of at most this many bytes, so that a line that
#: never ends (``/dev/zero``) costs no more memory than the longest allowed.
_PIECE_BYTES = 1 << 20

_GZIP_MAGIC = b"\x1f\x8b"
_UTF8_BOM = b"\xef\xbb\xbf"


class UsageError(Exception):
    """The command line asks for something impossible (exit status 2)."""


class Source(NamedTuple):
    name: str  #: as diagnostics show it: the path as given or found, ``-`` for stdin
    path: Path | None  #: None for standard input
    form: str  #: "body", "jsonl" or "csv"
    #: why a folder's entry cannot be read or followed: it is reported as a record
    problem: str | None = None


class InputOptions(NamedTuple):
    form: str = "auto"  #: "auto", "body", "jsonl" or "csv"
    request: str | None = None  #: the request of every body (``--request``)
    request_field: str = "request"
    body_field: str = "body"
    #: a body file is read up to this many bytes (``--limit max_body_bytes``)
    max_body: int = DEFAULT_LIMITS.max_body_bytes

    @property
    def max_record(self) -> int:
        """The most bytes a log's record may take, its line breaks included."""
        return self.max_body + FRAMING_BYTES


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
        if source.path is not None and source.problem is None:
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
            top = path.stat()
            folder = (top.st_dev, top.st_ino)
            sources.extend(_walk(path, options, (folder,), {folder}))
        elif path.exists():
            # a file, or a pipe or device named by a path (`<(zcat log.gz)`)
            sources.append(Source(given, path, _form_of(path, options)))
        else:
            raise UsageError(f"no such file or folder: {given}")
    return sources


def _walk(
    folder: Path,
    options: InputOptions,
    holders: tuple[tuple[int, int], ...],
    seen: set[tuple[int, int]],
) -> Iterator[Source]:
    """The inputs below ``folder``, in the order of their paths, and a problem
    source for every entry that cannot be read or followed.

    Links are followed. ``holders`` are the folders (device, inode) from the top
    down to ``folder``: a link back to one of them is a loop, reported and not
    followed; a folder ``seen`` before through another link is not searched again.
    """
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError as exc:
        yield _problem(folder, f"cannot read the folder: {exc.strerror or exc}")
        return
    for entry in entries:
        path = Path(entry.path)
        try:
            info = path.stat()
        except OSError as exc:
            yield _problem(path, _unfollowable(path, exc))
            continue
        if stat.S_ISDIR(info.st_mode):
            key = (info.st_dev, info.st_ino)
            if key in holders:
                yield _problem(path, "a link back to a folder holding it (a loop): not followed")
            elif key not in seen:
                seen.add(key)
                yield from _walk(path, options, (*holders, key), seen)
        elif _base_suffix(path) in _FOLDER_SUFFIXES:
            if stat.S_ISREG(info.st_mode):
                yield Source(str(path), path, _form_of(path, options))
            else:  # reading a pipe found in a folder could wait forever
                yield _problem(path, f"not a regular file but {_file_kind(info.st_mode)}: not read")


def _problem(path: Path, reason: str) -> Source:
    return Source(str(path), path, "body", reason)


def _unfollowable(path: Path, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "a symbolic link that loops: not followed"
    if path.is_symlink() and exc.errno == errno.ENOENT:
        return f"a symbolic link to {os.readlink(path)}, which does not exist"
    return f"cannot read: {exc.strerror or exc}"


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


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
        if source.problem is not None:  # a folder's entry that cannot be read or followed
            bodies.append(Record(source.name, 1, None, None, b"", source.problem, in_log=False))
            continue
        if source.form == "body":
            before = counter[0]
            try:
                with _open(source, counter) as stream:
                    body = stream.read(options.max_body + 1)  # no more than the limit
            except _READ_ERRORS as exc:
                bodies.extend(_unreadable(source, 1, exc).items)
                continue
            bodies.append(_body_record(source, body, options))
            size += counter[0] - before
            if len(bodies) >= CHUNK_RECORDS or size >= CHUNK_BYTES:
                yield Chunk("", "records", 1, bodies)
                bodies, size = [], 0
            continue
        if bodies:  # keep the order of the sources
            yield Chunk("", "records", 1, bodies)
            bodies, size = [], 0
        yield from _log_chunks(source, options, counter)
    if bodies:
        yield Chunk("", "records", 1, bodies)


def _body_record(source: Source, body: bytes, options: InputOptions) -> Record:
    """A body file's record (``body`` read up to one byte over the limit), with
    the request given or found beside it."""
    request = options.request
    if request is None and source.path is not None:
        request = _sibling_request(source.path)
    problem = None if request else "no request: give --request or a sibling .json/.request file"
    raw = body
    if len(body) > options.max_body:
        problem = f"more than {options.max_body:,} bytes, over the limit max_body_bytes"
        raw = b""  # (the rejects file does not repeat a body this size)
    return Record(source.name, 1, request, body, raw, problem, in_log=False)


def _log_chunks(source: Source, options: InputOptions, counter: list[int]) -> Iterator[Chunk]:
    """A log file's records in chunks; reading that breaks off gives a last
    record saying so at the line where it happened."""
    position = [1]  # the line the sub-reader has reached
    try:
        with _open(source, counter) as stream:
            if source.form == "jsonl":
                yield from _jsonl_chunks(source, stream, options.max_record, position)
            else:
                yield from _csv_chunks(source, stream, options, counter, position)
    except _READ_ERRORS as exc:
        yield _unreadable(source, position[0], exc)


class _Overlong(NamedTuple):
    """A line longer than a record may be, skipped: its start and its length."""

    start: bytes  #: at most KEPT_BYTES, not cut inside a UTF-8 character
    length: int  #: in bytes, its line break included (as far as it was read)


def _bounded_lines(stream: BinaryIO, limit: int) -> Iterator[bytes | _Overlong]:
    """The lines of ``stream`` with their line breaks, each at most ``limit``
    bytes; a longer one is read on to its end in pieces, never held whole."""
    readline = stream.readline
    first_piece = min(_PIECE_BYTES, limit + 1)
    while True:
        line = readline(first_piece)
        # a line shorter than asked for ended, or the input did
        if len(line) < first_piece or (line.endswith(b"\n") and len(line) <= limit):
            if not line:
                return
            yield line
        else:
            yield _rest_of_line(readline, line, limit)


def _rest_of_line(readline: Callable[[int], bytes], line: bytes, limit: int) -> bytes | _Overlong:
    """A line whose first piece ``line`` did not end it, read on in pieces:
    whole when it ends within ``limit`` bytes, else read on to its end and
    skipped."""
    pieces = [line]
    size = len(line)
    while size <= limit and not pieces[-1].endswith(b"\n"):
        piece = readline(min(_PIECE_BYTES, limit + 1 - size))
        if not piece:
            break
        pieces.append(piece)
        size += len(piece)
    if size <= limit:
        return b"".join(pieces)
    start = _start_of(pieces[0])
    ended = pieces[-1].endswith(b"\n")
    pieces.clear()
    while not ended:
        piece = readline(_PIECE_BYTES)
        if not piece:
            break
        size += len(piece)
        ended = piece.endswith(b"\n")
    return _Overlong(start, size)


def _start_of(data: bytes) -> bytes:
    """The first KEPT_BYTES of ``data``, not cut inside a UTF-8 character."""
    if len(data) <= KEPT_BYTES:
        return data
    end = KEPT_BYTES
    while end > KEPT_BYTES - 3 and data[end] & 0xC0 == 0x80:  # a continuation byte
        end -= 1
    return data[:end]


def _overlong_record(source: str, line: int, overlong: _Overlong, limit: int) -> Record:
    reason = (
        f"a line of {overlong.length:,} bytes, over the {limit:,} a log record may take "
        f"(max_body_bytes + {FRAMING_BYTES:,}): not read; its first "
        f"{len(overlong.start):,} bytes are kept"
    )
    return Record(source, line, None, None, overlong.start, reason)


def _jsonl_chunks(
    source: Source, stream: BinaryIO, limit: int, position: list[int]
) -> Iterator[Chunk]:
    """Chunks of a JSON Lines log's lines; a line too long is a ready-made reject."""
    lines: list[bytes | Record] = []
    size = 0

    def chunk() -> Chunk:
        first = position[0]
        head = lines[0]
        if first == 1 and isinstance(head, bytes) and head.startswith(_UTF8_BOM):
            lines[0] = head[len(_UTF8_BOM) :]  # as an editor may save it
        position[0] += len(lines)
        return Chunk(source.name, "jsonl", first, lines)

    try:
        for line in _bounded_lines(stream, limit):
            if isinstance(line, _Overlong):
                lines.append(_overlong_record(source.name, position[0] + len(lines), line, limit))
                size += len(line.start)
            else:
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


class _TooLong(Exception):
    """The CSV record being read has grown past the bytes a record may take."""


def _csv_chunks(
    source: Source,
    stream: BinaryIO,
    options: InputOptions,
    counter: list[int],
    position: list[int],
) -> Iterator[Chunk]:
    records: list[Record] = []
    before = counter[0]
    try:
        for record in _CsvRecords(source.name, stream, options, position):
            records.append(record)
            if len(records) >= CHUNK_RECORDS or counter[0] - before >= CHUNK_BYTES:
                yield Chunk(source.name, "records", 0, records)
                records, before = [], counter[0]
    except _READ_ERRORS:
        if records:  # what was read before the fault is not lost
            yield Chunk(source.name, "records", 0, records)
        raise
    if records:
        yield Chunk(source.name, "records", 0, records)


class _CsvRecords:
    """A CSV log's records, each at most ``options.max_record`` bytes.

    Only LF ends a line, as in the other inputs; a CR inside a quoted body is the
    body's (the csv module still reads CRLF endings). A row that is not UTF-8 is
    that row's problem (surrogate escapes mark its bytes), and the rows after it
    are still read. A record that grows past the limit (an unclosed quote
    swallowing the lines after it) is rejected at its first line, and the lines
    after that are read again as records of their own, once: a line read again
    that is again inside a record too long is rejected alone, so that no line
    is read more than twice, whatever the quotes. The record being read is held
    as its bytes, and the lines to read again as one piece of bytes: memory is
    a few times the limit, however short the lines.
    """

    def __init__(
        self, source: str, stream: BinaryIO, options: InputOptions, position: list[int]
    ) -> None:
        self.source = source
        self.options = options
        self.limit = options.max_record
        self.position = position  #: the line reached, for a fault's record
        self.physical = _bounded_lines(stream, self.limit)
        #: lines to read again (after a record too long), then one line to read
        #: before the rest (the one that made it too long, when not read again)
        self.again = io.BytesIO()
        self.held: bytes | _Overlong | None = None
        #: the record being read: its bytes, its lines, where its first line and
        #: its lines read again end
        self.record = bytearray()
        self.lines = 0
        self.first_end = 0
        self.first_text = ""
        self.again_end = 0
        self.again_lines = 0
        first = next(self.physical, None)  # a byte-order mark, as an editor may save it
        self.held = first.removeprefix(_UTF8_BOM) if isinstance(first, bytes) else first
        csv.field_size_limit(sys.maxsize)  # records are bounded in bytes as they are read

    def _next(self) -> tuple[bytes | _Overlong | None, bool]:
        """The next line, and whether it is read again."""
        line = self.again.readline()
        if line:
            return line, True
        if self.held is not None:
            held, self.held = self.held, None
            return held, False
        return next(self.physical, None), False

    def _lines(self) -> Iterator[str]:
        """The lines for the csv reader; _TooLong once its record grows past the limit."""
        while True:
            line, again = self._next()
            if line is None:
                return
            if isinstance(line, _Overlong) or len(self.record) + len(line) > self.limit:
                if again:  # as it was: the next to read
                    self.again.seek(-len(line), io.SEEK_CUR)
                else:
                    self.held = line
                raise _TooLong
            self.record += line
            self.lines += 1
            text = line.decode("utf-8", "surrogateescape")
            if self.lines == 1:
                self.first_end = len(self.record)
                self.first_text = text
            if again:
                self.again_end = len(self.record)
                self.again_lines += 1
            yield text

    def _text(self, start: int = 0, end: int | None = None) -> str:
        """The record's bytes from ``start`` to ``end``, as read, without the last line break."""
        if start == 0 and (end == self.first_end or (end is None and self.lines == 1)):
            text = self.first_text  # decoded already
        else:
            text = self.record[start:end].decode("utf-8", "surrogateescape")
        return text.removesuffix("\n").removesuffix("\r")

    def __iter__(self) -> Iterator[Record]:
        reader = csv.reader(self._lines())
        header: _CsvHeader | None = None
        line = self.position[0]
        while True:
            taken = None  # the lines of the record: all it read
            try:
                row = next(reader, None)
            except _TooLong:
                reader = csv.reader(self._lines())  # the last one ended with the exception
                if header is None:
                    too_long = f"the header row is longer than {self.limit:,} bytes"
                    raise ValueError(too_long) from None
                taken = yield from self._too_long(line)
            except csv.Error as exc:  # a stray CR, say: the reader starts afresh on the next line
                as_read = self.record.decode("utf-8", "surrogateescape").removesuffix("\n")
                yield self._reject(line, as_read, f"not a CSV row: {_first_clause(exc)}")
            else:
                if row is None:
                    return
                if header is None:
                    header = _CsvHeader.read(row, self.options)
                else:
                    yield header.record(self.source, line, row, self._text())
            line = self.position[0] = line + (self.lines if taken is None else taken)
            self.record.clear()
            self.lines = self.first_end = self.again_end = self.again_lines = 0

    def _too_long(self, line: int) -> Generator[Record, None, int]:
        """The rejects of a record that grew past the limit: its first line, and
        those of its lines that were read again already (they always come
        first); its other lines are read again. Returns the lines taken."""
        if not self.lines:  # a single line too long, at the start of a record
            overlong = self.held
            self.held = None
            assert isinstance(overlong, _Overlong)
            yield _overlong_record(self.source, line, overlong, self.limit)
            return 1
        over = f"not ended within {self.limit:,} bytes (max_body_bytes + {FRAMING_BYTES:,})"
        reason = (
            f"a CSV record {over}, an unclosed quote?: its first line is rejected "
            "and the lines after it are read again"
        )
        yield self._reject(line, self._text(0, self.first_end), reason)
        start = self.first_end
        reason = f"a line read again after a CSV record {over}, inside another such record"
        for number in range(line + 1, line + self.again_lines):
            end = self.record.index(b"\n", start) + 1
            yield self._reject(number, self._text(start, end), reason)
            start = end
        rest = self.record[max(self.first_end, self.again_end) :]
        if rest:  # read after the lines read again, whose piece is then used up
            self.again = io.BytesIO(rest)
        return max(self.again_lines, 1)

    def _reject(self, line: int, text: str, reason: str) -> Record:
        return Record(
            self.source, line, None, None, text.encode("utf-8", "surrogateescape"), reason
        )
