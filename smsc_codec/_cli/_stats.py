"""What ``smsc-codec stats`` counts: answers by script, kind, status, delivery
error, operator and country, API errors by meaning, and the totals of cost and
message parts. Counts from chunks decoded apart add up with ``merge``.

Costs are totalled per reply kind and currency (the reply's ``currency``, or
none: the account's), each total marked by what it is:

* ``charged``: what sending cost, as send.php and jobs.php answered it. Only
  these make the total spent;
* ``quoted``: send.php's answers to ``cost=1``, a price asked, nothing sent;
* ``reported``: the cost of messages as status.php and get.php report it
  later (status rows, the history), and get_stat's amounts spent: the same
  money as the send answers, so never added to it (a message sent and then
  asked about would count twice).
"""

from __future__ import annotations

import decimal
from collections import Counter
from decimal import Decimal
from typing import Any

import msgspec

from smsc_codec._codes import _CodeEnum
from smsc_codec._model import ApiError, JobCreated, PhoneResult, SendResult, Statistics

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


#: What each kind of cost is, and whether it is added to the total spent.
COST_ROLES = {
    "charged": "yes",
    "quoted": "no: price quotes (send.php cost=1), nothing sent",
    "reported": "no: messages already charged when sent, reported again",
}


def cost_role(item: msgspec.Struct, quote: bool) -> str | None:
    """What a reply's cost is (see the module docstring); None for a reply
    whose cost is part of another's (a send answer's per-number costs)."""
    if isinstance(item, SendResult):
        return "quoted" if quote else "charged"
    if isinstance(item, JobCreated):
        return "charged"
    if isinstance(item, PhoneResult):
        return None
    return "reported"


def _counted_cost(item: msgspec.Struct, quote: bool) -> tuple[tuple[str, str, str], Decimal] | None:
    """A reply's cost as counted, under its (kind, currency, role): its cost,
    or get_stat's amount spent; None for a reply that counts none."""
    amount = item.credit if isinstance(item, Statistics) else getattr(item, "cost", None)
    role = cost_role(item, quote)
    if not isinstance(amount, Decimal) or role is None:
        return None
    if not amount.is_finite():
        raise RecordError(f"a cost of {amount} cannot be added up")
    currency = getattr(item, "currency", None) or ""
    return (type(item).__name__, currency, role), amount


class Stats:
    """Counts over decoded answers."""

    def __init__(self) -> None:
        self.answers = 0
        self.items = 0
        #: (kind, currency, role) -> [replies, total]
        self.costs: dict[tuple[str, str, str], list[Any]] = {}
        self.parts = 0
        self.by_script: Counter[str] = Counter()
        self.by_kind: Counter[str] = Counter()
        self.by_status: Counter[str] = Counter()
        self.by_err: Counter[str] = Counter()
        self.by_operator: Counter[str] = Counter()
        self.by_country: Counter[str] = Counter()
        self.api_errors: Counter[str] = Counter()

    def add(self, value: Any, script: str, *, quote: bool = False) -> None:
        """Count one decoded answer (a reply, a list of replies, an error): all
        of it, or, when one of its values cannot be counted, none of it.
        ``quote``: the answer is send.php's to ``cost=1``."""
        keys: list[tuple[str, str]] = [("by_script", script)]
        costs: list[tuple[tuple[str, str, str], Decimal]] = []
        parts = 0
        items = value if isinstance(value, list) else (value,)
        for item in items:
            keys.extend(self._keys(item, script))
            cost = _counted_cost(item, quote)
            if cost is not None:
                costs.append(cost)
            # message parts: a status's sms_cnt; send.php's cnt counts the messages sent
            count = item.cnt if isinstance(item, SendResult) else getattr(item, "sms_cnt", None)
            if isinstance(count, int):
                parts += count
        # nothing below can fail
        self.answers += 1
        self.items += len(items)
        for cost_key, amount in costs:
            self._add_cost(cost_key, 1, amount)
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

    def _add_cost(self, key: tuple[str, str, str], replies: int, amount: Decimal) -> None:
        entry = self.costs.setdefault(key, [0, Decimal(0)])
        entry[0] += replies
        entry[1] = _TOTALS.add(entry[1], amount)

    def charged(self) -> dict[str, Decimal]:
        """The total spent per currency (``""``: the account's)."""
        totals: dict[str, Decimal] = {}
        for (_, currency, role), (_, total) in sorted(self.costs.items()):
            if role == "charged":
                totals[currency] = _TOTALS.add(totals.get(currency, Decimal(0)), total)
        return totals

    def merge(self, other: Stats) -> None:
        self.answers += other.answers
        self.items += other.items
        for key, (replies, total) in other.costs.items():
            self._add_cost(key, replies, total)
        self.parts += other.parts
        for name, _ in COUNTERS:
            getattr(self, name).update(getattr(other, name))

    def as_json(self) -> dict[str, Any]:
        return {
            "answers": self.answers,
            "items": self.items,
            "cost_charged": {currency: str(total) for currency, total in self.charged().items()},
            "costs": [
                {
                    "kind": kind,
                    "currency": currency,
                    "counted": role,
                    "replies": replies,
                    "total": str(total),
                }
                for (kind, currency, role), (replies, total) in sorted(self.costs.items())
            ],
            "message_parts": self.parts,
            **{name: dict(getattr(self, name).most_common()) for name, _ in COUNTERS},
        }
