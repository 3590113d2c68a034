"""Static types of the entry points, checked by mypy (``tests/test_typing.py``
runs it on this file; CI's ``mypy`` checks it too). Nothing here runs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, assert_type

import msgspec

import smsc_codec
from smsc_codec import (
    ApiError,
    Balance,
    Contact,
    Decoder,
    HlrStatus,
    Ok,
    Reply,
    SmsStatus,
    StatusCallback,
)


def decoded_by_kind(body: bytes) -> None:
    status = smsc_codec.decode_as(body, SmsStatus, fmt=1, all=1)
    assert_type(status, SmsStatus | list[SmsStatus] | ApiError | Ok)
    balance = smsc_codec.decode_as(body, Balance, 3)
    assert_type(balance, Balance | list[Balance] | ApiError | Ok)
    if isinstance(status, SmsStatus):
        assert_type(status.status, smsc_codec.MessageStatus)
        assert_type(status.flag, smsc_codec.MessageFlags | None)
        assert_type(status.cost, Decimal | None)
    by_script = smsc_codec.decode_as(body, "status", 3)
    assert_type(by_script, Reply | list[Reply])


def decoded(body: str) -> None:
    reply = smsc_codec.decode(body, "status.php?id=5&phone=79990000000&fmt=1")
    assert_type(reply, Reply | list[Reply])
    if isinstance(reply, (SmsStatus, HlrStatus)):
        assert_type(reply.last_timestamp, int | None)


def decoders(body: bytes) -> None:
    plain = Decoder("status.php?id=5&phone=79990000000&fmt=3")
    assert_type(plain, Decoder[Reply])
    assert_type(plain.decode(body), Reply | list[Reply])
    contacts = Decoder("phones.php?get=1&fmt=3", kind=Contact)
    assert_type(contacts, Decoder[Contact])
    found = contacts.decode(body)
    assert_type(found, Contact | list[Contact] | ApiError | Ok)
    if isinstance(found, list):
        assert_type(found[0].phones, str)
        assert_type(found[0].phone_list, smsc_codec.AddressList)


def callbacks(body: bytes) -> None:
    callback = smsc_codec.decode_callback(body)
    if isinstance(callback, StatusCallback):
        assert_type(callback.signature, tuple[str, str] | None)


def serialised(reply: SmsStatus) -> None:
    data = msgspec.json.encode(reply)
    assert_type(msgspec.json.decode(data, type=list[Reply]), list[Reply])
    assert_type(smsc_codec.json_schema(wire=True), dict[str, Any])
