"""Broken encodings and framing: what logs, proxies and Windows tools do to
an answer on its way, and what the codec does with it.

The bodies are corpus entries (their expected values come from the entry's
JSON, not from the codec), re-encoded, cut or framed differently.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

import smsc_codec
from smsc_codec import DecodeError, Template
from smsc_codec._corpus import CorpusEntry, expected_value
from tests.conftest import corpus_entry
from tests.helpers import decoded, position

#: one record with Cyrillic free text, in every format
SINGLE = [f"status/sms-all1-fmt{fmt}" for fmt in range(4)]
#: two records, ASCII, in every format
MULTI = [f"multi/sms-all0-fmt{fmt}" for fmt in range(4)]
#: multi-line fmt 0/1 answers of several scripts
LINE_LISTS = [
    f"{name}-fmt{fmt}"
    for name in ("multi/sms-all0", "contacts/phones-contacts", "templates/get", "send/op1-phones")
    for fmt in (0, 1)
]

BOM = b"\xef\xbb\xbf"


def text_of(entry: CorpusEntry) -> str:
    """An entry's body as text (corpus bodies are in the request's charset)."""
    return entry.body.decode(smsc_codec.parse_request(entry.request).charset)


def decode_error(body: str | bytes, request: str | None, **options: Any) -> DecodeError:
    with pytest.raises(DecodeError) as caught:
        decoded(body, request, **options)
    return caught.value


def assert_at(error: DecodeError, text: str, offset: int) -> None:
    assert (error.line, error.column) == position(text, offset), str(error)


def names_byte(reason: str, byte: int) -> bool:
    return re.search(rf"(0x|\\x){byte:02x}\b", reason, re.IGNORECASE) is not None


# ------------------------------------------------------------- charsets ---
TEMPLATES_UTF8 = "templates.php?get=1&fmt=1&charset=utf-8"
TEMPLATE_LINES = "11,Код подтверждения,Ваш код: %code%\n12,Напоминание,Ждём вас завтра"


@pytest.mark.parametrize(
    "bad",
    [
        b"\xff",  # never valid in UTF-8
        b"\xc0\xaf",  # an overlong "/"
        b"\xed\xa0\x80",  # a surrogate's encoding
        b"\xd0",  # a lead byte whose continuation is missing
    ],
)
def test_invalid_utf8_is_positioned_at_the_bad_byte(bad: bytes) -> None:
    """The column counts characters, not bytes: the Cyrillic before the bad
    byte is two bytes a character."""
    before = "12,Напоминание,Ждём "
    body = TEMPLATE_LINES.encode().replace(before.encode(), before.encode() + bad)
    error = decode_error(body, TEMPLATES_UTF8)
    assert (error.line, error.column) == (2, len(before) + 1)
    assert names_byte(error.reason, bad[0]), error.reason


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_windows_1251_bytes_in_a_utf8_answer(fmt: int) -> None:
    """The commonest charset mix-up: the request says UTF-8, the bytes are the
    server's default windows-1251. Refused at the first Cyrillic letter."""
    entry = corpus_entry(SINGLE[fmt])
    text = text_of(entry)
    first = next(i for i, char in enumerate(text) if not char.isascii())
    for strict in (False, True):
        error = decode_error(entry.body, entry.request + "&charset=utf-8", strict=strict)
        assert_at(error, text, first)
        assert names_byte(error.reason, entry.body[first]), error.reason


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_auto_charset_reads_windows_1251_and_utf8(fmt: int) -> None:
    """charset="auto" (documented): UTF-8 when the bytes are UTF-8, else windows-1251."""
    entry = corpus_entry(SINGLE[fmt])
    request = entry.request + "&charset=utf-8"
    expected = expected_value(entry.meta)
    assert decoded(entry.body, request, charset="auto") == expected
    assert decoded(text_of(entry).encode(), request, charset="auto") == expected


@pytest.mark.parametrize("name", SINGLE + MULTI)
def test_utf8_byte_order_mark(name: str) -> None:
    """A byte-order mark (Windows tools add one) says the bytes are UTF-8; the
    answer reads as without it, whatever charset the request names."""
    entry = corpus_entry(name)
    expected = expected_value(entry.meta)
    text = text_of(entry)
    for request in (entry.request, entry.request + "&charset=utf-8"):
        for strict in (False, True):
            got = decoded(BOM + text.encode(), request, strict=strict)
            assert got == expected, request
    assert decoded("\ufeff" + text, entry.request) == expected
    if text.isascii():  # an ASCII answer is the same bytes in every charset
        assert decoded(BOM + entry.body, entry.request) == expected


# ------------------------------------------------------------------- NUL ---
def nul_places(text: str) -> dict[str, int]:
    inside = text.index("7999123456") + 5  # inside a phone number
    return {"start": 0, "inside a value": inside, "end": len(text)}


@pytest.mark.parametrize("place", ["start", "inside a value", "end"])
@pytest.mark.parametrize("name", SINGLE + MULTI)
def test_nul_is_refused_where_it_is(name: str, place: str) -> None:
    """No answer holds a NUL: it marks a zero-filled or binary record. Refused
    at the NUL in every format, from bytes and from text, with or without a
    request."""
    entry = corpus_entry(name)
    text = text_of(entry)
    at = nul_places(text)[place]
    broken = text[:at] + "\0" + text[at:]
    charset = smsc_codec.parse_request(entry.request).charset
    for body in (broken, broken.encode(charset)):
        for request in (entry.request, None):
            error = decode_error(body, request)
            assert_at(error, broken, at)
            assert "NUL" in error.reason.upper(), error.reason


def test_nul_inside_json_free_text() -> None:
    """A raw NUL inside a JSON string (JSON itself forbids it unescaped)."""
    entry = corpus_entry("status/sms-all1-fmt3")
    text = text_of(entry)
    at = text.index("Ваш") + 3
    broken = text[:at] + "\0" + text[at:]
    error = decode_error(broken.encode("cp1251"), entry.request)
    assert_at(error, broken, at)
    assert "NUL" in error.reason.upper()


# ---------------------------------------------------------- line endings ---
@pytest.mark.parametrize("name", LINE_LISTS)
def test_crlf_reads_as_lf(name: str) -> None:
    """CRLF line ends (every line, the last too, or only some) are LF."""
    entry = corpus_entry(name)
    expected = expected_value(entry.meta)
    charset = smsc_codec.parse_request(entry.request).charset
    text = text_of(entry)
    assert "\n" in text
    variants = [
        text.replace("\n", "\r\n"),
        text.replace("\n", "\r\n") + "\r\n",
        text.replace("\n", "\r\n", 1),  # mixed: the first break only
        text.replace("\n", "\r\n").replace("\r\n", "\n", 1),  # mixed: all but the first
    ]
    for variant in variants:
        for strict in (False, True) if entry.meta.get("strict") else (False,):
            got = decoded(variant.encode(charset), entry.request, strict=strict)
            assert got == expected, repr(variant)


LONE_CR = [
    # (request, body): the first CR is not followed by LF
    (
        "status.php?id=101,102&phone=79991234567,79991234568&fmt=1",
        "1,1624884947,0,101,79991234567\r20,1624884962,1,102,79991234568",
    ),
    (
        "status.php?id=101,102&phone=79991234567,79991234568",
        "Status = 1, check_time = 28.06.2021 15:55:47, err = 0, id = 101, phone = 79991234567\r"
        "Status = 20, check_time = 28.06.2021 15:56:02, err = 1, id = 102, phone = 79991234568",
    ),
    ("status.php?id=101&phone=79991234567&fmt=1", "1,16248\r84947,0"),
    ("templates.php?get=1&fmt=1", "11,Reminder,See you\rtomorrow"),
    ("templates.php?get=1", "id = 11, name = Reminder, message = See you\rtomorrow"),
    ("templates.php?get=1", "id = 11, name = Remin\rder, message = See you"),
    ("templates.php?get=1&fmt=1", "11,Reminder,See you\r\r\n12,Reminder,Code"),
    ("templates.php?get=1&fmt=1", "11,Reminder,See you\n12,Reminder,Co\rde\n"),
]


@pytest.mark.parametrize(("request_", "body"), LONE_CR)
def test_lone_cr_is_refused_at_the_cr(request_: str, body: str) -> None:
    """A CR without its LF is neither a line break nor text an answer holds
    (the encoders refuse it): a CR that lost its LF, or an old Mac line end.
    Reading it as part of a value would hide a broken body."""
    for strict in (False, True):
        error = decode_error(body, request_, strict=strict)
        assert_at(error, body, body.index("\r"))


# ----------------------------------------------------- trailing whitespace ---
LINE_TRAILERS = ["\n", "\r\n", "\n\n", "\r\n\r\n", "\n   ", "\n \t \n", "\n\n  \n  "]


@pytest.mark.parametrize(
    "name",
    ["multi/sms-all0-fmt0", "multi/sms-all0-fmt1", *SINGLE[:2], *LINE_LISTS[4:6]],
)
def test_whitespace_after_the_last_line_is_ignored(name: str) -> None:
    """A final line break, blank lines or lines of spaces are no record."""
    entry = corpus_entry(name)
    expected = expected_value(entry.meta)
    for trailer in LINE_TRAILERS:
        got = decoded(entry.body + trailer.encode(), entry.request)
        assert got == expected, repr(trailer)


@pytest.mark.parametrize(
    "name", ["multi/sms-all0-fmt2", "multi/sms-all0-fmt3", *SINGLE[2:], "templates/get-fmt3"]
)
def test_whitespace_after_a_document_is_ignored(name: str) -> None:
    entry = corpus_entry(name)
    expected = expected_value(entry.meta)
    for trailer in ("\n", "\r\n", "\n\n \t\n", "   "):
        for strict in (False, True):
            got = decoded(entry.body + trailer.encode(), entry.request, strict=strict)
            assert got == expected, repr(trailer)


@pytest.mark.parametrize(
    ("request_", "body"),
    [
        ("status.php?id=101&phone=79991234567&fmt=1", "1,1624884947,0 "),
        ("status.php?id=101&phone=79991234567&fmt=1", "1,1624884947,0 \n"),
        (
            "status.php?id=101&phone=79991234567&all=1&fmt=1",
            "1,1624884947,0,1624884940,79991234567,1.40,SMSC.RU,Delivered,Hi, , 0 ",
        ),
    ],
)
def test_trailing_space_after_a_number_belongs_to_the_number(request_: str, body: str) -> None:
    """A space inside the line is part of its last value: "0 " is no number.
    The caret goes under the value or under the space."""
    line = body.rstrip("\n")
    value_column = len(line.rstrip().rstrip("0123456789")) + 1
    space_column = len(line.rstrip()) + 1
    for strict in (False, True):
        error = decode_error(body, request_, strict=strict)
        assert error.line == 1
        assert error.column in (value_column, space_column), str(error)


@pytest.mark.parametrize(
    ("request_", "body"),
    [
        ("templates.php?get=1&fmt=1", "11,Reminder,See you at 10 "),
        ("templates.php?get=1&fmt=1", "11,Reminder,See you at 10 \n  \n"),
        ("templates.php?get=1", "id = 11, name = Reminder, message = See you at 10 "),
        ("templates.php?get=1", "id = 11, name = Reminder, message = See you at 10 \r\n\r\n"),
    ],
)
def test_trailing_space_of_free_text_is_kept(request_: str, body: str) -> None:
    """Free text may end in a space: it is the message's, not framing."""
    assert decoded(body, request_) == [Template(id=11, name="Reminder", message="See you at 10 ")]


# ------------------------------------------------------------- truncation ---
def assert_positioned_in(error: DecodeError, text: str) -> None:
    """The error points into ``text`` (or just past its end)."""
    lines = text.split("\n")
    assert 1 <= error.line <= len(lines), str(error)
    assert 1 <= error.column <= len(lines[error.line - 1]) + 1, str(error)


def test_cut_json_array() -> None:
    entry = corpus_entry("multi/sms-all0-fmt3")
    text = text_of(entry)
    cut = text[: text.index("},\n{") + 4]  # the second object just opened
    error = decode_error(cut, entry.request)
    assert error.fmt == 3
    assert error.line == cut.count("\n") + 1, str(error)


def test_unclosed_xml_element() -> None:
    entry = corpus_entry("multi/sms-all0-fmt2")
    text = text_of(entry)
    cut = text[: text.rindex("</sms>")]  # the last record never closed
    error = decode_error(cut, entry.request)
    assert error.fmt == 2
    assert_positioned_in(error, cut)


#: multi-record answers, and one whose records are nested (send.php op=1)
DOCUMENTS = [
    "multi/sms-all0-fmt2",
    "multi/sms-all0-fmt3",
    "multi/mixed-sms-hlr-fmt3",
    "contacts/phones-contacts-fmt2",
    "contacts/phones-contacts-fmt3",
    "templates/get-fmt2",
    "templates/get-fmt3",
    "send/op1-phones-fmt2",
    "send/op1-phones-fmt3",
]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_cut_of_a_document_is_refused(name: str) -> None:
    """No proper prefix of these XML and JSON answers is itself a complete
    document, so every cut point must raise a positioned DecodeError: none may
    come back as fewer records, or a record with fewer fields."""
    entry = corpus_entry(name)
    text = text_of(entry)
    for length in range(len(entry.body)):
        for strict in (False, True):
            error = decode_error(entry.body[:length], entry.request, strict=strict)
            assert_positioned_in(error, text[:length])


def test_every_cut_of_a_fmt1_line_before_its_last_column_is_refused() -> None:
    """A fmt=1 line cut before its last column lacks fields the layout needs:
    every such cut is refused on its line.

    What no reader can detect, and so is not asserted: a cut inside the final
    field. A free-text last column (templates.php's message, ``…,See you at
    10`` cut to ``…,See you``) reads as a shorter text; a number cut short as
    a smaller number; a cut just after the last separator (``…, заказ 15, ``)
    as an empty last field; a cut at a line break as one record fewer. The
    line formats carry no length or checksum that would tell.
    """
    entry = corpus_entry("status/sms-all1-fmt1")
    last_separator = entry.body.rindex(b", ")
    for length in range(last_separator + 2):
        # A cut between the printed `,` and its space is a cut just after the
        # last separator of the variant without the space (`_matcher.
        # LITERAL_VARIANTS`): lenient decoding reads it with an empty type;
        # strict decoding refuses the variant.
        for strict in (True,) if length == last_separator + 1 else (False, True):
            error = decode_error(entry.body[:length], entry.request, strict=strict)
            assert error.line == 1


def test_every_cut_inside_a_later_fmt1_line_is_refused() -> None:
    """A contact line cut anywhere before its last column, after a whole first line."""
    entry = corpus_entry("contacts/phones-contacts-fmt1")
    second = entry.body.index(b"\n") + 1
    for length in range(second + 1, entry.body.rindex(b",") + 1):
        error = decode_error(entry.body[:length], entry.request)
        assert error.line == 2


def test_fmt0_cut_inside_a_key() -> None:
    """A fmt=0 line cut inside a key name, on the first line or a later one."""
    single = corpus_entry("status/sms-all1-fmt0")
    cut = single.body[: single.body.index(b"check_time") + 5]
    assert decode_error(cut, single.request).line == 1
    multi = corpus_entry("multi/sms-all0-fmt0")
    cut = multi.body[: multi.body.rindex(b"check_time") + 5]
    assert decode_error(cut, multi.request).line == 2


def test_fmt0_strict_cut_before_the_last_key() -> None:
    """Strict decoding wants every key of the documented all=1 line: a cut
    after the first field and before ``type = `` lacks some."""
    entry = corpus_entry("status/sms-all1-fmt0")
    for length in range(len(b"Status = 1") + 1, entry.body.rindex(b", type = ") + 9):
        error = decode_error(entry.body[:length], entry.request, strict=True)
        assert error.line == 1


# ------------------------------------------------- the declared charset ---
DECLARED = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<sms>\n<status>1</status>\n'
    "<status_name>Доставлено</status_name>\n</sms>"
).encode()


@pytest.mark.parametrize("strict", [False, True])
def test_an_xml_declaration_names_the_charset_when_the_request_does_not(strict: bool) -> None:
    reply = decoded(DECLARED, "status.php?id=1&phone=2&fmt=2&all=1", strict=strict)
    assert reply.status_name == "Доставлено"


def test_a_declaration_that_contradicts_the_request() -> None:
    """Lenient decoding follows the body's own declaration; strict names both."""
    request = "status.php?id=1&phone=2&fmt=2&all=1&charset=windows-1251"
    assert decoded(DECLARED, request).status_name == "Доставлено"
    with pytest.raises(smsc_codec.DecodeError) as caught:
        decoded(DECLARED, request, strict=True)
    error = caught.value
    assert error.reason == "the XML declaration names UTF-8, the request windows-1251"
    assert (error.line, error.column) == (1, DECLARED.index(b"UTF-8") + 1)
    # an explicit charset is the caller's word: no declaration overrides it
    garbled = decoded(DECLARED, request, charset="cp1251")
    assert garbled.status_name == "Доставлено".encode().decode("cp1251")


# ------------------------------------------------- numbers out of range ---
DIGITS = "9" * 5000


@pytest.mark.parametrize(
    ("request_", "body", "at"),
    [
        ("phones.php?add=1&fmt=3", '{"id": 1e400}', "1e400"),
        ("phones.php?add=1&fmt=3", '{"id": 5, "note": [1, {"x": -1e999}]}', "-1e999"),
        ("phones.php?add=1&fmt=3", f'{{"id": {DIGITS}}}', DIGITS),
        ("phones.php?add=1&fmt=3", f'{{"id": 5,\n"note": -{DIGITS}}}', "-" + DIGITS),
        ("phones.php?add=1&fmt=3", f'{{"id": "{DIGITS}"}}', '"id"'),
        ("phones.php?add=1&fmt=2", f"<phone>\n<id>{DIGITS}</id>\n</phone>", DIGITS),
        ("phones.php?add=1&fmt=1", DIGITS, DIGITS),
    ],
    ids=["float", "nested float", "integer", "negative integer", "quoted", "xml", "fmt1"],
)
@pytest.mark.parametrize("strict", [False, True])
def test_a_number_out_of_range_is_refused_where_it_stands(
    request_: str, body: str, at: str, strict: bool
) -> None:
    """msgspec names no position for these: the error was placed at the end
    of the body, and a long integer's reason was CPython's advice to raise
    sys.set_int_max_str_digits()."""
    error = decode_error(body, request_, strict=strict)
    assert "set_int_max_str_digits" not in error.reason
    if strict and at == "1e400":  # (strict first says an id is an integer)
        at = '"id"'
    assert_at(error, body, body.index(at))
    if at.lstrip("-") == DIGITS:
        assert "an integer of 5,000 digits" in error.reason, error.reason
