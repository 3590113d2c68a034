"""The model crosses boundaries: msgspec's formats, the tagged union, hashing,
immutability and checked constructors (issue: the model as a value)."""

from __future__ import annotations

import json
import typing
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

import smsc_codec
from smsc_codec import Callback, JsonText, MessageFlags, MessageStatus, Reply, SmsStatus
from smsc_codec._corpus import CorpusEntry
from smsc_codec._exchange import decode_exchange
from smsc_codec._schema import Kind, plan_for
from tests import strategies as S
from tests.conftest import corpus_entries

KINDS = [*typing.get_args(Reply), *typing.get_args(Callback)]
#: Every serialised value reads back as one of these; a mixed stream as a list of them.
ANY_KIND = Reply | Callback

DECODED = [e for e in corpus_entries() if "error" not in e.meta["expect"]]


def _decoded(entry: CorpusEntry) -> Any:
    return decode_exchange(entry.body, entry.request)


def _type_of(value: Any) -> Any:
    return list[ANY_KIND] if isinstance(value, list) else type(value)


#: (encode, decode with a type) of each msgspec format, and the builtins route
ROUTES: dict[str, tuple[Callable[[Any], Any], Callable[[Any, Any], Any]]] = {
    "json": (msgspec.json.encode, lambda data, tp: msgspec.json.decode(data, type=tp)),
    "msgpack": (msgspec.msgpack.encode, lambda data, tp: msgspec.msgpack.decode(data, type=tp)),
    "builtins": (msgspec.to_builtins, msgspec.convert),
    "json.dumps": (
        # through the standard library's json: builtins are plain JSON values
        lambda value: json.dumps(msgspec.to_builtins(value)),
        lambda data, tp: msgspec.convert(json.loads(data), tp),
    ),
}


def _round_trips(value: Any) -> None:
    """Through each route, read as its own type and as the union: an equal
    value of the same class, with the same hash."""
    union: Any = list[ANY_KIND] if isinstance(value, list) else ANY_KIND
    for name, (encode, decode) in ROUTES.items():
        data = encode(value)
        for tp in (_type_of(value), union):
            back = decode(data, tp)
            assert back == value, (name, tp)
            assert type(back) is type(value), name
            if not isinstance(value, list):
                assert hash(back) == hash(value), name


@pytest.mark.parametrize("entry", DECODED, ids=[e.name for e in DECODED])
def test_corpus_replies_cross_every_msgspec_format(entry: CorpusEntry) -> None:
    _round_trips(_decoded(entry))


def test_a_mixed_stream_says_which_kind_each_reply_is() -> None:
    """One JSON array of every decoded corpus reply (lists flattened) reads
    back as the same replies, each of its own class, by its "kind" tag."""
    stream: list[Any] = []
    for entry in DECODED:
        value = _decoded(entry)
        stream.extend(value if isinstance(value, list) else [value])
    data = msgspec.json.encode(stream)
    back = msgspec.json.decode(data, type=list[ANY_KIND])
    assert back == stream
    assert [type(r) for r in back] == [type(r) for r in stream]
    assert {type(r).__name__ for r in stream} >= {"SmsStatus", "HistoryMessage", "MailContact"}
    tags = [item["kind"] for item in json.loads(data)]
    assert tags == [type(r).__name__ for r in stream]


@pytest.mark.parametrize("kind", KINDS, ids=[k.__name__ for k in KINDS])
@given(data=st.data())
def test_every_kind_crosses_every_msgspec_format(kind: type[Any], data: st.DataObject) -> None:
    """Unknown codes and flag bits, list texts, extra (JSON objects and arrays
    among them), ambiguity marks and context fields all come back."""
    value = data.draw(S.model_values(kind))
    _round_trips(value)
    _round_trips([value, value])


def test_flags_and_codes_keep_unknown_values() -> None:
    reply = SmsStatus(status=MessageStatus(99), flag=MessageFlags(3 | 64 | 1 << 14))
    assert msgspec.to_builtins(reply) == {"kind": "SmsStatus", "status": 99, "flag": 16451}
    back = msgspec.json.decode(msgspec.json.encode(reply), type=SmsStatus)
    assert back.status.name == "UNKNOWN_99"
    assert not back.status.is_known
    assert back.flag is not None
    assert back.flag.unknown_bits == 64 | 1 << 14
    assert repr(MessageFlags(-5)) == "MessageFlags(-5)"  # a negative number is kept as is


def test_the_wire_twin_takes_no_tag() -> None:
    """A "kind" key in an answer is an unknown key like any other: kept in
    extra and written back; the fmt=3 encoder writes no tag."""
    request = "status.php?id=5&phone=79990000000&fmt=3"
    reply = smsc_codec.decode('{"status": 1, "kind": "HlrStatus"}', request)
    assert isinstance(reply, SmsStatus)
    assert reply.extra == (("kind", "HlrStatus"),)
    assert smsc_codec.encode_text(reply, request) == '{\n"status": 1,\n"kind": "HlrStatus"\n}'
    plain = smsc_codec.decode('{"status": 1}', request)
    assert "kind" not in smsc_codec.encode_text(plain, request)
    for fmt in (0, 1, 2):
        assert "SmsStatus" not in smsc_codec.encode_text(plain, request.replace("=3", f"={fmt}"))


def test_replies_are_immutable_hashable_values() -> None:
    reply = SmsStatus(status=MessageStatus.DELIVERED, extra=(("route", JsonText.of({"id": 7})),))
    with pytest.raises(AttributeError):
        reply.status = MessageStatus.READ  # type: ignore[misc]
    same = SmsStatus(status=MessageStatus.DELIVERED, extra=(("route", JsonText.of({"id": 7})),))
    assert hash(reply) == hash(same)
    assert len({reply, same}) == 1
    kept = reply.extra[0][1]
    assert kept == JsonText(json='{"id":7}')
    assert isinstance(kept, JsonText)
    assert kept.value == {"id": 7}
    decoded = smsc_codec.decode(
        '{"status": 1, "route": {"id": 7}}', "status.php?id=5&phone=79990000000&fmt=3"
    )
    assert decoded == reply
    assert hash(decoded) == hash(reply)


#: A wrong value for each kind of field: what a hand-built reply might pass
_WRONG: dict[Kind, Any] = {
    Kind.INT: "1",
    Kind.DECIMAL: 1.5,
    Kind.DATETIME: "10.10.2010 10:10:10",
    Kind.DATE: datetime(1980, 5, 17, 1, 2, 3),
    Kind.TOKEN: 79990000000,
    Kind.TEXT: 5,
    Kind.LIST: 5,
}


@pytest.mark.parametrize("kind", KINDS, ids=[k.__name__ for k in KINDS])
@given(data=st.data())
def test_constructors_name_the_field_of_a_wrong_type(
    kind: type[msgspec.Struct], data: st.DataObject
) -> None:
    good = msgspec.structs.asdict(data.draw(S.model_values(kind)))
    for spec in plan_for(kind).fields:
        with pytest.raises(TypeError, match=rf"^{kind.__name__}\.{spec.name} expects "):
            kind(**{**good, spec.name: _WRONG[spec.kind]})
    with pytest.raises(TypeError, match=rf"^{kind.__name__}\.extra expects"):
        kind(**{**good, "extra": (("key", {"a": 1}),)})  # a JSON object is kept as JsonText


def test_constructor_messages_say_what_to_pass() -> None:
    with pytest.raises(TypeError, match=r"MessageStatus\(1\)"):
        SmsStatus(status=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r'Decimal\("1\.5"\)'):
        SmsStatus(status=MessageStatus.DELIVERED, cost=1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"SmsStatus\.last_date expects datetime or None"):
        SmsStatus(status=MessageStatus.DELIVERED, last_date="10.10.2010 10:10:10")  # type: ignore[arg-type]
    # right values pass, and a list field takes its items
    # (typed str; the items are taken at run time too)
    items: Any = ("79990000001", "79990000002")
    contact = smsc_codec.Contact(phones=items, birthday=date(1980, 5, 17))
    assert contact.phones == "79990000001,79990000002"
    assert SmsStatus(status=MessageStatus.DELIVERED, cost=Decimal("1.40")).cost == Decimal("1.40")
