"""Arrow columns from decoded replies, and the steps every table ends with.

:func:`build_kind` turns replies (from the per-answer decoder) into a kind's
table; the vectorised readers produce the same value columns from the bodies
themselves. Both end in :func:`assemble`, which adds what follows from the
values alone (a code's label, the properties of ``flag``, the time zone) and
orders the columns as :func:`~smsc_codec._columnar_schema.kind_schema` says.
So a value reaches its column through one conversion whichever way it was
read.

A value a column cannot hold (an integer of 2^63 or more, money past the
decimal type, text that is no Unicode, a local time the zone skips) makes its
row *bad*: the functions here return the bad rows with the reason, and the
caller rejects their answers whole.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._codes import MessageFlags
from ._columnar_schema import (
    AMBIGUOUS,
    API_ERROR_CODES,
    EXTRA,
    INPUT_INDEX,
    ITEM,
    LABEL,
    Column,
    ColumnKind,
    column_fields,
    flag_properties,
    flag_value,
    kind_plan,
    kind_schema,
    label_column,
    list_items,
    list_of,
    timestamp_type,
)
from ._extra_text import extra_text

__all__ = [
    "Bad",
    "assemble",
    "checked_array",
    "concat_values",
    "label_array",
    "reply_values",
    "value_types",
]

#: bad rows: row position -> why its value cannot be held
Bad = dict[int, str]


def checked_array(values: Sequence[Any], type_: pa.DataType, name: str, bad: Bad) -> pa.Array:
    """``values`` as an array of ``type_``; a value it cannot hold is null and
    its row is bad (found one value at a time only when the whole fails)."""
    try:
        return pa.array(values, type=type_)
    except (pa.ArrowException, ValueError, TypeError, OverflowError, UnicodeError):
        pass
    kept = list(values)
    for position, value in enumerate(values):
        if value is None:
            continue
        try:
            pa.array([value], type=type_)
        except (pa.ArrowException, ValueError, TypeError, OverflowError, UnicodeError) as exc:
            bad.setdefault(position, f"field {name!r} cannot be held as {type_}: {exc}")
            kept[position] = None
    return pa.array(kept, type=type_)


def label_array(numbers: pa.Array, name_of: Any) -> pa.Array:
    """The label of each code: ``name_of(number)`` computed once per distinct
    number, dictionary-encoded."""
    # (one pass gives the distinct numbers and where each row's is)
    encoded = pc.dictionary_encode(numbers)
    names = [name_of(number) for number in encoded.dictionary.to_pylist()]
    return pa.DictionaryArray.from_arrays(encoded.indices, pa.array(names, type=pa.string()))


def _flag_arrays(numbers: pa.Array) -> list[pa.Array]:
    encoded = pc.dictionary_encode(numbers)
    values = encoded.dictionary.to_pylist()
    indices = encoded.indices
    arrays = []
    for prop in flag_properties():
        of_distinct = [flag_value(MessageFlags(value), prop.name) for value in values]
        if prop.type == LABEL:
            arrays.append(
                pa.DictionaryArray.from_arrays(
                    indices.cast(pa.int32()), pa.array(of_distinct, type=pa.string())
                )
            )
        else:
            arrays.append(pc.take(pa.array(of_distinct, type=prop.type), indices))
    return arrays


def _in_zone(naive: pa.Array, tz: str, name: str, bad: Bad) -> pa.Array:
    """Local times as instants in ``tz``: an ambiguous time (the hour a clock
    goes back) is the earlier instant, as ``datetime`` reads it (``fold=0``);
    a time the clock skips is no instant, and its row is bad."""

    def convert(values: pa.Array) -> pa.Array:
        return pc.assume_timezone(values, tz, ambiguous="earliest", nonexistent="raise")

    try:
        return convert(naive)
    except pa.ArrowException:
        pass
    kept = []
    for position in range(len(naive)):
        one = naive.slice(position, 1)
        try:
            kept.append(convert(one))
        except pa.ArrowException as exc:
            bad.setdefault(position, f"field {name!r} is no time in {tz}: {exc}")
            kept.append(pa.nulls(1, type=timestamp_type(tz)))
    return pa.concat_arrays(kept) if kept else pa.array([], type=timestamp_type(tz))


def _empty_lists(count: int, type_: pa.DataType) -> pa.Array:
    offsets = pa.array(np.zeros(count + 1, dtype=np.int32))
    return pa.ListArray.from_arrays(offsets, pa.array([], type=type_.value_type), type=type_)


@functools.cache
def _kind_columns(
    cls: type[msgspec.Struct], tz: str | None
) -> tuple[tuple[Column, list[pa.Field]], ...]:
    """A kind's columns, each with its Arrow fields."""
    return tuple((column, column_fields(column, tz)) for column in kind_plan(cls).columns)


def assemble(
    cls: type[msgspec.Struct],
    values: dict[str, pa.Array],
    count: int,
    tz: str | None,
    bad: Bad,
    *,
    head: bool = True,
) -> pa.Table | pa.StructArray:
    """A kind's table from its value columns (``values``: field name ->
    array; absent fields are null, absent ``extra`` and ``ambiguous_fields``
    empty). Codes get their labels and ``flag`` its properties here; with
    ``tz`` the naive local times become instants. ``head`` adds
    ``input_index`` and ``item`` (from ``values``); without it the result is
    a struct array (the rows of a details list)."""
    arrays: list[pa.Array] = []
    for column, fields in _kind_columns(cls, tz):
        value = values.get(column.name)
        if value is None:
            arrays.extend(pa.nulls(count, type=field.type) for field in fields)
        else:
            arrays += _column_arrays(column, value, values, tz, bad)
    arrays.append(values.get("extra") or _empty_lists(count, EXTRA))
    arrays.append(values.get("ambiguous_fields") or _empty_lists(count, AMBIGUOUS))
    if not head:
        schema = kind_schema(cls, tz)
        return pa.StructArray.from_arrays(arrays, fields=list(schema)[2:])
    return pa.Table.from_arrays(
        [values[INPUT_INDEX], values[ITEM], *arrays], schema=kind_schema(cls, tz)
    )


def _column_arrays(
    column: Column, value: pa.Array, values: dict[str, pa.Array], tz: str | None, bad: Bad
) -> list[pa.Array]:
    """The arrays of one column of :func:`assemble`: its ``value``, and what
    follows from it (a code's label, the properties of ``flag``); a local
    time as an instant in ``tz``."""
    kind = column.kind
    if kind is ColumnKind.CODE:
        code_table = column.of
        return [value, label_array(value, lambda n, t=code_table: t(n).name)]
    if kind is ColumnKind.API_CODE:
        return [value, pc.dictionary_encode(values[label_column(column.name)])]
    if kind is ColumnKind.FLAGS:
        return [value, *_flag_arrays(value)]
    if kind is ColumnKind.DATETIME and tz is not None:
        return [_in_zone(value, tz, column.name, bad)]
    return [value]


@functools.cache
def value_types(cls: type[msgspec.Struct]) -> Mapping[str, pa.DataType]:
    """The type of each value column of a kind (as :func:`assemble` takes them)."""
    types = {INPUT_INDEX: pa.int64(), ITEM: pa.int32()}
    for column, fields in _kind_columns(cls, None):
        types[column.name] = fields[0].type
        if column.kind is ColumnKind.API_CODE:
            types[label_column(column.name)] = pa.string()
    types["extra"] = EXTRA
    types["ambiguous_fields"] = AMBIGUOUS
    return types


def concat_values(
    cls: type[msgspec.Struct], parts: Sequence[dict[str, pa.Array]]
) -> dict[str, pa.Array]:
    """Value columns of several parts as one, in the order of ``input_index``
    then ``item``; a column a part lacks is null there (empty lists for
    ``extra`` and ``ambiguous_fields``)."""
    merged: dict[str, pa.Array] = {}
    for name, type_ in value_types(cls).items():
        pieces = []
        for part in parts:
            count = len(part[INPUT_INDEX])
            piece = part.get(name)
            if piece is None:
                empty = name in ("extra", "ambiguous_fields")
                piece = _empty_lists(count, type_) if empty else pa.nulls(count, type=type_)
            pieces.append(piece)
        merged[name] = pa.concat_arrays(pieces) if len(pieces) != 1 else pieces[0]
    if len(parts) > 1:
        order = pc.sort_indices(
            pa.table({INPUT_INDEX: merged[INPUT_INDEX], ITEM: merged[ITEM]}),
            sort_keys=[(INPUT_INDEX, "ascending"), (ITEM, "ascending")],
        )
        merged = {name: pc.take(array, order) for name, array in merged.items()}
    return merged


def _value_arrays(
    cls: type[msgspec.Struct], replies: Sequence[msgspec.Struct], tz: str | None, bad: Bad
) -> dict[str, pa.Array]:
    """The value columns of ``replies`` (all of kind ``cls``)."""
    values: dict[str, pa.Array] = {}
    api_code = API_ERROR_CODES.get(cls)
    for column in kind_plan(cls).columns:
        name = column.name
        if column.kind is ColumnKind.DETAILS:
            assert column.of is not None
            values[name] = _details(column.of, [getattr(reply, name) for reply in replies], tz, bad)
            continue
        type_ = column_fields(column, None)[0].type
        values[name] = checked_array(_raw_values(column, replies), type_, name, bad)
        if column.kind is ColumnKind.API_CODE and api_code is not None:
            values[label_column(name)] = _meaning_labels(replies, api_code[1])
    values["extra"] = checked_array(_extras(replies), EXTRA, "extra", bad)
    ambiguous = [list(getattr(reply, "ambiguous_fields", ())) for reply in replies]
    values["ambiguous_fields"] = pa.array(ambiguous, type=AMBIGUOUS)
    return values


def _raw_values(column: Column, replies: Sequence[msgspec.Struct]) -> list[Any]:
    """A column's values of ``replies`` as Python values its array takes:
    codes and flags as ints, a list kept as its text as its items."""
    name = column.name
    raw = [getattr(reply, name) for reply in replies]
    kind = column.kind
    if kind in (ColumnKind.CODE, ColumnKind.FLAGS, ColumnKind.API_CODE):
        return [None if value is None else int(value) for value in raw]
    if kind is ColumnKind.LIST:  # a list kept as its text: its items
        return [None if value is None else list_items(value) for value in raw]
    return raw


def _meaning_labels(replies: Sequence[msgspec.Struct], meaning_field: str) -> pa.Array:
    """The names of the meanings of an API error code (the replies' field
    ``meaning_field``), null where there is none."""
    meanings = [getattr(reply, meaning_field) for reply in replies]
    labels = [None if meaning is None else meaning.name for meaning in meanings]
    return pa.array(labels, type=pa.string())


def _extras(replies: Sequence[msgspec.Struct]) -> list[list[dict[str, str]]]:
    """The unknown keys of each reply, as the ``extra`` column's items."""
    return [
        [{"key": key, "value": extra_text(value)} for key, value in getattr(reply, "extra", ())]
        for reply in replies
    ]


def _details(cls: type[msgspec.Struct], lists: Sequence[Any], tz: str | None, bad: Bad) -> pa.Array:
    """A list column of nested replies: one list (or null) per row."""
    offsets = [0]
    nested: list[msgspec.Struct] = []
    owner: list[int] = []
    for position, items in enumerate(lists):
        if items is not None:
            nested.extend(items)
            owner.extend([position] * len(items))
        offsets.append(len(nested))
    nested_bad: Bad = {}
    values = _value_arrays(cls, nested, tz, nested_bad)
    rows = assemble(cls, values, len(nested), tz, nested_bad, head=False)
    for position, reason in nested_bad.items():
        bad.setdefault(owner[position], reason)
    mask = pa.array([items is None for items in lists])
    return pa.ListArray.from_arrays(
        pa.array(offsets, type=pa.int32()), rows, type=list_of(rows.type), mask=mask
    )


def reply_values(
    cls: type[msgspec.Struct],
    rows: Iterable[tuple[int, int | None, msgspec.Struct]],
) -> tuple[dict[str, pa.Array], dict[int, str]]:
    """The value columns (with ``input_index`` and ``item``) of ``rows``
    (input index, item, reply) of kind ``cls``, and the input indices whose
    values no column can hold, with the reason."""
    indices: list[int] = []
    items: list[int | None] = []
    replies: list[msgspec.Struct] = []
    for index, item, reply in rows:
        indices.append(index)
        items.append(item)
        replies.append(reply)
    bad: Bad = {}
    values = _value_arrays(cls, replies, None, bad)
    values[INPUT_INDEX] = pa.array(indices, type=pa.int64())
    values[ITEM] = pa.array(items, type=pa.int32())
    return values, {indices[position]: reason for position, reason in bad.items()}
