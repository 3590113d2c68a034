"""Wire twins: the model's Structs as msgspec reads them off the wire.

A reply Struct cannot be decoded by msgspec as it is declared: its dates are
not ISO 8601, its money must be read digit for digit, and unknown keys must
not pass unseen. The *wire twin* of a reply kind is a subclass that
overrides those fields (dates and money as bounded texts, every text bounded
at ``max_field_length``), forbids unknown keys, and comes with a generated
function that turns a decoded twin into the reply in place. The JSON reader
decodes bodies straight into twins; the XML reader converts a record's texts
into one (msgspec reads texts as it reads JSON strings). Derived from the
model (``_schema.py``): nothing here names a field.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Collection, Iterable
from decimal import Decimal
from typing import Annotated, Any, NamedTuple

import msgspec

from ._checks import unchecked
from ._limits import DEFAULT_LIMITS
from ._schema import Kind, StructPlan, parse_decimal, plan_for

__all__ = [
    "LEARNED",
    "MAX_LEARNED_KEYS",
    "READ_ONE",
    "Twin",
    "current_twin",
    "keys_within",
    "learn_keys",
    "read_money",
    "twin_for",
    "wire_twin",
]


class Twin(NamedTuple):
    wire: type[msgspec.Struct]
    one: msgspec.json.Decoder[Any]
    many: msgspec.json.Decoder[Any]
    #: turns a decoded twin into the reply, in place
    to_model: Callable[[Any], msgspec.Struct]
    #: the same for a list of decoded twins (the list itself, in place)
    to_models: Callable[[list[Any]], list[msgspec.Struct]]
    #: one JSON object to its reply: msgspec's errors (and ValueError) for
    #: a body the twin does not read
    read_one: Callable[[Any], msgspec.Struct]
    #: a JSON array of objects to its replies
    read_many: Callable[[Any], list[msgspec.Struct]]
    #: the unknown keys this twin declares (a learned twin, :func:`learn_keys`)
    unknown: tuple[str, ...] = ()
    #: whether a learned twin is the one to read a body (:func:`twin_for`):
    #: every body for a twin that switches its class in place, as the plain
    #: twin does; one that may hold a learned key for a twin that builds its
    #: reply field by field (three times the class switch)
    reads: Callable[[Any], bool] = lambda body: False  # (a plain twin: never asked)


#: A wire twin's ``__post_init__``: no constructor checks (_checks.py). msgspec
#: calls it once for every record it decodes; a C function that looks at
#: nothing (``type`` of the twin, thrown away) costs no Python frame.
_TYPED_ALREADY: Callable[[Any], object] = type

_TWINS: dict[tuple[type, int], Twin] = {}
#: each twin's conversion steps, for one reply and for a list's records, and
#: the names they use (a learned twin inlines them in its own functions, or
#: calls ``convert``: the values converted in place, class kept)
_STEPS: dict[tuple[type, int], tuple[list[str], list[str], dict[str, Any]]] = {}

#: a type no JSON value is: a text that matches no pattern
_NO_JSON_VALUE = Annotated[str, msgspec.Meta(pattern="(?!)")]


def wire_twin(cls: type[msgspec.Struct], max_text: int = DEFAULT_LIMITS.max_field_length) -> Twin:
    """The wire twin of a reply Struct, built once for each text bound.

    The twin is a subclass that overrides the fields msgspec cannot read
    as declared (dates, which are not ISO 8601), and bounds every text at
    ``max_text`` characters (``Limits.max_field_length``, checked by msgspec
    as it reads), with the same slots otherwise. It is neither frozen nor
    tagged: a decoded twin's dates are converted in place and its class is
    switched to the model's, so it becomes the (frozen) reply itself with no
    second Struct built (the JSON goal, docs/sources.md#performance-floors,
    leaves no room for one); a ``"kind"`` key in an answer is an unknown key like any other.
    """
    twin = _TWINS.get((cls, max_text))
    if twin is not None:
        return twin
    plan = plan_for(cls)
    env: dict[str, Any] = {"cls": cls, "R": read_money, "D": Decimal, "P": parse_decimal}
    text = Annotated[str, msgspec.Meta(max_length=max_text)]
    overrides, one, many = _conversion_steps(plan, text, env)
    hidden, rename = _hidden_fields(cls, plan)
    wire = _twin_struct(f"{cls.__name__}Wire", [*overrides, *hidden], cls, rename)
    one_decoder = msgspec.json.Decoder(wire, strict=False)
    many_decoder = msgspec.json.Decoder(list[wire], strict=False)  # type: ignore[valid-type]
    env["decode_one"] = one_decoder.decode
    env["decode_many"] = many_decoder.decode
    # generated functions, as in _matcher._make_builder
    source = _twin_source(one, many)
    exec(compile(source + "\n", f"<smsc_codec json {cls.__name__}>", "exec"), env)
    _STEPS[cls, max_text] = (one, many, env)
    twin = _TWINS[cls, max_text] = Twin(
        wire,
        one_decoder,
        many_decoder,
        env["finish"],
        env["finish_all"],
        env["read_one"],
        env["read_many"],
    )
    READ_ONE.setdefault((cls, max_text), [twin.read_one])
    return twin


def _twin_struct(
    name: str, fields: list[Any], base: type[msgspec.Struct], rename: dict[str, str]
) -> type[msgspec.Struct]:
    """A twin's Struct: ``base`` with ``fields`` overridden or added, each
    field's key in ``rename``; unknown keys refused, no checks (msgspec has
    checked the types), neither frozen nor tagged (its class is switched)."""
    return msgspec.defstruct(
        name,
        fields,
        bases=(base,),
        kw_only=True,
        frozen=False,
        tag=False,
        forbid_unknown_fields=True,
        rename=rename,
        namespace={"__post_init__": _TYPED_ALREADY},
    )


def _conversion_steps(
    plan: StructPlan, text: Any, env: dict[str, Any]
) -> tuple[list[Any], list[str], list[str]]:
    """The twin's overrides of the model's fields (``text``: a bounded
    text), and the steps that convert them in place: for one reply and for
    each record of a list (the date converters put in ``env`` as
    ``c<i>``).

    Each step converts one field in place, as lines of the generated
    functions; money (read as text, see read_money) is inlined for one
    reply and remembered across the records of a list (amounts repeat: a
    message's cost, a tariff's prices), for that list only. Numbers, codes
    and flags are left to msgspec, which reads them as declared.
    """
    overrides: list[Any] = []
    one: list[str] = []
    many: list[str] = []
    for i, spec in enumerate(plan.fields):
        name = spec.name
        if spec.kind is Kind.DECIMAL:
            overrides.append(_bounded(name, text, required=spec.required))
            one += _money_step(name)
            many += _remembered_money_step(name)
        elif spec.kind is Kind.DATETIME or spec.kind is Kind.DATE:
            overrides.append((name, text | None, None))
            env[f"c{i}"] = spec.from_text
            step = [f"v = w.{name}", f"w.{name} = c{i}(v) if v else None"]
            one += step
            many += step
        elif spec.kind.textual:  # (a list is kept as its text)
            overrides.append(_bounded(name, text, required=spec.required))
    return overrides, one, many


def _bounded(name: str, text: Any, *, required: bool) -> tuple[Any, ...]:
    """The override of a field read as the bounded ``text`` (None when absent)."""
    return (name, text) if required else (name, text | None, None)


def _money_step(name: str) -> list[str]:
    """Lines that convert one reply's amount in place: its Decimal when
    that is its own plain spelling (read_money, inlined), else parse_decimal."""
    return [
        f"v = w.{name}",
        "if v is not None:",
        "    try:",
        "        d = D(v)",
        "    except ArithmeticError:",
        "        d = None",
        '    if d is None or str(d) != v or "E" in v or not d.is_finite():',
        "        d = P(v)",
        f"    w.{name} = d",
    ]


def _remembered_money_step(name: str) -> list[str]:
    """Lines that convert a list's record's amount in place, each amount
    read once for the list (``amounts``)."""
    return [
        f"v = w.{name}",
        "if v is not None:",
        "    d = known(v)",
        "    if d is None:",
        "        d = amounts[v] = R(v)",
        f"    w.{name} = d",
    ]


def _hidden_fields(
    cls: type[msgspec.Struct], plan: StructPlan
) -> tuple[list[tuple[str, Any, Any]], dict[str, str]]:
    """The overrides of the non-wire fields, and every field's key.

    Non-wire fields (extra, ambiguous_fields, context) are redeclared under
    keys no answer holds, so that a JSON key of the same name stays unknown,
    and with a type no JSON value has: a body that holds such a key anyway
    goes the general way, which keeps it as an unknown key.
    (An overridden field loses its declared wire name: every name is restated.)
    """
    fields = msgspec.structs.fields(cls)
    rename = {info.name: info.encode_name for info in fields}
    hidden = []
    for info in fields:
        if info.name not in plan.by_name:
            rename[info.name] = f"\uffff{info.name}"  # a noncharacter: in no real key
            hidden.append((info.name, _NO_JSON_VALUE, info.default))
    return hidden, rename


def _twin_source(one: list[str], many: list[str]) -> str:
    """The source of a twin's generated functions, around its conversion
    steps for one reply (``one``) and for each record of a list (``many``)."""
    return "\n".join(
        [
            "def finish(w):",
            *(f"    {line}" for line in [*one, "w.__class__ = cls", "return w"]),
            "def convert(w):",
            *(f"    {line}" for line in [*one, "return w"]),
            "def read_one(b):",
            "    w = decode_one(b)",
            *(f"    {line}" for line in [*one, "w.__class__ = cls", "return w"]),
            "def finish_all(ws):",
            "    amounts = {}",
            "    known = amounts.get",
            "    for w in ws:",
            *(f"        {line}" for line in [*many, "w.__class__ = cls"]),
            "    return ws",
            "def read_many(b):",
            "    return finish_all(decode_many(b))",
        ]
    )


def read_money(text: str) -> Decimal:
    """Money as the wire writes it (``_schema.MONEY_PATTERN``); ValueError for
    anything else. msgspec's own Decimal would also take NaN, exponents, `_`
    and spaces. A text that is its Decimal's own plain spelling has the form
    (the common case: no regex); parse_decimal checks any other text."""
    try:
        amount = Decimal(text)
    except ArithmeticError:
        return parse_decimal(text)
    if str(amount) != text or "E" in text or not amount.is_finite():
        return parse_decimal(text)
    return amount


# ------------------------------------------------------- learned twins ---
# An answer with a key the model does not know is read by the general path,
# which keeps the key in ``extra``; the twin then learns the key, so that
# the next such answer is read in C again. A learned twin declares every
# unknown key seen so far as a field of its own. With several, msgspec hands
# their values to a hook that numbers them as they come, so the unknown keys
# go into ``extra`` in the order they stood, as the general path keeps them.
#
# Where to keep those fields: a reply kind has slots no answer's key fills,
# the hidden fields (``extra`` and ``ambiguous_fields`` of every reply, and a
# third in some kinds, as ``SendResult.phones``). A twin that learned no more
# keys than that reads them into those slots, puts them in ``extra``,
# restores the rest, and switches its class like the plain twin (its layout
# is the model's). One that learned more needs slots the model has not, so
# its reply is built anew, one constructor call: three times the class
# switch (benchmarks/README.md, the variants).

#: the most unknown keys a reply kind learns (a body of made-up keys is read
#: by the general path, as before)
MAX_LEARNED_KEYS = 32

#: numbers the unknown values as msgspec reads them, across threads
_SEQUENCE = itertools.count()


class _Seen:
    """An unknown key's value, numbered as it was read."""

    __slots__ = ("number", "value")

    def __init__(self, number: int, value: Any) -> None:
        self.number = number
        self.value = value


#: the learned twin of each reply kind and text bound that has learned a key
LEARNED: dict[tuple[type, int], Twin] = {}
#: the reader of one JSON object of each reply kind and text bound, in a
#: cell of its own (a compiled entry holds the cell and calls its item: no
#: look-up by a key hashed on every call): the plain twin's until a key is
#: learned, then the learned twin's, or :func:`twin_for`'s choice written
#: out. The cell is put once (:func:`wire_twin`) and its item replaced.
READ_ONE: dict[tuple[type, int], list[Callable[[Any], msgspec.Struct]]] = {}
#: a key msgspec can name a field by (no backslash, quote or control
#: character); one it cannot stays with the general path, which keeps it
_NAMEABLE = re.compile(r'[^\\"\x00-\x1f]*').fullmatch


def keys_within(cls: type[msgspec.Struct], max_text: int) -> bool:
    """Whether every key a JSON twin of ``cls`` reads (its model's wire keys;
    a key is learned only once the general path has read it under the same
    bound) is at most ``max_text`` characters. A twin bounds values only; the
    general path holds a JSON key to ``max_field_length`` too (a key is a
    text, ``_json._check_tree``), so under a shorter bound no twin reads a
    body of ``cls``: the general path says what is over the limit."""
    return _longest_key(cls) <= max_text


@functools.cache
def _longest_key(cls: type[msgspec.Struct]) -> int:
    return max((len(key) for key in plan_for(cls).by_wire), default=0)


def current_twin(cls: type[msgspec.Struct], max_text: int) -> Twin:
    """The twin to read ``cls`` with: the learned one, once a key is learned."""
    return LEARNED.get((cls, max_text)) or wire_twin(cls, max_text)


def twin_for(cls: type[msgspec.Struct], max_text: int, body: Any) -> Twin:
    """The twin to read ``body`` (JSON text or bytes) as ``cls`` with: the
    learned one where the body may hold a key it learned, else the plain one."""
    learned = LEARNED.get((cls, max_text))
    if learned is not None and learned.reads(body):
        return learned
    return wire_twin(cls, max_text)


def learn_keys(
    cls: type[msgspec.Struct], max_text: int, keys: Iterable[str], reserved: Collection[str]
) -> None:
    """Teach the twin of ``cls`` unknown keys the general path met (not the
    ``reserved`` ones: keys that make a record read as something else, and
    variant spellings, which fill a field where its own key is absent)."""
    twin = current_twin(cls, max_text)
    plan = plan_for(cls)
    new = [
        key
        for key in dict.fromkeys(keys)
        if key not in twin.unknown
        and key not in reserved
        and key not in plan.by_wire
        and key not in plan.by_variant
        and not key.startswith("\uffff")
        and _NAMEABLE(key) is not None
    ]
    if not new or len(twin.unknown) + len(new) > MAX_LEARNED_KEYS:
        return
    learned = LEARNED[cls, max_text] = _learned_twin(cls, max_text, (*twin.unknown, *new))
    plain = wire_twin(cls, max_text)  # (which has put the cell)
    READ_ONE[cls, max_text][0] = _reader_of(learned, plain)


def _reader_of(learned: Twin, plain: Twin) -> Callable[[Any], msgspec.Struct]:
    """:func:`twin_for`'s choice for one object, as one function."""
    if learned.reads is _every_body:
        return learned.read_one
    may_hold, read_learned, read_plain = learned.reads, learned.read_one, plain.read_one

    def read_one(body: Any) -> msgspec.Struct:
        return read_learned(body) if may_hold(body) else read_plain(body)

    return read_one


def _every_body(body: Any) -> bool:
    """An in-place twin's ``reads``: any body is its to read."""
    return True


def _learned_twin(cls: type[msgspec.Struct], max_text: int, unknown: tuple[str, ...]) -> Twin:
    """The twin of ``cls`` that reads the ``unknown`` keys too: into the
    hidden fields' slots (``extra``'s first) when there are enough, and then
    switches its class like the plain twin; else into fields of its own, and
    then builds its reply anew. One key needs no hook: the JSON value types
    themselves, a text bounded, and order is no question (written twice,
    msgspec keeps its last value, as the general path does; its place is the
    only one). The learned twin's ``to_model`` and ``to_models`` are the
    plain twin's: it reads with ``read_one`` and ``read_many`` only."""
    plain = wire_twin(cls, max_text)
    one, many, plain_env = _STEPS[cls, max_text]
    plan = plan_for(cls)
    hidden = sorted(
        (info for info in msgspec.structs.fields(cls) if info.name not in plan.by_name),
        key=lambda info: info.name != "extra",  # (extra's slot first: one key needs no other)
    )
    in_place = len(unknown) <= len(hidden)
    slots = (
        [info.name for info in hidden[: len(unknown)]]
        if in_place
        else [f"_unknown{i}" for i in range(len(unknown))]
    )
    rename = {info.name: info.encode_name for info in msgspec.structs.fields(plain.wire)}
    rename.update(zip(slots, unknown, strict=True))
    if len(unknown) == 1:  # (in extra's slot, its default kept: no JSON value reads as it)
        fields = [(slots[0], _json_value(max_text), hidden[0].default)]
    else:
        fields = [(slot, _Seen | msgspec.UnsetType, msgspec.UNSET) for slot in slots]
    wire = _twin_struct(f"{cls.__name__}Learned", fields, plain.wire, rename)
    hook = _numbering_hook(max_text) if len(unknown) > 1 else None
    one_decoder = msgspec.json.Decoder(wire, strict=False, dec_hook=hook)
    many_decoder = msgspec.json.Decoder(list[wire], strict=False, dec_hook=hook)  # type: ignore[valid-type]
    env: dict[str, Any] = {
        **plain_env,
        "decode_one": one_decoder.decode,
        "decode_many": many_decoder.decode,
        "count": _SEQUENCE.__next__,
        "UNSET": msgspec.UNSET,
        "Doubled": _Doubled,
        "build": unchecked(cls),
    }
    defaults = {info.name: info.default for info in hidden}
    for i, (slot, key) in enumerate(zip(slots, unknown, strict=True)):
        env[f"k{i}"], env[f"d{i}"] = key, defaults.get(slot)
    take = _taking_steps(slots, restore=in_place)
    if in_place:
        finish = "w.__class__ = cls"
    else:  # (the model's fields, extra set by take)
        model = ", ".join(f"{info.name}=w.{info.name}" for info in msgspec.structs.fields(cls))
        finish = f"w = build({model})"
    source = _learned_source(
        take, one, many, finish, counted=len(unknown) > 1, replaced=not in_place
    )
    # generated functions, as in _matcher._make_builder
    exec(compile(source + "\n", f"<smsc_codec learned json {cls.__name__}>", "exec"), env)
    return Twin(
        wire,
        one_decoder,
        many_decoder,
        plain.to_model,
        plain.to_models,
        env["read_one"],
        env["read_many"],
        unknown,
        _every_body if in_place else _finder_of(unknown),
    )


def _learned_source(
    take: list[str], one: list[str], many: list[str], finish: str, *, counted: bool, replaced: bool
) -> str:
    """The source of a learned twin's ``read_one`` and ``read_many``: decode,
    ``take`` the unknown keys' values, convert (``one``, ``many``) and
    ``finish`` the reply ``w`` (its class switched, or, ``replaced``, built
    anew: then it replaces its twin in the list). ``counted``: the values are
    numbered, and a key written twice shows as more numbers than values
    (``_Doubled``)."""
    start = ["start = count()", "n = 0"] if counted else []
    check = ["if n != count() - start - 1:", "    raise Doubled"] if counted else []
    records, store = ("enumerate(ws)", ["ws[i] = w"]) if replaced else ("ws", [])
    return "\n".join(
        [
            "def read_one(b):",
            *(f"    {line}" for line in [*start, "w = decode_one(b)", *take, *check, *one]),
            f"    {finish}",
            "    return w",
            "def read_many(b):",
            *(f"    {line}" for line in [*start, "ws = decode_many(b)"]),
            "    amounts = {}",
            "    known = amounts.get",
            f"    for {'i, w' if replaced else 'w'} in {records}:",
            *(f"        {line}" for line in [*take, *many, finish, *store]),
            *(f"    {line}" for line in check),
            "    return ws",
        ]
    )


def _taking_steps(slots: list[str], *, restore: bool) -> list[str]:
    """Lines that move the unknown keys' values read into the fields
    ``slots`` (key ``k<i>``) into ``extra``, in the order they stood, and
    (``restore``: the slots are hidden fields') restore the other slots'
    defaults (``d<i>``); ``n`` counts the values, for a check that no key
    was written twice."""
    if len(slots) == 1:  # (extra's own slot)
        return ["v = w.extra", "if v is not d0:", "    w.extra = ((k0, v),)"]
    pairs = ", ".join(f"(k{i}, w.{slot})" for i, slot in enumerate(slots))
    return [
        f"seen = [(s.number, k, s.value) for k, s in ({pairs}) if s is not UNSET]",
        "n += len(seen)",
        "if len(seen) > 1:",
        "    seen.sort()",
        *(f"w.{slot} = d{i}" for i, slot in enumerate(slots) if restore and slot != "extra"),
        "w.extra = tuple([(k, v) for _, k, v in seen])",
    ]


def _json_value(max_text: int) -> Any:
    """The type of an unknown key's value a twin reads: any JSON value but an
    object or an array (the general path bounds their nesting and keeps their
    text), a text at most ``max_text`` characters long."""
    text = Annotated[str, msgspec.Meta(max_length=max_text)]
    return text | int | float | bool | None


def _numbering_hook(max_text: int) -> Callable[[type, Any], Any]:
    """msgspec's hook for a value of type :class:`_Seen`: numbers the values
    as they come (the values refused as :func:`_json_value` refuses them)."""

    def hook(kind: type, value: Any) -> Any:
        if kind is not _Seen:
            raise NotImplementedError(kind)
        if type(value) is dict or type(value) is list:
            raise ValueError("nested value")
        if type(value) is str and len(value) > max_text:
            raise ValueError("a text longer than max_field_length")
        return _Seen(next(_SEQUENCE), value)

    return hook


def _finder_of(keys: tuple[str, ...]) -> Callable[[Any], bool]:
    """Whether a JSON body (text, or bytes in UTF-8) may hold one of ``keys``:
    it holds the key as JSON writes it, in quotes. A key written with an
    escape is not found: the plain twin refuses it as an unknown key, and
    the general path reads it. (Generated: a search a key, in C.)"""
    texts = [msgspec.json.encode(key).decode() for key in keys]
    source = "\n".join(
        [
            "def may_hold_unknown(b):",
            "    if type(b) is str:",
            f"        return {' or '.join(f'{text!r} in b' for text in texts)}",
            f"    return {' or '.join(f'{text.encode()!r} in b' for text in texts)}",
        ]
    )
    env: dict[str, Any] = {}
    # generated, as in _matcher._make_builder
    exec(compile(source + "\n", "<smsc_codec learned keys>", "exec"), env)
    finder: Callable[[Any], bool] = env["may_hold_unknown"]
    return finder


class _Doubled(ValueError):
    """An unknown key written twice in one object: the general path keeps its
    first place and last value, as a JSON object reader does."""
