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

from smsc_codec._columnar import decode_columns
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


def _script_fmt(request: Any) -> tuple[str | None, int | None]:
    try:
        parsed = parse_request(request)
    except Exception:  # whatever it is, the record was read all the same
        return None, None
    try:
        return parsed.script, int(parsed.fmt)
    except Exception:
        return parsed.script, None


def decode_tables(chunk: Any, job: Job, out: _Writer, records: Iterable[Record]) -> Outcome:
    """The chunk's records decoded into tables (by kind name)."""
    from ._work import auto_charset, request_text  # noqa: PLC0415 - (a cycle otherwise)

    taken: list[tuple[int, Record]] = []
    for position, record in enumerate(records):
        if record.body is None and record.problem is None:
            out.tally.blank += 1
            continue
        out.tally.records += 1
        if record.problem is not None:
            out.reject(position, record, record.problem)
        else:
            taken.append((position, record))
    requests = [record.request for _, record in taken]
    bodies = [record.body for _, record in taken]
    charsets: list[str | None] | None = None
    if job.charset == "auto":
        charsets = [auto_charset(b) if isinstance(b, bytes) else None for b in bodies]
    try:
        decoded = decode_columns(
            requests,
            bodies,
            strict=job.strict,
            tz=job.tz,
            charset=None if job.charset == "auto" else job.charset,
            charsets=charsets,
            limits=job.limits,
        )
    except Exception as exc:  # a bug, or no memory left: the records' rejects
        for position, record in taken:
            out.reject(position, record, f"internal error: {exc!r}")
        return out.outcome({})
    for index, error in sorted(decoded.rejected.items()):
        position, record = taken[index]
        out.reject(position, record, error)
    if charsets is not None:
        for index, chosen in enumerate(charsets):
            if chosen is not None and index not in decoded.rejected:
                out.tally.charsets[chosen] += 1
    records_taken = [record for _, record in taken]
    scripts: list[str | None] = [None] * len(taken)
    fmts: list[int | None] = [None] * len(taken)
    told = np.zeros(len(taken), dtype=bool)
    for indices, script, fmt in decoded.layouts:
        told[indices] = True
        for index in indices.tolist():
            scripts[index] = script
            fmts[index] = fmt
    for index in np.flatnonzero(~told).tolist():
        scripts[index], fmts[index] = _script_fmt(records_taken[index].request)
    origins: list[list[Any]] = [
        [record.source for record in records_taken],
        [record.line for record in records_taken],
        [
            record.request if type(record.request) is str else request_text(record.request)
            for record in records_taken
        ],
        scripts,
        fmts,
        charsets if charsets is not None else [None] * len(taken),
    ]
    origin_arrays = [
        pa.array(values, type=type_) for values, (_, type_) in zip(origins, ORIGIN, strict=True)
    ]
    origin_arrays[2] = out.redactor.column(origin_arrays[2])
    tables: dict[str, pa.Table] = {}
    for cls, table in decoded.tables.items():
        rows = table.column(INPUT_INDEX)
        schema = table_schema(cls, job.tz)
        columns = [array.take(rows) for array in origin_arrays]
        columns += [table.column(name) for name in schema.names[len(ORIGIN) :]]
        tables[cls.__name__] = pa.Table.from_arrays(columns, schema=schema)
    return out.outcome(tables)
