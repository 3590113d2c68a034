"""Hypothesis strategies derived from the model.

Nothing here names a reply field: values are drawn per field *kind*
(``_schema.plan_for``), and the fields a text layout carries come from the
grammar (``_grammar.line_layouts``). A field added to the model is covered by
every property test without an edit here.
"""

from __future__ import annotations

import enum
import string
import typing
from collections.abc import Collection
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import msgspec
from hypothesis import strategies as st

from smsc_codec import AddressList, MessageFlags
from smsc_codec._model import JsonText
from smsc_codec._replies import ENVELOPE_KEYS
from smsc_codec._schema import FieldSpec, Kind, plan_for

#: Pieces that break naive parsers: separators of every format, markup,
#: quotes, parentheses, Cyrillic.
HOSTILE_PIECES = [
    ", ",
    " = ",
    ",",
    "=",
    '"',
    "'",
    "<",
    ">",
    "&",
    "&amp;",
    "(",
    ")",
    " ",
    "\t",
    "\\",
    "Привет",
    "ё",
    "Hello",
    "status = 1",
    ", id = 5",
    "ERROR = 1 (x)",
    "</sms>",
    "<![CDATA[",
    "-",
    "0",
    "€",
]

# Anything a line can hold: no line breaks; no characters XML 1.0 cannot carry
# (the XML encoder refuses those, see tests of EncodeError).
_TEXT_CHARS = st.characters(
    blacklist_categories=["Cs"],
    blacklist_characters="\r\n\x0b\x0c\x85\u2028\u2029\ufffe\uffff",
    min_codepoint=0x09,
).filter(lambda c: not ("\x0e" <= c <= "\x1f"))

free_text = st.one_of(
    st.lists(st.sampled_from(HOSTILE_PIECES), max_size=6).map("".join),
    st.text(_TEXT_CHARS, max_size=20),
)
#: Text every supported charset can carry (ASCII and Russian).
CP1251_ALPHABET = (
    string.ascii_letters + string.digits + " ,.=()<>&\"'-абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВЯ"
)
cp1251_text = st.text(st.sampled_from(CP1251_ALPHABET), max_size=20)

token = st.text(string.ascii_letters + string.digits + "@._+-", min_size=1, max_size=15)
dates = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda d: d.replace(microsecond=0)
)
days = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))

#: Lists "separated by any separator" (seed 004): the text of items joined
#: by commas, semicolons and spaces in any mix, as the server may keep them
#: (a list field holds its text, ``AddressText``).
_ITEM = st.text(string.ascii_letters + string.digits + "@.+-_", min_size=1, max_size=12)
_SEPARATOR = st.sampled_from([",", ", ", ";", "; ", " ", "  "])
address_lists = st.lists(st.tuples(_ITEM, _SEPARATOR), max_size=4).map(
    lambda pairs: "".join(item + sep for item, sep in pairs)[: -1 or None]
)

money = st.integers(0, 4).flatmap(
    lambda places: st.decimals(
        min_value=0, max_value=100000, places=places, allow_nan=False, allow_infinity=False
    )
)


def value_of(spec: FieldSpec, *, text: st.SearchStrategy[str] = free_text) -> Any:
    """A strategy for one field's value, from its kind and class."""
    if spec.kind is Kind.INT:
        if spec.py_type is MessageFlags:
            return st.integers(0, 0xFFFF).map(MessageFlags)
        if isinstance(spec.py_type, type) and issubclass(spec.py_type, enum.IntEnum):
            members = list(spec.py_type)
            lowest = min(int(m) for m in members)
            return st.one_of(
                st.sampled_from(members),
                st.integers(min(lowest, 0), 300).map(spec.py_type),  # unknown codes too
            )
        return st.integers(0, 2**40)
    if spec.kind is Kind.DECIMAL:
        return money
    if spec.kind is Kind.DATETIME:
        return dates
    if spec.kind is Kind.DATE:
        return days
    if spec.kind is Kind.TOKEN:
        return token
    if spec.kind is Kind.LIST:
        return address_lists
    return text


def replies(
    cls: type[msgspec.Struct],
    fields: Collection[str] | None = None,
    *,
    text_formats: bool = False,
    text: st.SearchStrategy[str] = free_text,
) -> st.SearchStrategy[msgspec.Struct]:
    """Replies of ``cls`` with ``fields`` set (all wire fields when None).

    In the text formats (fmt 0/1) a text field of the layout is always present
    (an absent one would be written empty and read back as ``""``); other
    fields may be absent.
    """
    plan = plan_for(cls)
    kwargs: dict[str, Any] = {}
    for spec in plan.fields:
        if fields is not None and spec.name not in fields:
            continue
        strategy = value_of(spec, text=text)
        textual = spec.kind.textual
        if not spec.required and not (text_formats and textual):
            strategy = st.one_of(st.none(), strategy)
        kwargs[spec.name] = strategy
    # fixed_dictionaries + map rather than st.builds: builds resolves the
    # class's string annotations on every draw.
    return st.fixed_dictionaries(kwargs).map(lambda values: cls(**values))


#: Values of no field's type, or of another field's type
_FOREIGN: list[Any] = [
    None,
    True,
    0,
    -1,
    2**70,
    1.4,
    float("nan"),
    Decimal("1.40"),
    Decimal("NaN"),
    Decimal("1E+999999999"),
    "",
    "1",
    "text",
    b"1",
    datetime(2021, 6, 28, 15, 55, 47),
    datetime(2021, 6, 28, 15, 55, 47, 5),
    date(2021, 6, 28),
    (),
    ("1",),
    [1],
    {"a": 1},
    AddressList(["79990000001"]),
    object(),
]


#: Values a field may be given by mistake: of another type (None for a
#: required field, text for a number, a float for money, a date for a
#: datetime...), or of its type but out of what the wire carries.
foreign_values: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(_FOREIGN), st.integers(), st.text(max_size=5)
)


def foreign_extras(cls: type[msgspec.Struct]) -> st.SearchStrategy[Any]:
    """``extra`` values that are wrong in shape or in content: pairs of three,
    keys that are not text, keys of the model or of the envelope, repeated
    keys, attribute keys, values JSON or text cannot give back."""
    plan = plan_for(cls)
    keys = st.one_of(
        st.sampled_from([*plan.by_wire, *plan.by_variant, *ENVELOPE_KEYS, "imsi", "phones"]),
        st.sampled_from(["@code", "@", "a b", "", "x"]),
        unknown_keys(cls),
    )
    values = st.one_of(st.sampled_from(_FOREIGN), st.text(max_size=5))
    pairs = st.tuples(keys, values)
    return st.one_of(
        st.lists(pairs, max_size=3).map(tuple),
        pairs.map(lambda pair: (pair, pair)),  # a key written twice
        st.sampled_from(_FOREIGN),
        st.just((("a", "b", "c"),)),
        st.just(((1, "b"),)),
        st.just([("a", "b")]),
    )


def unknown_keys(cls: type[msgspec.Struct]) -> st.SearchStrategy[str]:
    """Key names the model and the error and OK answers do not know."""
    plan = plan_for(cls)
    known = {*plan.by_wire, *plan.by_name, *plan.by_variant, *ENVELOPE_KEYS, "extra", "script"}
    return st.from_regex(r"[a-z][a-z_]{1,10}", fullmatch=True).filter(lambda k: k not in known)


#: Pieces of framing and markup, for bodies that get past a format's first check
FRAMING_PIECES = [
    *HOSTILE_PIECES,
    "\n",
    "\r\n",
    "\r",
    "\0",
    "\ufeff",
    " ",
    "1",
    "1624884947",
    "28.06.2021 15:55:47",
    "1.40",
    "OK",
    "[",
    "]",
    "{",
    "}",
    ":",
    '"status": ',
    "<list>",
    "<sms>",
    "<result>",
    "<status>",
    "</status>",
    "<!DOCTYPE x>",
    '<?xml version="1.0"?>',
    "Status = ",
]

#: Bodies that look like answers in parts: as text, or as UTF-8 or windows-1251 bytes
hostile_bodies: st.SearchStrategy[str | bytes] = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200),
    st.lists(st.sampled_from(FRAMING_PIECES), max_size=30).map("".join),
    st.tuples(
        st.lists(st.sampled_from(FRAMING_PIECES), max_size=30).map("".join),
        st.sampled_from(["utf-8", "cp1251"]),
    ).map(lambda pair: pair[0].encode(pair[1], errors="replace")),
)


def json_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.text(_TEXT_CHARS, max_size=10)
    )
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=3), max_leaves=5)


#: A value of an unknown key as the decoders keep it: text (fmt 0/1/2, form
#: fields), a JSON scalar, or a JSON object or array as its text (fmt=3).
extra_values: st.SearchStrategy[Any] = st.one_of(
    free_text,
    st.integers(-(2**63), 2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.one_of(json_values(), st.dictionaries(st.text(max_size=5), json_values(), max_size=3))
    .filter(lambda value: isinstance(value, (list, dict)))
    .map(JsonText.of),
)


def model_values(cls: type[msgspec.Struct]) -> st.SearchStrategy[msgspec.Struct]:
    """Replies of ``cls`` with every field drawn, the model's own too: unknown
    keys, ambiguity marks, context (``script``, ``bare``) and nested records,
    flags with any bits (negative numbers included: lenient decoding keeps them)."""
    plan = plan_for(cls)
    names = [spec.name for spec in plan.fields]
    own: dict[str, st.SearchStrategy[Any]] = {
        "extra": st.lists(st.tuples(st.text(max_size=8), extra_values), max_size=3).map(tuple),
        "ambiguous_fields": st.lists(st.sampled_from(names or ["x"]), max_size=2).map(tuple),
    }
    for info in msgspec.structs.fields(cls):
        if info.name in own or info.name in plan.by_name:
            continue
        args = typing.get_args(info.type)
        nested = [typing.get_args(a)[0] for a in args if typing.get_origin(a) is tuple]
        if nested:
            own[info.name] = st.none() | st.lists(model_values(nested[0]), max_size=2).map(tuple)
        elif bool in args or info.type is bool:
            own[info.name] = st.booleans()
        else:  # a context text (ApiError.script)
            own[info.name] = st.none() | token
    flags = st.integers(-(2**15), 2**20).map(MessageFlags)
    fields = {
        spec.name: (flags if spec.py_type is MessageFlags else value_of(spec))
        if spec.required
        else st.none() | (flags if spec.py_type is MessageFlags else value_of(spec))
        for spec in plan.fields
    }
    return st.fixed_dictionaries({**fields, **own}).map(lambda values: cls(**values))
