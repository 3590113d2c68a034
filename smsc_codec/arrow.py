"""Decoding archives of answers into typed Arrow tables (the ``arrow`` extra).

::

    >>> from smsc_codec.arrow import decode_table
    >>> decoded = decode_table(
    ...     ["status.php?id=5&phone=79990000000&fmt=1", "balance.php?fmt=3"],
    ...     ["1,1286524541,0", '{"balance": "250.80"}'],
    ... )
    >>> decoded["SmsStatus"].column("status_label").to_pylist()
    ['DELIVERED']
    >>> decoded["Balance"].column("balance").type
    Decimal128Type(decimal128(18, 6))

One table per reply kind, its columns fixed by the model (see
:func:`schema_for`), and a table of the answers that could not be decoded.
The answers are grouped by their request's layout and read column by column
where that gives the same result as :func:`smsc_codec.decode` (every check
kept); the others are decoded one by one. Requires ``pyarrow``
(``pip install 'smsc-codec[arrow]'``); ``import smsc_codec`` never imports it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import msgspec
import pyarrow as pa

from ._columnar import decode_columns, rejection_rows
from ._columnar_schema import MONEY, REJECTION_SCHEMA, kind_schema, reply_kinds
from ._limits import DEFAULT_LIMITS, Limits

__all__ = ["MONEY", "DecodedTables", "decode_table", "kinds", "schema_for"]


def kinds() -> dict[str, type[msgspec.Struct]]:
    """Every reply kind by name (``"SmsStatus"``: :class:`~smsc_codec.SmsStatus`)."""
    return {cls.__name__: cls for cls in reply_kinds()}


def schema_for(kind: str | type[msgspec.Struct], *, tz: str | None = None) -> pa.Schema:
    """The schema of a kind's table, fixed by the model (and ``tz``).

    ``input_index`` (the answer's position among the inputs), ``item`` (the
    record's position in a list answer, null for an answer of one record),
    then a column per field: money ``decimal128(18, 6)``, dates
    ``timestamp[ms]`` (naive server-local time, or instants in ``tz``),
    codes as ``int64`` with a dictionary-encoded ``<field>_label``, ``flag``
    as its number with a column per documented property, ids and counts
    ``int64``, address lists ``list<string>``; then ``extra`` (unknown keys)
    and ``ambiguous_fields``.
    """
    cls = kinds()[kind] if isinstance(kind, str) else kind
    return kind_schema(cls, tz)


class DecodedTables(Mapping[str, pa.Table]):
    """The tables of :func:`decode_table`: a mapping of kind name to table
    (only the kinds met), and :attr:`rejections`."""

    def __init__(self, tables: dict[str, pa.Table], rejections: pa.Table) -> None:
        self._tables = tables
        #: input_index, reason, line and column (1-based, in the body; null
        #: when the fault is not in the body) of every answer not decoded
        self.rejections = rejections

    def __getitem__(self, kind: str) -> pa.Table:
        return self._tables[kind]

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    def __repr__(self) -> str:
        counts = ", ".join(f"{name}: {table.num_rows}" for name, table in self._tables.items())
        return f"DecodedTables({counts}; {self.rejections.num_rows} rejected)"


def decode_table(
    requests: Sequence[Any] | pa.Array | pa.ChunkedArray,
    bodies: Sequence[Any] | pa.Array | pa.ChunkedArray,
    *,
    strict: bool = False,
    tz: str | None = None,
    charset: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> DecodedTables:
    """Decode ``bodies[i]``, the answer to ``requests[i]``, for every i.

    ``requests`` are what :func:`smsc_codec.decode` takes (URLs, their
    ``script.php?query`` tails, mappings of parameters) and ``bodies`` bytes
    or text; both may be Python sequences or Arrow arrays. ``strict``,
    ``charset`` and ``limits`` mean what they mean to ``decode``. With ``tz``
    (``"Europe/Moscow"``) the server's local times become instants in that
    zone; a local time the zone skips rejects its answer.

    Returns one table per reply kind met, named as the model's classes
    (``"SmsStatus"``, ``"ApiError"``, ...), with the schema :func:`schema_for`
    gives, rows in input order; and ``rejections``. An answer is in the
    tables whole or in the rejections, with the reason, line and column the
    per-answer decoder gives, or the value no column could hold (an id of
    2^63 or more, money past ``decimal128(18, 6)``).
    """
    decoded = decode_columns(requests, bodies, strict=strict, tz=tz, charset=charset, limits=limits)
    tables = {cls.__name__: table for cls, table in decoded.tables.items()}
    rejections = pa.Table.from_pydict(rejection_rows(decoded.rejected), schema=REJECTION_SCHEMA)
    return DecodedTables(tables, rejections)
