"""What the encoders refuse, naming the field: text a format or a charset
cannot carry, or that would read back as something else.

test_api.py covers a line feed in a fmt=1 message, a comma in a fmt=1 token,
an ambiguous fmt=1 message, an emoji in a windows-1251 fmt=3 answer and a
control character in fmt=2; these are the other fields, formats, charsets
and characters.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec
import pytest

import smsc_codec
from smsc_codec import (
    Contact,
    DeliveryError,
    EncodeError,
    MessageStatus,
    MessageType,
    SmsStatus,
    Template,
)
from smsc_codec._checks import construct, replaced
from tests.helpers import decoded

STATUS = "status.php?id=101&phone=79991234567&all=1"
CONTACTS = "phones.php?get=1"
TEMPLATES = "templates.php?get=1"

#: an all=1 status reply with every field of the layouts
REPLY = SmsStatus(
    status=MessageStatus.DELIVERED,
    last_date=datetime(2021, 6, 28, 15, 55, 47),
    last_timestamp=1624884947,
    err=DeliveryError.NO_ERROR,
    send_date=datetime(2021, 6, 28, 15, 55, 40),
    send_timestamp=1624884940,
    phone="79991234567",
    cost=Decimal("1.40"),
    sender_id="SMSC.RU",
    status_name="Доставлено",
    message="Ваш код 4821",
    comment="заказ 15",
    type=MessageType.SMS,
)
#: fmt=0 carries the dates, fmt=1 the timestamps (seed 003)
NOT_IN = {0: ("last_timestamp", "send_timestamp"), 1: ("last_date", "send_date"), 2: (), 3: ()}


def status_reply(fmt: int) -> SmsStatus:
    """REPLY as the layout of ``fmt`` carries it."""
    return msgspec.structs.replace(REPLY, **dict.fromkeys(NOT_IN[fmt]))


def with_text(fmt: int, field: str, text: str) -> SmsStatus:
    return msgspec.structs.replace(status_reply(fmt), **{field: text})


CONTACT = Contact(
    phones="79161234567",
    name="Иванов Иван",
    groups="5922",
    first_name="Иван",
    last_name="Иванов",
    middle_name="Петрович",
    birthday=None,
    client_id="crm-1001",
    comments="звонить после 18:00",
    tags="vip",
    other_phones="",
)


def refused_field(value: Any, request: str, **options: Any) -> str | None:
    with pytest.raises(EncodeError) as caught:
        smsc_codec.encode(value, request, **options)
    return caught.value.field


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_the_replies_themselves_are_written(fmt: int) -> None:
    """The refusals below are for the one value changed, nothing else."""
    request = f"{STATUS}&fmt={fmt}"
    reply = status_reply(fmt)
    assert smsc_codec.decode(smsc_codec.encode(reply, request), request) == reply
    contacts = f"{CONTACTS}&fmt={fmt}"
    assert smsc_codec.decode(smsc_codec.encode([CONTACT], contacts), contacts) == [CONTACT]


# ----------------------------------------------------------- line breaks ---
FREE_TEXT = ["message", "comment", "sender_id", "status_name"]


@pytest.mark.parametrize(
    ("fmt", "field", "brk"),
    [
        (fmt, field, brk)
        for fmt in (0, 1)
        for field in FREE_TEXT
        for brk in ("\r", "\r\n", "\n")
        # an LF in a fmt=1 message: test_api.test_encode_refuses_what_the_layout_cannot_carry
        if (fmt, field, brk) != (1, "message", "\n")
    ],
)
def test_line_break_in_line_formats(fmt: int, field: str, brk: str) -> None:
    """A CR, CRLF or LF in fmt 0/1 text would end the record there (or, a lone
    CR, be refused by the decoder)."""
    value = with_text(fmt, field, f"Ваш код{brk}4821")
    assert refused_field(value, f"{STATUS}&fmt={fmt}") == field


@pytest.mark.parametrize("field", ["name", "comments", "tags"])
@pytest.mark.parametrize("fmt", [0, 1])
def test_line_break_in_a_contact(fmt: int, field: str) -> None:
    contact = msgspec.structs.replace(CONTACT, **{field: "звонить\rутром"})
    assert refused_field([contact], f"{CONTACTS}&fmt={fmt}") == field


# ------------------------------------------------------------- ambiguity ---
@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("comment", "заказ 15, 0"),  # comment, then type
        ("status_name", "Доставлено,Ваш"),  # status_name, then the message
        ("sender_id", "SMSC,RU"),  # sender_id, then status_name
    ],
)
def test_comma_that_would_make_a_fmt1_status_line_ambiguous(field: str, text: str) -> None:
    """Free text before another free column cannot hold the separator."""
    assert refused_field(with_text(1, field, text), f"{STATUS}&fmt=1") == field


@pytest.mark.parametrize(("field", "text"), [("name", "Код, SMS"), ("message", "Код,%code%")])
def test_comma_that_would_make_a_fmt1_template_line_ambiguous(field: str, text: str) -> None:
    """``id,name,message``: a comma in either text column moves the split."""
    template = Template(id=11, name="Код подтверждения", message="Ваш код: %code%")
    value = [msgspec.structs.replace(template, **{field: text})]
    assert refused_field(value, f"{TEMPLATES}&fmt=1") == field


def test_later_key_inside_fmt0_text() -> None:
    """fmt=0 text holding ``, comment = `` reads back split at it."""
    assert refused_field(with_text(0, "message", "Ваш код, comment = 15"), STATUS) == "message"


# -------------------------------------------------------------- charsets ---
@pytest.mark.parametrize("charset", ["windows-1251", "koi8-r", "utf-8"])
@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_lone_surrogate(fmt: int, charset: str) -> None:
    """Half a UTF-16 pair is no character: no charset, UTF-8 included, has bytes for it."""
    request = f"{STATUS}&fmt={fmt}&charset={charset}"
    assert refused_field(with_text(fmt, "message", "Ваш код \ud800"), request) == "message"


@pytest.mark.parametrize(
    ("fmt", "charset"),
    [(fmt, "windows-1251") for fmt in (0, 1, 2)] + [(fmt, "koi8-r") for fmt in (0, 1, 2, 3)],
)
def test_character_the_charset_lacks(fmt: int, charset: str) -> None:
    request = f"{STATUS}&fmt={fmt}&charset={charset}"
    assert refused_field(with_text(fmt, "message", "Ваш код 😀"), request) == "message"


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_character_the_charset_lacks_in_a_contact(fmt: int) -> None:
    contact = msgspec.structs.replace(CONTACT, comments="звонить 😀")
    assert refused_field([contact], f"{CONTACTS}&fmt={fmt}") == "comments"


def test_charset_override_of_encode() -> None:
    """encode(..., charset=...) is held to the charset it names."""
    value = with_text(3, "message", "Ваш код 😀")
    assert refused_field(value, f"{STATUS}&fmt=3&charset=utf-8", charset="cp1251") == "message"


# ------------------------------------------------------------------- XML ---
XML_INVALID = ["\x00", "\x08", "\x0b", "\x0c", "\x1f", "\ufffe", "\uffff"]


@pytest.mark.parametrize("char", XML_INVALID)
@pytest.mark.parametrize("field", FREE_TEXT)
def test_character_xml_cannot_carry(field: str, char: str) -> None:
    """XML 1.0 has no way to write these, not even as a character reference."""
    request = f"{STATUS}&fmt=2&charset=utf-8"
    assert refused_field(with_text(2, field, f"Ваш{char}код"), request) == field


@pytest.mark.parametrize("char", ["\x00", "\x1f"])
def test_character_xml_cannot_carry_in_a_contact(char: str) -> None:
    contact = msgspec.structs.replace(CONTACT, name=f"Иванов{char}")
    assert refused_field([contact], f"{CONTACTS}&fmt=2") == "name"


# ------------------------------------------------------------------- NUL ---
@pytest.mark.parametrize("field", FREE_TEXT)
@pytest.mark.parametrize("fmt", [0, 1])
def test_nul_in_line_formats(fmt: int, field: str) -> None:
    """The decoder refuses any raw NUL (broken-input rule), so a fmt 0/1 line
    holding one would not read back: the encoder refuses it, as it does all
    text that would read back otherwise."""
    assert refused_field(with_text(fmt, field, "Ваш\x00код"), f"{STATUS}&fmt={fmt}") == field


def test_nul_in_json_is_escaped_and_reads_back() -> None:
    """JSON writes a NUL as ``\\u0000``: no raw NUL, so it round-trips (and is no refusal)."""
    request = f"{STATUS}&fmt=3"
    value = with_text(3, "message", "Ваш\x00код")
    body = smsc_codec.encode(value, request)
    assert b"\x00" not in body
    assert smsc_codec.decode(body, request) == value


# ------------------------------------------------- wrongly typed values ---
#: a number of a send.php op=1 answer with every field, the number not text
PHONE_RESULT = construct(
    smsc_codec.PhoneResult,
    phone=79991234567,
    mccmnc="25001",
    cost=Decimal("1.40"),
    status=MessageStatus.DELIVERED,
    error=0,
)


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
@pytest.mark.parametrize(
    ("value", "request_", "field"),
    [
        (construct(smsc_codec.Created, id=None), "phones.php?add=1", "id"),
        (construct(smsc_codec.Created, id="5"), "phones.php?add=1", "id"),
        (construct(smsc_codec.Created, id=5.0), "phones.php?add=1", "id"),
        (
            construct(smsc_codec.Created, id=1, extra=(("a", "b", "c"),)),
            "phones.php?add=1",
            "extra",
        ),
        (construct(smsc_codec.Created, id=1, extra={"a": "b"}), "phones.php?add=1", "extra"),
        (construct(SmsStatus, status=None), STATUS, "status"),
        (
            construct(smsc_codec.SendResult, cnt=1, phones=[smsc_codec.PhoneResult(phone="7")]),
            "send.php?op=1",
            "phones",
        ),
        (
            smsc_codec.SendResult(cnt=1, phones=(PHONE_RESULT,)),
            "send.php?op=1",
            "phone",
        ),
    ],
    ids=repr,
)
def test_a_value_of_the_wrong_type_is_refused_naming_the_field(
    fmt: int, value: Any, request_: str, field: str
) -> None:
    """These used to raise TypeError or ValueError out of encode, or write a
    body that does not decode (``{}`` for an id of None)."""
    assert refused_field(value, f"{request_}&fmt={fmt}") == field


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
@pytest.mark.parametrize("text", [5, b"x", ["x"]], ids=repr)
def test_text_of_the_wrong_type_is_refused(fmt: int, text: Any) -> None:
    value = replaced(status_reply(fmt), message=text)
    assert refused_field(value, f"{STATUS}&fmt={fmt}") == "message"


@pytest.mark.parametrize("fmt", [0, 1])
def test_an_empty_list_has_no_line_form(fmt: int) -> None:
    """An empty body is no answer: it does not decode."""
    with pytest.raises(EncodeError, match="empty"):
        smsc_codec.encode([], f"{CONTACTS}&fmt={fmt}")


@pytest.mark.parametrize("fmt", [2, 3])
def test_an_empty_list_is_an_empty_list_element(fmt: int) -> None:
    request = f"{CONTACTS}&fmt={fmt}"
    assert smsc_codec.decode(smsc_codec.encode([], request), request) == []


# -------------------------------------------------- the ambiguity mark ---
@pytest.mark.parametrize("fmt", [2, 3])
def test_fmt2_and_fmt3_refuse_an_ambiguity_mark_they_cannot_carry(fmt: int) -> None:
    """XML and JSON text is never ambiguous: the mark fmt=0/1 refuse to lose
    was dropped here. lossy=True drops it."""
    request = f"{STATUS}&fmt={fmt}"
    marked = msgspec.structs.replace(status_reply(fmt), ambiguous_fields=("message",))
    assert refused_field(marked, request) == "message"
    body = smsc_codec.encode(marked, request, lossy=True)
    assert smsc_codec.decode(body, request) == status_reply(fmt)


def test_an_ambiguous_fmt1_line_converts_to_fmt3_only_when_lossy() -> None:
    line = "1,1624884947,0,1624884940,79991234567,1.40,SMSC,Доставлено,Ваш, код, заказ 15, 0"
    reply = decoded(line, f"{STATUS}&fmt=1")
    assert reply.ambiguous_fields
    assert refused_field(reply, f"{STATUS}&fmt=3") == reply.ambiguous_fields[0]
    assert smsc_codec.encode(reply, f"{STATUS}&fmt=3", lossy=True)


def test_a_mark_on_a_line_without_free_text_is_refused() -> None:
    """A status −3 row is written `Status = -3` alone: the mark would be lost."""
    reply = SmsStatus(status=MessageStatus(-3), ambiguous_fields=("message",))
    assert refused_field(reply, "status.php?id=1&phone=2&fmt=0") == "message"
