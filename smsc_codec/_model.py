"""The reply model: one msgspec Struct per reply kind, shared by all four formats.

This module is the only place where a reply's fields are declared: their names
(the fmt=3 JSON keys), types, defaults and the order fmt=2/fmt=3 write them in.
The text formats' layouts live in ``grammars/`` and refer to these names; every
decoder, encoder, test strategy and benchmark derives what it needs from here
(see ``_schema.py``).

Types: dates are naive ``datetime`` in the server's local time (facts §9),
timestamps ``int``, money ``Decimal``; phone numbers and network codes stay
strings (leading zeros matter, facts §1.4). Fields marked :data:`FreeText` may
hold any text, commas, `` = `` and quotes included.

Every reply Struct is declared with ``gc=False``: replies hold scalars and
tuples, never a cycle back to themselves, so the garbage collector need not
track them (msgspec's performance tips; a large answer allocates thousands).

Two fields of every reply are not wire keys: ``extra`` keeps unknown keys, in
the order met, so that re-encoding reproduces them; ``ambiguous_fields`` names
the fields whose boundaries lenient decoding had to choose (empty when the body
was unambiguous).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar, TypeVar

import msgspec

from ._addresses import AddressList
from ._codes import (
    ApiErrorMeaning,
    BlacklistType,
    DeliveryError,
    MessageFlags,
    MessageStatus,
    MessageType,
    api_error_meaning,
)

__all__ = [
    "ApiError",
    "Balance",
    "BlacklistEntry",
    "Contact",
    "ContactGroup",
    "Created",
    "Extra",
    "FreeText",
    "HistoryMessage",
    "HlrStatus",
    "IncomingMessage",
    "Job",
    "JobCreated",
    "MailBlacklistEntry",
    "MailContact",
    "Ok",
    "OperatorInfo",
    "PhoneResult",
    "Quoted",
    "Reply",
    "SendResult",
    "Sender",
    "SenderCreated",
    "ShortLink",
    "SmsStatus",
    "Statistics",
    "Tariff",
    "Template",
    "Variant",
]

_T = TypeVar("_T")


#: A text field that may contain anything but a line break.
FreeText = Annotated[str, msgspec.Meta(extra={"free_text": True})]

#: A number that fmt=3 writes as a JSON string (seed 004: ``"cnt": "<cnt>"``).
Quoted = Annotated[_T, msgspec.Meta(extra={"json_quoted": True})]

#: A field that records decoding context and is never written to the wire.
Context = Annotated[_T, msgspec.Meta(extra={"wire": False})]


#: Other spellings of a field's key that lenient decoding also reads, where the
#: sources disagree on the key (``Annotated[int | None, Variant("sms")]``).
#: Strict decoding names the variant it met; encoders write the field's own key.
def Variant(*keys: str) -> msgspec.Meta:
    return msgspec.Meta(extra={"variants": keys})


#: Unknown keys kept in the order met: ``((key, value), ...)``. Values are the
#: raw text for fmt 0/1/2 and the decoded JSON value for fmt=3; an XML record
#: element's attributes come first, as ``("@name", value)``.
Extra = tuple[tuple[str, Any], ...]


class SmsStatus(
    msgspec.Struct, kw_only=True, omit_defaults=True, repr_omit_defaults=True, gc=False
):
    """A message's status row from ``status.php`` (seed 003, facts §2.4).

    ``all=0`` fills the first five fields, ``all=1`` adds the message details and
    ``all=2`` the subscriber's country, operator and region. A multi-id request
    adds ``id`` (and ``phone`` for ``all=0``). A status -3 (not found) row may
    carry no dates at all.
    """

    status: MessageStatus
    last_date: datetime | None = None
    last_timestamp: int | None = None
    flag: MessageFlags | None = None
    err: DeliveryError | None = None
    send_date: datetime | None = None
    send_timestamp: int | None = None
    phone: str | None = None
    cost: Decimal | None = None
    sender_id: FreeText | None = None
    status_name: FreeText | None = None
    message: FreeText | None = None
    comment: FreeText | None = None
    mccmnc: str | None = None
    country: FreeText | None = None
    operator: FreeText | None = None
    operator_orig: FreeText | None = None
    region: FreeText | None = None
    type: MessageType | None = None
    sms_cnt: int | None = None
    id: int | None = None
    extra: Extra = ()
    ambiguous_fields: tuple[str, ...] = ()


class HlrStatus(
    msgspec.Struct, kw_only=True, omit_defaults=True, repr_omit_defaults=True, gc=False
):
    """An HLR request's status row from ``status.php`` (seed 003, facts §2.2, §2.4).

    ``err`` is the subscriber's state (facts §3.2); ``cn``/``net`` name the home
    country and operator, ``rcn``/``rnet`` the roaming ones (empty at home).
    """

    status: MessageStatus
    last_date: datetime | None = None
    last_timestamp: int | None = None
    flag: MessageFlags | None = None
    err: DeliveryError | None = None
    imsi: str | None = None
    msc: str | None = None
    mcc: str | None = None
    mnc: str | None = None
    cn: FreeText | None = None
    net: FreeText | None = None
    rcn: FreeText | None = None
    rnet: FreeText | None = None
    send_date: datetime | None = None
    send_timestamp: int | None = None
    phone: str | None = None
    cost: Decimal | None = None
    sender_id: FreeText | None = None
    status_name: FreeText | None = None
    message: FreeText | None = None
    country: FreeText | None = None
    operator: FreeText | None = None
    region: FreeText | None = None
    type: MessageType | None = None
    id: int | None = None
    extra: Extra = ()
    ambiguous_fields: tuple[str, ...] = ()


class ApiError(msgspec.Struct, kw_only=True, omit_defaults=True, repr_omit_defaults=True, gc=False):
    """An error answer, from any script, in any format (facts §1.2).

    ``description`` is the server's free text (absent in fmt=1); ``id`` is the
    message id some send errors carry. ``script`` is not on the wire: it records
    which script answered, because the meaning of ``code`` depends on it (see
    :attr:`meaning`).
    """

    # Declared in the order the server writes them (facts §1.2).
    description: FreeText | None = msgspec.field(default=None, name="error")
    code: int = msgspec.field(name="error_code")
    id: int | None = None
    script: Context[str | None] = None
    extra: Extra = ()
    ambiguous_fields: tuple[str, ...] = ()

    @property
    def meaning(self) -> ApiErrorMeaning:
        """What ``code`` means for the script that answered."""
        return api_error_meaning(self.script, self.code)


class Ok(msgspec.Struct, kw_only=True, omit_defaults=True, repr_omit_defaults=True, gc=False):
    """A bare success answer: ``OK`` (fmt 0/1), ``<result>OK</result>``,
    ``{"result": "OK"}`` (seed 004, facts §2.6).

    ``bare`` is not on the wire: it records that the server answered a plain
    ``OK`` although fmt=2 or 3 was asked for (facts §9, a recorded answer), so
    that re-encoding writes it the same way.
    """

    bare: Context[bool] = False
    extra: Extra = ()
    ambiguous_fields: tuple[str, ...] = ()


class Created(msgspec.Struct, kw_only=True, omit_defaults=True, repr_omit_defaults=True, gc=False):
    """The id the server gave a new contact, group or blacklist entry (seed 004):
    ``ID = <id>``, ``<id>``, ``<phone><id>…</id></phone>`` (``<group>`` for a
    group), ``{"id": <id>}``."""

    id: int
    extra: Extra = ()
    ambiguous_fields: tuple[str, ...] = ()


class Contact(msgspec.Struct, kw_only=True, omit_defaults=True, repr_omit_defaults=True, gc=False):
    """A contact from ``phones.php?get=1`` (seed 004, parameters in seed 002).

    ``phones`` and ``other_phones`` are lists "separated by any separator"
    (messages go to ``phones`` only); ``groups`` lists the ids of the contact's
    groups. ``client_id`` is the contact's id *assigned by the client* (the
    ``myid`` parameter, wire key ``id``), free text, not a server number.

    fmt=2/3 write every key, empty when there is no value (seed 004's
    templates, and the recorded contact list), so an absent text or list
    reads back as empty.
    """

    writes_every_key: ClassVar[bool] = True

    phones: AddressList = msgspec.field(name="phone")
    name: FreeText | None = None
    groups: AddressList | None = msgspec.field(default=None, name="group")
    first_name: FreeText | None = None
    last_name: FreeText | None = None
    middle_name: FreeText | None = None
    birthday: date | None = None
    client_id: FreeText | None = msgspec.field(default=None, name="id")
    comments: FreeText | None = None
    tags: FreeText | None = None
    other_phones: AddressList | None = msgspec.field(default=None, name="phone_other")
    extra: Extra = ()
    ambiguous_fields: tuple[str, ...] = ()


class MailContact(Contact, kw_only=True):
    """An e-mail contact from ``mails.php?get=1``: a :class:`Contact` whose lists
    hold e-mail addresses, under the wire keys ``mail`` and ``mail_other``
    (seed 004). The attributes keep the phone names so that code can treat both
    kinds alike; :attr:`mails` and :attr:`other_mails` name them for readers.
    """

    phones: AddressList = msgspec.field(name="mail")
    other_phones: AddressList | None = msgspec.field(default=None, name="mail_other")

    @property
    def mails(self) -> AddressList:
        return self.phones

    @property
    def other_mails(self) -> AddressList | None:
        return self.other_phones


class ContactGroup(
    msgspec.Struct, kw_only=True, omit_defaults=True, repr_omit_defaults=True, gc=False
):
    """A group from ``phones.php?get_group=1`` (seed 004): its server id, name,
    number for mailings and count of contacts. Recorded answers omit ``number``
    and ``cnt`` when there is none (captures, node-smsc group lists)."""

    id: int
    name: FreeText | None = None
    number: int | None = None
    cnt: Quoted[int] | None = None
    extra: Extra = ()
    ambiguous_fields: tuple[str, ...] = ()


class BlacklistEntry(
    msgspec.Struct, kw_only=True, omit_defaults=True, repr_omit_defaults=True, gc=False
):
    """A blacklist entry from ``phones.php?get_black=1`` (seed 004)."""

    id: int
    phone: str
    type: BlacklistType | None = None
    comment: FreeText | None = None
    extra: Extra = ()
    ambiguous_fields: tuple[str, ...] = ()


class MailBlacklistEntry(BlacklistEntry, kw_only=True):
    """An e-mail blacklist entry from ``mails.php?get_black=1``: the address is
    under the wire key ``email`` (seed 004: "или <email> при запросе черного
    списка e-mail"), kept in ``phone`` so that both kinds read alike."""

    phone: str = msgspec.field(name="email")

    @property
    def email(self) -> str:
        return self.phone


class IncomingMessage(
    msgspec.Struct, kw_only=True, omit_defaults=True, repr_omit_defaults=True, gc=False
):
    """An incoming message from ``get.php?get_answers=1`` (seed 001, facts §2.11):
    its server id, when the server received it, the sender's number, the text,
    the client's number it was sent to, and when it was sent."""

    id: int
    received: datetime | None = None
    phone: str | None = None
    message: FreeText | None = None
    to_phone: str | None = None
    sent: datetime | None = None
    extra: Extra = ()
    ambiguous_fields: tuple[str, ...] = ()


class PhoneResult(
    msgspec.Struct, kw_only=True, omit_defaults=True, repr_omit_defaults=True, gc=False
):
    """One number of a send answer with ``op=1`` (every number) or ``err=1``
    (the failed ones): the number, its country and operator code, the cost, and
    the status and error code, meaningful when the number failed (facts §2.1).
    The SDKs read all five as JSON strings, hence ``Quoted``. ``error`` is read
    as a send.php error code (7 "invalid number", 8 "cannot be delivered", ...):
    see :attr:`error_meaning`.
    """

    phone: str
    mccmnc: str | None = None
    cost: Decimal | None = None
    status: Quoted[MessageStatus] | None = None
    error: Quoted[int] | None = None
    extra: Extra = ()
    ambiguous_fields: tuple[str, ...] = ()

    @property
    def error_meaning(self) -> ApiErrorMeaning | None:
        """What ``error`` means as a send.php error code (None without one)."""
        return None if self.error is None else api_error_meaning("send", self.error)


class SendResult(
    msgspec.Struct, kw_only=True, omit_defaults=True, repr_omit_defaults=True, gc=False
):
    """A ``send.php`` success answer, for every message kind (facts §2.1-2.3).

    ``cnt`` is the number of messages (parts × recipients; seconds for a voice
    call). ``cost=2`` adds the cost, ``cost=3`` the cost and the new balance;
    ``cost=1`` (a cost query, nothing sent) answers the cost and count without
    an id. ``call_code`` is the caller-id digits of a call verification
    (``call=1``, fmt=3 key ``code``). ``phones`` holds the per-number details
    of ``op=1``/``err=1`` (a JSON array under ``"phones"``; where the other
    formats put them is registered in ``_replies._SEND_DETAILS``).
    """

    id: int | None = None
    cnt: int
    cost: Decimal | None = None
    balance: Decimal | None = None
    call_code: str | None = msgspec.field(default=None, name="code")
    phones: tuple[PhoneResult, ...] | None = None
    extra: Extra = ()
    ambiguous_fields: tuple[str, ...] = ()


class HistoryMessage(SmsStatus, kw_only=True):
    """A sent message from ``get.php?get_messages=1``, the history (facts §2.10).

    A status row (:class:`SmsStatus`, whose fields it shares) plus the
    message's internal id ``int_id`` (the paging key ``prev_id``), its
    ``format`` (the kind: 0 SMS, 8 e-mail, as ``type``) and a checksum ``crc``.
    """

    int_id: int | None = None
    format: MessageType | None = None
    crc: int | None = None


class Balance(msgspec.Struct, kw_only=True, omit_defaults=True, repr_omit_defaults=True, gc=False):
    """A ``balance.php`` answer (facts §2.5): the balance, the currency's name
    with ``cur=1``, and the credit limit some JSON answers carry."""

    balance: Decimal
    currency: str | None = None
    credit: Decimal | None = None
    extra: Extra = ()
    ambiguous_fields: tuple[str, ...] = ()


class JobCreated(
    msgspec.Struct, kw_only=True, omit_defaults=True, repr_omit_defaults=True, gc=False
):
    """A mailing list created by ``jobs.php?add=1`` (facts §2.6): its id, and its
    cost when ``cost=1`` was asked for."""

    id: int
    cost: Decimal | None = None
    extra: Extra = ()
    ambiguous_fields: tuple[str, ...] = ()


class Job(msgspec.Struct, kw_only=True, omit_defaults=True, repr_omit_defaults=True, gc=False):
    """A mailing list from ``jobs.php?get=1`` (facts §2.6, §8).

    [UNVERIFIED] No source shows this answer: only the id and the name (the
    ``name`` parameter of ``add``) are modelled; every other key is kept in
    ``extra``.
    """

    id: int
    name: FreeText | None = None
    extra: Extra = ()
    ambiguous_fields: tuple[str, ...] = ()


class Statistics(
    msgspec.Struct, kw_only=True, omit_defaults=True, repr_omit_defaults=True, gc=False
):
    """A row of ``get.php?get_stat=1`` or ``users.php?get_stat=1`` (facts §2.12):
    the login, the number of messages, the amount spent (``credit``), the amount
    credited (``debit``, the Russian page's meanings) and the currency.

    The page names the count ``<cnt>``; one SDK reads the JSON key ``sms``
    (facts §2.12): lenient decoding reads both.
    """

    login: str | None = None
    cnt: Annotated[int | None, Variant("sms")] = None
    credit: Decimal | None = None
    debit: Decimal | None = None
    currency: str | None = None
    extra: Extra = ()
    ambiguous_fields: tuple[str, ...] = ()


class Tariff(msgspec.Struct, kw_only=True, omit_defaults=True, repr_omit_defaults=True, gc=False):
    """A tariff zone from ``get.php?get_price=1`` (facts §2.13): the zone, its
    name, and the prices of an SMS sent through the API (``api``) and the web
    cabinet (``mass``), of an MMS, an HLR request and a voice call. The page is
    cut after ``call``; further prices are kept in ``extra``."""

    zone: str
    name: FreeText | None = None
    api: Decimal | None = None
    mass: Decimal | None = None
    mms: Decimal | None = None
    hlr: Decimal | None = None
    call: Decimal | None = None
    extra: Extra = ()
    ambiguous_fields: tuple[str, ...] = ()


class OperatorInfo(
    msgspec.Struct, kw_only=True, omit_defaults=True, repr_omit_defaults=True, gc=False
):
    """The operator of a number, from ``info.php?get_operator=1`` (facts §2.14):
    country, operator and region names, network codes and the region's time
    zone ``tz``. ``phone`` names the number when several were asked for."""

    country: FreeText | None = None
    operator: FreeText | None = None
    region: FreeText | None = None
    mcc: str | None = None
    mnc: str | None = None
    tz: str | None = None
    phone: str | None = None
    extra: Extra = ()
    ambiguous_fields: tuple[str, ...] = ()


class ShortLink(
    msgspec.Struct, kw_only=True, omit_defaults=True, repr_omit_defaults=True, gc=False
):
    """A short link's data from ``tinyurls.php?get=1`` (facts §2.15): its id and
    clicks in all, this month, today and yesterday. The page is cut after
    ``cnt_yes``; further keys are kept in ``extra``."""

    id: int
    cnt: int | None = None
    cnt_mon: int | None = None
    cnt_day: int | None = None
    cnt_yes: int | None = None
    extra: Extra = ()
    ambiguous_fields: tuple[str, ...] = ()


class Sender(msgspec.Struct, kw_only=True, omit_defaults=True, repr_omit_defaults=True, gc=False):
    """A sender name from ``senders.php?get=1`` (facts §2.9; a recorded answer
    ``[{"sender": "zxcabs"}]``)."""

    sender: str
    extra: Extra = ()
    ambiguous_fields: tuple[str, ...] = ()


class SenderCreated(
    msgspec.Struct, kw_only=True, omit_defaults=True, repr_omit_defaults=True, gc=False
):
    """The id of a sender name added by ``senders.php?add=1``: a recorded answer
    is ``{"sender": 24336}``, the record's id under the key ``sender``."""

    id: int = msgspec.field(name="sender")
    extra: Extra = ()
    ambiguous_fields: tuple[str, ...] = ()


class Template(msgspec.Struct, kw_only=True, omit_defaults=True, repr_omit_defaults=True, gc=False):
    """A message template from ``templates.php?get=1`` (facts §2.17).

    [UNVERIFIED] No source shows a templates answer: the id, the name and the
    text are modelled; every other key is kept in ``extra``.
    """

    id: int
    name: FreeText | None = None
    message: FreeText | None = None
    extra: Extra = ()
    ambiguous_fields: tuple[str, ...] = ()


#: Any reply struct this library decodes to.
Reply = (
    SmsStatus
    | HlrStatus
    | ApiError
    | Ok
    | Created
    | Contact
    | MailContact
    | ContactGroup
    | BlacklistEntry
    | MailBlacklistEntry
    | IncomingMessage
    | SendResult
    | PhoneResult
    | Balance
    | HistoryMessage
    | JobCreated
    | Job
    | Statistics
    | Tariff
    | OperatorInfo
    | ShortLink
    | Sender
    | SenderCreated
    | Template
)
