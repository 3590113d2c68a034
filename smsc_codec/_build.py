"""From a record's decoded keys to a reply: the one walk every reader shares.

Every reader, whatever its format, ends the same way: the keys of a record
(an XML element's children, a JSON object's members, a line's ``key =
value`` pairs read by key, a callback's form fields) become one reply. The
rules are written once, here, so that strictness cannot drift between the
formats:

* a key of the model fills its field; a variant spelling of a key
  (``Variant`` in the model) fills the field when the field's own key is
  absent, and strict decoding names it;
* any other key is kept in ``extra``, in the order met, and strict decoding
  refuses it (a callback's signature key excepted);
* a key written twice is refused by strict decoding (lenient decoding keeps
  the last value, as every JSON reader does);
* a value longer than ``max_field_length`` is refused;
* a required field that is missing is refused; an empty text of a field
  that is not text is an absent value;
* strict decoding refuses codes the tables do not know (``_strictness``).

A reader hands :func:`build_reply` the record as (key, value, position)
triples and a :class:`Place`: how its format words a fault and where it
stands in the body. The values are texts, except in JSON, whose reader
converts its typed values itself (:meth:`Place.make`).

This module also keeps what fmt=2 and fmt=3 share about a record's keys:
the order they are written in (:func:`structured_fields`) and the key an
XML attribute is kept under (:data:`ATTRIBUTE`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

import msgspec

from ._checks import construct
from ._errors import DecodeError, LimitError
from ._replies import Candidate
from ._schema import FieldSpec, StructPlan, plan_for, variant_fault
from ._strictness import unknown_codes

__all__ = [
    "ATTRIBUTE",
    "MISS",
    "UNPLACED",
    "Place",
    "build_reply",
    "refuse_unknown_codes",
    "structured_fields",
]

#: The key an attribute of a record element is kept under in ``extra``:
#: ``<sms code="7">`` keeps ``("@code", "7")``, before the elements' keys
#: (an element name cannot start with ``@``); the XML writer writes such a
#: key back as an attribute of the record element.
ATTRIBUTE = "@"

#: where a key stands is not known yet: the format finds it when a fault needs it
UNPLACED = -1


class _Miss:
    """What a reader's compiled entry returns for a body it leaves to the
    reader's other paths."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISS"


MISS = _Miss()


class Place:
    """How one format words a fault in a record, and where it stands.

    The base class words faults as the form fields of a callback do; each
    format overrides what it says differently. ``text`` is the body.
    """

    fmt: int | None = None

    def __init__(self, text: str) -> None:
        self.text = text

    def name(self, key: str, spec: FieldSpec | None) -> str:
        """How a reason names the key (``field 'cost'``, ``<cost>``)."""
        return f"field {key!r}"

    def unknown(self, key: str) -> str:
        return f"unknown field {key!r}"

    def missing(self, spec: FieldSpec) -> str:
        return f"missing field {spec.wire!r}"

    def kept(self, key: str) -> bool:
        """An unknown key strict decoding keeps all the same."""
        return False

    def at(self, key: str, position: int) -> int:
        """The offset of ``key`` in the body (``position`` when known)."""
        return max(position, 0)

    def value_at(self, key: str, position: int, value: Any) -> int:
        """The offset of the key's value (for a value refused)."""
        return self.at(key, position)

    def fault(self, reason: str, offset: int) -> Exception:
        return DecodeError(reason, fmt=self.fmt, text=self.text, offset=offset)

    def too_long(self, key: str, value: str, position: int, maximum: int) -> Exception:
        holds = max(len(value), len(key))
        return LimitError(
            "max_field_length",
            maximum,
            f"{self.name(key[:40], None)} holds {holds:,} characters",
            fmt=self.fmt,
            text=self.text,
            offset=self.value_at(key, position, value),
        )

    def extra_value(self, value: Any) -> Any:
        """An unknown key's value as ``extra`` keeps it."""
        return value

    def make(
        self,
        cls: type[msgspec.Struct],
        known: dict[FieldSpec, tuple[str, Any, int]],
        extra: tuple[tuple[str, Any], ...],
        ambiguous: tuple[str, ...],
    ) -> msgspec.Struct:
        """The reply from its known keys' texts: each read by its field's
        kind (an empty text of a field that is not text is absent), the
        required fields checked."""
        values: dict[str, Any] = {}
        for spec, (key, raw, position) in known.items():
            if raw == "" and not spec.kind.textual:
                continue
            try:
                values[spec.name] = spec.from_text(raw)
            except ValueError as exc:
                reason = f"{exc} in {self.name(key, spec)}"
                raise self.fault(reason, self.value_at(key, position, raw)) from None
        for spec in plan_for(cls).fields:
            if spec.required and spec.name not in values:
                raise self.fault(self.missing(spec), len(self.text))
        # (typed values: built unchecked, _checks.py)
        return construct(cls, **values, extra=extra, ambiguous_fields=ambiguous)


def build_reply(
    cls: type[msgspec.Struct],
    items: Iterable[tuple[str, Any, int]],
    place: Place,
    *,
    strict: bool,
    max_text: int | None = None,
    ambiguous: tuple[str, ...] = (),
) -> msgspec.Struct:
    """The reply of kind ``cls`` from a record's (key, value, position)
    triples (position :data:`UNPLACED` when the format finds it on demand);
    the rules are the module docstring's."""
    plan = plan_for(cls)
    items = items if isinstance(items, (list, tuple)) else list(items)
    known, extra = _sorted_keys(plan, items, place, strict, max_text)
    reply = place.make(cls, known, tuple(extra), ambiguous)
    if strict:
        refuse_unknown_codes(reply, place)
    return reply


def _sorted_keys(
    plan: StructPlan,
    items: list[tuple[str, Any, int]] | tuple[tuple[str, Any, int], ...],
    place: Place,
    strict: bool,
    max_text: int | None,
) -> tuple[dict[FieldSpec, tuple[str, Any, int]], list[tuple[str, Any]]]:
    """The known keys (by field: key as written, value, position) and the
    unknown ones, with the strict refusals."""
    by_wire = plan.by_wire
    known: dict[FieldSpec, tuple[str, Any, int]] = {}
    extra: list[tuple[str, Any]] = []
    seen: set[str] = set()
    # a variant spelling is read only where the field's own key is absent
    keys = {key for key, _, _ in items} if plan.by_variant else ()
    for key, value, position in items:
        if strict and key in seen:
            raise place.fault(f"{place.name(key, None)} appears twice", place.at(key, position))
        seen.add(key)
        if max_text is not None and (len(key) > max_text or _longer(value, max_text)):
            raise place.too_long(key, value, position, max_text)
        spec = by_wire.get(key) or _variant_field(
            plan, key, keys, place, strict=strict, position=position
        )
        if spec is not None:
            known[spec] = (key, value, position)
            continue
        # (the value is read first: one that cannot be read is the fault)
        kept = place.extra_value(value)
        if strict and not place.kept(key):
            raise place.fault(place.unknown(key), place.at(key, position))
        extra.append((key, kept))
    return known, extra


def _variant_field(
    plan: StructPlan, key: str, keys: Collection[str], place: Place, *, strict: bool, position: int
) -> FieldSpec | None:
    """The field ``key`` is a variant spelling of, where the field's own key
    is absent (strict decoding names the variant instead)."""
    variant = plan.by_variant.get(key)
    if variant is None or variant.wire in keys:
        return None
    if strict:
        raise place.fault(variant_fault(key, variant), place.at(key, position))
    return variant


def _longer(value: Any, maximum: int) -> bool:
    return type(value) is str and len(value) > maximum


def refuse_unknown_codes(reply: msgspec.Struct, place: Place) -> None:
    """Strict decoding: a code the tables do not know is refused, where its
    key stands."""
    plan = plan_for(type(reply))
    for name, value in unknown_codes(reply):
        spec = plan.by_name[name]
        reason = f"unknown code {int(value)} in {place.name(spec.wire, spec)}"
        raise place.fault(reason, place.at(spec.wire, UNPLACED))


def structured_fields(plan: StructPlan, candidate: Candidate | None) -> list[FieldSpec]:
    """Field specs in fmt=2/3 order: the model's, with the candidate's
    leading keys first and trailing keys last."""
    if candidate is None:
        return list(plan.fields)
    leading, trailing = candidate.leading_keys, candidate.trailing_keys
    specs = [plan.by_name[name] for name in leading if name in plan.by_name]
    specs.extend(s for s in plan.fields if s.name not in trailing and s.name not in leading)
    specs.extend(plan.by_name[name] for name in trailing if name in plan.by_name)
    return specs
