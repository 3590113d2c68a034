"""What ``smsc-codec stats`` counts: answers by script, kind, status, delivery
error, operator and country, API errors by meaning, and the totals of cost and
message parts. Counts from chunks decoded apart add up with ``merge``."""

from __future__ import annotations

import decimal
from collections import Counter
from decimal import Decimal
from typing import Any

import msgspec

from smsc_codec._codes import _CodeEnum
from smsc_codec._model import ApiError, SendResult

from ._records import RecordError

__all__ = ["Stats"]

#: The counters, in the order the table shows them: (attribute, heading).
COUNTERS = (
    ("by_script", "script"),
    ("by_kind", "reply kind"),
    ("by_status", "status"),
    ("by_err", "err"),
    ("by_operator", "operator"),
    ("by_country", "country"),
    ("api_errors", "API error"),
)


#: Totals of cost never raise: past the largest exponent they become Infinity
#: (each cost added is finite, checked answer by answer).
_TOTALS = decimal.Context(Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN, traps=[])


class Stats:
    """Counts over decoded answers."""

    def __init__(self) -> None:
        self.answers = 0
        self.items = 0
        self.cost = Decimal(0)
        self.parts = 0
        self.by_script: Counter[str] = Counter()
        self.by_kind: Counter[str] = Counter()
        self.by_status: Counter[str] = Counter()
        self.by_err: Counter[str] = Counter()
        self.by_operator: Counter[str] = Counter()
        self.by_country: Counter[str] = Counter()
        self.api_errors: Counter[str] = Counter()

    def add(self, value: Any, script: str) -> None:
        """Count one decoded answer (a reply, a list of replies, an error): all
        of it, or, when one of its values cannot be counted, none of it."""
        keys: list[tuple[str, str]] = [("by_script", script)]
        cost = Decimal(0)
        parts = 0
        items = value if isinstance(value, list) else (value,)
        for item in items:
            keys.extend(self._keys(item, script))
            item_cost = getattr(item, "cost", None)
            if isinstance(item_cost, Decimal):
                if not item_cost.is_finite():
                    raise RecordError(f"a cost of {item_cost} cannot be added up")
                cost = _TOTALS.add(cost, item_cost)
            # message parts: a status's sms_cnt; send.php's cnt counts the messages sent
            count = item.cnt if isinstance(item, SendResult) else getattr(item, "sms_cnt", None)
            if isinstance(count, int):
                parts += count
        # nothing below can fail
        self.answers += 1
        self.items += len(items)
        self.cost = _TOTALS.add(self.cost, cost)
        self.parts += parts
        for name, key in keys:
            getattr(self, name)[key] += 1

    @staticmethod
    def _keys(item: msgspec.Struct, script: str) -> list[tuple[str, str]]:
        """The (counter, key) pairs one reply counts under."""
        keys = [("by_kind", type(item).__name__)]
        if isinstance(item, ApiError):
            keys.append(("api_errors", f"{script}: {item.code} {item.meaning.name}"))
            return keys
        status = getattr(item, "status", None)
        if isinstance(status, _CodeEnum):
            keys.append(("by_status", f"{int(status)} {status.name}"))
        err = getattr(item, "err", None)
        if isinstance(err, _CodeEnum):
            keys.append(("by_err", f"{int(err)} {err.name}"))
        operator = getattr(item, "operator", None)
        if operator:
            keys.append(("by_operator", operator))
        country = getattr(item, "country", None)
        if country:
            keys.append(("by_country", country))
        return keys

    def merge(self, other: Stats) -> None:
        self.answers += other.answers
        self.items += other.items
        self.cost = _TOTALS.add(self.cost, other.cost)
        self.parts += other.parts
        for name, _ in COUNTERS:
            getattr(self, name).update(getattr(other, name))

    def as_json(self) -> dict[str, Any]:
        return {
            "answers": self.answers,
            "items": self.items,
            "cost_total": str(self.cost),
            "message_parts": self.parts,
            **{name: dict(getattr(self, name).most_common()) for name, _ in COUNTERS},
        }
