"""Field plans derived once from the model.

For each reply Struct this module works out, from its annotations alone, what
every codec needs to know about a field: its wire key, its value kind, how to
read it from text and write it back. No other module spells a field's type.
"""

from __future__ import annotations

import enum
import functools
import re
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

import msgspec

from ._addresses import AddressList
from ._checks import ADDRESS_LIST, unchecked, unwrap_annotated
from ._codes import MessageFlags

__all__ = [
    "MAX_INT_DIGITS",
    "MAX_MONEY_ZEROS",
    "MONEY_PATTERN",
    "SRE_KIND_PATTERNS",
    "FieldSpec",
    "Kind",
    "StructPlan",
    "format_date",
    "format_datetime",
    "format_list",
    "int_digits_fault",
    "mapping_builder",
    "optional",
    "parse_date",
    "parse_datetime",
    "parse_decimal",
    "parse_int",
    "parse_valid_int",
    "plan_for",
    "variant_fault",
]


class Kind(enum.Enum):
    """The shape of a field's value on the wire."""

    INT = "int"  #: ``-?[0-9]+``; ints, code enums and ``flag``
    DECIMAL = "decimal"  #: ``-?[0-9]+(.[0-9]+)?``; money
    DATETIME = "datetime"  #: ``DD.MM.YYYY hh:mm:ss``
    DATE = "date"  #: ``dd.mm.yyyy`` (a contact's birthday, seed 004)
    TOKEN = "token"  #: text without commas or line breaks (phones, codes)
    TEXT = "text"  #: free text: anything but a line break
    LIST = "list"  #: items "separated by any separator" (seed 004): free text to a line

    @property
    def free(self) -> bool:
        """The value may hold a line format's separators (its extent must be solved)."""
        return self is Kind.TEXT or self is Kind.LIST

    @property
    def blankable(self) -> bool:
        """An absent value may be written as an empty text and read back as
        absent or empty (texts, lists, dates): a layout that writes every key
        writes these (``StructPlan.every_key``)."""
        return self.textual or self is Kind.DATE

    @property
    def textual(self) -> bool:
        """An empty text is a value (``""``, an empty list), not an absent field."""
        return self is Kind.TEXT or self is Kind.TOKEN or self is Kind.LIST


#: Regular expressions of each kind's text form; the grammar terminals in
#: ``grammars/common.lark`` spell the same languages.
KIND_PATTERNS: dict[Kind, str] = {
    Kind.INT: r"-?[0-9]+",
    Kind.DECIMAL: r"-?[0-9]+(?:\.[0-9]+)?",
    Kind.DATETIME: r"[0-9]{2}\.[0-9]{2}\.[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2}",
    Kind.DATE: r"[0-9]{2}\.[0-9]{2}\.[0-9]{4}",
    Kind.TOKEN: r"[^,\r\n]+",
    Kind.TEXT: r"[^\r\n]*",
    Kind.LIST: r"[^\r\n]*",
}


def optional(pattern: str) -> str:
    """``pattern`` or nothing, as a Python regex.

    Spelled ``(?:pattern|)``, not ``(?:pattern)?``: sre runs a ``?`` on a
    group wider than one character through its general repeat, which
    allocates a repeat context and saves the marks on every match; an empty
    alternative reads the same texts in the same order (the longer first)
    without it. A short answer's whole-line match takes a fifth to a third
    less time.
    """
    return f"(?:{pattern}|)"


#: :data:`KIND_PATTERNS` as the Python regexes that read lines spell them:
#: the same languages, each optional group written by :func:`optional`
#: (Arrow's RE2 and the JSON Schema keep the usual spelling).
SRE_KIND_PATTERNS: dict[Kind, str] = {
    kind: re.sub(r"\(\?:([^()]*)\)\?", lambda group: optional(group[1]), pattern)
    for kind, pattern in KIND_PATTERNS.items()
}


#: The most digits an integer read from or written to the wire may have:
#: CPython's own bound on ``int()`` of a text (its conversion is quadratic
#: beyond it); an answer's integers (ids, timestamps, codes) have at most 20.
MAX_INT_DIGITS = 4300


def int_digits_fault(digits: int) -> str:
    """The reason given for an integer longer than :data:`MAX_INT_DIGITS`
    (instead of CPython's advice to raise its limit)."""
    return f"an integer of {digits:,} digits (at most {MAX_INT_DIGITS:,} are read)"


def parse_int(text: str) -> int:
    """Read ``-?[0-9]+`` exactly (``int()`` alone also takes spaces, ``_`` and ``+``)."""
    if text.isascii() and (text.isdigit() or (text[:1] == "-" and text[1:].isdigit())):
        if len(text) > MAX_INT_DIGITS and len(text.removeprefix("-")) > MAX_INT_DIGITS:
            raise ValueError(int_digits_fault(len(text.removeprefix("-"))))
        return int(text)
    raise ValueError(f"expected an integer, got {_shown(text)}")


def parse_valid_int(text: str) -> int:
    """An integer a layout regex has checked (``-?[0-9]+``), of any length."""
    if len(text) > MAX_INT_DIGITS:
        return parse_int(text)  # (says how many digits, where int() would advise)
    return int(text)


def _shown(text: str) -> str:
    """``text`` quoted for a reason, cut when long (a reason is one line)."""
    return repr(text) if len(text) <= 80 else f"{text[:60]!r}… ({len(text):,} characters)"


#: Money on the wire (facts §1.4): the one form the server writes, in every
#: format; ``Decimal()`` alone also takes exponents, ``NaN``, ``Infinity``,
#: ``_`` and spaces, none of which an amount is written with.
MONEY_PATTERN = r"\A-?[0-9]+(?:\.[0-9]+)?\Z"


def parse_decimal(text: str) -> Decimal:
    """Read ``-?[0-9]+(.[0-9]+)?`` exactly (:data:`MONEY_PATTERN`)."""
    whole, dot, fraction = text.removeprefix("-").partition(".")
    if text.isascii() and whole.isdigit() and (fraction.isdigit() if dot else True):
        return Decimal(text)
    raise ValueError(f"expected a decimal number, got {_shown(text)}")


def _parse_valid_decimal(text: str) -> Decimal:
    """A decimal a layout regex has checked, which may still be empty where
    the field is optional in another layout (``Decimal("")`` would raise
    InvalidOperation, not ValueError)."""
    if not text:
        raise ValueError("expected a decimal number, got ''")
    return Decimal(text)


def parse_datetime(text: str) -> datetime:
    """Read ``DD.MM.YYYY hh:mm:ss`` (facts §1.4).

    Slicing into ``fromisoformat`` is about ten times faster than ``strptime``
    (docs/sources.md#performance-dates).
    """
    # With the date's separators in place, fromisoformat checks the rest: it
    # takes exactly two (four) ASCII digits at each position and `hh:mm:ss`.
    if len(text) == 19 and text[2] == text[5] == "." and text[10] == " ":
        try:
            return datetime.fromisoformat(f"{text[6:10]}-{text[3:5]}-{text[0:2]}T{text[11:]}")
        except ValueError:
            pass
    raise ValueError(f"expected a date DD.MM.YYYY hh:mm:ss, got {text!r}")


def parse_date(text: str) -> date:
    """Read ``dd.mm.yyyy`` (seed 004, ``birthday``)."""
    # As for parse_datetime: with the separators in place, fromisoformat checks
    # that the rest is ASCII digits.
    if len(text) == 10 and text[2] == text[5] == ".":
        try:
            return date.fromisoformat(f"{text[6:10]}-{text[3:5]}-{text[0:2]}")
        except ValueError:
            pass
    raise ValueError(f"expected a date dd.mm.yyyy, got {text!r}")


def format_date(value: date) -> str:
    if isinstance(value, datetime):
        raise ValueError("a date field carries no time of day")
    if not isinstance(value, date):
        raise _wrong_type("a date", value)
    return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"


def format_list(value: str | AddressList) -> str:
    """A list field's text: the model holds it (``AddressText``); items
    (an AddressList, a sequence of str) are joined as AddressList joins them."""
    if isinstance(value, str):
        return value
    if not isinstance(value, AddressList):
        # a plain sequence of items is written with commas (a str would be
        # split into characters)
        if not isinstance(value, (tuple, list)):
            raise _wrong_type("an AddressList or a sequence of items", value)
        if not all(isinstance(item, str) for item in value):
            raise TypeError("a list field's items are texts")
        value = AddressList(value)
    return value.text


def _wrong_type(expected: str, value: object) -> TypeError:
    return TypeError(f"expected {expected}, got {type(value).__name__}")


def _parse_valid_datetime(text: str) -> datetime:
    return datetime.fromisoformat(f"{text[6:10]}-{text[3:5]}-{text[0:2]}T{text[11:]}")


def _enum_reader(
    enum_cls: type[enum.IntEnum] | type[enum.IntFlag], *, trusted: bool
) -> Callable[[str], Any]:
    """Read a code: a dict hit for documented codes (Enum.__call__ is slow),
    in C (the table's ``__getitem__``); any other code through the enum."""
    table = _Codes(enum_cls, parse_valid_int if trusted else parse_int)
    table.update((str(int(m)), m) for m in enum_cls)
    if enum_cls is MessageFlags:
        # the commonest flags: none set, an HLR request (message type 4)
        table.update((str(bits), MessageFlags(bits)) for bits in range(16))
    return table.__getitem__


class _Codes(dict[str, Any]):
    """A code table: the members by their text; a code it does not hold is
    read by the enum (not kept: a flood of made-up codes stays out)."""

    def __init__(self, enum_cls: Callable[[int], Any], convert: Callable[[str], int]) -> None:
        super().__init__()
        self.enum_cls = enum_cls
        self.convert = convert

    def __missing__(self, text: str) -> Any:
        return self.enum_cls(self.convert(text))


def format_datetime(value: datetime) -> str:
    if not isinstance(value, datetime):
        raise _wrong_type("a datetime", value)
    if value.microsecond or value.tzinfo is not None:
        raise ValueError("the wire carries whole seconds of naive server-local time")
    return (
        f"{value.day:02d}.{value.month:02d}.{value.year:04d} "
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    )


#: The zeros a Decimal's exponent adds to its written form beyond its own
#: digits (``Decimal("2.5E+2")``, what ``normalize()`` makes of 250, is
#: written 250: one zero). Money is written digit by digit, never with an
#: exponent (:data:`MONEY_PATTERN`), so ``1E+999999999`` would be a gigabyte
#: of zeros: past this bound (more digits than any amount has) the encoders
#: refuse the value.
MAX_MONEY_ZEROS = 30


def format_decimal(value: Decimal | int) -> str:
    """Money as the wire writes it (:data:`MONEY_PATTERN`): a Decimal, or an int."""
    if isinstance(value, int) and not isinstance(value, bool):
        return _format_int(value)
    if not isinstance(value, Decimal):
        raise _wrong_type("a Decimal", value)
    if not value.is_finite():
        raise ValueError(f"{value} is not an amount: money is a finite decimal number")
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # (a finite Decimal's exponent is a number)
    added = exponent if exponent > 0 else -exponent - len(digits)
    if added > MAX_MONEY_ZEROS:
        raise ValueError(
            f"{value} would be written with {added:,} zeros it does not hold "
            f"(at most {MAX_MONEY_ZEROS})"
        )
    return format(value, "f")


def _format_int(value: int) -> str:
    # (bool is an int, but True is no number the wire carries)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _wrong_type("an integer", value)
    try:
        return str(int(value))
    except ValueError:  # past CPython's limit: its message would advise raising it
        digits = int(value.bit_length() * 0.30103) + 1
        raise ValueError(int_digits_fault(digits)) from None


def _identity(value: str) -> str:
    return value


def _format_text(value: str) -> str:
    if not isinstance(value, str):
        raise _wrong_type("text", value)
    return value


class FieldSpec(NamedTuple):
    """Everything a codec needs to know about one field."""

    name: str  #: attribute name (= fmt=3 key unless ``wire`` differs)
    wire: str  #: fmt=2/fmt=3 key
    kind: Kind
    required: bool
    py_type: type  #: the value's class: an enum, MessageFlags, int, str, ...
    from_text: Callable[[str], Any]  #: raises ValueError on bad text
    #: the same, for text a compiled pattern has already checked: faster
    from_valid_text: Callable[[str], Any]
    to_text: Callable[[Any], str]  #: raises ValueError on values the wire cannot carry
    #: fmt=3 writes the value as a JSON string (money always; numbers marked Quoted)
    json_quoted: bool = False
    #: other spellings of the key that lenient decoding reads (``Variant``)
    variants: tuple[str, ...] = ()


class StructPlan(NamedTuple):
    """A reply Struct's fields as the codecs see them."""

    cls: type[msgspec.Struct]
    fields: tuple[FieldSpec, ...]  #: wire fields in model order
    by_name: dict[str, FieldSpec]
    by_wire: dict[str, FieldSpec]
    #: the server writes every key (the class's ``writes_every_key``): an
    #: absent date is written empty, as it reads back as absent; any other
    #: absent field, here as everywhere, is left out
    every_key: bool = False
    #: a variant spelling of a key -> its field (lenient decoding reads these)
    by_variant: dict[str, FieldSpec] = {}  # noqa: RUF012 - never mutated


def _unwrap(tp: Any) -> tuple[Any, bool, dict[str, Any]]:
    """Strip ``Optional`` and ``Annotated``: (base type, optional?, Meta extras)."""
    extra: dict[str, Any] = {}
    takes_none = False
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp, found = unwrap_annotated(tp)
            extra.update(found)
        elif origin in (typing.Union, types.UnionType):
            tp, nullable = _single_member(tp)
            takes_none = takes_none or nullable
        else:
            return tp, takes_none, extra


def _single_member(union: Any) -> tuple[Any, bool]:
    """The one type of ``X | None`` and whether it takes None; a union of
    several types has no wire form."""
    args = typing.get_args(union)
    members = [arg for arg in args if arg is not type(None)]
    if len(members) != 1:
        raise TypeError(f"unsupported union {union!r}")
    return members[0], len(members) < len(args)


#: (kind, read checked text, read pattern-checked text, write)
_Readers = tuple[Kind, Callable[[str], Any], Callable[[str], Any], Callable[..., str]]


def _spec(info: msgspec.structs.FieldInfo) -> FieldSpec | None:
    base, _optional, extra = _unwrap(info.type)
    if extra.get("wire") is False or typing.get_origin(base) is tuple:
        return None
    simple: dict[Any, _Readers] = {
        int: (Kind.INT, parse_int, parse_valid_int, _format_int),
        Decimal: (Kind.DECIMAL, parse_decimal, _parse_valid_decimal, format_decimal),
        datetime: (Kind.DATETIME, parse_datetime, _parse_valid_datetime, format_datetime),
        date: (Kind.DATE, parse_date, parse_date, format_date),
        str: (Kind.TEXT, _identity, _identity, _format_text),
    }
    if extra.get(ADDRESS_LIST):  # a list, kept as its text (``AddressText``)
        simple[str] = (Kind.LIST, _identity, _identity, format_list)
    elif not extra.get("free_text"):
        simple[str] = (Kind.TOKEN, _identity, _identity, _format_text)
    readers: _Readers | None
    if (isinstance(base, type) and issubclass(base, enum.IntEnum)) or base is MessageFlags:
        readers = (
            Kind.INT,
            _enum_reader(base, trusted=False),
            _enum_reader(base, trusted=True),
            _format_int,
        )
    else:
        readers = simple.get(base)
    if readers is not None:
        kind, read, read_valid, write = readers
        return FieldSpec(
            info.name,
            info.encode_name,
            kind,
            info.required,
            base,
            read,
            read_valid,
            write,
            json_quoted=kind is Kind.DECIMAL or bool(extra.get("json_quoted")),
            variants=tuple(extra.get("variants", ())),
        )
    raise TypeError(f"no wire form for field {info.name!r}: {info.type!r}")


@functools.cache
def mapping_builder(cls: type[msgspec.Struct]) -> Callable[[dict[str, str]], msgspec.Struct]:
    """Generate ``build(texts) -> Struct`` from a {wire key: text} mapping.

    The mapping must hold known keys only; a missing required key raises
    KeyError and bad text ValueError. An empty text reads as absent for every
    kind but text (where it is the empty string).
    """
    plan = plan_for(cls)
    env: dict[str, Any] = {"cls": unchecked(cls)}  # (typed values: _checks.py)
    args = []
    for i, spec in enumerate(plan.fields):
        key = repr(spec.wire)
        if spec.kind.textual:  # (a list is kept as its text)
            args.append(f"{spec.name}=d[{key}]" if spec.required else f"{spec.name}=g({key})")
            continue
        env[f"c{i}"] = spec.from_text
        if spec.required:
            args.append(f"{spec.name}=c{i}(d[{key}])")
        else:
            args.append(f"{spec.name}=(c{i}(v) if (v := g({key})) else None)")
    source = "def build(d):\n    g = d.get\n    return cls(" + ", ".join(args) + ")\n"
    # a generated constructor, as in _matcher._make_builder
    exec(compile(source, f"<smsc_codec mapping {cls.__name__}>", "exec"), env)
    builder: Callable[[dict[str, str]], msgspec.Struct] = env["build"]
    return builder


def variant_fault(key: str, spec: FieldSpec) -> str:
    """What strict decoding says of a key read under a variant spelling."""
    return (
        f"key {key!r} is an [UNVERIFIED] variant spelling of {spec.wire!r}; "
        "strict decoding reads the registered layout only"
    )


@functools.cache
def plan_for(cls: type[msgspec.Struct]) -> StructPlan:
    """The field plan of a reply Struct, computed once."""
    specs = tuple(s for s in map(_spec, msgspec.structs.fields(cls)) if s is not None)
    return StructPlan(
        cls,
        specs,
        {s.name: s for s in specs},
        {s.wire: s for s in specs},
        every_key=bool(getattr(cls, "writes_every_key", False)),
        by_variant={key: s for s in specs for key in s.variants},
    )
