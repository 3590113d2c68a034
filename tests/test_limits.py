"""Limits on what one body may hold (``smsc_codec.Limits``, ``LimitError``).

A body from a network or an old archive may be hostile or broken: every bound
is held while decoding and reported, like any fault, at a line and column.
The bodies are the corpus layouts (status.php several ids, templates.php
lists, send.php op=1) with more records, longer lines or deeper nesting.
"""

from __future__ import annotations

import msgspec
import pytest

import smsc_codec
from smsc_codec import DecodeError, LimitError, Limits, SmsStatus, Template
from tests.helpers import decoded, position, refused_cheaply

MIB = 1024 * 1024

STATUS_IDS = range(101, 106)
STATUS = (
    "status.php?id=101,102,103,104,105"
    "&phone=79991230101,79991230102,79991230103,79991230104,79991230105"
)
TEMPLATES = "templates.php?get=1"
SEND_OP1 = "send.php?cost=2&op=1"


def limit_error(
    body: str | bytes, request: str, limits: Limits, *, strict: bool = False
) -> LimitError:
    with pytest.raises(LimitError) as caught:
        decoded(body, request, strict=strict, limits=limits)
    return caught.value


def assert_at(error: DecodeError, text: str, offset: int) -> None:
    assert (error.line, error.column) == position(text, offset), str(error)


# ------------------------------------------------------------ the struct ---
def test_defaults() -> None:
    """The documented defaults: far above any real answer, far below a hostile one."""
    limits = Limits()
    assert isinstance(limits, msgspec.Struct)
    assert (
        limits.max_body_bytes,
        limits.max_records,
        limits.max_line_length,
        limits.max_field_length,
        limits.max_depth,
    ) == (64 * MIB, 1_000_000, MIB, MIB, 32)


def test_limits_are_frozen_and_keyword_only() -> None:
    """One Limits value is shared by decoders: it cannot change under them."""
    limits = Limits(max_depth=4)
    assert limits.max_depth == 4
    assert limits.max_records == 1_000_000  # the others keep their defaults
    with pytest.raises(AttributeError):
        limits.max_depth = 5  # type: ignore[misc]
    with pytest.raises(TypeError):
        Limits(64)  # type: ignore[call-arg]


def test_limit_error_is_a_positioned_decode_error() -> None:
    """LimitError is caught where DecodeError is; it names the bound and its value."""
    assert issubclass(LimitError, DecodeError)
    body = status_rows(1, 3)
    error = limit_error(body, STATUS + "&fmt=1", Limits(max_records=2))
    assert (error.limit, error.maximum, error.fmt) == ("max_records", 2, 1)
    assert "max_records" in str(error)
    assert error.source_line == body.split("\n")[2]
    assert str(error).split("\n")[2] == "  ^"  # the caret under column 1


# --------------------------------------------------------------- records ---
def status_rows(fmt: int, count: int) -> str:
    """A status.php answer for several ids with ``count`` records, as the corpus
    (multi/sms-all0-*) writes them."""
    ids = list(STATUS_IDS)[:count]
    if fmt == 0:
        return "\n".join(
            "Status = 1, check_time = 28.06.2021 15:55:47, err = 0, "
            f"id = {i}, phone = 7999123{i:04}"
            for i in ids
        )
    if fmt == 1:
        return "\n".join(f"1,1624884947,0,{i},7999123{i:04}" for i in ids)
    if fmt == 2:
        records = "".join(
            f"<sms>\n<status>1</status>\n<last_timestamp>1624884947</last_timestamp>\n"
            f"<err>0</err>\n<id>{i}</id>\n<phone>7999123{i:04}</phone>\n</sms>\n"
            for i in ids
        )
        return f"<list>\n{records}</list>"
    return (
        "["
        + ",\n".join(
            f'{{\n"status": 1,\n"last_timestamp": 1624884947,\n"err": 0,\n'
            f'"id": {i},\n"phone": "7999123{i:04}"\n}}'
            for i in ids
        )
        + "]"
    )


#: where a record starts: the line (fmt 0/1), its element, its object
RECORD_START = {0: "Status = ", 1: "\n", 2: "<sms>", 3: "{"}


def record_offset(text: str, fmt: int, index: int) -> int:
    """Where the record ``index`` (0-based) of a status_rows body starts."""
    offset = -1 if fmt == 1 else text.index(RECORD_START[fmt])
    for _ in range(index):
        offset = text.index(RECORD_START[fmt], offset + 1)
    return offset + 1 if fmt == 1 else offset


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_records_at_the_limit_decode(fmt: int, strict: bool) -> None:
    """A body exactly at max_records is accepted, every record read."""
    replies = decoded(
        status_rows(fmt, 3), f"{STATUS}&fmt={fmt}", strict=strict, limits=Limits(max_records=3)
    )
    assert [r.id for r in replies] == [101, 102, 103]


@pytest.mark.parametrize("fmt", [0, 1])
def test_blank_lines_are_no_records(fmt: int) -> None:
    """Whitespace after the last line is framing, not a record past the limit."""
    body = status_rows(fmt, 3) + "\n\n  \r\n"
    replies = decoded(body, f"{STATUS}&fmt={fmt}", limits=Limits(max_records=3))
    assert len(replies) == 3


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_records_past_the_limit(fmt: int, strict: bool) -> None:
    """The record past max_records is pointed at: its line (fmt 0/1), its
    element's ``<`` (XML), its object's ``{`` (JSON)."""
    body = status_rows(fmt, 5)
    error = limit_error(body, f"{STATUS}&fmt={fmt}", Limits(max_records=3), strict=strict)
    assert (error.limit, error.maximum) == ("max_records", 3)
    assert_at(error, body, record_offset(body, fmt, 3))


def test_decoder_object_takes_limits() -> None:
    """Decoder(request, limits=...) holds the same bounds as decode(..., limits=...)."""
    decoder = smsc_codec.Decoder(STATUS + "&fmt=1", limits=Limits(max_records=3))
    rows = decoder.decode(status_rows(1, 3))
    assert isinstance(rows, list)
    assert len(rows) == 3
    with pytest.raises(LimitError) as caught:
        decoder.decode(status_rows(1, 4))
    assert (caught.value.limit, caught.value.line, caught.value.column) == ("max_records", 4, 1)


def send_with_phones(fmt: int, count: int) -> str:
    """A send.php op=1 answer (corpus send/op1-phones-*) with ``count`` numbers."""
    phones = [f"7999000{n:04}" for n in range(count)]
    if fmt == 0:
        rows = "".join(
            f"\nphone = {p}, mccmnc = 25001, cost = 1.40, status = , error = " for p in phones
        )
        return "OK - 1 SMS, ID - 1240, COST - 1.40" + rows
    if fmt == 1:
        return "1241,1,1.40" + "".join(f"\n{p},25001,1.40,," for p in phones)
    if fmt == 2:
        rows = "".join(
            f"<phone>\n<phone>{p}</phone>\n<mccmnc>25001</mccmnc>\n<cost>1.40</cost>\n</phone>\n"
            for p in phones
        )
        return (
            "<result>\n<id>1242</id>\n<cnt>1</cnt>\n<cost>1.40</cost>\n"
            f"<phones>\n{rows}</phones>\n</result>"
        )
    rows = ", ".join(f'{{"phone": "{p}", "mccmnc": "25001", "cost": "1.40"}}' for p in phones)
    return f'{{\n"id": 1239,\n"cnt": 1,\n"cost": "1.40",\n"phones": [{rows}]\n}}'


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_rows_of_a_details_list_count_as_records(fmt: int) -> None:
    """send.php's per-number rows are records too: a one-record answer cannot
    smuggle a million rows past max_records. (Whether the answer's own record
    counts is not pinned down, so the bodies stay clear of the boundary.)"""
    request = f"{SEND_OP1}&fmt={fmt}"
    reply = decoded(send_with_phones(fmt, 2), request, limits=Limits(max_records=3))
    assert len(reply.phones) == 2
    error = limit_error(send_with_phones(fmt, 4), request, Limits(max_records=3))
    assert (error.limit, error.maximum) == ("max_records", 3)


# ------------------------------------------------------------- body size ---
@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_body_at_the_size_limit_decodes(fmt: int) -> None:
    body = status_rows(fmt, 2).encode()
    replies = decoded(body, f"{STATUS}&fmt={fmt}", limits=Limits(max_body_bytes=len(body)))
    assert len(replies) == 2


@pytest.mark.parametrize("as_bytes", [False, True])
@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_body_over_the_size_limit(fmt: int, as_bytes: bool) -> None:
    """Refused before it is read, at the first character past the limit."""
    text = status_rows(fmt, 2)
    body = text.encode() if as_bytes else text
    limits = Limits(max_body_bytes=len(text) - 1)
    error = limit_error(body, f"{STATUS}&fmt={fmt}", limits)
    assert (error.limit, error.maximum) == ("max_body_bytes", len(text) - 1)
    assert_at(error, text, len(text) - 1)


def test_body_size_counts_bytes_of_bytes_and_characters_of_text() -> None:
    """A UTF-8 Cyrillic body has twice as many bytes as characters."""
    text = (
        "11,Код подтверждения,Ваш код: %code%\n"
        "12,Напоминание,Ждём вас завтра в 10:00 по адресу ул. Ленина 5"
    )
    request = TEMPLATES + "&fmt=1&charset=utf-8"
    limits = Limits(max_body_bytes=len(text))
    assert len(text.encode()) > len(text)
    assert [t.id for t in decoded(text, request, limits=limits)] == [11, 12]
    error = limit_error(text.encode(), request, limits)
    assert error.limit == "max_body_bytes"


def test_default_body_size_limit() -> None:
    """Without limits=, a body over 64 MiB is refused (and not decoded first)."""
    body = b"1" * (64 * MIB + 1)
    with pytest.raises(LimitError) as caught:
        decoded(body, STATUS + "&fmt=1")
    error = caught.value
    assert (error.limit, error.maximum) == ("max_body_bytes", 64 * MIB)
    assert (error.line, error.column) == (1, 64 * MIB + 1)


# ----------------------------------------------------------- line length ---
def template_lines(fmt: int, message: str) -> str:
    """A templates.php list (corpus templates/get-*) whose second message is ``message``."""
    if fmt == 0:
        return (
            "id = 11, name = Reminder, message = Code %code%\n"
            f"id = 12, name = Reminder, message = {message}"
        )
    return f"11,Reminder,Code %code%\n12,Reminder,{message}"


@pytest.mark.parametrize("fmt", [0, 1])
def test_line_at_the_length_limit_decodes(fmt: int) -> None:
    body = template_lines(fmt, "See you tomorrow at 10:00")
    longest = len(body.split("\n")[1])
    request = f"{TEMPLATES}&fmt={fmt}"
    replies = decoded(body, request, limits=Limits(max_line_length=longest))
    assert replies[1].message == "See you tomorrow at 10:00"
    # the line break is not part of the line
    crlf = body.replace("\n", "\r\n") + "\r\n"
    assert decoded(crlf, request, limits=Limits(max_line_length=longest)) == replies


@pytest.mark.parametrize("fmt", [0, 1])
def test_line_over_the_length_limit(fmt: int) -> None:
    """Pointed at the offending line, at the column just past the limit."""
    body = template_lines(fmt, "See you tomorrow at 10:00")
    maximum = len(body.split("\n")[1]) - 1
    error = limit_error(body, f"{TEMPLATES}&fmt={fmt}", Limits(max_line_length=maximum))
    assert (error.limit, error.maximum) == ("max_line_length", maximum)
    assert (error.line, error.column) == (2, maximum + 1)


def test_default_line_length_limit() -> None:
    """A line of exactly 1 MiB decodes; one character more is refused."""
    head = "12,Reminder,"
    exact = head + "x" * (MIB - len(head))
    reply = decoded(exact, TEMPLATES + "&fmt=1")
    assert len(reply[0].message) == MIB - len(head)
    with pytest.raises(LimitError) as caught:
        decoded(exact + "x", TEMPLATES + "&fmt=1")
    assert (caught.value.limit, caught.value.maximum) == ("max_line_length", MIB)
    assert (caught.value.line, caught.value.column) == (1, MIB + 1)


# ---------------------------------------------------------- field length ---
def template_list(fmt: int, message: str) -> str:
    """A templates.php list in any format whose second message is ``message``
    (already escaped for the format)."""
    if fmt in (0, 1):
        return template_lines(fmt, message)
    if fmt == 2:
        return (
            "<list>\n<template>\n<id>11</id>\n<name>Reminder</name>\n"
            "<message>Your code</message>\n</template>\n<template>\n<id>12</id>\n"
            f"<name>Reminder</name>\n<message>{message}</message>\n</template>\n</list>"
        )
    return (
        '[{\n"id": 11,\n"name": "Reminder",\n"message": "Your code"\n},\n'
        f'{{\n"id": 12,\n"name": "Reminder",\n"message": "{message}"\n}}]'
    )


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_field_at_the_length_limit_decodes(fmt: int) -> None:
    replies = decoded(
        template_list(fmt, "x" * 20), f"{TEMPLATES}&fmt={fmt}", limits=Limits(max_field_length=20)
    )
    assert replies[1] == Template(id=12, name="Reminder", message="x" * 20)


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_field_over_the_length_limit(fmt: int, strict: bool) -> None:
    body = template_list(fmt, "x" * 21)
    error = limit_error(body, f"{TEMPLATES}&fmt={fmt}", Limits(max_field_length=20), strict=strict)
    assert (error.limit, error.maximum) == ("max_field_length", 20)
    assert error.line == position(body, body.index("x" * 21))[0]


@pytest.mark.parametrize(("fmt", "escaped"), [(2, "&amp;" * 20), (3, "\\u0026" * 20)])
def test_field_length_counts_decoded_characters(fmt: int, escaped: str) -> None:
    """Twenty escaped ampersands are twenty characters, not 100 or 120."""
    replies = decoded(
        template_list(fmt, escaped), f"{TEMPLATES}&fmt={fmt}", limits=Limits(max_field_length=20)
    )
    assert replies[1].message == "&" * 20


def test_unknown_key_values_are_text_values_too() -> None:
    """An unknown key's value is kept as text (reply.extra): it is held to the
    limit like a known field."""
    body = '{\n"status": 1,\n"note": "' + "x" * 21 + '"\n}'
    request = "status.php?id=101&phone=79991234567&fmt=3"
    assert decoded(body, request, limits=Limits(max_field_length=21)).extra == (("note", "x" * 21),)
    error = limit_error(body, request, Limits(max_field_length=20))
    assert (error.limit, error.line) == ("max_field_length", 3)


# ----------------------------------------------------------------- depth ---
NESTING = 100_000


def test_xml_nested_100000_deep() -> None:
    """Refused at the element that opens level 33, without building 100,000
    elements (nor hitting a recursion limit)."""
    body = "<sms>" * NESTING + "</sms>" * NESTING
    request = "status.php?id=101&phone=79991234567&fmt=2"
    error = refused_cheaply(lambda: decoded(body, request), len(body))
    assert isinstance(error, LimitError)
    assert (error.limit, error.maximum) == ("max_depth", 32)
    assert (error.line, error.column) == (1, 32 * len("<sms>") + 1)


@pytest.mark.parametrize(
    ("opening", "closing"), [("[", "]"), ('{"status": ', "}"), ('[{"phones": ', "}]")]
)
def test_json_nested_100000_deep(opening: str, closing: str) -> None:
    """Refused at the bracket that opens level 33 (msgspec alone would raise
    RecursionError)."""
    body = opening * NESTING + "1" + closing * NESTING
    error = refused_cheaply(
        lambda: decoded(body, "status.php?id=101&phone=79991234567&fmt=3"), len(body)
    )
    assert isinstance(error, LimitError)
    assert (error.limit, error.maximum) == ("max_depth", 32)
    brackets = [i for i, char in enumerate(body) if char in "[{"]
    assert (error.line, error.column) == (1, brackets[32] + 1)


def test_json_nesting_without_a_request() -> None:
    """decode(body, None) reads the body to find an error answer: the same bound holds."""
    body = "[" * NESTING + "]" * NESTING
    error = refused_cheaply(lambda: decoded(body, None), len(body))
    assert isinstance(error, LimitError)
    assert (error.limit, error.line, error.column) == ("max_depth", 1, 33)


def test_xml_custom_depth() -> None:
    """A several-id status list is three deep (list, sms, field): max_depth=3
    reads it, max_depth=2 stops at the first field element."""
    body = status_rows(2, 2)
    request = STATUS + "&fmt=2"
    assert len(decoded(body, request, limits=Limits(max_depth=3))) == 2
    for strict in (False, True):
        error = limit_error(body, request, Limits(max_depth=2), strict=strict)
        assert (error.limit, error.maximum) == ("max_depth", 2)
        assert_at(error, body, body.index("<status>"))


def test_xml_unknown_nested_markup_deeper_than_a_custom_depth() -> None:
    """Depth is held while the body is parsed, before its layout is checked:
    with max_depth=4 an element holding markup (refused later anyway) is
    refused as too deep, at the element that opens level 5."""
    body = (
        "<sms>\n<status>1</status>\n<extra><a><b><c>deep</c></b></a></extra>\n"
        "<last_timestamp>1624884947</last_timestamp>\n</sms>"
    )
    request = "status.php?id=101&phone=79991234567&fmt=2"
    error = limit_error(body, request, Limits(max_depth=4))
    assert (error.limit, error.maximum) == ("max_depth", 4)
    assert_at(error, body, body.index("<c>"))


def test_json_custom_depth() -> None:
    """A status list is two deep (array, object); send.php's op=1 answer three
    (object, phones array, object)."""
    body = status_rows(3, 2)
    request = STATUS + "&fmt=3"
    assert len(decoded(body, request, limits=Limits(max_depth=2))) == 2
    error = limit_error(body, request, Limits(max_depth=1))
    assert (error.limit, error.maximum) == ("max_depth", 1)
    assert_at(error, body, body.index("{"))
    send = send_with_phones(3, 2)
    assert len(decoded(send, SEND_OP1 + "&fmt=3", limits=Limits(max_depth=3)).phones) == 2
    error = limit_error(send, SEND_OP1 + "&fmt=3", Limits(max_depth=2))
    assert_at(error, send, send.index('{"phone"'))


def test_brackets_inside_json_strings_are_not_nesting() -> None:
    body = '{"status": 1, "message": "[[[[{{{{ <<<<", "comment": "]]]"}'
    reply = decoded(
        body, "status.php?id=101&phone=79991234567&all=1&fmt=3", limits=Limits(max_depth=1)
    )
    assert isinstance(reply, SmsStatus)
    assert reply.message == "[[[[{{{{ <<<<"


# ------------------------------------------------------- XML attributes ---
@pytest.mark.parametrize("strict", [False, True])
def test_an_attribute_is_a_text_value_too(strict: bool) -> None:
    """A 10 MB attribute used to pass (and be dropped)."""
    value = "x" * 2000
    body = f'<sms note="{value}">\n<status>1</status>\n</sms>'
    error = limit_error(body, "status.php?id=1&phone=2&fmt=2", Limits(max_field_length=1000))
    assert (error.limit, "attribute 'note'" in error.reason) == ("max_field_length", True)
    assert_at(error, body, body.index("note"))


@pytest.mark.parametrize("fmt", [2, 3])
def test_error_answers_are_held_to_a_custom_field_length(fmt: int) -> None:
    """fmt=2 error answers were read with the default limits."""
    text = "x" * 2000
    body = (
        f"<result>\n<error>{text}</error>\n<error_code>3</error_code>\n</result>"
        if fmt == 2
        else f'{{"error": "{text}", "error_code": 3}}'
    )
    request = f"send.php?fmt={fmt}"
    assert decoded(body, request).description == text
    error = limit_error(body, request, Limits(max_field_length=1000))
    assert error.limit == "max_field_length"
    assert_at(error, body, body.index(text))
