"""``decode -f parquet``: a chunk's records as one typed table per reply kind.

The records are decoded together by the columnar decoder
(``smsc_codec._columnar``, the engine of ``smsc_codec.arrow.decode_table``),
and each kind's table gets the record's origin in front: its file and line,
its request (credentials masked), script, fmt and the charset ``--charset
auto`` chose. An answer the decoder refuses, or whose value no column can
hold (an integer of 2^63 or more), is that record's reject, whole.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.ipc

from smsc_codec._columnar import Decoded, decode_columns
from smsc_codec._columnar_schema import INPUT_INDEX, kind_schema
from smsc_codec._request import parse_request

from ._records import Record

if TYPE_CHECKING:
    from ._work import Job, Outcome, _Writer

__all__ = ["ORIGIN", "decode_tables", "table_schema"]

#: where a row comes from, first in every kind's table
ORIGIN = (
    ("source", pa.string()),
    ("line", pa.int64()),
    ("request", pa.string()),
    ("script", pa.string()),
    ("fmt", pa.int8()),
    ("charset", pa.string()),
)


@functools.cache
def table_schema(cls: type[msgspec.Struct], tz: str | None) -> pa.Schema:
    """A kind's table as the command line writes it: the origin, then the
    kind's columns (``smsc_codec.arrow.schema_for``) but ``input_index`` and
    those the origin holds (an API error's ``script`` is its request's)."""
    origin = {name for name, _ in ORIGIN}
    fields = [field for field in kind_schema(cls, tz) if field.name not in (INPUT_INDEX, *origin)]
    return pa.schema([pa.field(name, type_) for name, type_ in ORIGIN] + fields)


class _Tables(dict[str, pa.Table]):
    """A chunk's tables by kind name. Sent from a worker (``--jobs N``) as
    one Arrow IPC stream a table: one call each way, where pickling a table
    reduces every column on its own."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (_tables_from_streams, ({name: _stream(table) for name, table in self.items()},))


def _stream(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()  # type: ignore[no-any-return]


def _tables_from_streams(streams: dict[str, bytes]) -> _Tables:
    return _Tables({name: pa.ipc.open_stream(data).read_all() for name, data in streams.items()})


def _script_fmt(request: Any) -> tuple[str | None, int | None]:
    try:
        parsed = parse_request(request)
    except Exception:  # whatever it is, the record was read all the same
        return None, None
    try:
        return parsed.script, int(parsed.fmt)
    except Exception:
        return parsed.script, None


class _Taken:
    """The records handed to the decoder, as parallel lists (a log's usual
    line is not made a ``Record`` unless it is rejected)."""

    def __init__(self) -> None:
        self.positions: list[int] = []  #: in the chunk
        self.sources: list[str] = []
        self.lines: list[int] = []
        self.requests: list[Any] = []
        self.bodies: list[Any] = []
        self.raws: list[Any] = []
        #: the record where it was made, for what a ``Record`` tells beyond
        #: the lists (a body file's record)
        self.records: list[Record | None] = []

    def record(self, index: int) -> Record:
        made = self.records[index]
        if made is not None:
            return made
        return Record(
            self.sources[index],
            self.lines[index],
            self.requests[index],
            self.bodies[index],
            self.raws[index],
            None,
        )


def _take(out: _Writer, taken: _Taken, position: int, record: Record) -> None:
    if record.body is None and record.problem is None:
        out.tally.blank += 1
        return
    out.tally.records += 1
    if record.problem is not None:
        out.reject(position, record, record.problem)
        return
    taken.positions.append(position)
    taken.sources.append(record.source)
    taken.lines.append(record.line)
    taken.requests.append(record.request)
    taken.bodies.append(record.body)
    taken.raws.append(record.raw)
    taken.records.append(record)


def _taken(chunk: Any, job: Job, out: _Writer, records: Iterable[Record]) -> _Taken:
    """The chunk's records to decode; blank lines counted, unreadable ones rejected.

    A JSON Lines line whose request and body are both text is the common
    record: it is read here, in one loop, into what ``_work.log_item`` would
    make of it; any other line goes through ``log_item`` itself."""
    from ._work import _line_decoder, log_item  # noqa: PLC0415 - (a cycle otherwise)

    taken = _Taken()
    if chunk.form != "jsonl":
        for position, record in enumerate(records):
            _take(out, taken, position, record)
        return taken
    fields = job.fields
    decoder = _line_decoder(fields)
    source, first = chunk.source, chunk.first_line
    items = chunk.items
    if _read_whole(taken, decoder, chunk):
        out.tally.records += len(items)
        return taken
    decode = decoder.decode
    for position, line in enumerate(items):
        if type(line) is bytes:
            try:
                parsed = decode(line)
            except Exception:  # (log_item says what the line is)
                parsed = None
            if parsed is not None and type(parsed.request) is str and type(parsed.body) is str:
                out.tally.records += 1
                taken.positions.append(position)
                taken.sources.append(source)
                taken.lines.append(first + position)
                taken.requests.append(parsed.request)
                taken.bodies.append(parsed.body)
                taken.raws.append(line)
                taken.records.append(None)
                continue
        _take(out, taken, position, log_item(source, first + position, line, decoder, fields))
    return taken


def _lines_of_objects(data: bytes, count: int) -> bool:
    """``data`` is ``count`` lines (each but the last ending with a line
    break), each starting with ``{`` and ending with ``}`` before its line
    break (``\\n`` or ``\\r\\n``)."""
    text = np.frombuffer(data, dtype=np.uint8)
    breaks = np.flatnonzero(text == ord("\n"))
    ends = breaks if data.endswith(b"\n") else np.append(breaks, len(text))
    if len(ends) != count:
        return False
    starts = np.concatenate(([0], breaks[: count - 1] + 1))
    if starts[-1] >= len(text) or not (text[starts] == ord("{")).all():
        return False
    last = ends - 1
    carriage = text[last] == ord("\r")
    last[carriage] -= 1
    return bool((last > starts).all() and (text[last] == ord("}")).all())


def _read_whole(taken: _Taken, decoder: Any, chunk: Any) -> bool:
    """Read a chunk of log lines in one call (``decode_lines`` over the
    lines joined), where every line is a record whose request and body are
    text; False (nothing taken) for any other chunk.

    The lines hold no line break but their last, and each starts with ``{``
    and ends with ``}`` (before its break): then every break between two
    lines is a break between two values of the stream, or the stream is no
    JSON. After a line's last ``}`` the reader has either ended a value, or
    is inside a string (where a raw line break is malformed), or inside an
    object or array (where the next line's ``{`` cannot follow a value). So
    a stream that reads as one value a line reads each line as the value it
    reads as alone."""
    items = chunk.items
    if not items or set(map(type, items)) != {bytes}:
        return False
    data = b"".join(items)
    if not _lines_of_objects(data, len(items)):
        return False
    try:
        values = decoder.decode_lines(data)
    except Exception:  # (each line's own reading says what is wrong)
        return False
    if len(values) != len(items):
        return False
    requests = [value.request for value in values]
    bodies = [value.body for value in values]
    if set(map(type, requests)) != {str} or set(map(type, bodies)) != {str}:
        return False
    count = len(items)
    first = chunk.first_line
    taken.positions = list(range(count))
    taken.sources = [chunk.source] * count
    taken.lines = list(range(first, first + count))
    taken.requests = requests
    taken.bodies = bodies
    taken.raws = list(items)
    taken.records = [None] * count
    return True


def _layout_columns(taken: _Taken, layouts: list[tuple[Any, str, int]]) -> list[pa.Array]:
    """The script and fmt columns: a layout group's from the group, any
    other record's from its own request."""
    count = len(taken.requests)
    names: list[str] = []
    script_ids = np.full(count, -1, dtype=np.int64)
    fmts = np.zeros(count, dtype=np.int8)
    for indices, script, fmt in layouts:
        if script not in names:
            names.append(script)
        script_ids[indices] = names.index(script)
        fmts[indices] = fmt
    untold = script_ids < 0
    fmt_known = ~untold
    scripts = pa.array(names, type=pa.string()).take(pa.array(script_ids, mask=untold))
    if untold.any():
        script_list = scripts.to_pylist()
        fmt_list: list[int | None] = list(fmts.tolist())
        for index in np.flatnonzero(untold).tolist():
            script_list[index], fmt_list[index] = _script_fmt(taken.requests[index])
        return [pa.array(script_list, type=pa.string()), pa.array(fmt_list, type=pa.int8())]
    return [scripts, pa.array(fmts, type=pa.int8(), mask=~fmt_known)]


def decode_tables(chunk: Any, job: Job, out: _Writer, records: Iterable[Record]) -> Outcome:
    """The chunk's records decoded into tables (by kind name)."""
    from ._work import auto_charset  # noqa: PLC0415 - (a cycle otherwise)

    taken = _taken(chunk, job, out, records)
    bodies = taken.bodies
    charsets: list[str | None] | None = None
    if job.charset == "auto":
        charsets = [auto_charset(b) if isinstance(b, bytes) else None for b in bodies]
    try:
        decoded = decode_columns(
            taken.requests,
            bodies,
            strict=job.strict,
            tz=job.tz,
            charset=None if job.charset == "auto" else job.charset,
            charsets=charsets,
            limits=job.limits,
        )
    except Exception as exc:  # a bug, or no memory left: the records' rejects
        for index, position in enumerate(taken.positions):
            out.reject(position, taken.record(index), f"internal error: {exc!r}")
        return out.outcome({})
    _tally_decoded(out, taken, decoded, charsets)
    origin_arrays = _origin_arrays(out, taken, decoded, charsets)
    return out.outcome(_kind_tables(decoded, origin_arrays, job.tz))


def _tally_decoded(
    out: _Writer, taken: _Taken, decoded: Decoded, charsets: list[str | None] | None
) -> None:
    """The records the decoder refused are rejected; the charsets ``--charset
    auto`` chose for the others are counted."""
    for index, error in sorted(decoded.rejected.items()):
        out.reject(taken.positions[index], taken.record(index), error)
    if charsets is not None:
        for index, chosen in enumerate(charsets):
            if chosen is not None and index not in decoded.rejected:
                out.tally.charsets[chosen] += 1


def _origin_arrays(
    out: _Writer, taken: _Taken, decoded: Decoded, charsets: list[str | None] | None
) -> list[pa.Array]:
    """The origin's columns (``ORIGIN``) of every record of the chunk."""
    from ._work import request_text  # noqa: PLC0415 - (a cycle otherwise)

    requests = [
        request if type(request) is str else request_text(request) for request in taken.requests
    ]
    count = len(requests)
    return [
        pa.array(taken.sources, type=pa.string()),
        pa.array(taken.lines, type=pa.int64()),
        out.redactor.column(pa.array(requests, type=pa.string())),
        *_layout_columns(taken, decoded.layouts),
        pa.array(charsets if charsets is not None else [None] * count, type=pa.string()),
    ]


def _kind_tables(decoded: Decoded, origin_arrays: list[pa.Array], tz: str | None) -> _Tables:
    """Each kind's table: its rows' origin, then the decoder's columns."""
    tables = _Tables()
    for cls, table in decoded.tables.items():
        rows = table.column(INPUT_INDEX)
        schema = table_schema(cls, tz)
        columns = [array.take(rows) for array in origin_arrays]
        columns += [table.column(name) for name in schema.names[len(ORIGIN) :]]
        tables[cls.__name__] = pa.Table.from_arrays(columns, schema=schema)
    return tables
