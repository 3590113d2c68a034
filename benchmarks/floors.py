"""The baselines the codec is measured against (docs/sources.md#performance-floors).

*Floors* are the fastest correct hand-written readers of one known layout,
doing the same work as the codec: dates to ``datetime``, money to ``Decimal``,
numbers to ``int``, one msgspec Struct per record. *Peers* are what client
libraries do today (naive splits, ``json.loads``): as fast or slower, and wrong
on commas in text; they are here for context only.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec
from defusedxml.ElementTree import fromstring


class FloorStatus(msgspec.Struct):
    """The all=2 status record as a floor reader builds it (dates typed Any:
    msgspec leaves them strings, the floor converts them in place)."""

    status: int
    last_date: Any = None
    last_timestamp: int | None = None
    flag: int | None = None
    err: int | None = None
    send_date: Any = None
    send_timestamp: int | None = None
    phone: str | None = None
    cost: Decimal | None = None
    sender_id: str | None = None
    status_name: str | None = None
    message: str | None = None
    comment: str | None = None
    mccmnc: str | None = None
    country: str | None = None
    operator: str | None = None
    operator_orig: str | None = None
    region: str | None = None
    type: int | None = None
    sms_cnt: int | None = None
    id: int | None = None


def to_datetime(s: str) -> datetime:
    """The fastest correct DD.MM.YYYY hh:mm:ss reader measured
    (docs/sources.md#performance-dates)."""
    return datetime.fromisoformat(s[6:10] + "-" + s[3:5] + "-" + s[0:2] + "T" + s[11:])


# ------------------------------------------------------------------ fmt=3 --
_ONE = msgspec.json.Decoder(FloorStatus)
_MANY = msgspec.json.Decoder(list[FloorStatus])


def _dates(record: FloorStatus) -> FloorStatus:
    record.last_date = to_datetime(record.last_date)
    record.send_date = to_datetime(record.send_date)
    return record


def floor_json(body: str) -> FloorStatus:
    return _dates(_ONE.decode(body))


def floor_json_many(body: str) -> list[FloorStatus]:
    return [_dates(r) for r in _MANY.decode(body)]


def peer_json(body: str) -> Any:
    data = json.loads(body)
    if isinstance(data, list):
        return [FloorStatus(**d) for d in data]
    return FloorStatus(**data)


# ------------------------------------------------------------------ fmt=2 --
def floor_xml(body: str) -> Any:
    """defusedxml's parse alone: no conversion at all."""
    return fromstring(body)


# ------------------------------------------------------------------ fmt=0 --
_FMT0 = re.compile(
    r"Status = (-?\d+), check_time = ([^,]*), err = (\d*), send_date = ([^,]*), "
    r"phone = ([^,]*), mccmnc = ([^,]*), country = (.*?), operator = (.*?), "
    r"operator_orig= (.*?), region = (.*?), cost = ([^,]*), sender_id = (.*?), "
    r"status_name = (.*?), message = (.*?), comment = (.*?), type = (\d+)"
    r"(?:, id = (\d+)|)\Z"  # (an empty alternative: see _MONEY)
)


def _fmt0_line(line: str) -> FloorStatus:
    m = _FMT0.match(line)
    assert m is not None
    g = m.groups()
    return FloorStatus(
        status=int(g[0]),
        last_date=to_datetime(g[1]),
        err=int(g[2]),
        send_date=to_datetime(g[3]),
        phone=g[4],
        mccmnc=g[5],
        country=g[6],
        operator=g[7],
        operator_orig=g[8],
        region=g[9],
        cost=Decimal(g[10]),
        sender_id=g[11],
        status_name=g[12],
        message=g[13],
        comment=g[14],
        type=int(g[15]),
        id=int(g[16]) if g[16] else None,
    )


def floor_text(body: str) -> list[FloorStatus]:
    return [_fmt0_line(line) for line in body.split("\n")]


def peer_text(body: str) -> list[dict[str, str]]:
    """Split on ", " then " = ": wrong as soon as a message holds ", "."""
    return [
        {k: v for k, _, v in (p.partition(" = ") for p in line.split(", "))}
        for line in body.split("\n")
    ]


# ------------------------------------------------------------------ fmt=1 --
def _fmt1_line(line: str, multi: bool) -> FloorStatus:
    g = line.split(",", 11)
    tail = g[11].rsplit(",", 3 if multi else 2)
    return FloorStatus(
        status=int(g[0]),
        last_timestamp=int(g[1]),
        err=int(g[2]),
        send_timestamp=int(g[3]),
        phone=g[4],
        country=g[5],
        operator=g[6],
        region=g[7],
        cost=Decimal(g[8]),
        sender_id=g[9],
        status_name=g[10],
        message=tail[0],
        comment=tail[1][1:],
        type=int(tail[2]),
        id=int(tail[3]) if multi else None,
    )


def floor_csv(body: str, multi: bool) -> list[FloorStatus]:
    return [_fmt1_line(line, multi) for line in body.split("\n")]


def peer_csv(body: str) -> list[list[str]]:
    """Split on ",": wrong as soon as a text holds a comma."""
    return [line.split(",") for line in body.split("\n")]


# ---------------------------------------------------------------- contacts --
# A contact list (seed 004) read as the codec reads it: the birthday to a
# date, the three lists kept as their text (the model's AddressText), one
# Struct per contact.
def to_date(s: str) -> date:
    return date.fromisoformat(s[6:10] + "-" + s[3:5] + "-" + s[0:2])


class FloorContact(msgspec.Struct):
    phone: str
    name: str | None = None
    group: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    birthday: Any = None
    id: str | None = None
    comments: str | None = None
    tags: str | None = None
    phone_other: str | None = None


_CONTACTS = msgspec.json.Decoder(list[FloorContact])


def _contact_values(record: FloorContact) -> FloorContact:
    record.birthday = to_date(record.birthday)
    return record


def floor_contacts_json(body: str) -> list[FloorContact]:
    return [_contact_values(r) for r in _CONTACTS.decode(body)]


_CONTACT_FMT0 = re.compile(
    r"phone = (.*?), name = (.*?), group = (.*?), first_name = (.*?), "
    r"last_name = (.*?), middle_name = (.*?), birthday = ([^,]*), id = (.*?), "
    r"comments = (.*?), tags = (.*?), phone_other = (.*)\Z"
)


def _contact(g: Any) -> FloorContact:
    """A contact from its 11 field texts, in layout order."""
    return FloorContact(
        g[0],
        g[1],
        g[2],
        g[3],
        g[4],
        g[5],
        to_date(g[6]),
        g[7],
        g[8],
        g[9],
        g[10],
    )


def floor_contacts_text(body: str) -> list[FloorContact]:
    match = _CONTACT_FMT0.match
    return [_contact(match(line).groups()) for line in body.split("\n")]  # type: ignore[union-attr]


def floor_contacts_csv(body: str) -> list[FloorContact]:
    return [_contact(line.split(",")) for line in body.split("\n")]


# ---------------------------------------------------------- tiny answers --
# Single short answers: a send.php?cost=3 answer, a balance, a bare OK and an
# all=0 status row. Each floor checks the same grammar as the codec (one
# fullmatch of the layout, or a typed msgspec decode whose patterns are the
# grammar's), then does the same conversions and builds one Struct.
_INT = r"-?[0-9]+"
# (an optional group spelled as an alternative with nothing: Python's regex
# engine runs ``(?:...)?`` through its general repeat, a quarter slower on a
# short line; the codec's line regexes spell it so too)
_MONEY = r"-?[0-9]+(?:\.[0-9]+|)"
_DATETIME = r"[0-9]{2}\.[0-9]{2}\.[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2}"
Money = Annotated[str, msgspec.Meta(pattern=f"^{_MONEY}$")]


class FloorSend(msgspec.Struct):
    """A ``send.php?cost=3`` answer (positional order: the fastest call)."""

    id: int
    cnt: int
    cost: Decimal
    balance: Decimal


class FloorSendWire(msgspec.Struct):
    id: int
    cnt: int
    cost: Money
    balance: Money


class FloorBalance(msgspec.Struct):
    balance: Decimal


class FloorBalanceWire(msgspec.Struct):
    balance: Money


class FloorOk(msgspec.Struct):
    pass


class FloorShortStatus(msgspec.Struct):
    """An all=0 status row."""

    status: int
    last_date: Any = None
    last_timestamp: int | None = None
    err: int | None = None


_SEND_WIRE = msgspec.json.Decoder(FloorSendWire)
_BALANCE_WIRE = msgspec.json.Decoder(FloorBalanceWire)
_SHORT_STATUS = msgspec.json.Decoder(FloorShortStatus)
_SEND_TEXT = re.compile(
    f"OK - ({_INT}) SMS, ID - ({_INT}), COST - ({_MONEY}), BALANCE - ({_MONEY})"
)
_SEND_CSV = re.compile(f"({_INT}),({_INT}),({_MONEY}),({_MONEY})")
_BALANCE_LINE = re.compile(_MONEY)
_STATUS_TEXT = re.compile(f"Status = ({_INT}), check_time = ({_DATETIME}), err = ({_INT})")
_STATUS_CSV = re.compile(f"({_INT}),({_INT}),({_INT})")
_OK = FloorOk()


def _matched(pattern: re.Pattern[str], body: str) -> tuple[str, ...]:
    m = pattern.fullmatch(body)
    if m is None:
        raise ValueError(body)
    return m.groups()


def floor_send_text(body: str) -> FloorSend:
    cnt, id_, cost, balance = _matched(_SEND_TEXT, body)
    return FloorSend(int(id_), int(cnt), Decimal(cost), Decimal(balance))


def floor_send_csv(body: str) -> FloorSend:
    id_, cnt, cost, balance = _matched(_SEND_CSV, body)
    return FloorSend(int(id_), int(cnt), Decimal(cost), Decimal(balance))


def floor_send_json(body: str) -> FloorSend:
    w = _SEND_WIRE.decode(body)
    return FloorSend(w.id, w.cnt, Decimal(w.cost), Decimal(w.balance))


def floor_balance_line(body: str) -> FloorBalance:
    """fmt=0 and fmt=1 are the same line: the number alone."""
    if _BALANCE_LINE.fullmatch(body) is None:
        raise ValueError(body)
    return FloorBalance(Decimal(body))


def floor_balance_json(body: str) -> FloorBalance:
    return FloorBalance(Decimal(_BALANCE_WIRE.decode(body).balance))


def floor_ok(body: str) -> FloorOk:
    if body != "OK":
        raise ValueError(body)
    return _OK


def floor_short_status_text(body: str) -> FloorShortStatus:
    status, last_date, err = _matched(_STATUS_TEXT, body)
    return FloorShortStatus(int(status), to_datetime(last_date), None, int(err))


def floor_short_status_csv(body: str) -> FloorShortStatus:
    status, timestamp, err = _matched(_STATUS_CSV, body)
    return FloorShortStatus(int(status), None, int(timestamp), int(err))


def floor_short_status_json(body: str) -> FloorShortStatus:
    record = _SHORT_STATUS.decode(body)
    record.last_date = to_datetime(record.last_date)
    return record
