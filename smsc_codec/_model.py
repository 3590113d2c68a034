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

Every reply Struct derives from :class:`ReplyBase`, which holds what they
share:

* Replies are immutable values: ``frozen``, so equal replies hash alike and
  can be set members and dict keys.
* msgspec carries every reply with default settings (``msgspec.json``,
  ``msgspec.msgpack``, ``msgspec.to_builtins`` and back): each value is of a
  type msgspec knows (``flag`` an ``IntFlag``, a list field its text). The
  Structs are tagged: their serialised form holds ``"kind": "<class name>"``,
  so that :data:`Reply`, the union of them all, reads back a mixed stream and
  says which kind each one is. The tag lives in the model's serialised form
  only; the wire formats are written field by field (never by msgspec's
  encoder of the model) and carry no tag.
* Constructors check their arguments (``__post_init__``, :mod:`._checks`);
  decoders, whose values are typed already, build without the checks.
* ``gc=False``: replies hold scalars and tuples, never a cycle back to
  themselves, so the garbage collector need not track them (msgspec's
  performance tips; a large answer allocates thousands).

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
from ._checks import ADDRESS_LIST, check
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
    "AddressText",
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
    "JsonText",
    "MailBlacklistEntry",
    "MailContact",
    "Ok",
    "OperatorInfo",
    "PhoneResult",
    "Quoted",
    "Reply",
    "ReplyBase",
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


#: A list "separated by any separator" (seed 004: a contact's phones, groups),
#: kept as the text the server wrote, separators and all, so that it is
#: written back and serialised as that text; the reply's ``*_list``
#: properties split it into an :class:`AddressList`. A constructor also takes
#: the items (an AddressList, a list or tuple of str): they are joined by commas.
AddressText = Annotated[
    str,
    msgspec.Meta(
        description="items separated by any run of commas, semicolons and white space "
        "(seed 004), as the server wrote them",
        extra={ADDRESS_LIST: True},
    ),
]


class JsonText(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A JSON object or array under an unknown fmt=3 key, kept as its compact
    JSON text, so that a reply stays immutable and hashable; :attr:`value`
    decodes it. (Unknown scalars are kept as they are: str, int, float, bool,
    None.)"""

    json: str

    @classmethod
    def of(cls, value: Any) -> JsonText:
        """The JSON text of a decoded object or array."""
        return cls(json=msgspec.json.encode(value).decode("utf-8"))

    @property
    def value(self) -> Any:
        """The object or array, decoded afresh."""
        return msgspec.json.decode(self.json)


#: The value of an unknown key: the raw text for fmt 0/1/2 and form fields,
#: the JSON value for fmt=3 (an object or array as :class:`JsonText`).
ExtraValue = str | int | float | bool | None | JsonText

#: Unknown keys kept in the order met: ``((key, value), ...)``; an XML record
#: element's attributes come first, as ``("@name", value)``.
Extra = tuple[tuple[str, ExtraValue], ...]


class ReplyBase(
    msgspec.Struct,
    kw_only=True,
    frozen=True,
    omit_defaults=True,
    repr_omit_defaults=True,
    gc=False,
    tag_field="kind",
    tag=True,
):
    """What every reply Struct shares: its configuration (see the module
    docstring), the unknown keys met (``extra``) and the fields whose extent
    lenient decoding chose (``ambiguous_fields``)."""

    extra: Extra = ()
    ambiguous_fields: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check(self)  # (decoders build without it: _checks.unchecked)


class SmsStatus(ReplyBase, kw_only=True, frozen=True):
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


class HlrStatus(ReplyBase, kw_only=True, frozen=True):
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


class ApiError(ReplyBase, kw_only=True, frozen=True):
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

    @property
    def meaning(self) -> ApiErrorMeaning:
        """What ``code`` means for the script that answered."""
        return api_error_meaning(self.script, self.code)


class Ok(ReplyBase, kw_only=True, frozen=True):
    """A bare success answer: ``OK`` (fmt 0/1), ``<result>OK</result>``,
    ``{"result": "OK"}`` (seed 004, facts §2.6).

    ``bare`` is not on the wire: it records that the server answered a plain
    ``OK`` although fmt=2 or 3 was asked for (facts §9, a recorded answer), so
    that re-encoding writes it the same way.
    """

    bare: Context[bool] = False


class Created(ReplyBase, kw_only=True, frozen=True):
    """The id the server gave a new contact, group or blacklist entry (seed 004):
    ``ID = <id>``, ``<id>``, ``<phone><id>…</id></phone>`` (``<group>`` for a
    group), ``{"id": <id>}``."""

    id: int


class Contact(ReplyBase, kw_only=True, frozen=True):
    """A contact from ``phones.php?get=1`` (seed 004, parameters in seed 002).

    ``phones`` and ``other_phones`` are lists "separated by any separator"
    (messages go to ``phones`` only); ``groups`` lists the ids of the contact's
    groups. Each holds the list's text as the server wrote it
    (:data:`AddressText`); :attr:`phone_list`, :attr:`group_list` and
    :attr:`other_phone_list` split it into its items. ``client_id`` is the
    contact's id *assigned by the client* (the ``myid`` parameter, wire key
    ``id``), free text, not a server number.

    The server writes every key, empty when there is no value (seed 004's
    templates, and the recorded contact list): an empty text or list is
    ``""``, an empty birthday None (written back empty). A text or list that
    is None was absent from the body, and is written as an absent key.
    """

    writes_every_key: ClassVar[bool] = True

    phones: AddressText = msgspec.field(name="phone")
    name: FreeText | None = None
    groups: AddressText | None = msgspec.field(default=None, name="group")
    first_name: FreeText | None = None
    last_name: FreeText | None = None
    middle_name: FreeText | None = None
    birthday: date | None = None
    client_id: FreeText | None = msgspec.field(default=None, name="id")
    comments: FreeText | None = None
    tags: FreeText | None = None
    other_phones: AddressText | None = msgspec.field(default=None, name="phone_other")

    @property
    def phone_list(self) -> AddressList:
        """The items of ``phones``."""
        return AddressList.parse(self.phones)

    @property
    def group_list(self) -> AddressList | None:
        """The group ids of ``groups``."""
        return None if self.groups is None else AddressList.parse(self.groups)

    @property
    def other_phone_list(self) -> AddressList | None:
        """The items of ``other_phones``."""
        return None if self.other_phones is None else AddressList.parse(self.other_phones)


class MailContact(Contact, kw_only=True, frozen=True):
    """An e-mail contact from ``mails.php?get=1``: a :class:`Contact` whose lists
    hold e-mail addresses, under the wire keys ``mail`` and ``mail_other``
    (seed 004). The attributes keep the phone names so that code can treat both
    kinds alike; :attr:`mails` and :attr:`other_mails` name them for readers.
    """

    phones: AddressText = msgspec.field(name="mail")
    other_phones: AddressText | None = msgspec.field(default=None, name="mail_other")

    @property
    def mails(self) -> str:
        return self.phones

    @property
    def other_mails(self) -> str | None:
        return self.other_phones


class ContactGroup(ReplyBase, kw_only=True, frozen=True):
    """A group from ``phones.php?get_group=1`` (seed 004): its server id, name,
    number for mailings and count of contacts. Recorded answers omit ``number``
    and ``cnt`` when there is none (captures, node-smsc group lists)."""

    id: int
    name: FreeText | None = None
    number: int | None = None
    cnt: Quoted[int] | None = None


class BlacklistEntry(ReplyBase, kw_only=True, frozen=True):
    """A blacklist entry from ``phones.php?get_black=1`` (seed 004)."""

    id: int
    phone: str
    type: BlacklistType | None = None
    comment: FreeText | None = None


class MailBlacklistEntry(BlacklistEntry, kw_only=True, frozen=True):
    """An e-mail blacklist entry from ``mails.php?get_black=1``: the address is
    under the wire key ``email`` (seed 004: "или <email> при запросе черного
    списка e-mail"), kept in ``phone`` so that both kinds read alike."""

    phone: str = msgspec.field(name="email")

    @property
    def email(self) -> str:
        return self.phone


class IncomingMessage(ReplyBase, kw_only=True, frozen=True):
    """An incoming message from ``get.php?get_answers=1`` (seed 001, facts §2.11):
    its server id, when the server received it, the sender's number, the text,
    the client's number it was sent to, and when it was sent."""

    id: int
    received: datetime | None = None
    phone: str | None = None
    message: FreeText | None = None
    to_phone: str | None = None
    sent: datetime | None = None


class PhoneResult(ReplyBase, kw_only=True, frozen=True):
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

    @property
    def error_meaning(self) -> ApiErrorMeaning | None:
        """What ``error`` means as a send.php error code (None without one)."""
        return None if self.error is None else api_error_meaning("send", self.error)


class SendResult(ReplyBase, kw_only=True, frozen=True):
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


class HistoryMessage(SmsStatus, kw_only=True, frozen=True):
    """A sent message from ``get.php?get_messages=1``, the history (facts §2.10).

    A status row (:class:`SmsStatus`, whose fields it shares) plus the
    message's internal id ``int_id`` (the paging key ``prev_id``), its
    ``format`` (the kind: 0 SMS, 8 e-mail, as ``type``) and a checksum ``crc``.
    """

    int_id: int | None = None
    format: MessageType | None = None
    crc: int | None = None


class Balance(ReplyBase, kw_only=True, frozen=True):
    """A ``balance.php`` answer (facts §2.5): the balance, the currency's name
    with ``cur=1``, and the credit limit some JSON answers carry."""

    balance: Decimal
    currency: str | None = None
    credit: Decimal | None = None


class JobCreated(ReplyBase, kw_only=True, frozen=True):
    """A mailing list created by ``jobs.php?add=1`` (facts §2.6): its id, and its
    cost when ``cost=1`` was asked for."""

    id: int
    cost: Decimal | None = None


class Job(ReplyBase, kw_only=True, frozen=True):
    """A mailing list from ``jobs.php?get=1`` (facts §2.6, §8).

    [UNVERIFIED] No source shows this answer: only the id and the name (the
    ``name`` parameter of ``add``) are modelled; every other key is kept in
    ``extra``.
    """

    id: int
    name: FreeText | None = None


class Statistics(ReplyBase, kw_only=True, frozen=True):
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


class Tariff(ReplyBase, kw_only=True, frozen=True):
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


class OperatorInfo(ReplyBase, kw_only=True, frozen=True):
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


class ShortLink(ReplyBase, kw_only=True, frozen=True):
    """A short link's data from ``tinyurls.php?get=1`` (facts §2.15): its id and
    clicks in all, this month, today and yesterday. The page is cut after
    ``cnt_yes``; further keys are kept in ``extra``."""

    id: int
    cnt: int | None = None
    cnt_mon: int | None = None
    cnt_day: int | None = None
    cnt_yes: int | None = None


class Sender(ReplyBase, kw_only=True, frozen=True):
    """A sender name from ``senders.php?get=1`` (facts §2.9; a recorded answer
    ``[{"sender": "zxcabs"}]``)."""

    sender: str


class SenderCreated(ReplyBase, kw_only=True, frozen=True):
    """The id of a sender name added by ``senders.php?add=1``: a recorded answer
    is ``{"sender": 24336}``, the record's id under the key ``sender``."""

    id: int = msgspec.field(name="sender")


class Template(ReplyBase, kw_only=True, frozen=True):
    """A message template from ``templates.php?get=1`` (facts §2.17).

    [UNVERIFIED] No source shows a templates answer: the id, the name and the
    text are modelled; every other key is kept in ``extra``.
    """

    id: int
    name: FreeText | None = None
    message: FreeText | None = None


#: Any reply struct this library decodes to: a tagged union (each reply's
#: serialised form names its class in ``"kind"``), so that
#: ``msgspec.json.decode(data, type=list[Reply])`` reads a mixed stream back.
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
