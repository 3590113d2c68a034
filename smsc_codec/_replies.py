"""The registry: which reply kinds and layouts a request implies.

A :class:`ReplySpec` describes the success answers of one request shape: the
candidate reply kinds with their fmt=0/1 layout rule, how a record picks its
candidate, and the fmt=2 element names. Error and ``OK`` answers are common
to every script and are handled before a spec is consulted.

:data:`LAYOUTS` is the registry itself, a declarative table: one row per
request shape (the script, the command switched on, the values of the other
layout parameters) with its answer and where that answer's layout comes from
in each format. Everything else is read from it: which parameters of a URL
choose its layout (:func:`url_layout_key`), the example request of every
layout (:func:`record_requests`, which the tests and benchmarks walk), and
the docs' layout reference. A new script is one row, plus its model and
grammar rules.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Hashable
from typing import Any, NamedTuple
from urllib.parse import unquote_plus

import msgspec

from ._errors import RequestError
from ._model import (
    ApiError,
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
from ._request import Request, parse_request, script_of_path
from ._schema import plan_for

__all__ = [
    "CONDITIONS",
    "CONTACT_COMMANDS",
    "ENVELOPE_KEYS",
    "ERROR_KEYS",
    "LAYOUTS",
    "OK_ONLY",
    "PROVENANCE_TAGS",
    "Candidate",
    "Details",
    "Layout",
    "LayoutKey",
    "ReplySpec",
    "example_request",
    "layout_key",
    "layout_of",
    "layout_parameters",
    "layout_row",
    "record_requests",
    "reply_spec",
    "request_for_kind",
    "url_layout_key",
]


#: The keys whose presence makes a record read as an error answer, in any
#: script (facts §1.2): the wire keys of the error's text and code.
ERROR_KEYS: tuple[str, ...] = tuple(
    plan_for(ApiError).by_name[name].wire for name in ("description", "code")
)
#: ...and with the OK answer's key (``{"result": "OK"}``, facts §2.6), every
#: key of the answers common to all scripts: no record's unknown key may be
#: one of these (it could read back as an answer of its own).
ENVELOPE_KEYS: tuple[str, ...] = (*ERROR_KEYS, "result")


class Candidate(NamedTuple):
    """One reply kind a record may be, with its layout rule in the fmt=0/1 grammars."""

    cls: type[msgspec.Struct]
    rule: str
    #: fields that fmt=2/3 write last, after the model's declaration order
    trailing_keys: tuple[str, ...] = ()
    #: other fmt=0/1 layout rules lenient decoding reads for this kind, where
    #: the registered layout is [UNVERIFIED]; strict decoding names the one met
    variants: tuple[str, ...] = ()
    #: fields that fmt=2/3 write first, before the model's declaration order
    leading_keys: tuple[str, ...] = ()


class Details(NamedTuple):
    """Records that follow the main record of a one-record answer (send.php's
    per-number list): the reply attribute holding them, their kind and layout,
    and their fmt=2 elements inside the main record's element."""

    field: str  #: also the fmt=3 key of their array
    candidate: Candidate
    xml_list: str
    xml_item: str


class ReplySpec(NamedTuple):
    """The success answers of one request shape."""

    candidates: tuple[Candidate, ...]
    multi: bool  #: a list of records (one line / element / object each)
    xml_item: str  #: the element of one record (fmt=2)
    xml_list: str  #: the element around several records (fmt=2)
    #: picks the candidate of a fmt=0/1 line
    pick_line: Callable[[int, str], Candidate]
    #: picks the candidate of a fmt=2/3 record from its keys
    pick_keys: Callable[[Collection[str]], Candidate]
    #: a field that may stand alone as the fmt=2 root (``<balance>250.80</balance>``)
    xml_value_root: str | None = None
    #: records that may follow the main one (only for a one-record answer)
    details: Details | None = None
    #: ``pick_line`` picks a candidate for every line one of its registered
    #: layouts without free text reads, so that a compiled entry
    #: (``_lines.line_entry``) may match those layouts without asking it
    picked_by_layout: bool = False

    @property
    def ok_only(self) -> bool:
        """The request is answered with ``OK`` (or an error) and nothing else."""
        return not self.candidates


def _one_kind(
    cls: type[msgspec.Struct],
    rule: str,
    *,
    multi: bool,
    xml_item: str,
    xml_list: str = "list",
    xml_value_root: str | None = None,
    trailing_keys: tuple[str, ...] = (),
    variants: tuple[str, ...] = (),
    details: Details | None = None,
    leading_keys: tuple[str, ...] = (),
) -> ReplySpec:
    """The spec of a request whose every record is of one kind."""
    candidate = Candidate(cls, rule, trailing_keys, variants, leading_keys)

    def pick_line(fmt: int, line: str) -> Candidate:
        return candidate

    def pick_keys(keys: Collection[str]) -> Candidate:
        return candidate

    return ReplySpec(
        (candidate,), multi, xml_item, xml_list, pick_line, pick_keys, xml_value_root, details
    )


def _no_record(fmt: int, line: str) -> Candidate:
    raise AssertionError("an OK-only request has no record layout")


def _no_keys(keys: Collection[str]) -> Candidate:
    raise AssertionError("an OK-only request has no record layout")


#: Change, delete and move commands: ``OK`` in fmt 0/1, ``<result>OK</result>``,
#: ``{"result": "OK"}`` (seed 004), handled with the error answers.
OK_ONLY = ReplySpec((), False, "result", "result", _no_record, _no_keys)

#: The phones.php and mails.php commands that change or delete (seed 002 names
#: them; captures also spell ``chg_grp``, ...): answered OK (seed 004).
_CHANGE_COMMANDS = (
    "chg",
    "chg_group",
    "chg_grp",
    "del",
    "del_group",
    "del_grp",
    "move_group",
    "move_grp",
    "del_black",
)


def _status_spec(all_level: int, multi: bool) -> ReplySpec:
    suffix = f"_all{all_level}" + ("_multi" if multi else "")
    # Seed 003 / facts §9: a multi-id all=0 row appends id, then phone.
    trailing = ("id", "phone") if multi and not all_level else ()
    sms = Candidate(SmsStatus, "status_sms" + suffix, trailing)
    hlr = Candidate(HlrStatus, "status_hlr" + suffix, trailing)
    # fmt=1 columns: an all=0 HLR row has 11 (13 with id and phone), an SMS row
    # at most 5. With all=1|2 the `type` column (last, or before the id) is 4
    # for an HLR request (seed 003: "for HLR, it is equal to 4").
    hlr_min_columns = 13 if multi else 11
    type_column = -2 if multi else -1

    def pick_line(fmt: int, line: str) -> Candidate:
        if fmt == 0:
            return hlr if ", imsi = " in line else sms
        if all_level == 0:
            return hlr if line.count(",") + 1 >= hlr_min_columns else sms
        columns = line.rsplit(",", -type_column)
        return hlr if len(columns) > 1 and columns[type_column].strip() == "4" else sms

    def pick_keys(keys: Collection[str]) -> Candidate:
        return hlr if "imsi" in keys else sms

    # An all=0 SMS row has at most 5 columns (HLR: 11 or more) and, holding
    # no free text, no `, imsi = `: the layout that reads it says its kind.
    return ReplySpec(
        (sms, hlr),
        multi,
        "sms",
        "list",
        pick_line,
        pick_keys,
        picked_by_layout=all_level == 0,
    )


#: status.php rows by ``all`` level and whether several ids were asked for
#: (seed 003, facts §2.4).
_STATUS = {
    (level, multi): _status_spec(level, multi) for level in (0, 1, 2) for multi in (False, True)
}

#: The id the server gave a new contact or blacklist entry (seed 004): ``ID =
#: <id>``, ``<id>``, ``<phone><id>…</id></phone>``, ``{"id": <id>}``.
_CREATED = _one_kind(Created, "created", multi=False, xml_item="phone")
#: The same for mails.php: [DERIVED] ``<mail>``, as its other ``phone`` names
#: become ``mail`` (seed 004); the element itself is not shown.
_MAIL_CREATED = _one_kind(Created, "created", multi=False, xml_item="mail")
#: A new group's id (seed 004): ``<group>`` in fmt=2.
_GROUP_CREATED = _one_kind(Created, "created", multi=False, xml_item="group")
#: The contact lists (seed 004; a recorded fmt=3 list).
_CONTACTS = _one_kind(Contact, "contact", multi=True, xml_item="contact")
_MAIL_CONTACTS = _one_kind(MailContact, "mail_contact", multi=True, xml_item="contact")
#: The groups (seed 004; recorded fmt=3 lists).
_GROUPS = _one_kind(ContactGroup, "contact_group", multi=True, xml_item="group")
#: The blacklists (seed 004; mails.php names the address `email`).
_BLACKLIST = _one_kind(BlacklistEntry, "blacklist_entry", multi=True, xml_item="record")
_MAIL_BLACKLIST = _one_kind(
    MailBlacklistEntry, "mail_blacklist_entry", multi=True, xml_item="record"
)

#: get.php?get_answers=1, incoming messages (seed 001, facts §2.11). [DERIVED]
#: fmt=2 elements: no source shows this answer in XML; a list of records is
#: ``<list>`` (seed 004) and a message is ``<sms>`` (seed 003).
_INBOX = _one_kind(IncomingMessage, "incoming_message", multi=True, xml_item="sms")


#: send.php, every message kind (facts §2.1): ``cost=1`` is a cost query
#: answered without an id, in its own fmt=0/1 layout. fmt=2 is a ``<result>``
#: holding the fields (a recorded answer; element order [UNVERIFIED]).
#: The per-number list of op=1/err=1 (facts §2.1): the JSON array `phones` of
#: objects is from the SDKs. [UNVERIFIED] the other formats (the page is cut):
#: one line per number after the answer's line (rule `send_phone`), and in XML
#: a `<phones>` element of `<phone>` records inside the `<result>`.
_SEND_DETAILS = Details("phones", Candidate(PhoneResult, "send_phone"), "phones", "phone")
_SEND = _one_kind(SendResult, "send_result", multi=False, xml_item="result", details=_SEND_DETAILS)
#: send.php?cost=1, a cost query (facts §2.1): the documented fmt=1 answer is
#: `<cost>,<cnt>`, and a recorded fmt=3 answer writes `cost` before `cnt`
#: (facts §9); fmt=2 is written in the same order [UNVERIFIED].
_SEND_COST = _one_kind(
    SendResult,
    "send_cost",
    multi=False,
    xml_item="result",
    details=_SEND_DETAILS,
    leading_keys=("cost",),
)


#: balance.php (facts §2.5): fmt=0 and fmt=1 are the same line. fmt=2 is
#: documented as `<balance>balance</balance>`; with `cur=1` a second element
#: needs a root: [DERIVED] `<result>` around the fields, as send.php's answer.
_BALANCE = _one_kind(
    Balance, "balance_reply", multi=False, xml_item="result", xml_value_root="balance"
)


#: get.php?get_messages=1, the history of sent messages (facts §2.10): fmt=0
#: as a recorded line orders its keys; fmt=1 [UNVERIFIED] the same values in
#: the same order; fmt=2 [DERIVED] a `<list>` of `<sms>`, as status.php's.
_HISTORY = _one_kind(
    HistoryMessage,
    "history_message",
    multi=True,
    xml_item="sms",
    # fmt=2/3 key order of the SDKs: the ids and counts after `type`
    trailing_keys=("id", "int_id", "sms_cnt", "format", "crc"),
)


#: jobs.php, mailing lists (facts §2.6): `add` answers the new id (and the
#: cost with cost=1) in the documented layouts; disabling and deleting answer
#: OK. [UNVERIFIED] the list (`get`): no source shows it; records are `<job>`
#: elements in a `<list>`, as seed 004 writes lists.
_JOB_CREATED = _one_kind(JobCreated, "job_created", multi=False, xml_item="result")
_JOBS = _one_kind(Job, "job", multi=True, xml_item="job")

#: get.php?get_stat=1 and users.php?get_stat=1 (facts §2.12): one row per login.
#: [DERIVED] layouts: `key = value` / comma-separated rows in the page's field
#: order, `<stat>` elements in a `<list>`.
_STATISTICS = _one_kind(Statistics, "statistics", multi=True, xml_item="stat")

#: get.php?get_price=1 (facts §2.13): "a set of strings", one per tariff zone.
#: [DERIVED] layouts in the page's field order; `<zone>` would clash with the
#: field of that name, so a record is `<tariff>`.
_TARIFFS = _one_kind(Tariff, "tariff", multi=True, xml_item="tariff")

#: info.php?get_operator=1 (facts §2.14): [DERIVED] layouts in the SDK's key
#: order. Several numbers (`phone=a,b`) give one row each, with the number
#: appended, as status.php's several-id rows append theirs.
_OPERATOR = _one_kind(OperatorInfo, "operator_info", multi=False, xml_item="result")
_OPERATORS = _one_kind(
    OperatorInfo, "operator_info_multi", multi=True, xml_item="operator", trailing_keys=("phone",)
)

#: tinyurls.php?get=1 (facts §2.15): [DERIVED] layouts in the page's field order.
_SHORT_LINK = _one_kind(ShortLink, "short_link", multi=False, xml_item="result")

#: senders.php (facts §2.9): recorded fmt=3 answers to `add` and `get`; the
#: other formats are [DERIVED] from those keys. `chg`, `del`, `send_code` and
#: `check_code` [UNVERIFIED] answer OK, as the recorded bare OK suggests.
_SENDER_CREATED = _one_kind(
    SenderCreated,
    "sender_created",
    multi=False,
    xml_item="result",
    # the id-only answer of phones.php (`ID = <id>`) is as plausible
    variants=("created",),
)
_SENDERS = _one_kind(Sender, "sender_name", multi=True, xml_item="sender_name")

#: templates.php (facts §2.17, nothing retrieved): [UNVERIFIED] `add` answers
#: the id as phones.php does, `get` a list, other commands OK.
_TEMPLATE_CREATED = _one_kind(Created, "created", multi=False, xml_item="template")
_TEMPLATES = _one_kind(Template, "template", multi=True, xml_item="template")


# ------------------------------------------------------------- the table ---

#: Where a layout comes from (docs/sources.md, facts §0): ``recorded``, a real
#: answer shows it; ``documented``, SMSC's pages print it; ``derived``,
#: inferred from other layouts, the field names or an SDK's order;
#: ``unverified``, no source shows it. The docs' layout reference shows these.
PROVENANCE_TAGS = ("recorded", "documented", "derived", "unverified")
_REC, _DOC, _DER, _UNV = PROVENANCE_TAGS


class Layout(NamedTuple):
    """A row of the registry: the requests of one shape and their answer."""

    script: str
    #: the command parameters that ask for this answer (the first switched on
    #: in the request counts); empty: the script's answer without one
    commands: tuple[str, ...]
    #: other layout parameters and the value each must have (see
    #: :data:`CONDITIONS`): ``(("all", "1"), ("id", "several"))``
    when: tuple[tuple[str, str], ...]
    answer: ReplySpec
    #: the provenance of the answer's layout in fmt 0, 1, 2 and 3
    #: (:data:`PROVENANCE_TAGS`)
    provenance: tuple[str, str, str, str]
    #: commands of a lower rank are looked for only when no command of a
    #: higher one is switched on (get.php: get_answers before get_stat)
    rank: int = 0
    #: further parameters of the row's example request (:func:`example_request`)
    example: tuple[str, ...] = ()


def _row(
    script: str,
    answer: ReplySpec,
    provenance: str,
    *commands: str,
    when: str = "",
    rank: int = 0,
    example: str = "",
) -> Layout:
    """A row, written compactly: ``provenance`` one tag per format
    (``"documented documented documented recorded"``), ``when`` as a query
    (``"all=1&id=several"``)."""
    tags = tuple(provenance.split())
    if len(tags) != 4 or not set(tags) <= set(PROVENANCE_TAGS):
        raise ValueError(f"{script}: one provenance tag per format, not {provenance!r}")
    conditions = tuple(tuple(pair.split("=")) for pair in when.split("&") if pair)
    extra = tuple(pair for pair in example.split("&") if pair)
    return Layout(script, commands, conditions, answer, tags, rank, extra)  # type: ignore[arg-type]


#: [UNVERIFIED] scripts whose other commands answer OK (or an error)
_UNVERIFIED_OK = f"{_UNV} {_UNV} {_UNV} {_UNV}"

#: The registry: every request shape whose answers are modelled, in the order
#: rows are tried. ``OK_ONLY`` answers (change and delete commands) are
#: rows too: those requests are answered with OK or an error only.
LAYOUTS: tuple[Layout, ...] = (
    # status.php (seed 003): several ids [UNVERIFIED] in fmt 0/1 (where the
    # id and phone stand), documented in XML, recorded in JSON (facts §9)
    *(
        _row(
            "status",
            _STATUS[level, False],
            f"{_DOC} {_DOC} {_DOC} {_DOC}",
            when=f"all={level}&id=one",
        )
        for level in (0, 1, 2)
    ),
    *(
        _row(
            "status",
            _STATUS[level, True],
            f"{_UNV} {_UNV} {_DOC} {_REC}",
            when=f"all={level}&id=several",
        )
        for level in (0, 1, 2)
    ),
    # phones.php and mails.php (seed 004; captures also spell `add_grp`, ...)
    _row("phones", _CREATED, f"{_DOC} {_DOC} {_DOC} {_REC}", "add", "add_black"),
    _row("phones", _GROUP_CREATED, f"{_DOC} {_DOC} {_DOC} {_REC}", "add_group", "add_grp"),
    _row("phones", _CONTACTS, f"{_DOC} {_DOC} {_DOC} {_REC}", "get"),
    _row("phones", _GROUPS, f"{_DOC} {_DOC} {_DOC} {_REC}", "get_group", "get_grp"),
    _row("phones", _BLACKLIST, f"{_DOC} {_DOC} {_DOC} {_DOC}", "get_black"),
    _row("mails", _MAIL_CREATED, f"{_DOC} {_DOC} {_DER} {_DOC}", "add", "add_black"),
    _row("mails", _GROUP_CREATED, f"{_DOC} {_DOC} {_DOC} {_DOC}", "add_group", "add_grp"),
    _row("mails", _MAIL_CONTACTS, f"{_DOC} {_DOC} {_DOC} {_DOC}", "get"),
    _row("mails", _GROUPS, f"{_DOC} {_DOC} {_DOC} {_DOC}", "get_group", "get_grp"),
    _row("mails", _MAIL_BLACKLIST, f"{_DOC} {_DOC} {_DOC} {_DOC}", "get_black"),
    *(
        _row(script, OK_ONLY, f"{_DOC} {_DOC} {_DOC} {_DOC}", *_CHANGE_COMMANDS)
        for script in ("phones", "mails")
    ),
    # get.php: the inbox and the history before statistics and tariffs
    _row("get", _INBOX, f"{_DER} {_DER} {_DER} {_REC}", "get_answers"),
    _row("get", _HISTORY, f"{_REC} {_UNV} {_DER} {_DER}", "get_messages"),
    _row("get", _STATISTICS, f"{_DER} {_DER} {_DER} {_DER}", "get_stat", rank=1),
    _row("get", _TARIFFS, f"{_DER} {_DER} {_DER} {_DER}", "get_price", rank=1),
    # jobs.php (facts §2.6): any other command (disable, delete) answers OK
    _row("jobs", _JOB_CREATED, f"{_DOC} {_DOC} {_DOC} {_DER}", "add"),
    _row("jobs", _JOBS, _UNVERIFIED_OK, "get"),
    _row("jobs", OK_ONLY, f"{_DOC} {_DOC} {_DOC} {_DOC}"),
    # senders.php (facts §2.9): recorded fmt=3 answers, the rest derived
    _row("senders", _SENDER_CREATED, f"{_DER} {_DER} {_DER} {_REC}", "add"),
    _row("senders", _SENDERS, f"{_DER} {_DER} {_DER} {_REC}", "get"),
    _row("senders", OK_ONLY, _UNVERIFIED_OK),
    # users.php (facts §2.8): the statistics of get.php; add, chg, pay: OK
    _row("users", _STATISTICS, f"{_DER} {_DER} {_DER} {_DER}", "get_stat"),
    _row("users", OK_ONLY, _UNVERIFIED_OK),
    # templates.php (facts §2.17)
    _row("templates", _TEMPLATE_CREATED, _UNVERIFIED_OK, "add"),
    _row("templates", _TEMPLATES, _UNVERIFIED_OK, "get"),
    _row("templates", OK_ONLY, _UNVERIFIED_OK),
    # info.php, tinyurls.php (facts §2.14, §2.15)
    _row("info", _OPERATOR, f"{_DER} {_DER} {_DER} {_DER}", "get_operator", when="phone=one"),
    _row("info", _OPERATORS, f"{_DER} {_DER} {_DER} {_DER}", "get_operator", when="phone=several"),
    _row("tinyurls", _SHORT_LINK, f"{_DER} {_DER} {_DER} {_DER}", example="get=1"),
    # send.php (facts §2.1) and balance.php (facts §2.5)
    _row("send", _SEND_COST, f"{_UNV} {_DOC} {_UNV} {_REC}", when="cost=1"),
    _row("send", _SEND, f"{_REC} {_DOC} {_REC} {_REC}", example="cost=0"),
    _row("balance", _BALANCE, f"{_DOC} {_DOC} {_DOC} {_REC}", example="cur=1"),
)


def _several(value: str | None) -> bool:
    """A parameter listing several numbers, "separated by any separator"."""
    if value is None or (value.isascii() and value.lstrip("+").isdigit()):
        return False  # one number (the common case: no split needed)
    return len([p for p in _SEPARATORS.split(value) if p]) > 1


_SEPARATORS = re.compile(r"[^0-9A-Za-z+@._-]+")

#: How the table reads the layout parameters of its ``when`` column: ``all``
#: as its level (RequestError for another value), of ``id`` and ``phone``
#: whether they list several, ``cost`` as written.
CONDITIONS: dict[str, Callable[[Request], str]] = {
    "all": lambda request: str(request.all),
    "id": lambda request: "several" if request.multi else "one",
    "phone": lambda request: "several" if _several(request.get("phone")) else "one",
    "cost": lambda request: (request.get("cost") or "0").strip(),
}

#: A request of each condition's value, for the rows' example requests
_EXAMPLE_VALUES = {
    ("id", "one"): "id=101",
    ("id", "several"): "id=101,102",
    ("phone", "one"): "phone=79990000000",
    ("phone", "several"): "phone=79990000000,79990000001",
}
#: parameters every example request of a script carries (status.php is asked
#: by id and phone, facts §2.4)
_EXAMPLE_BASE = {"status": ("phone=79990000000",)}


def _command(request: Request, commands: Collection[str]) -> str | None:
    """The first command parameter of the request that is switched on."""
    for key, value in request.params:
        if key in commands and value.strip() not in ("", "0"):
            return key
    return None


_ROWS: dict[str, tuple[Layout, ...]] = {}
for _layout in LAYOUTS:
    _ROWS[_layout.script] = (*_ROWS.get(_layout.script, ()), _layout)
#: each script's commands, rank by rank
_RANKS: dict[str, tuple[frozenset[str], ...]] = {
    script: tuple(
        frozenset(c for row in rows if row.rank == rank for c in row.commands)
        for rank in sorted({row.rank for row in rows})
    )
    for script, rows in _ROWS.items()
}

#: Every command of phones.php (and mails.php), from the table.
CONTACT_COMMANDS: tuple[str, ...] = tuple(c for row in _ROWS["phones"] for c in row.commands)

#: The parameters whose values choose a script's layout: its rows' commands
#: and conditions (of ``id`` and ``phone`` only whether they list several).
_SCRIPT_PARAMS: dict[str, tuple[str, ...]] = {
    script: tuple(
        dict.fromkeys(
            [*(c for row in rows for c in row.commands), *(k for row in rows for k, _ in row.when)]
        )
    )
    for script, rows in _ROWS.items()
}

#: every script's answer depends on these
_COMMON_PARAMS = ("fmt", "charset")

#: What chooses a request's layout, as a cache key: the script and its layout
#: parameters in the request's order (``layout_of``).
LayoutKey = tuple[str, tuple[tuple[str, str], ...]]


def _params_of(script: str) -> tuple[str, ...]:
    return _SCRIPT_PARAMS.get(script, ()) + _COMMON_PARAMS


def _reduced(key: str, value: str) -> str:
    """A layout parameter's value as the layout sees it: of ``id`` and
    ``phone`` only whether they list several."""
    if key == "id":
        return "1,2" if "," in value else "1"
    if key == "phone":
        return "1,2" if _several(value) else "1"
    return value


# ------------------------------------------------- a URL's layout key ---
# A log's URLs carry their own ids, numbers, credentials and text, so the
# decoder cache is keyed by what chooses the layout, read from the URL as
# written, in a handful of C-level string operations per parameter and
# without parsing the rest of the query. The key's parts are texts as written
# (``=3``, ``=%33``): equal texts, equal values after the full parse. The
# decoder itself is built from the full parse of the first URL of its key.

#: a parameter name holding an escape (``f%6Dt``, which the full parse reads
#: as ``fmt``): such a URL is left to the full parse
_ESCAPED_NAME = re.compile(r"&[^&=]*%").search

#: a URL's scanner: its key, or None where only the full parse can tell
UrlScan = Callable[[str], Hashable | None]


def _last_value(name: str, var: str, *, gated: bool) -> list[str]:
    """Source setting ``var`` to the text after the last ``&name`` up to the
    next ``&`` (``=3``, ``""`` for a bare name), None when there is none.

    The full parse keeps the last value too (``Request.get``); a longer name
    there (``&fmtx=``) may hide an earlier ``fmt``: the full parse tells.
    ``gated``: a name seldom there, looked for with ``in`` first. (The
    one-argument ``partition`` costs less than ``find`` with its optional
    bounds.)
    """
    lines = [
        f"    {var} = None",
        f"    _, found, after = q.rpartition('&{name}')",
        "    if found:",
        f"        {var} = after.partition('&')[0]",
        f"        if {var} and {var}[0] != '=':",
        "            return None",
    ]
    if gated:
        lines[1:] = [f"    if '&{name}' in q:", *("    " + line for line in lines[1:])]
    return lines


def layout_parameters(script: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The parameters of ``script``'s requests that choose the layout: those
    read by their value (the last one written), and the commands (read in
    the order written)."""
    commands = tuple(dict.fromkeys(c for row in _ROWS.get(script, ()) for c in row.commands))
    return tuple(name for name in _params_of(script) if name not in commands), commands


def _compile_scan(script: str) -> UrlScan:
    """The generated scanner of ``script``'s queries: straight-line code, one
    block per layout parameter.

    Commands count in the order written (the first switched on wins, rank by
    rank): their occurrences are the key, found by one regex. Every other
    parameter counts by its last value; of ``id`` and ``phone`` only whether
    it lists several.
    """
    names, commands = layout_parameters(script)
    env: dict[str, Any] = {"escaped": _ESCAPED_NAME, "several": _several, "unquote": unquote_plus}
    lines = [
        "def scan(query):",
        # the full parse strips the request and drops a fragment; a name
        # written escaped is read by the full parse alone
        "    q = f'&{query.rstrip()}&'",
        "    if '#' in q or ('%' in q and escaped(q) is not None):",
        "        return None",
    ]
    parts = [repr(script)]
    for n, name in enumerate(names):
        var = f"v{n}"
        parts.append(var)
        if name == "id":
            # several ids: a comma, written or escaped (``%2C``, the one
            # escape that reads as a comma)
            lines += [
                "    if ',' not in q and '%' not in q:",
                f"        {var} = False",
                "    else:",
                *("    " + line for line in _last_value(name, var, gated=False)),
                f"        if {var} is not None:",
                f"            {var} = ',' in {var} or '%2c' in {var}.lower()",
            ]
        elif name == "phone":
            lines += [
                *_last_value(name, var, gated=False),
                f"    if {var} is not None:",
                f"        {var} = several(unquote({var}[1:]))",
            ]
        else:
            lines += _last_value(name, var, gated=name != "fmt")
    if commands:
        ordered = sorted(commands, key=len, reverse=True)  # (get_group before get)
        env["commands"] = re.compile(f"&({'|'.join(map(re.escape, ordered))})=([^&]*)").findall
        parts.append("tuple(commands(q))")
    lines.append(f"    return ({', '.join(parts)},)")
    exec(compile("\n".join(lines), f"<smsc_codec url key {script}>", "exec"), env)
    scan: UrlScan = env["scan"]
    return scan


#: each script's scanner
_SCANS: dict[str, UrlScan] = {}
#: the scanner of each URL head seen (a log's URLs share a few heads)
_SCAN_OF_HEAD: dict[str, UrlScan] = {}
#: how many scripts and heads are remembered (a flood of made-up ones is not kept)
_REMEMBERED = 1024


def _no_key(query: str) -> None:
    """The scanner of a head that names no script (the full parse infers it)."""


def _scan_of_head(head: str) -> UrlScan:
    """The scanner of the URLs with this head (the part before ``?``)."""
    scan = _SCAN_OF_HEAD.get(head)
    if scan is None:
        # (the full parse strips the request: before a ``?``, only its start)
        script = script_of_path(head.lstrip())
        if not script:
            scan = _no_key
        else:
            scan = _SCANS.get(script)
            if scan is None:
                if len(_SCANS) > _REMEMBERED:
                    _SCANS.clear()
                scan = _SCANS[script] = _compile_scan(script)
        if len(_SCAN_OF_HEAD) > _REMEMBERED:
            _SCAN_OF_HEAD.clear()
        _SCAN_OF_HEAD[head] = scan
    return scan


def url_layout_key(request: str) -> Hashable | None:
    """A cache key for the layout of the answer to a URL (or its
    ``script.php?query`` tail): URLs with equal keys have equal layouts and
    decode alike. None when only the full parse can tell (no script in the
    path, a fragment, a parameter name written escaped).

    The query is not parsed: each layout parameter is found by a search for
    its name, and nothing else of the query is looked at, so a log whose every
    URL carries its own ids, numbers, text and credentials costs a few string
    operations per line.
    """
    head, sep, query = request.partition("?")
    if not sep:  # (a bare ``balance.php``: the full parse strips it whole)
        return _scan_of_head(head.strip())("")
    scan = _SCAN_OF_HEAD.get(head)
    if scan is None:
        scan = _scan_of_head(head)
    return scan(query)


def layout_key(request: str | Request) -> LayoutKey:
    """What chooses the layout of the answer to ``request``: ``layout_of``'s
    script and parameters."""
    reduced = layout_of(parse_request(request))
    return reduced.script, reduced.params


def layout_of(request: Request) -> Request:
    """``request`` reduced to what chooses its answer's layout.

    Requests that differ only in credentials, ids, numbers or message text
    (every line of a log, say) reduce to one value, so they share one spec and
    one decoder.
    """
    wanted = _params_of(request.script)
    params = tuple((key, _reduced(key, value)) for key, value in request.params if key in wanted)
    return Request(script=request.script, params=params)


def reply_spec(request: Request) -> ReplySpec:
    """The registry entry for the success answers of ``request``."""
    return _layout_spec(layout_of(request))


@functools.lru_cache(maxsize=1024)
def _layout_spec(request: Request) -> ReplySpec:
    return layout_row(request).answer


def layout_row(request: Request) -> Layout:
    """The row of :data:`LAYOUTS` that answers ``request`` (reduced by
    :func:`layout_of` or not); RequestError when none does."""
    script = request.script
    rows = _ROWS.get(script)
    if rows is None:
        raise RequestError(f"answers of {script}.php are not supported yet")
    command = _switched_on(request, script)
    for row in rows:
        if _answers(row, request, command):
            return row
    if command is None and all(row.commands for row in rows):
        raise _command_needed(script, rows)
    raise RequestError(f"answers of {script}.php are not supported yet")


def _answers(row: Layout, request: Request, command: str | None) -> bool:
    """Whether ``row`` answers ``request``, whose switched-on command is
    ``command``: the row lists it (without one: lists none), and the row's
    conditions hold."""
    listed = command in row.commands if command else not row.commands
    return listed and all(CONDITIONS[key](request) == value for key, value in row.when)


def _command_needed(script: str, rows: tuple[Layout, ...]) -> RequestError:
    """The error for a request of ``script`` without a command, whose every
    row asks for one: it names them."""
    names = ", ".join(dict.fromkeys(c for row in rows for c in row.commands))
    return RequestError(
        f"{script}.php answers depend on the command: {names} (none found in the request)"
    )


def _switched_on(request: Request, script: str) -> str | None:
    """The command of the request: the first switched on, rank by rank."""
    for commands in _RANKS[script]:
        command = _command(request, commands)
        if command is not None:
            return command
    return None


def example_request(row: Layout, command: str | None = None) -> str:
    """A request the row answers: its script with ``command`` (by default its
    first) switched on and its conditions met (``status.php?id=101&...``)."""
    command = command or (row.commands[0] if row.commands else None)
    conditions = [_EXAMPLE_VALUES.get(pair, "=".join(pair)) for pair in row.when]
    ids = [c for c in conditions if c.startswith("id=")]
    params = [
        *([f"{command}=1"] if command else []),
        *ids,
        *_EXAMPLE_BASE.get(row.script, ()),
        *(c for c in conditions if c not in ids),
        *row.example,
    ]
    return f"{row.script}.php" + ("?" + "&".join(params) if params else "")


@functools.cache
def record_requests() -> dict[str, ReplySpec]:
    """A request for every record layout the registry knows, with its spec:
    each row's example request (:func:`example_request`), one per distinct
    answer with records.

    Tests and benchmarks walk this instead of naming reply kinds, so a new
    layout is covered when its row is added.
    """
    out: dict[str, ReplySpec] = {}
    for row in LAYOUTS:
        if row.answer.candidates and row.answer not in out.values():
            out[example_request(row)] = row.answer
    return out


@functools.cache
def request_for_kind(kind: type[msgspec.Struct]) -> Request | None:
    """A request answered with records of ``kind``: the first registered
    layout that lists it (None for a kind no request asks for)."""
    for query, spec in record_requests().items():
        if any(c.cls is kind for c in spec.candidates):
            return parse_request(query)
    return None
