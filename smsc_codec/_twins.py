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

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, NamedTuple

import msgspec

from ._limits import DEFAULT_LIMITS
from ._schema import Kind, parse_decimal, plan_for

__all__ = ["Twin", "read_money", "wire_twin"]


class Twin(NamedTuple):
    wire: type[msgspec.Struct]
    one: msgspec.json.Decoder[Any]
    many: msgspec.json.Decoder[Any]
    #: turns a decoded twin into the reply, in place
    to_model: Callable[[Any], msgspec.Struct]
    #: the same for a list of decoded twins (the list itself, in place)
    to_models: Callable[[list[Any]], list[msgspec.Struct]]


_TWINS: dict[tuple[type, int], Twin] = {}

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
    overrides: list[Any] = []
    env: dict[str, Any] = {"cls": cls}
    text = Annotated[str, msgspec.Meta(max_length=max_text)]
    env["R"] = read_money
    # Each step converts one field in place, as lines of the generated
    # functions; money (read as text, see read_money) is inlined for one
    # reply and remembered across the records of a list (amounts repeat: a
    # message's cost, a tariff's prices), for that list only.
    one: list[str] = []
    many: list[str] = []
    for i, spec in enumerate(plan.fields):
        name = spec.name
        if spec.kind is Kind.DECIMAL:
            overrides.append((name, text) if spec.required else (name, text | None, None))
            one += [
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
            many += [
                f"v = w.{name}",
                "if v is not None:",
                "    d = known(v)",
                "    if d is None:",
                "        d = amounts[v] = R(v)",
                f"    w.{name} = d",
            ]
            continue
        if spec.kind is Kind.DATETIME or spec.kind is Kind.DATE:
            overrides.append((name, text | None, None))
            step = [f"v = w.{name}", f"w.{name} = c{i}(v) if v else None"]
        elif spec.kind.textual:  # (a list is kept as its text)
            overrides.append((name, text) if spec.required else (name, text | None, None))
            continue
        else:
            continue  # (numbers, codes and flags: msgspec reads them as declared)
        env[f"c{i}"] = spec.from_text
        one += step
        many += step
    env["D"] = Decimal
    env["P"] = parse_decimal
    # Non-wire fields (extra, ambiguous_fields, context) are redeclared under
    # keys no answer holds, so that a JSON key of the same name stays unknown,
    # and with a type no JSON value has: a body that holds such a key anyway
    # goes the general way, which keeps it as an unknown key.
    # (An overridden field loses its declared wire name: every name is restated.)
    hidden = {info.name: info.encode_name for info in msgspec.structs.fields(cls)}
    for info in msgspec.structs.fields(cls):
        if info.name not in plan.by_name:
            hidden[info.name] = f"\uffff{info.name}"  # a noncharacter: in no real key
            overrides.append((info.name, _NO_JSON_VALUE, info.default))
    wire = msgspec.defstruct(
        f"{cls.__name__}Wire",
        overrides,
        bases=(cls,),
        kw_only=True,
        frozen=False,
        tag=False,
        forbid_unknown_fields=True,
        rename=hidden,
        namespace={"__post_init__": _typed_already},  # (msgspec has checked the types)
    )
    source = "\n".join(
        [
            "def finish(w):",
            *(f"    {line}" for line in [*one, "w.__class__ = cls", "return w"]),
            "def finish_all(ws):",
            "    amounts = {}",
            "    known = amounts.get",
            "    for w in ws:",
            *(f"        {line}" for line in [*many, "w.__class__ = cls"]),
            "    return ws",
        ]
    )
    # generated functions, as in _matcher._make_builder
    exec(compile(source + "\n", f"<smsc_codec json {cls.__name__}>", "exec"), env)
    twin = _TWINS[cls, max_text] = Twin(
        wire,
        msgspec.json.Decoder(wire, strict=False),
        msgspec.json.Decoder(list[wire], strict=False),  # type: ignore[valid-type]
        env["finish"],
        env["finish_all"],
    )
    return twin


def _typed_already(wire: Any) -> None:
    """A wire twin's ``__post_init__``: no constructor checks (_checks.py)."""


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
