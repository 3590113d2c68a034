"""What ``smsc-codec stats`` counts: answers by script, kind, status, delivery
error, operator and country, API errors by meaning, and the totals of cost and
message parts. Counts from chunks decoded apart add up with ``merge``."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import msgspec

from smsc_codec._codes import _CodeEnum
from smsc_codec._model import ApiError, SendResult

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
        """Count one decoded answer (a reply, a list of replies, an error)."""
        self.answers += 1
        self.by_script[script] += 1
        for item in value if isinstance(value, list) else (value,):
            self._add_item(item, script)

    def _add_item(self, item: msgspec.Struct, script: str) -> None:
        self.items += 1
        self.by_kind[type(item).__name__] += 1
        if isinstance(item, ApiError):
            self.api_errors[f"{script}: {item.code} {item.meaning.name}"] += 1
            return
        status = getattr(item, "status", None)
        if isinstance(status, _CodeEnum):
            self.by_status[f"{int(status)} {status.name}"] += 1
        err = getattr(item, "err", None)
        if isinstance(err, _CodeEnum):
            self.by_err[f"{int(err)} {err.name}"] += 1
        operator = getattr(item, "operator", None)
        if operator:
            self.by_operator[operator] += 1
        country = getattr(item, "country", None)
        if country:
            self.by_country[country] += 1
        cost = getattr(item, "cost", None)
        if isinstance(cost, Decimal):
            self.cost += cost
        # message parts: a status's sms_cnt; send.php's cnt counts the messages sent
        parts = item.cnt if isinstance(item, SendResult) else getattr(item, "sms_cnt", None)
        if isinstance(parts, int):
            self.parts += parts

    def merge(self, other: Stats) -> None:
        self.answers += other.answers
        self.items += other.items
        self.cost += other.cost
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
