"""Replies as output rows: every field, with its codes spelled out.

A row is what the model holds, keyed by attribute name, with absent fields
left out and the codes expanded: a status or delivery error becomes
``{"code", "name", "description"}``, ``flag`` its bits, and an API error code
its meaning for the script that answered. Tables (CSV) flatten the
expansions into ``field.key`` columns; the columns are derived from the model,
so every reply kind has its columns before the first row is written.

A key holds one type of value whatever the kind: where two kinds give one
attribute name values of different types (a contact's ``phones`` is a list of
numbers, a send answer's the per-number records; an incoming message's
``sent`` is a date, a callback's the text posted), the later kind's key is
suffixed with its type (``phones_details``, ``sent_text``): readers that
infer a column's type from its values (polars, DuckDB) read a file of mixed
kinds. Money is written as its exact text, dates as ISO 8601 (with the
offset of ``--tz`` when given), unknown keys as ``{"key", "value"}`` pairs
(a JSON value that is not text as its JSON text).
"""

from __future__ import annotations

import datetime
import decimal
import functools
import typing
import zoneinfo
from collections.abc import Callable, Iterable
from typing import Any

import msgspec

from smsc_codec._callbacks import Callback
from smsc_codec._codes import ApiErrorMeaning, MessageFlags, _CodeEnum
from smsc_codec._extra_text import extra_text
from smsc_codec._model import ApiError, PhoneResult, Reply
from smsc_codec._schema import plan_for

from ._records import RecordError

__all__ = [
    "ORIGIN_COLUMNS",
    "Column",
    "flat_row",
    "reply_row",
    "row_keys",
    "table_columns",
]

#: The keys of an expanded code.
CODE_KEYS = ("code", "name", "description")
#: The keys of an expanded ``flag`` (seed 003, facts §3.3).
FLAG_KEYS = ("value", "message_type", "second_balance", "template", "template_type", "unknown_bits")

#: Fields holding an API error code, whose meaning depends on the script, and
#: the model's property that gives it: (field, property).
_API_ERROR_CODES: dict[type[msgspec.Struct], tuple[str, str]] = {
    ApiError: ("code", "meaning"),
    PhoneResult: ("error", "error_meaning"),
}

Converter = Callable[[Any], Any]

#: (enum, number) -> expansion. Not keyed by the member alone: members of
#: different enums with the same number are equal, as ints are.
_codes: dict[tuple[type, int], dict[str, Any]] = {}


def _code(value: _CodeEnum) -> dict[str, Any]:
    key = (type(value), int(value))
    expanded = _codes.get(key)
    if expanded is None:
        expanded = _codes[key] = {
            "code": int(value),
            "name": value.name,
            "description": value.description,
        }
    return expanded


@functools.lru_cache(maxsize=4096)
def _flags(value: MessageFlags) -> dict[str, Any]:
    return {
        "value": int(value),
        "message_type": value.message_type.name,
        "second_balance": value.second_balance,
        "template": value.template,
        "template_type": value.template_type.name,
        "unknown_bits": value.unknown_bits,
    }


def _meaning(meaning: ApiErrorMeaning) -> dict[str, Any]:
    return {"code": meaning.code, "name": meaning.name, "description": meaning.description}


def _money(value: decimal.Decimal) -> str:
    return format(value, "f")


def _converter(py_type: type) -> Converter | None:
    if issubclass(py_type, _CodeEnum):
        return _code
    if issubclass(py_type, MessageFlags):
        return _flags
    if issubclass(py_type, (datetime.date, datetime.datetime)):
        return py_type.isoformat
    if issubclass(py_type, decimal.Decimal):
        return _money
    return None


def _details(items: Iterable[msgspec.Struct], tz: str | None) -> list[dict[str, Any]]:
    """A per-number list's items as rows, their local times in ``tz``."""
    return [reply_row(item, tz) for item in items]


#: What a row takes from a reply, in order: (attribute, row key, converter,
#: the zone its local time is an instant in, or None).
_Plan = tuple[tuple[str, str, Converter | None, str | None], ...]


@functools.cache
def _plan(cls: type[msgspec.Struct], tz: str | None) -> _Plan:
    """A kind's row plan; with ``tz`` its local times are instants in that zone."""
    api_error = _API_ERROR_CODES.get(cls)
    planned = {spec.name: spec for spec in plan_for(cls).fields}
    keys = row_keys(cls)
    fields: list[tuple[str, str, Converter | None, str | None]] = []
    for field in msgspec.structs.fields(cls):
        if api_error is not None and field.name == api_error[0]:
            continue  # written from its meaning, last
        spec = planned.get(field.name)
        if spec is not None:
            zone = tz if spec.py_type is datetime.datetime else None
            fields.append((field.name, keys[field.name], _converter(spec.py_type), zone))
        elif _nested_struct(field.type) is not None:  # a per-number list (send.php)
            fields.append((field.name, keys[field.name], functools.partial(_details, tz=tz), None))
    if api_error is not None:
        name, meaning = api_error
        fields.append((meaning, name, _meaning, None))
    return tuple(fields)


def _row_type(cls: type[msgspec.Struct], name: str, annotation: Any) -> str | None:
    """The type of a field's value in a row, or None for a field rows leave out."""
    spec = plan_for(cls).by_name.get(name)
    if spec is None:
        return "details" if _nested_struct(annotation) is not None else None
    if (
        issubclass(spec.py_type, (_CodeEnum, MessageFlags))
        or name == _API_ERROR_CODES.get(cls, ("",))[0]
    ):
        return "code"
    for py_type, kind in (
        (datetime.datetime, "datetime"),
        (datetime.date, "date"),
        (decimal.Decimal, "decimal"),
        (int, "int"),
    ):
        if issubclass(spec.py_type, py_type):
            return kind
    return "text"


@functools.cache
def _key_types() -> dict[str, str]:
    """Each attribute name's type in rows: the first kind's that has it
    (replies, then callbacks, in the model's order)."""
    types: dict[str, str] = {}
    for cls in (*typing.get_args(Reply), *typing.get_args(Callback)):
        for field in msgspec.structs.fields(cls):
            row_type = _row_type(cls, field.name, field.type)
            if row_type is not None:
                types.setdefault(field.name, row_type)
    return types


@functools.cache
def row_keys(cls: type[msgspec.Struct]) -> dict[str, str]:
    """The row key of each of a kind's fields: its name, or, where an earlier
    kind gives the name values of another type, ``<name>_<type>``."""
    keys = {}
    first = _key_types()
    for field in msgspec.structs.fields(cls):
        row_type = _row_type(cls, field.name, field.type)
        if row_type is None:
            continue
        same = first[field.name] == row_type
        keys[field.name] = field.name if same else f"{field.name}_{row_type}"
    return keys


@functools.lru_cache(maxsize=64)
def _zone(tz: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(tz)


def aware(value: datetime.datetime, tz: str, name: str) -> datetime.datetime:
    """A server-local time as the instant it is in ``tz``: an ambiguous time
    (the hour a clock goes back) is the earlier instant (``fold=0``); a time
    the clock skips is no instant (RecordError), as in the Arrow tables."""
    zone = _zone(tz)
    local = value.replace(tzinfo=zone)
    back = local.astimezone(datetime.UTC).astimezone(zone)
    if back.replace(tzinfo=None) != value:
        raise RecordError(f"field {name!r}: {value.isoformat(' ')} is no time in {tz}")
    return local


def _nested_struct(annotation: Any) -> type[msgspec.Struct] | None:
    """The Struct of a ``tuple[Struct, ...] | None`` field, or None."""
    for arg in typing.get_args(annotation) or (annotation,):
        if typing.get_origin(arg) is tuple:
            item = typing.get_args(arg)[0]
            if isinstance(item, type) and issubclass(item, msgspec.Struct):
                return item
    return None


def reply_row(reply: msgspec.Struct, tz: str | None = None) -> dict[str, Any]:
    """One reply as a row (see the module docstring); with ``tz`` its local
    times are instants in that zone."""
    row: dict[str, Any] = {}
    for name, key, convert, zone in _plan(type(reply), tz):
        value = getattr(reply, name)
        if value is not None:
            if zone is not None:
                value = aware(value, zone, name)
            row[key] = value if convert is None else convert(value)
    extra = getattr(reply, "extra", ())
    if extra:
        row["extra"] = [{"key": key, "value": extra_text(value)} for key, value in extra]
    ambiguous = getattr(reply, "ambiguous_fields", ())
    if ambiguous:
        row["ambiguous_fields"] = list(ambiguous)
    return row


# -- tables -----------------------------------------------------------------


class Column(typing.NamedTuple):
    name: str
    type: str  #: "int", "bool" or "str"


#: Where a row comes from, first in every table.
ORIGIN_COLUMNS = (
    Column("source", "str"),
    Column("line", "int"),
    Column("item", "int"),
    Column("request", "str"),
    Column("script", "str"),
    Column("fmt", "int"),
    Column("kind", "str"),
    Column("charset", "str"),
)

_FLAG_TYPES = ("int", "str", "bool", "bool", "str", "int")


def _field_columns(cls: type[msgspec.Struct]) -> Iterable[Column]:
    planned = {spec.name: spec for spec in plan_for(cls).fields}
    api_error = _API_ERROR_CODES.get(cls)
    keys = row_keys(cls)
    for field in msgspec.structs.fields(cls):
        spec = planned.get(field.name)
        key = keys.get(field.name, field.name)
        if api_error is not None and field.name == api_error[0]:
            yield from _expanded(key, CODE_KEYS, ("int", "str", "str"))
        elif spec is None:
            if _nested_struct(field.type) is not None:
                yield Column(key, "str")  # JSON text
        elif issubclass(spec.py_type, _CodeEnum):
            yield from _expanded(key, CODE_KEYS, ("int", "str", "str"))
        elif issubclass(spec.py_type, MessageFlags):
            yield from _expanded(key, FLAG_KEYS, _FLAG_TYPES)
        elif spec.py_type is int:
            yield Column(key, "int")
        else:
            yield Column(key, "str")


def _expanded(name: str, keys: Iterable[str], types: Iterable[str]) -> Iterable[Column]:
    return (Column(f"{name}.{key}", kind) for key, kind in zip(keys, types, strict=True))


@functools.cache
def table_columns() -> tuple[Column, ...]:
    """Every column a table of replies can have, in a fixed order.

    Each column has one type whatever the kind (see ``row_keys``).
    """
    types: dict[str, str] = {}
    for cls in (*typing.get_args(Reply), *typing.get_args(Callback)):
        for column in _field_columns(cls):
            known = types.setdefault(column.name, column.type)
            if known != column.type:
                raise TypeError(f"column {column.name!r} is {known} and {column.type}")
    fields = [Column(name, kind) for name, kind in types.items()]
    return (*ORIGIN_COLUMNS, *fields, Column("extra", "str"), Column("ambiguous_fields", "str"))


_json = msgspec.json.Encoder()


def flat_row(row: dict[str, Any]) -> dict[str, Any]:
    """A row for a table: expansions as ``field.key``, lists as JSON text."""
    flat: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, dict):
            for inner, item in value.items():
                flat[f"{key}.{inner}"] = item
        elif isinstance(value, list):
            flat[key] = _json.encode(value).decode()
        else:
            flat[key] = value
    return flat
