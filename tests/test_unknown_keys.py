"""Unknown keys: kept when read, written back only where they read back as
themselves (docs/sdk/decoding.md: Encoding; docs/security.md).

An unknown key that is a key of the model, a variant spelling, a key of the
error or OK answer, the name of a details list, a key that switches the
record's kind, or a key written twice, would come back as something else:
every encoder refuses it, naming the key, and ``lossy=True`` drops it. The
keys are derived from the model and the registry, not listed here.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import msgspec
import pytest

import smsc_codec
from smsc_codec import (
    ApiError,
    CallCallback,
    Created,
    DecodeError,
    EncodeError,
    MessageStatus,
    Ok,
    SendResult,
    SmsStatus,
    encode_callback,
)
from smsc_codec._matcher import line_codec
from smsc_codec._replies import ENVELOPE_KEYS, record_requests, reply_spec
from smsc_codec._request import parse_request
from smsc_codec._schema import FieldSpec, Kind, plan_for
from tests.helpers import decoded, position

STATUS = "status.php?id=101&phone=79991234567&all=0"
WRITING_KEYS = [0, 2, 3]  # fmt=1 writes no unknown key at all


def refused(value: Any, request: str, **options: Any) -> EncodeError:
    with pytest.raises(EncodeError) as caught:
        smsc_codec.encode(value, request, **options)
    return caught.value


def row(*extra: tuple[str, Any]) -> SmsStatus:
    return SmsStatus(
        status=MessageStatus.DELIVERED,
        last_date=datetime(2021, 6, 28, 15, 55, 47),
        last_timestamp=1624884947,
        err=smsc_codec.DeliveryError.NO_ERROR,
        extra=extra,
    )


def in_fmt(reply: SmsStatus, fmt: int) -> SmsStatus:
    """The row as ``fmt`` carries it (fmt=0 has the date, the others the timestamp)."""
    if fmt == 0:
        return msgspec.structs.replace(reply, last_timestamp=None)
    return msgspec.structs.replace(reply, last_date=None)


# ---------------------------------------------------- the cases ---
def test_an_error_key_read_from_fmt0_does_not_turn_into_an_error_answer() -> None:
    """``error_code = 7`` on a fmt=0 row used to convert to a fmt=3 body that
    read back as ApiError(code=7). In fmt=0, where an error answer is told by
    its line's start, the row is written back as it was read."""
    body = "Status = 1, check_time = 28.06.2021 15:55:47, err = 0, error_code = 7"
    reply = decoded(body, f"{STATUS}&fmt=0")
    assert reply.extra == (("error_code", "7"),)
    assert smsc_codec.encode(reply, f"{STATUS}&fmt=0").decode() == body
    for fmt in (1, 2, 3):
        assert refused(reply, f"{STATUS}&fmt={fmt}").field == "error_code"
    written = smsc_codec.encode(reply, f"{STATUS}&fmt=3", lossy=True)
    back = decoded(written, f"{STATUS}&fmt=3")
    assert isinstance(back, SmsStatus)
    assert back.extra == ()


def _plain(spec: FieldSpec) -> Any:
    """A plain value of the field: a code is its enum's first member."""
    if isinstance(spec.py_type, type) and issubclass(spec.py_type, enum.Enum):
        return next(iter(spec.py_type))
    return _PLAIN[spec.kind]


@pytest.mark.parametrize("fmt", WRITING_KEYS)
def test_a_key_written_twice(fmt: int) -> None:
    """fmt=3 kept the second value only, fmt=2 wrote an undecodable body."""
    reply = in_fmt(row(("operator_code", "1"), ("operator_code", "2")), fmt)
    request = f"{STATUS}&fmt={fmt}"
    assert refused(reply, request).field == "operator_code"
    kept = decoded(smsc_codec.encode(reply, request, lossy=True), request)
    assert kept.extra == (("operator_code", "1"),)


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_a_key_of_the_model(fmt: int) -> None:
    """``Created(id=1, extra=(("id", 999),))`` wrote ``{"id": 1, "id": 999}``."""
    request = f"phones.php?add=1&fmt={fmt}"
    assert refused(Created(id=1, extra=(("id", 999),)), request).field == "id"
    assert refused(Created(id=1, extra=(("id", "999"),)), request).field == "id"


@pytest.mark.parametrize("fmt", WRITING_KEYS)
def test_lossy_drops_the_colliding_keys_and_keeps_the_others_in_order(fmt: int) -> None:
    request = f"{STATUS}&fmt={fmt}"
    reply = in_fmt(
        row(("a_key", "1"), ("error", "x"), ("b_key", "2"), ("a_key", "3"), ("imsi", "4")), fmt
    )
    back = decoded(smsc_codec.encode(reply, request, lossy=True), request)
    kept: tuple[tuple[str, str], ...] = (("a_key", "1"), ("b_key", "2"))
    if fmt == 0:  # (the error envelope's keys are no fmt=0 record's concern)
        kept = (("a_key", "1"), ("error", "x"), ("b_key", "2"))
    assert back == msgspec.structs.replace(reply, extra=kept)


@pytest.mark.parametrize("fmt", WRITING_KEYS)
def test_keys_that_read_back_as_themselves_are_written(fmt: int) -> None:
    request = f"{STATUS}&fmt={fmt}"
    reply = in_fmt(row(("operator_code", "25001"), ("Err", "0"), ("results", "x")), fmt)
    assert decoded(smsc_codec.encode(reply, request), request) == reply


# ------------------------------------------ every key, from the registry ---
def _reserved_cases() -> list[tuple[str, type[msgspec.Struct], str]]:
    """(request, kind, key) for every key an unknown key of a registered kind
    must not be: its wire keys, their variants and the envelope's keys."""
    cases = []
    for query, spec in record_requests().items():
        for candidate in spec.candidates:
            plan = plan_for(candidate.cls)
            for key in (*plan.by_wire, *plan.by_variant, *ENVELOPE_KEYS):
                cases.append((query, candidate.cls, key))
    return cases


RESERVED = _reserved_cases()


def _with_extra(request: str, kind: type[msgspec.Struct], key: str) -> Any:
    """A reply of ``kind`` with its required fields and ``key`` as an unknown key."""
    values = {spec.name: _plain(spec) for spec in plan_for(kind).fields if spec.required}
    reply = kind(**values, extra=((key, "1"),))
    return [reply] if reply_spec(parse_request(request)).multi else reply


_PLAIN: dict[Kind, Any] = {
    Kind.INT: 1,
    Kind.DECIMAL: Decimal("1.40"),
    Kind.DATETIME: datetime(2021, 6, 28, 15, 55, 47),
    Kind.DATE: date(1980, 5, 17),
    Kind.LIST: "79991234567",
    Kind.TOKEN: "x1",
    Kind.TEXT: "text",
}


@pytest.mark.parametrize(
    ("request_", "kind", "key"), RESERVED, ids=lambda v: getattr(v, "__name__", v)
)
def test_every_key_of_the_model_and_the_envelope_is_refused(
    request_: str, kind: type[msgspec.Struct], key: str
) -> None:
    value = _with_extra(request_, kind, key)
    for fmt in (0, 1, 2, 3):
        request = f"{request_}&fmt={fmt}"
        if fmt == 0 and key not in plan_for(kind).by_wire and key not in plan_for(kind).by_variant:
            # an error or OK answer is told by its line's start in fmt=0: the
            # key is no reason to refuse (a line without keys, such as
            # balance.php's, has no place for any unknown key; a record of
            # required fields alone may lack the line's first key)
            try:
                body = smsc_codec.encode(value, request)
            except EncodeError as exc:
                assert "error or OK answer" not in str(exc)
            else:
                assert decoded(body, request) == value
            continue
        assert refused(value, request).field == key


def test_fmt0_key_spellings_are_refused_in_fmt0_only() -> None:
    """``check_time`` is the fmt=0 key of ``last_date``: an unknown key there,
    a plain key in XML and JSON."""
    codec = line_codec(0, "status_sms_all0", SmsStatus)
    spellings = [key for key in codec.keys if key not in plan_for(SmsStatus).by_wire]
    assert "check_time" in spellings
    for key in spellings:
        assert refused(in_fmt(row((key, "1")), 0), f"{STATUS}&fmt=0").field == key
        for fmt in (2, 3):
            request = f"{STATUS}&fmt={fmt}"
            reply = in_fmt(row((key, "1")), fmt)
            assert decoded(smsc_codec.encode(reply, request), request) == reply


@pytest.mark.parametrize("fmt", WRITING_KEYS)
def test_a_key_that_switches_the_kind_of_record(fmt: int) -> None:
    """``imsi`` makes a status row an HLR row."""
    error = refused(in_fmt(row(("imsi", "250011234567890")), fmt), f"{STATUS}&fmt={fmt}")
    assert error.field == "imsi"
    assert "HlrStatus" in str(error)


@pytest.mark.parametrize("fmt", WRITING_KEYS)
def test_the_name_of_the_details_list(fmt: int) -> None:
    """``phones`` holds send.php's per-number rows: an unknown key of that
    name would read as the list (or break it)."""
    reply = SendResult(id=1, cnt=1, extra=(("phones", "x"),))
    assert refused(reply, f"send.php?fmt={fmt}").field == "phones"


@pytest.mark.parametrize("key", ["status", "mes"])
@pytest.mark.parametrize("fmt", [None, 2, 3])
def test_a_callback_key_that_switches_the_kind(fmt: int | None, key: str) -> None:
    callback = CallCallback(id=1, phone="79991234567", extra=((key, "1"),))
    with pytest.raises(EncodeError) as caught:
        encode_callback(callback, fmt=fmt)
    assert caught.value.field == key


@pytest.mark.parametrize("fmt", [0, 1, 3])
def test_the_error_and_ok_answers_have_no_place_for_other_keys(fmt: int) -> None:
    """The error line of fmt=0/1 and the OK answers write no unknown key: it
    used to be dropped without a word."""
    request = f"send.php?fmt={fmt}"
    assert refused(Ok(extra=(("note", "x"),)), request).field == "note"
    assert smsc_codec.encode(Ok(extra=(("note", "x"),)), request, lossy=True)
    if fmt < 2:
        error = ApiError(code=3, description="x", extra=(("note", "y"),))
        assert refused(error, request).field == "note"


# ------------------------------------------------------- XML attributes ---
SMS_ATTRIBUTES = (
    '<sms code="7" note="a&amp;b&#9;&#10;&quot;c&quot;">\n'
    "<status>1</status>\n<last_timestamp>1624884947</last_timestamp>\n<err>0</err>\n</sms>"
)


def test_attributes_of_a_record_are_kept_and_written_back() -> None:
    """They used to be dropped, in strict mode too."""
    request = f"{STATUS}&fmt=2"
    reply = decoded(SMS_ATTRIBUTES, request)
    assert reply.extra == (("@code", "7"), ("@note", 'a&b\t\n"c"'))
    assert smsc_codec.encode(reply, request).decode() == SMS_ATTRIBUTES
    json_request = f"{STATUS}&fmt=3"
    assert decoded(smsc_codec.encode(reply, json_request), json_request) == reply
    as_fmt0 = in_fmt(msgspec.structs.replace(reply, last_date=row().last_date), 0)
    assert refused(as_fmt0, f"{STATUS}&fmt=0").field == "@code"  # no `key = value` form


def test_strict_decoding_refuses_an_attribute_where_it_stands() -> None:
    error_ = _decode_error(SMS_ATTRIBUTES, f"{STATUS}&fmt=2", strict=True)
    assert "unknown attribute 'code'" in error_.reason
    assert (error_.line, error_.column) == position(SMS_ATTRIBUTES, SMS_ATTRIBUTES.index("code"))


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ('<list note="x">\n<sms>\n<status>1</status>\n</sms>\n</list>', "note"),
        ("<sms>\n<status code='7'>1</status>\n</sms>", "code"),
    ],
)
@pytest.mark.parametrize("strict", [False, True])
def test_attributes_no_record_holds_are_refused(body: str, name: str, strict: bool) -> None:
    """An attribute of the list element or of a field's element has no place
    in a reply: refused where it stands, never dropped."""
    request = "status.php?id=101,102&phone=7999,7998" if "<list" in body else STATUS
    error_ = _decode_error(body, f"{request}&fmt=2", strict=strict)
    assert name in error_.reason
    assert (error_.line, error_.column) == position(body, body.index(name))


def test_an_attribute_of_the_ok_answer_is_kept() -> None:
    request = "phones.php?del=1&fmt=2"
    reply = decoded('<result note="x">OK</result>', request)
    assert reply == Ok(extra=(("@note", "x"),))
    assert smsc_codec.encode(reply, request) == b'<result note="x">OK</result>'


def test_an_attribute_key_after_an_element_key_is_refused() -> None:
    """Attributes read back before the elements: that order could not come back."""
    reply = in_fmt(row(("operator_code", "1"), ("@code", "7")), 2)
    assert refused(reply, f"{STATUS}&fmt=2").field == "@code"


@pytest.mark.parametrize("key", ["@", "@a b", "@{urn:x}code", "@1"])
def test_an_attribute_key_xml_cannot_carry_is_refused(key: str) -> None:
    assert refused(in_fmt(row((key, "1")), 2), f"{STATUS}&fmt=2").field == key


# -------------------------------------------------- JSON duplicate keys ---
def _decode_error(body: str, request: str, **options: Any) -> DecodeError:
    with pytest.raises(DecodeError) as caught:
        decoded(body, request, **options)
    return caught.value


@pytest.mark.parametrize(
    "body",
    [
        '{"status": 1, "last_timestamp": 1624884947, "status": 3}',
        '{"status": 1, "err": 0, "note": "a", "note" : "b"}',
        '[{"status": 1, "id": 101}, {"status": 1, "id": 102, "id": 103}]',
        '{"status": 1, "note": {"a": 1, "b": {"a": 2}, "a": 3}}',
    ],
)
def test_strict_json_refuses_a_key_written_twice_at_the_second(body: str) -> None:
    """JSON readers keep the last value (RFC 8259, section 4, leaves it open); strict
    decoding reads each key once. Lenient decoding keeps the last value, as
    every JSON reader does (see docs/security.md)."""
    request = "status.php?id=101,102&phone=7999,7998" if body.startswith("[") else STATUS
    error_ = _decode_error(body, f"{request}&fmt=3", strict=True)
    assert "appears twice" in error_.reason
    second = body.rindex(f'"{error_.reason.split(chr(39))[1]}"')
    assert (error_.line, error_.column) == position(body, second)


def test_a_quote_and_colon_inside_text_are_no_key() -> None:
    body = '{"status": 1, "status_name": "a\\": \\"status\\": b"}'
    reply = decoded(body, f"{STATUS}&fmt=3", strict=True)
    assert reply.status_name == 'a": "status": b'


def test_a_key_named_like_a_hidden_field_stays_an_unknown_key() -> None:
    """The fast path's wire twin keeps ``extra`` and ``ambiguous_fields`` under
    keys no answer holds; a hostile body that holds one anyway used to set
    them (a list of lists as ``extra``, a false ambiguity mark)."""
    request = f"{STATUS}&fmt=3&charset=utf-8"
    body = '{"status": 1, "\uffffextra": [["k", "v"]], "\uffffambiguous_fields": ["message"]}'
    reply = decoded(body, request)
    keys = [key for key, _ in reply.extra]
    values = [value.value for _, value in reply.extra]  # (JSON arrays kept as JsonText)
    assert (keys, values) == (
        ["\uffffextra", "\uffffambiguous_fields"],
        [[["k", "v"]], ["message"]],
    )
    assert reply.ambiguous_fields == ()
    assert decoded(smsc_codec.encode(reply, request), request) == reply


@pytest.mark.parametrize("key", ['q"uote', "back\\slash", "c\r", "nul\u0000", "c\u001f"])
def test_an_unknown_key_no_struct_field_can_be_named_is_kept(key: str) -> None:
    """The general path teaches a reply kind's wire twin the unknown keys it
    met (the next such object is read in C); a key msgspec cannot name a
    field by (a quote, a backslash, a control character) stays with the
    general path, the object's other unknown keys learned as before, and
    every object keeps all its keys, the first and the next alike."""
    request = f"{STATUS}&fmt=3&charset=utf-8"
    body = msgspec.json.encode({"status": 1, key: 5, "plain_unknown_key": "x"})
    for _ in range(3):
        reply = decoded(body, request)
        assert reply.extra == ((key, 5), ("plain_unknown_key", "x"))
        assert decoded(smsc_codec.encode(reply, request), request) == reply
