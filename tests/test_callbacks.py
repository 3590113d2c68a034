"""Callbacks posted to the client's handler (facts §2.16): form fields, XML and
JSON bodies, round trips, the kind picked from the keys, positioned errors."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

import smsc_codec
from smsc_codec import (
    CallCallback,
    DecodeError,
    IncomingCallback,
    MessageStatus,
    StatusCallback,
    decode_callback,
    encode_callback,
)
from tests import strategies as S

KINDS = [StatusCallback, IncomingCallback, CallCallback]
FORMS = [None, 2, 3]


@pytest.mark.property
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fmt", FORMS)
@given(data=st.data())
def test_round_trip(kind: type[msgspec.Struct], fmt: int | None, data: st.DataObject) -> None:
    """decode_callback(encode_callback(x)) == x, Cyrillic and separators included."""
    value: Any = data.draw(S.replies(kind, text_formats=fmt is None))
    if kind is CallCallback and value.phone is None:
        value = msgspec.structs.replace(value, phone="79990000000")  # a call names the caller
    charset = data.draw(st.sampled_from(["utf-8", "windows-1251"]))
    try:
        body = encode_callback(value, fmt=fmt, charset=charset)
    except smsc_codec.EncodeError as exc:
        assert charset != "utf-8", exc  # only a character windows-1251 lacks
        return
    assert decode_callback(body, fmt=fmt, charset=charset) == value


def test_the_kind_follows_from_the_keys() -> None:
    assert smsc_codec.callback_kind({"id", "mes", "phone"}) is IncomingCallback
    assert smsc_codec.callback_kind({"id", "status"}) is StatusCallback
    assert smsc_codec.callback_kind({"phone"}) is CallCallback


def test_form_fields_in_windows_1251() -> None:
    body = b"id=7&phone=79990000000&mes=%CF%F0%E8%E2%E5%F2%2C+%EC%E8%F0&to=79160000000&sent=x"
    found = decode_callback(body)
    assert found == IncomingCallback(
        id=7, phone="79990000000", mes="Привет, мир", to="79160000000", sent="x"
    )
    assert encode_callback(found) == body


def test_parsed_form_fields_and_the_signature_are_kept() -> None:
    found = decode_callback({"id": "5", "status": "1", "err": "0", "md5": "0cc175b9", "x": "y"})
    assert isinstance(found, StatusCallback)
    assert found.status is MessageStatus.DELIVERED
    assert found.signature == ("md5", "0cc175b9")
    assert ("x", "y") in found.extra


@pytest.mark.parametrize(
    ("body", "fmt", "line", "column"),
    [
        (b"id=x&status=1", None, 1, 1),
        (b"status=1&id=5&err=zz", None, 1, 15),
        (b"status=1", None, 1, 9),  # the id is missing: the end of the body
        (b'{"id": 5, "status": "one"}', 3, 1, 11),
        (b'{"id": 5', 3, 1, 9),
        (b"<result><id>5</id><status>1</result>", 2, 1, 30),
    ],
)
def test_bad_bodies_raise_positioned_errors(
    body: bytes, fmt: int | None, line: int, column: int
) -> None:
    with pytest.raises(DecodeError) as err:
        decode_callback(body, fmt=fmt)
    assert (err.value.line, err.value.column) == (line, column)


def test_strict_refuses_unknown_fields_but_not_the_signature() -> None:
    assert decode_callback(b"id=5&status=1&sha1=ab", strict=True).signature == ("sha1", "ab")
    with pytest.raises(DecodeError, match="unknown field 'foo'"):
        decode_callback(b"id=5&status=1&foo=1", strict=True)


@given(body=st.binary(max_size=200), fmt=st.sampled_from(FORMS))
def test_any_bytes_give_a_callback_or_a_decode_error(body: bytes, fmt: int | None) -> None:
    try:
        found = decode_callback(body, fmt=fmt)
    except DecodeError as exc:
        assert "internal error" not in str(exc)  # the safety net caught no bug
    else:
        assert isinstance(found, (StatusCallback, IncomingCallback, CallCallback))
