"""The Arrow schema of each reply kind, derived from the model.

Every column follows from the model's field plan (``_schema.plan_for``): its
kind (money, date, code, free text, ...) and its Python type. Nothing here
names a reply field. A kind's schema depends on the model alone (and on the
time zone asked for), so tables decoded on different days concatenate.

The choices, one per value kind:

* money is ``decimal128(18, 6)``: answers write at most two decimal places and
  tariffs four, so six leave room, and twelve integer digits hold any account;
  a precision of 18 or less is stored as a 64-bit integer by Parquet and
  DuckDB (compact, fast sums, which the engines widen). A value that does not
  fit exactly is a rejection, never a rounding;
* dates are ``timestamp[ms]`` (whole seconds, in the unit Parquet keeps) in
  the server's local time (naive), or, with a
  time zone, the instant that local time is in that zone (``tz=...``);
  a contact's birthday is ``date32``;
* a code (status, err, type, ...) is its number (``int64``, unknown codes
  kept) with ``<name>_label`` beside it, dictionary-encoded: the code's name,
  ``UNKNOWN_<n>`` for a code the tables do not know; an API error code's label
  is its meaning for the script that answered;
* ``flag`` is the raw number with a column per documented property of
  :class:`~smsc_codec.MessageFlags` beside it: booleans for the bits,
  labels for the codes held in bits, the unknown bits as a number;
* integers (ids, timestamps, counts) are ``int64``: an id of 2^63 or more
  cannot be held, and its answer is a rejection;
* texts are ``string``; address lists ``list<string>``; the per-number details
  of a send answer a ``list<struct>`` of their own kind's columns;
* ``extra`` (unknown keys) is ``list<struct<key, value>>`` (a fmt=3 value
  that is not text is its JSON text); ``ambiguous_fields`` is ``list<string>``.

Each table starts with ``input_index`` (the position of the answer among the
inputs) and ``item`` (the record's position in a list answer; null for an
answer of one record).
"""

from __future__ import annotations

import enum
import functools
import typing
from collections.abc import Callable
from typing import Any, NamedTuple

import msgspec
import pyarrow as pa

from ._addresses import AddressList
from ._codes import MessageFlags, _CodeEnum
from ._model import ApiError, PhoneResult, Reply
from ._schema import FieldSpec, Kind, plan_for

__all__ = [
    "API_ERROR_CODES",
    "LABEL",
    "MONEY",
    "REJECTION_SCHEMA",
    "TEXTS",
    "Column",
    "ColumnKind",
    "KindPlan",
    "kind_plan",
    "kind_schema",
    "list_items",
    "list_of",
    "reply_kinds",
]

#: money: see the module docstring
MONEY = pa.decimal128(18, 6)
#: a code's name beside its number
LABEL = pa.dictionary(pa.int32(), pa.string())
#: where a table's rows come from
INPUT_INDEX = "input_index"
ITEM = "item"


def list_of(item: pa.DataType) -> pa.DataType:
    """A list type whose items are named ``element``, as Parquet names them:
    a table read back from a file has the schema it was written with."""
    return pa.list_(pa.field("element", item))


#: address lists
TEXTS = list_of(pa.string())
#: unknown keys, in the order met
EXTRA = list_of(pa.struct([("key", pa.string()), ("value", pa.string())]))
AMBIGUOUS = TEXTS
#: the answers that could not be decoded (or held): where, and why
REJECTION_SCHEMA = pa.schema(
    [
        (INPUT_INDEX, pa.int64()),
        ("reason", pa.string()),
        ("line", pa.int32()),
        ("column", pa.int32()),
    ]
)

#: Fields holding an API error code, whose meaning depends on the script that
#: answered: the model names it with a property (field -> property).
API_ERROR_CODES: dict[type[msgspec.Struct], tuple[str, str]] = {
    ApiError: ("code", "meaning"),
    PhoneResult: ("error", "error_meaning"),
}


class ColumnKind(enum.Enum):
    """How a field becomes columns."""

    INT = "int"
    CODE = "code"  #: number + label
    API_CODE = "api_code"  #: number + the label of its meaning
    FLAGS = "flags"  #: number + a column per MessageFlags property
    DECIMAL = "decimal"
    DATETIME = "datetime"
    DATE = "date"
    TEXT = "text"
    LIST = "list"
    BOOL = "bool"  #: a context field such as ``Ok.bare``
    DETAILS = "details"  #: a tuple of nested replies


class Column(NamedTuple):
    """One field of a kind and how it is held."""

    name: str  #: the model's attribute name, the column's name
    kind: ColumnKind
    spec: FieldSpec | None  #: None for context fields and details
    #: the code table of a CODE column; the nested kind of DETAILS
    of: type | None = None


class FlagProperty(NamedTuple):
    """A documented property of MessageFlags, as a column beside the number."""

    name: str
    column: str  #: ``flag_<name>``
    type: pa.DataType


class KindPlan(NamedTuple):
    """A reply kind's columns."""

    cls: type[msgspec.Struct]
    columns: tuple[Column, ...]


def list_items(text: str) -> tuple[str, ...]:
    """The items of a list field, which the model keeps as its text."""
    return tuple(AddressList.parse(text))


def _flag_type(annotation: Any) -> pa.DataType:
    if annotation is bool:
        return pa.bool_()
    if isinstance(annotation, type) and issubclass(annotation, _CodeEnum):
        return LABEL
    if annotation is int:
        return pa.int64()
    raise TypeError(f"no column type for a MessageFlags property of type {annotation!r}")


@functools.cache
def flag_properties() -> tuple[FlagProperty, ...]:
    """The documented properties of MessageFlags (bits, codes in bits, unknown
    bits), found on the class: a property added there is a column here."""
    found = []
    for name, member in vars(MessageFlags).items():
        if isinstance(member, property) and member.fget is not None:
            hints = typing.get_type_hints(member.fget)
            found.append(FlagProperty(name, f"flag_{name}", _flag_type(hints["return"])))
    return tuple(found)


def flag_value(flags: MessageFlags, name: str) -> Any:
    """A property's value as its column holds it (a code by its name)."""
    value = getattr(flags, name)
    return value.name if isinstance(value, _CodeEnum) else value


def _details_kind(annotation: Any) -> type[msgspec.Struct] | None:
    """The Struct of a ``tuple[Struct, ...] | None`` field, or None."""
    for arg in typing.get_args(annotation) or (annotation,):
        if typing.get_origin(arg) is tuple:
            item = typing.get_args(arg)[0]
            if isinstance(item, type) and issubclass(item, msgspec.Struct):
                return item
    return None


_SIMPLE = {
    Kind.DECIMAL: ColumnKind.DECIMAL,
    Kind.DATETIME: ColumnKind.DATETIME,
    Kind.DATE: ColumnKind.DATE,
    Kind.TOKEN: ColumnKind.TEXT,
    Kind.TEXT: ColumnKind.TEXT,
    Kind.LIST: ColumnKind.LIST,
}


def _column(cls: type[msgspec.Struct], info: msgspec.structs.FieldInfo) -> Column | None:
    spec = plan_for(cls).by_name.get(info.name)
    if spec is None:
        return _unwired_column(info)
    if spec.kind is Kind.INT:
        return _int_column(cls, info, spec)
    return Column(info.name, _SIMPLE[spec.kind], spec)


def _unwired_column(info: msgspec.structs.FieldInfo) -> Column | None:
    """The column of a field no wire key fills: nested replies, or a context
    field; None for ``extra`` and ``ambiguous_fields``."""
    nested = _details_kind(info.type)
    if nested is not None:
        return Column(info.name, ColumnKind.DETAILS, None, nested)
    if info.name in ("extra", "ambiguous_fields"):
        return None  # every kind's last two columns
    # a context field (``ApiError.script``, ``Ok.bare``): str or bool
    base = [a for a in typing.get_args(info.type) if a is not type(None)]
    if bool in base or info.type is bool:
        return Column(info.name, ColumnKind.BOOL, None)
    return Column(info.name, ColumnKind.TEXT, None)


def _int_column(
    cls: type[msgspec.Struct], info: msgspec.structs.FieldInfo, spec: FieldSpec
) -> Column:
    """The column of an integer field: an API error code, flags, a code of
    a code table, or a plain number."""
    if API_ERROR_CODES.get(cls, ("",))[0] == info.name:
        return Column(info.name, ColumnKind.API_CODE, spec)
    if spec.py_type is MessageFlags:
        return Column(info.name, ColumnKind.FLAGS, spec)
    if issubclass(spec.py_type, _CodeEnum):
        return Column(info.name, ColumnKind.CODE, spec, spec.py_type)
    return Column(info.name, ColumnKind.INT, spec)


@functools.cache
def kind_plan(cls: type[msgspec.Struct]) -> KindPlan:
    """The columns of a reply kind, in the model's order."""
    columns = []
    for info in msgspec.structs.fields(cls):
        column = _column(cls, info)
        if column is not None:
            columns.append(column)
    plan = KindPlan(cls, tuple(columns))
    names = [field.name for field in _fields(plan, None)]
    if len(set(names)) != len(names):
        raise TypeError(f"{cls.__name__}: two columns share a name in {names}")
    return plan


def label_column(name: str) -> str:
    return f"{name}_label"


def _fields(plan: KindPlan, tz: str | None) -> list[pa.Field]:
    fields: list[pa.Field] = []
    for column in plan.columns:
        fields.extend(column_fields(column, tz))
    fields.append(pa.field("extra", EXTRA))
    fields.append(pa.field("ambiguous_fields", AMBIGUOUS))
    return fields


def timestamp_type(tz: str | None) -> pa.DataType:
    """Dates: whole seconds on the wire, held in milliseconds, the finest
    unit Parquet keeps below microseconds (a file reads back as written)."""
    return pa.timestamp("ms", tz=tz)


def column_fields(column: Column, tz: str | None) -> list[pa.Field]:
    """The Arrow fields of one model field."""
    name, kind = column.name, column.kind
    if kind in (ColumnKind.CODE, ColumnKind.API_CODE):
        return [pa.field(name, pa.int64()), pa.field(label_column(name), LABEL)]
    if kind is ColumnKind.FLAGS:
        return [
            pa.field(name, pa.int64()),
            *(pa.field(p.column, p.type) for p in flag_properties()),
        ]
    if kind is ColumnKind.DETAILS:
        assert column.of is not None
        nested = kind_plan(column.of)
        return [pa.field(name, list_of(pa.struct(_fields(nested, tz))))]
    simple: dict[ColumnKind, pa.DataType] = {
        ColumnKind.INT: pa.int64(),
        ColumnKind.DECIMAL: MONEY,
        ColumnKind.DATETIME: timestamp_type(tz),
        ColumnKind.DATE: pa.date32(),
        ColumnKind.TEXT: pa.string(),
        ColumnKind.LIST: TEXTS,
        ColumnKind.BOOL: pa.bool_(),
    }
    return [pa.field(name, simple[kind])]


@functools.cache
def kind_schema(cls: type[msgspec.Struct], tz: str | None = None) -> pa.Schema:
    """The schema of a reply kind's table: ``input_index``, ``item``, the
    fields' columns, ``extra`` and ``ambiguous_fields``."""
    head = [pa.field(INPUT_INDEX, pa.int64()), pa.field(ITEM, pa.int32())]
    return pa.schema(head + _fields(kind_plan(cls), tz))


def reply_kinds() -> tuple[type[msgspec.Struct], ...]:
    """Every reply kind of the API (callbacks are kinds of their own too)."""
    from ._callbacks import Callback  # noqa: PLC0415 - only the command line needs them here

    return (*typing.get_args(Reply), *typing.get_args(Callback))


#: a reply's value as a column holds it, for the reference builder
Getter = Callable[[Any], Any]
