"""Replies as output rows: every field, with its codes spelled out.

A row is what the model holds, keyed by attribute name, with absent fields
left out and the codes expanded: a status or delivery error becomes
``{"code", "name", "description"}``, ``flag`` its bits, and an API error code
its meaning for the script that answered. Tables (CSV, Parquet) flatten the
expansions into ``field.key`` columns; the columns are derived from the model,
so every reply kind has its columns before the first row is written.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import typing
from collections.abc import Callable, Iterable
from typing import Any

import msgspec

from smsc_codec._callbacks import Callback
from smsc_codec._codes import ApiErrorMeaning, MessageFlags, _CodeEnum
from smsc_codec._model import ApiError, JsonText, PhoneResult, Reply
from smsc_codec._schema import plan_for

__all__ = [
    "ORIGIN_COLUMNS",
    "Column",
    "flat_row",
    "reply_row",
    "table_columns",
]

#: The keys of an expanded code.
CODE_KEYS = ("code", "name", "description")
#: The keys of an expanded ``flag`` (seed 003, facts §3.3).
FLAG_KEYS = ("value", "message_type", "second_balance", "template", "template_type", "unknown_bits")

#: Fields holding an API error code, whose meaning depends on the script: the
#: model exposes it as a property (`ApiError.meaning`, `PhoneResult.error_meaning`).
_API_ERROR_CODES: dict[
    type[msgspec.Struct], tuple[str, Callable[[Any], ApiErrorMeaning | None]]
] = {
    ApiError: ("code", lambda reply: reply.meaning),
    PhoneResult: ("error", lambda reply: reply.error_meaning),
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


def _converter(py_type: type) -> Converter | None:
    if issubclass(py_type, _CodeEnum):
        return _code
    if issubclass(py_type, MessageFlags):
        return _flags
    if issubclass(py_type, (datetime.date, datetime.datetime)):
        return py_type.isoformat
    if issubclass(py_type, decimal.Decimal):
        return str
    return None


def _details(items: Iterable[msgspec.Struct]) -> list[dict[str, Any]]:
    return [reply_row(item) for item in items]


class _Plan(typing.NamedTuple):
    fields: tuple[tuple[str, Converter | None], ...]
    api_error: tuple[str, Callable[[Any], ApiErrorMeaning | None]] | None


@functools.cache
def _plan(cls: type[msgspec.Struct]) -> _Plan:
    api_error = _API_ERROR_CODES.get(cls)
    planned = {spec.name: spec for spec in plan_for(cls).fields}
    fields: list[tuple[str, Converter | None]] = []
    for field in msgspec.structs.fields(cls):
        if api_error is not None and field.name == api_error[0]:
            continue  # written from its meaning
        spec = planned.get(field.name)
        if spec is not None:
            fields.append((field.name, _converter(spec.py_type)))
        elif _nested_struct(field.type) is not None:  # a per-number list (send.php)
            fields.append((field.name, _details))
    return _Plan(tuple(fields), api_error)


def _nested_struct(annotation: Any) -> type[msgspec.Struct] | None:
    """The Struct of a ``tuple[Struct, ...] | None`` field, or None."""
    for arg in typing.get_args(annotation) or (annotation,):
        if typing.get_origin(arg) is tuple:
            item = typing.get_args(arg)[0]
            if isinstance(item, type) and issubclass(item, msgspec.Struct):
                return item
    return None


def reply_row(reply: msgspec.Struct) -> dict[str, Any]:
    """One reply as a row (see the module docstring)."""
    plan = _plan(type(reply))
    row: dict[str, Any] = {}
    for name, convert in plan.fields:
        value = getattr(reply, name)
        if value is not None:
            row[name] = value if convert is None else convert(value)
    if plan.api_error is not None:
        name, meaning_of = plan.api_error
        meaning = meaning_of(reply)
        if meaning is not None:
            row[name] = _meaning(meaning)
    extra = getattr(reply, "extra", ())
    if extra:  # (a JSON object or array as itself, not as its text)
        row["extra"] = [[k, v.value if isinstance(v, JsonText) else v] for k, v in extra]
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
    for field in msgspec.structs.fields(cls):
        spec = planned.get(field.name)
        if api_error is not None and field.name == api_error[0]:
            yield from _expanded(field.name, CODE_KEYS, ("int", "str", "str"))
        elif spec is None:
            if _nested_struct(field.type) is not None:
                yield Column(field.name, "str")  # JSON text
        elif issubclass(spec.py_type, _CodeEnum):
            yield from _expanded(field.name, CODE_KEYS, ("int", "str", "str"))
        elif issubclass(spec.py_type, MessageFlags):
            yield from _expanded(field.name, FLAG_KEYS, _FLAG_TYPES)
        elif spec.py_type is int:
            yield Column(field.name, "int")
        else:
            yield Column(field.name, "str")


def _expanded(name: str, keys: Iterable[str], types: Iterable[str]) -> Iterable[Column]:
    return (Column(f"{name}.{key}", kind) for key, kind in zip(keys, types, strict=True))


@functools.cache
def table_columns() -> tuple[Column, ...]:
    """Every column a table of replies can have, in a fixed order.

    A name that two kinds give different types (``cnt`` is a count in one, a
    text in another) is a text column.
    """
    types: dict[str, str] = {}
    for cls in (*typing.get_args(Reply), *typing.get_args(Callback)):
        for column in _field_columns(cls):
            known = types.setdefault(column.name, column.type)
            if known != column.type:
                types[column.name] = "str"
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
