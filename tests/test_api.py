"""The public API: entry points, strictness, errors, requests and code tables."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from decimal import Decimal

import msgspec
import pytest

import smsc_codec
from smsc_codec import (
    ApiError,
    DecodeError,
    DeliveryError,
    EncodeError,
    Fmt,
    HlrStatus,
    Limits,
    MessageFlags,
    MessageStatus,
    MessageType,
    Ok,
    RequestError,
    SmsStatus,
    TemplateType,
)
from tests.helpers import decoded

STATUS = "status.php?id=5&phone=79990000000"
ALL1_FMT0 = (
    "Status = 1, check_time = 10.10.2010 10:10:10, err = 0, send_date = 10.10.2010 10:10:09, "
    "phone = 79990000000, cost = 1.40, sender_id = SMSC, status_name = Доставлено, "
    "message = Hello, world = test, comment = , type = 0"
)


# ------------------------------------------------------------ public API ---
def test_all_names_import() -> None:
    for name in smsc_codec.__all__:
        assert getattr(smsc_codec, name) is not None
    assert set(dir(smsc_codec)) == set(smsc_codec.__all__)


def _modules_after(code: str) -> str:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys, smsc_codec\n{code}\n"
            "print('lark' in sys.modules, 'defusedxml' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_import_loads_neither_lark_nor_defusedxml() -> None:
    assert _modules_after("") == "False False"
    json_body = '{"status": 1}'
    assert (
        _modules_after(f"smsc_codec.decode({json_body!r}, {STATUS + '&fmt=3'!r})") == "False False"
    )


def test_defusedxml_loads_when_needed_and_lark_never() -> None:
    """The text formats' layouts are read without lark (tests/test_cold_start.py);
    a plain XML record by its entry's regex, and any other markup by defusedxml."""
    assert _modules_after(f"smsc_codec.decode('Status = 1', {STATUS!r})") == "False False"
    body = "<sms><status>1</status></sms>"
    assert _modules_after(f"smsc_codec.decode({body!r}, {STATUS + '&fmt=2'!r})") == "False False"
    body = "<sms><!-- a comment --><status>1</status></sms>"
    assert _modules_after(f"smsc_codec.decode({body!r}, {STATUS + '&fmt=2'!r})") == "False True"


def test_decode_reads_free_text_by_the_layout() -> None:
    reply = decoded(ALL1_FMT0.encode("cp1251"), STATUS + "&all=1")
    assert isinstance(reply, SmsStatus)
    assert reply.message == "Hello, world = test"
    assert reply.comment == ""
    assert reply.status_name == "Доставлено"
    assert reply.cost == Decimal("1.40")
    assert reply.last_date == datetime(2010, 10, 10, 10, 10, 10)
    assert reply.type is MessageType.SMS
    assert reply.extra == ()


def test_decoder_object_matches_decode() -> None:
    decoder = smsc_codec.Decoder(STATUS + "&all=1")
    assert decoder.decode(ALL1_FMT0) == decoded(ALL1_FMT0, STATUS + "&all=1")


def test_an_option_out_of_place_is_a_type_error() -> None:
    """decode's options are passed by keyword; a charset or limits given
    where ``strict`` stands is refused, not taken for strictness."""
    body, request = '{"id": 33, "cnt": 1, "zz": 1}', "send.php?fmt=3"
    for option in ("utf-8", Limits(), b"a=1"):
        with pytest.raises(TypeError, match="pass decode's options by keyword"):
            smsc_codec.decode(body, request, option)  # type: ignore[arg-type]
    reply = smsc_codec.decode(body, request, charset="utf-8")
    assert isinstance(reply, smsc_codec.SendResult)
    assert reply.extra == (("zz", 1),)


def test_request_as_mapping_or_url() -> None:
    body = "1,1286524541,0"
    from_url = decoded(body, "https://smsc.ru/sys/status.php?id=1&phone=2&fmt=1")
    from_map = decoded(body, {"script": "status", "fmt": 1, "id": 1, "phone": 2})
    inferred = decoded(body, {"fmt": "1", "id": "1", "phone": "2"})
    assert (
        from_url
        == from_map
        == inferred
        == SmsStatus(
            status=MessageStatus.DELIVERED, last_timestamp=1286524541, err=DeliveryError.NO_ERROR
        )
    )


def test_decode_as_kind_and_format() -> None:
    reply = smsc_codec.decode_as("1,1286524541,0", SmsStatus, fmt=1)
    assert reply == decoded("1,1286524541,0", STATUS + "&fmt=1")
    with pytest.raises(RequestError):
        smsc_codec.decode_as("1", Ok, fmt=1)


@pytest.mark.parametrize(
    ("body", "fmt"),
    [
        ("<sms/>", Fmt.XML),
        (' {"a": 1}', Fmt.JSON),
        ("[1]", Fmt.JSON),
        ("Status = 1", Fmt.TEXT),
        ("ERROR = 1 (x)", Fmt.TEXT),
        ("1,2,3", Fmt.CSV),
        ("250.80", None),
        ("OK", None),
        (b"\xef\xbb\xbf{}", Fmt.JSON),
    ],
)
def test_detect_format(body: str | bytes, fmt: Fmt | None) -> None:
    assert smsc_codec.detect_format(body) == fmt


def test_self_describing_errors_need_no_request() -> None:
    reply = decoded('{"error": "authorise error", "error_code": 2}', None)
    assert isinstance(reply, ApiError)
    assert reply.code == 2
    assert reply.script is None
    with pytest.raises(RequestError):
        decoded('{"status": 1}', None)


# -------------------------------------------------------------- strictness --
def test_strict_refuses_reordered_keys_lenient_reads_them() -> None:
    body = "Status = 1, err = 0, check_time = 10.10.2010 10:10:10"
    assert decoded(body, STATUS) == SmsStatus(
        status=MessageStatus.DELIVERED,
        err=DeliveryError.NO_ERROR,
        last_date=datetime(2010, 10, 10, 10, 10, 10),
    )
    with pytest.raises(DecodeError) as caught:
        decoded(body, STATUS, strict=True)
    assert caught.value.column == 11


def test_unknown_keys_are_kept_and_written_back() -> None:
    for fmt, body in [
        (0, "Status = 1, check_time = 10.10.2010 10:10:10, err = 0, tz = 3"),
        (2, "<sms>\n<status>1</status>\n<tz>3</tz>\n</sms>"),
        (3, '{\n"status": 1,\n"tz": 3\n}'),
    ]:
        request = f"{STATUS}&fmt={fmt}"
        reply = decoded(body, request)
        assert reply.extra == (("tz", 3 if fmt == 3 else "3"),)
        assert smsc_codec.encode_text(reply, request) == body
        # fmt=0 strict reads the documented layout only, which ends before tz
        expected = "unexpected text after field 'err'" if fmt == 0 else "unknown"
        with pytest.raises(DecodeError, match=expected) as raised:
            decoded(body, request, strict=True)
        if fmt == 0:
            assert raised.value.column == body.index(", tz") + 1


def test_unknown_codes_survive_and_strict_reports_them() -> None:
    body = '{"status": 26, "err": 199, "type": 11, "flag": 16384}'
    reply = decoded(body, STATUS + "&fmt=3")
    assert int(reply.status) == 26
    assert not reply.status.is_known
    assert reply.status.name == "UNKNOWN_26"
    assert int(reply.err) == 199
    assert int(reply.type) == 11
    assert reply.flag.unknown_bits == 16384
    again = decoded(smsc_codec.encode_text(reply, STATUS + "&fmt=3"), STATUS + "&fmt=3")
    assert again == reply
    with pytest.raises(DecodeError, match="unknown code 26"):
        decoded(body, STATUS + "&fmt=3", strict=True)


def test_ambiguous_fmt1_line() -> None:
    line = "1,1286524541,0,1286524540,79990000000,1.40,SMSC,Delivered,a, b, c, 0"
    request = STATUS + "&all=1&fmt=1"
    reply = decoded(line, request)
    assert reply.message == "a, b"
    assert reply.comment == "c"
    assert "message" in reply.ambiguous_fields
    with pytest.raises(DecodeError, match="ambiguous"):
        decoded(line, request, strict=True)
    # A reply read from an ambiguous line says so, and is written back as read;
    # the same values without that mark would not read back the same.
    assert smsc_codec.encode_text(reply, request) == line
    unmarked = msgspec.structs.replace(reply, ambiguous_fields=())
    with pytest.raises(EncodeError, match="ambiguous") as refused:
        smsc_codec.encode_text(unmarked, request)
    assert refused.value.field == "message"
    written = smsc_codec.encode_text(unmarked, request, lossy=True)
    assert decoded(written, request) == reply


def test_other_format_envelopes_whatever_fmt_was_asked() -> None:
    assert decoded("OK", STATUS + "&fmt=3&del=1") == Ok(bare=True)
    error = decoded("ERROR = 9 (duplicate request, wait a minute)", STATUS + "&fmt=2")
    assert isinstance(error, ApiError)
    assert (error.code, error.script) == (9, "status")


def test_hlr_and_sms_rows_are_told_apart() -> None:
    row = "1,1286524541,0,250023012345678,79232510066,250,02,Russia,MegaFon,,"
    assert isinstance(decoded(row, STATUS + "&fmt=1"), HlrStatus)
    assert isinstance(decoded("1,1286524541,0", STATUS + "&fmt=1"), SmsStatus)


def test_xml_attacks_are_refused() -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><sms><status>&b;</status></sms>'
    )
    external = (
        '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/hostname">]><sms><status>&e;</status></sms>'
    )
    for body in (laughs, external):
        with pytest.raises(DecodeError, match="forbidden"):
            decoded(body, STATUS + "&fmt=2")


# ------------------------------------------------------------- encoding ----
def test_encode_writes_the_server_layout() -> None:
    reply = SmsStatus(
        status=MessageStatus.DELIVERED,
        last_date=datetime(2016, 10, 18, 15, 34, 12),
        last_timestamp=1476794052,
        cost=Decimal("3.80"),
    )
    assert smsc_codec.encode(reply, STATUS + "&fmt=3") == (
        b'{\n"status": 1,\n"last_date": "18.10.2016 15:34:12",\n'
        b'"last_timestamp": 1476794052,\n"cost": "3.80"\n}'
    )
    assert smsc_codec.encode_text(reply, STATUS + "&fmt=0", lossy=True) == (
        "Status = 1, check_time = 18.10.2016 15:34:12"
    )


def test_encode_refuses_what_the_layout_cannot_carry() -> None:
    reply = SmsStatus(
        status=MessageStatus.DELIVERED, last_timestamp=1476794052, flag=MessageFlags(0)
    )
    with pytest.raises(EncodeError) as caught:
        smsc_codec.encode_text(reply, STATUS + "&fmt=1")
    assert caught.value.field == "flag"
    # fmt=0 names its keys: a field its layout lacks is written by its key
    text = smsc_codec.encode_text(reply, STATUS + "&fmt=0")
    assert text == "Status = 1, last_timestamp = 1476794052, flag = 0"
    assert smsc_codec.decode(text, STATUS + "&fmt=0") == reply
    with pytest.raises(EncodeError) as newline:
        smsc_codec.encode_text(
            SmsStatus(
                status=MessageStatus.DELIVERED,
                last_timestamp=1,
                err=DeliveryError.NO_ERROR,
                send_timestamp=1,
                phone="7",
                cost=Decimal(1),
                sender_id="S",
                status_name="x",
                message="two\nlines",
                comment="",
                type=MessageType.SMS,
            ),
            STATUS + "&fmt=1&all=1",
        )
    assert newline.value.field == "message"
    with pytest.raises(EncodeError) as comma:
        smsc_codec.encode_text(
            SmsStatus(
                status=MessageStatus.DELIVERED,
                last_timestamp=1,
                err=DeliveryError.NO_ERROR,
                id=1,
                phone="7,8",
            ),
            STATUS.replace("id=5", "id=5,6") + "&fmt=1",
        )
    assert comma.value.field == "phone"
    with pytest.raises(EncodeError) as charset:
        smsc_codec.encode(
            SmsStatus(status=MessageStatus.DELIVERED, message="🙂"), STATUS + "&fmt=3&all=1"
        )
    assert charset.value.field == "message"
    with pytest.raises(EncodeError) as control:
        smsc_codec.encode_text(
            SmsStatus(status=MessageStatus.DELIVERED, message="\x01"), STATUS + "&fmt=2&all=1"
        )
    assert control.value.field == "message"


# --------------------------------------------------------------- errors ----
@pytest.mark.parametrize(
    ("body", "request_", "line", "column", "fmt"),
    [
        ("1,x,0", STATUS + "&fmt=1", 1, 3, 1),
        ("1,1,0,5,7\n1,x,0,6,7", STATUS.replace("id=5", "id=5,6") + "&fmt=1", 2, 3, 1),
        ('{"status": 1,\n "last_date": 5}', STATUS + "&fmt=3", 2, 2, 3),
        ('{"status": 1,,}', STATUS + "&fmt=3", 1, 14, 3),
        ("<sms>\n<status>1</status>\n</sm>", STATUS + "&fmt=2", 3, 3, 2),
        ("Status = 1, check_time = 99.99.2010 10:10:10", STATUS, 1, 26, 0),
        (b"Status = \x98", STATUS, 1, 10, 0),
    ],
)
def test_decode_errors_are_positioned(
    body: str | bytes, request_: str, line: int, column: int, fmt: int
) -> None:
    with pytest.raises(DecodeError) as caught:
        decoded(body, request_)
    error = caught.value
    assert (error.fmt, error.line, error.column) == (fmt, line, column)
    text = str(error)
    assert text.startswith(f"fmt={fmt}, line {line}, column {column}: ")
    source, caret = text.split("\n")[1:3]
    assert caret == "  " + " " * (column - 1) + "^"
    assert source.strip()


def test_error_hierarchy() -> None:
    assert issubclass(DecodeError, smsc_codec.SmscCodecError)
    assert issubclass(EncodeError, smsc_codec.SmscCodecError)
    assert issubclass(RequestError, smsc_codec.SmscCodecError)
    with pytest.raises(RequestError):
        decoded("1", "status.php?fmt=7&id=1&phone=2")
    with pytest.raises(RequestError):
        decoded("1", {"fmt": 1})


# ---------------------------------------------------------------- codes ----
def test_flag_bits() -> None:
    flag = MessageFlags(0x724 | 1 << 14)
    assert flag.message_type is MessageType.HLR
    assert flag.second_balance
    assert flag.template
    assert flag.template_type is TemplateType.ADVERTISING
    assert flag.unknown_bits == 1 << 14
    assert int(flag) == 0x724 | 1 << 14
    assert not MessageFlags(0).template
    assert MessageFlags(0).template_type is TemplateType.SERVICE


def test_code_descriptions() -> None:
    assert MessageStatus(-3).description == "message not found"
    assert MessageStatus(1).description_ru == "Доставлено"
    assert DeliveryError(200) is DeliveryError.VIRTUAL
    unknown = MessageStatus(77)
    assert unknown == 77
    assert not unknown.is_known
    assert unknown is MessageStatus(77)


def test_api_error_meaning_depends_on_the_script() -> None:
    send = ApiError(code=3, script="send").meaning
    phones = ApiError(code=3, script="phones").meaning
    status = ApiError(code=3, script="status").meaning
    assert (send.name, send.known) == ("NO_MONEY", True)
    assert (phones.name, phones.known) == ("NOT_FOUND", True)
    assert not status.known
    assert smsc_codec.api_error_meaning("status", 9).description != send.description
    assert smsc_codec.api_error_meaning("send", 2).name == "AUTHORISATION"


@pytest.mark.parametrize("body", ["0,-2", "5,-3", " 0,-2"])
def test_a_fmt1_error_is_an_error_whatever_the_decoder_read_before(body: str) -> None:
    """`0,-N` and `<id>,-N` are error answers (facts §5.8), even where a row of
    the layout could hold them (a jobs.php row: an id and a name), and even on
    a decoder whose fast path has read rows of that layout before."""
    request = "jobs.php?get=1&fmt=1"
    expected = smsc_codec.decode(body, request)
    assert isinstance(expected, smsc_codec.ApiError)
    decoder = smsc_codec.Decoder(request)
    assert decoder.decode("OK") == smsc_codec.Ok()
    assert decoder.decode("7,nightly") != expected  # a row of the layout
    assert decoder.decode(body) == expected
    assert decoder.decode(body.strip()) == smsc_codec.decode(body.strip(), request)
