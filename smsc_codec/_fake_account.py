"""The simulated account behind :class:`smsc_codec.testing.FakeSmsc`.

Strategy: each script is a method that reads the request's parameters and
returns a reply value of the model (or raises :class:`Refusal` with an API
error code); the fake then writes it with the library's own encoders, in the
fmt and charset asked for. State is plain Python: sent messages whose status
moves along a path, a balance, contacts, groups, blacklist entries, incoming
messages, mailings, sender names and templates.

What the server does is followed where the documentation says it (cited);
where it does not, the choice is the simplest one that decodes, and is named.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, TypeVar

from ._codes import BlacklistType, DeliveryError, MessageFlags, MessageStatus, MessageType
from ._model import (
    Balance,
    BlacklistEntry,
    Contact,
    ContactGroup,
    Created,
    HistoryMessage,
    HlrStatus,
    IncomingMessage,
    Job,
    JobCreated,
    MailBlacklistEntry,
    MailContact,
    Ok,
    OperatorInfo,
    PhoneResult,
    Sender,
    SenderCreated,
    SendResult,
    ShortLink,
    SmsStatus,
    Statistics,
    Tariff,
    Template,
)
from ._replies import CONTACT_COMMANDS
from ._request import Request

__all__ = ["Call", "FakeAccount", "Refusal", "SentMessage", "sms_parts"]

#: The server's clock: dates are Moscow time, UTC+3 (facts §9).
MOSCOW = dt.timezone(dt.timedelta(hours=3))

_PHONE = re.compile(r"\+?[0-9]{10,15}")
_PHONE_NOISE = re.compile(r"[\s()-]")
_LIST_SEPARATORS = re.compile(r"[,;\s]+")

#: Where a message's status goes, one step at a time, by default.
DELIVERED_PATH = (
    (MessageStatus.WAITING, DeliveryError.NO_ERROR),
    (MessageStatus.TRANSFERRED, DeliveryError.NO_ERROR),
    (MessageStatus.DELIVERED, DeliveryError.NO_ERROR),
)


#: Where every number the fake knows is: the fields ``all=2`` adds (seed 003).
_REGION: dict[str, Any] = {"country": "Россия", "operator": "МТС", "region": "Москва"}

_Record = TypeVar("_Record")


@dataclasses.dataclass(frozen=True)
class _Book:
    """What differs between phones.php and mails.php (seed 004): the name of
    the book, the parameter giving an address, and the classes of its records."""

    name: str
    address: str
    contact: type[Contact]
    blacklisted: type[BlacklistEntry]


_BOOKS = {
    "phones": _Book("phones", "phone", Contact, BlacklistEntry),
    "mails": _Book("mails", "mail", MailContact, MailBlacklistEntry),
}


class Refusal(Exception):
    """The simulated server answers with API error ``code``."""

    def __init__(self, code: int, *, message_id: int | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.message_id = message_id


@dataclasses.dataclass
class SentMessage:
    """One message to one number, as the fake's store holds it.

    A message sent to three numbers is three of these, with one ``id``
    (status.php asks for an id *and* a phone, seed 003). ``path`` is the
    (status, err) pairs it goes through; ``step`` where it stands.
    """

    id: int
    int_id: int
    phone: str
    message: str
    sender: str
    type: MessageType
    parts: int
    cost: Decimal
    sent_at: dt.datetime
    changed_at: dt.datetime
    path: tuple[tuple[MessageStatus, DeliveryError], ...] = DELIVERED_PATH
    step: int = 0

    @property
    def status(self) -> MessageStatus:
        return self.path[self.step][0]

    @property
    def err(self) -> DeliveryError:
        return self.path[self.step][1]

    def advance(self, steps: int, now: dt.datetime) -> None:
        """Move ``steps`` along the path (it stops at its end)."""
        step = min(self.step + steps, len(self.path) - 1)
        if step != self.step:
            self.step, self.changed_at = step, now


def sms_parts(text: str) -> int:
    """How many SMS parts ``text`` takes: 160 characters in one part and 153
    per part of a longer one for the GSM alphabet (approximated here by
    ASCII), 70 and 67 for anything else (UCS-2), the standard segment sizes."""
    single, each = (160, 153) if text.isascii() else (70, 67)
    return 1 if len(text) <= single else -(-len(text) // each)


class Call:
    """One request's parameters, read by the script methods."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.script = request.script
        self.params = dict(request.params)  # the last value of a name wins

    def get(self, name: str) -> str | None:
        return self.params.get(name)

    def text(self, name: str) -> str:
        """A text parameter, empty when not sent."""
        return self.params.get(name, "")

    def on(self, name: str) -> bool:
        """A switch parameter (``get=1``, ``hlr=1``) is on."""
        return self.params.get(name, "").strip() not in ("", "0")

    def int(self, name: str, default: int = 0) -> int:
        raw = (self.params.get(name) or "").strip()
        if not raw:
            return default
        try:
            return int(raw)
        except ValueError:
            raise Refusal(1) from None

    def required(self, name: str) -> str:
        value = self.params.get(name)
        if value is None or not value.strip():
            raise Refusal(1)  # "error in the parameters" (every script's table)
        return value

    def command(self, commands: Iterable[str]) -> str | None:
        return next((c for c in commands if self.on(c)), None)


def _items(text: str | None) -> list[str]:
    return [item for item in _LIST_SEPARATORS.split(text or "") if item]


def _phone(text: str) -> str | None:
    """A phone number in the form the server writes it, or None if invalid."""
    digits = _PHONE_NOISE.sub("", text).lstrip("+")
    return digits if _PHONE.fullmatch(digits) else None


def _recipients(call: Call) -> list[tuple[str, str]]:
    """The (number, text) pairs a send.php call asks for; none is error 1."""
    if call.get("list") is not None:
        # `list`: one "phones:message" line per message (facts §2.1)
        lines = call.required("list").splitlines()
        recipients = [(number, text) for number, _, text in (x.partition(":") for x in lines)]
    else:
        text = call.required("mes")
        recipients = [(number, text) for number in _items(call.required("phones"))]
    if not recipients:
        raise Refusal(1)
    return recipients


def _message_parts(kind: MessageType, sendable: list[tuple[str, str]]) -> list[int]:
    """The parts each (phone, text) message takes: an HLR query is one."""
    if kind is MessageType.HLR:
        return [1] * len(sendable)
    return [sms_parts(text) for _, text in sendable]


class FakeAccount:
    """The state of one simulated account and the scripts that act on it."""

    def __init__(
        self,
        *,
        login: str,
        balance: Decimal | str,
        currency: str,
        price: Decimal | str,
        sender: str,
        now: dt.datetime,
        advance_on_status: bool,
    ) -> None:
        self.login = login
        self.balance = Decimal(balance)
        self.currency = currency
        self.price = Decimal(price)
        self.sender = sender
        self.now = now
        self.advance_on_status = advance_on_status
        #: every message sent, one per number
        self.messages: list[SentMessage] = []
        #: incoming messages (add them with :meth:`receive`)
        self.incoming: list[IncomingMessage] = []
        self.contacts: dict[str, list[Contact]] = {"phones": [], "mails": []}
        self.groups: list[ContactGroup] = []
        self.blacklist: dict[str, list[BlacklistEntry]] = {"phones": [], "mails": []}
        self.jobs: list[Job] = []
        self.senders: list[Sender] = [Sender(sender=sender)]
        self.templates: list[Template] = []
        self.spent = Decimal(0)
        #: the final (status, err) of messages to a number (``set_outcome``)
        self.outcomes: dict[str, tuple[MessageStatus, DeliveryError]] = {}
        self._next_id = 1

    def new_id(self) -> int:
        found, self._next_id = self._next_id, self._next_id + 1
        return found

    def answer(self, call: Call) -> Any:
        """The reply value of one request (raises :class:`Refusal`)."""
        handler = _SCRIPTS.get(call.script)
        if handler is None:
            raise LookupError(call.script)
        return handler(self, call)

    # -- send.php (facts §2.1) ---------------------------------------------

    def _send(self, call: Call) -> SendResult:
        recipients = [(_phone(number), number, text) for number, text in _recipients(call)]
        kind = MessageType.HLR if call.on("hlr") else MessageType.SMS
        cost_mode = call.int("cost")
        message_id = self._send_id(call, cost_mode)
        sendable = [(phone, text) for phone, _, text in recipients if phone]
        if not sendable:
            raise Refusal(7, message_id=message_id)  # "invalid number"
        parts = _message_parts(kind, sendable)
        cost = self.price * sum(parts)
        if cost_mode != 1:
            assert message_id is not None  # only a cost query has none
            self._keep_sent(call, message_id, kind=kind, sendable=sendable, parts=parts, cost=cost)
        return SendResult(
            id=message_id,
            cnt=sum(parts),
            cost=cost if cost_mode in (1, 2, 3) else None,
            balance=self.balance if cost_mode == 3 else None,
            phones=self._phone_results(call, recipients),
        )

    def _send_id(self, call: Call, cost_mode: int) -> int | None:
        """The id of a send: the one the client gave, else the next one; a cost
        query (``cost=1``) without one takes none."""
        if call.get("id"):
            return call.int("id")
        return None if cost_mode == 1 else self.new_id()

    def _keep_sent(
        self,
        call: Call,
        message_id: int,
        *,
        kind: MessageType,
        sendable: list[tuple[str, str]],
        parts: list[int],
        cost: Decimal,
    ) -> None:
        """Charge ``cost`` and store one message per number."""
        if cost > self.balance:
            raise Refusal(3, message_id=message_id)  # "no money", with the id (facts §1.2)
        self.balance -= cost
        self.spent += cost
        for (phone, text), count in zip(sendable, parts, strict=True):
            self.messages.append(
                self._message(message_id, phone, text, call=call, kind=kind, parts=count)
            )

    def _phone_results(
        self, call: Call, recipients: list[tuple[str | None, str, str]]
    ) -> tuple[PhoneResult, ...] | None:
        """The per-number details a send answers: of every number with ``op=1``,
        of the refused ones with ``err=1``, else none (facts §2.1)."""
        if call.on("op"):
            wanted = recipients
        elif call.on("err"):
            wanted = [(phone, number, text) for phone, number, text in recipients if not phone]
        else:
            return None
        return (
            tuple(self._phone_result(phone, number, text) for phone, number, text in wanted) or None
        )

    def _phone_result(self, phone: str | None, number: str, text: str) -> PhoneResult:
        """The details of one number of a send; ``phone`` is None when invalid."""
        if phone is None:
            return PhoneResult(
                phone=number,
                mccmnc="",
                cost=Decimal("0"),
                status=MessageStatus.INVALID_NUMBER,
                error=7,
            )
        return PhoneResult(
            phone=number,
            mccmnc="25001",
            cost=self.price * sms_parts(text),
            status=MessageStatus.WAITING,
            error=0,
        )

    def _message(
        self, message_id: int, phone: str, text: str, *, call: Call, kind: MessageType, parts: int
    ) -> SentMessage:
        path = DELIVERED_PATH
        final = self.outcomes.get(phone)
        if final is not None:
            path = (*DELIVERED_PATH[:-1], final)
        return SentMessage(
            id=message_id,
            int_id=len(self.messages) + 1,
            phone=phone,
            message=text,
            sender=call.get("sender") or ("HLR" if kind is MessageType.HLR else self.sender),
            type=kind,
            parts=parts,
            cost=self.price * parts,
            sent_at=self.now,
            changed_at=self.now,
            path=path,
        )

    # -- status.php (seed 003) -----------------------------------------------

    def _status(self, call: Call) -> Any:
        ids = _items(call.required("id"))
        phones = _items(call.required("phone"))
        all_level = call.int("all")
        if all_level not in (0, 1, 2) or len(ids) != len(phones):
            raise Refusal(1)
        asked = list(zip(ids, phones, strict=True))
        if call.on("del"):
            # deleting (seed 003; the success answer is not documented: OK)
            wanted = {(ident, _phone(number)) for ident, number in asked}
            _drop(self.messages, lambda m: (str(m.id), m.phone) in wanted, refusal=5)
            return Ok()
        multi = call.request.multi
        records = [self._status_of(ident, number, all_level, multi) for ident, number in asked]
        return records if multi else records[0]

    def _status_of(
        self, ident: str, number: str, all_level: int, multi: bool
    ) -> SmsStatus | HlrStatus:
        """The status of one (id, phone) asked for; with ``advance_on_status``
        the message then moves one step along its path."""
        phone = _phone(number)
        found = next((m for m in self.messages if str(m.id) == ident and m.phone == phone), None)
        record = self._status_record(found, ident, number, all_level, multi)
        if found is not None and self.advance_on_status:
            found.advance(1, self.now)
        return record

    def _status_record(
        self, found: SentMessage | None, ident: str, phone: str, all_level: int, multi: bool
    ) -> SmsStatus | HlrStatus:
        tail = _status_tail(ident, phone, all_level, multi)
        if found is None:  # status -3 alone, without dates (facts §9)
            return SmsStatus(status=MessageStatus.NOT_FOUND, **tail)
        fields: dict[str, Any] = {
            "status": found.status,
            "last_date": found.changed_at,
            "last_timestamp": _timestamp(found.changed_at),
            "flag": MessageFlags(int(found.type)),
            "err": found.err,
        }
        hlr = found.type is MessageType.HLR
        if hlr:
            fields.update(
                imsi="250010000000001",
                msc="79010000000",
                mcc="250",
                mnc="01",
                cn="Россия",
                net="МТС",
                rcn="",
                rnet="",
            )
        if all_level:
            fields.update(_sent_fields(found, hlr))
        if all_level == 2:
            fields.update(_REGION)
            if not hlr:
                fields.update(mccmnc="25001", operator_orig="МТС")
        fields.update(tail)
        return HlrStatus(**fields) if hlr else SmsStatus(**fields)

    # -- balance.php (facts §2.5) --------------------------------------------

    def _balance(self, call: Call) -> Balance:
        return Balance(
            balance=self.balance.quantize(Decimal("0.01")),
            currency=self.currency if call.on("cur") else None,
        )

    # -- phones.php, mails.php (seeds 002, 004) --------------------------------

    def _contacts(self, call: Call) -> Any:
        command = call.command(CONTACT_COMMANDS)
        if command is None:
            raise Refusal(1)
        action = _CONTACT_ACTIONS.get(command)
        if action is None:
            # chg, chg_group, move_group: accepted, nothing the fake tracks changes
            return Ok()
        return action(self, call, _BOOKS[call.script])

    def _add_contact(self, call: Call, book: _Book) -> Created:
        self.contacts[book.name].append(
            book.contact(
                # lists kept as sent: the server writes them back so
                # (a recorded phone_other: "+7911…51,+7911…52")
                phones=call.required(book.address),
                name=call.text("name"),
                groups=call.text("grp"),
                first_name=call.text("fnm"),
                last_name=call.text("lnm"),
                middle_name=call.text("mnm"),
                birthday=_date(call.get("bd")),
                client_id=call.text("myid"),
                comments=call.text("cmt"),
                tags=call.text("tags"),
                other_phones=call.text("pho"),
            )
        )
        return Created(id=self.new_id())

    def _add_group(self, call: Call, book: _Book) -> Created:
        self.groups.append(
            ContactGroup(
                id=self.new_id(),
                name=call.required("name"),
                number=call.int("num") or None,
                cnt=0,
            )
        )
        return Created(id=self.groups[-1].id)

    def _add_blacklisted(self, call: Call, book: _Book) -> Created:
        blacklist = self.blacklist[book.name]
        blacklist.append(
            book.blacklisted(
                id=self.new_id(),
                phone=call.required(book.address),
                type=BlacklistType(call.int("type")),
                comment=call.text("cmt"),
            )
        )
        return Created(id=blacklist[-1].id)

    def _get_contacts(self, call: Call, book: _Book) -> list[Contact]:
        return _listed(self.contacts[book.name])

    def _get_groups(self, call: Call, book: _Book) -> list[ContactGroup]:
        contacts = self.contacts[book.name]
        return _listed(
            [
                ContactGroup(
                    id=g.id,
                    name=g.name,
                    number=g.number,
                    cnt=sum(str(g.id) in c.groups for c in contacts if c.groups),
                )
                for g in self.groups
            ]
        )

    def _get_blacklist(self, call: Call, book: _Book) -> list[BlacklistEntry]:
        return _listed(self.blacklist[book.name])

    def _del_contacts(self, call: Call, book: _Book) -> Ok:
        wanted = set(_items(call.required(book.address)))
        _drop(self.contacts[book.name], lambda c: bool(wanted & set(c.phone_list)), refusal=3)
        return Ok()

    def _del_group(self, call: Call, book: _Book) -> Ok:
        group = call.required("grp")
        _drop(self.groups, lambda g: str(g.id) == group, refusal=3)
        return Ok()

    def _del_blacklisted(self, call: Call, book: _Book) -> Ok:
        number = call.required(book.address)
        _drop(self.blacklist[book.name], lambda e: e.phone == number, refusal=3)
        return Ok()

    # -- get.php (facts §2.10-2.13) --------------------------------------------

    def _get(self, call: Call) -> Any:
        if call.on("get_answers"):
            after = call.int("after_id")
            return _listed([m for m in self.incoming if m.id > after])
        if call.on("get_messages"):
            return _listed([self._history(m) for m in self.messages])
        if call.on("get_stat"):
            return [self._statistics()]
        if call.on("get_price"):
            return [
                Tariff(
                    zone="1",
                    name="Россия",
                    api=self.price,
                    mass=self.price,
                    mms=self.price * 5,
                    hlr=Decimal("0.20"),
                    call=self.price,
                )
            ]
        raise Refusal(1)

    def _history(self, message: SentMessage) -> HistoryMessage:
        return HistoryMessage(
            status=message.status,
            last_date=message.changed_at,
            last_timestamp=_timestamp(message.changed_at),
            err=message.err,
            **_sent_fields(message, hlr=False),  # (a history row has comment and sms_cnt)
            mccmnc="25001",
            **_REGION,
            id=message.id,
            int_id=message.int_id,
            format=message.type,
            crc=0,
        )

    def _statistics(self) -> Statistics:
        return Statistics(
            login=self.login,
            cnt=sum(m.parts for m in self.messages),
            credit=self.spent,
            debit=Decimal(0),
            currency=self.currency,
        )

    # -- jobs.php, users.php, senders.php, templates.php (facts §2.6-2.9) ------

    def _jobs(self, call: Call) -> Any:
        if call.on("add"):
            self.jobs.append(Job(id=self.new_id(), name=call.text("name")))
            return JobCreated(id=self.jobs[-1].id, cost=self.price if call.on("cost") else None)
        if call.on("get"):
            return _listed(self.jobs)
        return Ok()

    def _users(self, call: Call) -> Any:
        return [self._statistics()] if call.on("get_stat") else Ok()

    def _senders(self, call: Call) -> Any:
        if call.on("add"):
            self.senders.append(Sender(sender=call.required("sender")))
            return SenderCreated(id=self.new_id())
        if call.on("get"):
            return _listed(self.senders)
        return Ok()

    def _templates(self, call: Call) -> Any:
        if call.on("add"):
            self.templates.append(
                Template(id=self.new_id(), name=call.text("name"), message=call.text("mes"))
            )
            return Created(id=self.templates[-1].id)
        if call.on("get"):
            return _listed(self.templates)
        return Ok()

    # -- info.php, tinyurls.php (facts §2.14, §2.15) ----------------------------

    def _info(self, call: Call) -> Any:
        if not call.on("get_operator"):
            raise Refusal(1)
        numbers = _items(call.required("phone"))
        several = len(numbers) > 1
        found = [
            OperatorInfo(
                **_REGION,
                mcc="250",
                mnc="01",
                tz="3",
                phone=number if several else None,
            )
            for number in numbers
            if _phone(number)
        ]
        if not found:
            raise Refusal(3)  # "operator not found"
        return found if several else found[0]

    def _tinyurls(self, call: Call) -> ShortLink:
        if not call.on("get") or not (call.get("id") or call.get("link")):
            raise Refusal(1)
        return ShortLink(id=call.int("id", 1), cnt=0, cnt_mon=0, cnt_day=0, cnt_yes=0)


#: script -> its method: every script the registry knows (``_replies``).
_SCRIPTS: dict[str, Callable[[FakeAccount, Call], Any]] = {
    "send": FakeAccount._send,
    "status": FakeAccount._status,
    "balance": FakeAccount._balance,
    "phones": FakeAccount._contacts,
    "mails": FakeAccount._contacts,
    "get": FakeAccount._get,
    "jobs": FakeAccount._jobs,
    "users": FakeAccount._users,
    "senders": FakeAccount._senders,
    "templates": FakeAccount._templates,
    "info": FakeAccount._info,
    "tinyurls": FakeAccount._tinyurls,
}

SCRIPTS = frozenset(_SCRIPTS)

#: A contact command -> its method (aliases alike); the other commands of
#: ``CONTACT_COMMANDS`` change nothing the fake keeps and answer OK.
_CONTACT_ACTIONS: dict[str, Callable[[FakeAccount, Call, _Book], Any]] = {
    "add": FakeAccount._add_contact,
    "add_group": FakeAccount._add_group,
    "add_grp": FakeAccount._add_group,
    "add_black": FakeAccount._add_blacklisted,
    "get": FakeAccount._get_contacts,
    "get_group": FakeAccount._get_groups,
    "get_grp": FakeAccount._get_groups,
    "get_black": FakeAccount._get_blacklist,
    "del": FakeAccount._del_contacts,
    "del_group": FakeAccount._del_group,
    "del_grp": FakeAccount._del_group,
    "del_black": FakeAccount._del_blacklisted,
}


def _drop(records: list[_Record], unwanted: Callable[[_Record], bool], *, refusal: int) -> None:
    """Remove the ``unwanted`` records; when there is none, refuse with error
    ``refusal`` and keep them all."""
    kept = [record for record in records if not unwanted(record)]
    if len(kept) == len(records):
        raise Refusal(refusal)
    records[:] = kept


def _status_tail(ident: str, phone: str, all_level: int, multi: bool) -> dict[str, Any]:
    """What a status row ends with. Seed 003: several ids add the id to every
    row, and the phone when all=0."""
    if not multi:
        return {}
    tail: dict[str, Any] = {"id": int(ident) if ident.isdigit() else None}
    if all_level == 0:
        tail["phone"] = phone
    return tail


def _sent_fields(found: SentMessage, hlr: bool) -> dict[str, Any]:
    """The message's own fields a status with ``all=1`` or ``all=2`` adds."""
    fields: dict[str, Any] = {
        "send_date": found.sent_at,
        "send_timestamp": _timestamp(found.sent_at),
        "phone": found.phone,
        "cost": found.cost,
        "sender_id": found.sender,
        "status_name": found.status.description_ru,
        "message": found.message,
        "type": found.type,
    }
    if not hlr:
        fields.update(comment="", sms_cnt=found.parts)
    return fields


def _listed(records: list[Any]) -> list[Any]:
    """A list answer; none at all is error 3, "no records found" (seed 004)."""
    if not records:
        raise Refusal(3)
    return list(records)


def _timestamp(moment: dt.datetime) -> int:
    return int(moment.replace(tzinfo=MOSCOW).timestamp())


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.datetime.strptime(text, "%d.%m.%Y").date()
    except ValueError:
        raise Refusal(1) from None
