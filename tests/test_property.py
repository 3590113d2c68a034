"""Properties over generated replies: round trips, agreement, garbage."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import msgspec
import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

import smsc_codec
from smsc_codec import ApiError, DecodeError, EncodeError, HlrStatus, MessageStatus, SmsStatus
from smsc_codec._checks import construct
from smsc_codec._grammar import line_layouts
from smsc_codec._replies import Details, record_requests, reply_spec
from smsc_codec._request import parse_request
from smsc_codec._schema import Kind, plan_for
from tests import strategies as S
from tests.helpers import printed_layouts, status_request, status_rule

pytestmark = pytest.mark.property

CASES = [
    (kind, fmt, level, multi)
    for kind in (SmsStatus, HlrStatus)
    for fmt in (0, 1, 2, 3)
    for level in (0, 1, 2)
    for multi in (False, True)
]


def _draw_reply(
    data: st.DataObject,
    kind: type[msgspec.Struct],
    fmt: int,
    level: int,
    multi: bool,
    text: st.SearchStrategy[str] = S.free_text,
) -> msgspec.Struct:
    if fmt in (0, 1):
        layouts = line_layouts(fmt, status_rule(kind, level, multi=multi))
        layout = data.draw(st.sampled_from(layouts))
        return data.draw(S.replies(kind, layout.fields, text_formats=True, text=text))
    return data.draw(S.replies(kind, text=text))


@pytest.mark.parametrize(("kind", "fmt", "level", "multi"), CASES)
@given(data=st.data())
def test_status_round_trip(
    kind: type[msgspec.Struct], fmt: int, level: int, multi: bool, data: st.DataObject
) -> None:
    """decode(encode(x)) == x, or encode refuses x (only where a text layout cannot
    carry the text unambiguously)."""
    request = status_request(fmt, level, multi=multi)
    count = data.draw(st.integers(1, 3)) if multi else 1
    replies = [_draw_reply(data, kind, fmt, level, multi) for _ in range(count)]
    value: Any = replies if multi else replies[0]
    try:
        body = smsc_codec.encode_text(value, request)
    except EncodeError as exc:
        # XML and JSON carry any text: they refuse only a record that would
        # read as the other kind (an HLR row without any HLR field). The line
        # formats also refuse text that would read back otherwise.
        if fmt in (2, 3):
            assert "another kind of record" in str(exc), exc
            return
        assert exc.field is not None or "another kind of row" in str(exc), exc
        event(f"fmt={fmt} refused: {exc.field}")
        return
    assert smsc_codec.decode(body, request) == value
    rule = status_rule(kind, level, multi=multi)
    strict = all_known(replies) and printed_layouts(fmt, [(r, rule) for r in replies])
    assert smsc_codec.decode(body, request, strict=strict) == value


def all_known(replies: list[msgspec.Struct]) -> bool:
    """Strict decoding applies when every code is documented and no text is ambiguous."""
    from smsc_codec._strictness import unknown_codes  # noqa: PLC0415

    return not any(any(True for _ in unknown_codes(r)) for r in replies)


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
@given(data=st.data())
def test_error_round_trip(fmt: int, data: st.DataObject) -> None:
    description = st.none() if fmt == 1 else S.free_text
    if fmt == 0:
        description = S.free_text  # fmt=0 always prints one
    fields = st.fixed_dictionaries(
        {
            "code": st.integers(0, 500),
            "description": description,
            "id": st.one_of(st.none(), st.integers(1, 2**40)),
        }
    )
    reply = data.draw(fields.map(lambda values: construct(ApiError, **values)))
    for script in ("send", "status", "phones"):
        request = f"{script}.php?fmt={fmt}&id=1&phone=2&mes=x"
        try:
            body = smsc_codec.encode_text(reply, request)
        except EncodeError:
            assert fmt == 0  # a description that would read back otherwise
            return
        got = smsc_codec.decode(body, request)
        assert isinstance(got, ApiError)
        assert (got.code, got.description, got.id) == (reply.code, reply.description, reply.id)
        assert got.script == script
        assert got.meaning == smsc_codec.api_error_meaning(script, reply.code)


@pytest.mark.parametrize("charset", ["utf-8", "windows-1251", "koi8-r"])
@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
@given(data=st.data())
def test_charsets_round_trip(charset: str, fmt: int, data: st.DataObject) -> None:
    request = status_request(fmt, 1, charset=charset)
    reply = _draw_reply(data, SmsStatus, fmt, 1, False, text=S.cp1251_text)
    try:
        body = smsc_codec.encode(reply, request)
    except EncodeError:
        assert fmt in (0, 1)
        return
    assert isinstance(body, bytes)
    assert smsc_codec.decode(body, request) == reply


@given(text=S.free_text.filter(lambda t: any(ord(c) > 0x44F for c in t)))
def test_charset_refusal_names_the_field(text: str) -> None:
    """Characters windows-1251 cannot carry are refused, naming the field."""
    assume(any(_not_cp1251(c) for c in text))
    reply = SmsStatus(status=MessageStatus.DELIVERED, message=text)
    with pytest.raises(EncodeError) as caught:
        smsc_codec.encode(reply, status_request(3, 1))
    assert caught.value.field == "message"


def _not_cp1251(char: str) -> bool:
    try:
        char.encode("cp1251")
    except UnicodeEncodeError:
        return True
    return False


@pytest.mark.parametrize("kind", [SmsStatus, HlrStatus])
@pytest.mark.parametrize("level", [0, 1, 2])
@given(data=st.data())
def test_formats_agree(kind: type[msgspec.Struct], level: int, data: st.DataObject) -> None:
    """One reply written in each format reads back the same on the fields all carry."""
    rule = status_rule(kind, level, multi=False)
    common = set(line_layouts(0, rule)[0].fields) & set(line_layouts(1, rule)[0].fields)
    reply = data.draw(S.replies(kind, common, text_formats=True))
    decoded = {}
    for fmt in (0, 1, 2, 3):
        request = status_request(fmt, level)
        try:
            body = smsc_codec.encode(reply, request, charset="utf-8")
        except EncodeError:
            assert fmt in (0, 1)
            continue
        decoded[fmt] = smsc_codec.decode(body, request, charset="utf-8")
    assert 2 in decoded
    assert 3 in decoded
    for fmt, value in decoded.items():
        assert value == reply, fmt


#: One request per layout the registry knows, in every format; and requests
#: that name no registered layout (phones.php without a command).
REQUESTS = [f"{query}&fmt={fmt}" for query in record_requests() for fmt in (0, 1, 2, 3)]
UNREGISTERED = ["phones.php?fmt=2", "phones.php?fmt=0"]

#: long enough for a cold start (lark's grammars, defusedxml), short enough
#: that a body which makes decoding hang or crawl fails the property
DEADLINE = timedelta(seconds=2)


def _decode_or_decode_error(body: bytes | str, request: str | None, **options: Any) -> None:
    try:
        smsc_codec.decode(body, request, **options)
    except DecodeError as exc:
        assert exc.line >= 1
        assert exc.column >= 1
        assert "\n  " in str(exc)  # the source line and the caret
    except smsc_codec.RequestError:
        # only where the request (or its absence) does not say what answered
        assert request is None or request in UNREGISTERED, request


@pytest.mark.parametrize("request_", REQUESTS + UNREGISTERED)
@settings(deadline=DEADLINE)
@given(body=S.hostile_bodies, strict=st.booleans(), charset=st.sampled_from([None, "auto"]))
def test_garbage_raises_only_decode_error(
    request_: str, body: str | bytes, strict: bool, charset: str | None
) -> None:
    """Any bytes or text, to every request shape: a value or a DecodeError,
    quickly. Besides random bytes and text, bodies made of the formats' own
    pieces get past each format's first check into the layout readers."""
    _decode_or_decode_error(body, request_, strict=strict, charset=charset)


@settings(deadline=DEADLINE)
@given(body=S.hostile_bodies, strict=st.booleans())
def test_garbage_without_a_request(body: str | bytes, strict: bool) -> None:
    """decode(body, None) reads only self-describing answers; anything else is
    a DecodeError or, for a body that needs its request, a RequestError."""
    _decode_or_decode_error(body, None, strict=strict)


@pytest.mark.parametrize(("kind", "fmt", "level", "multi"), CASES[::3])
@given(data=st.data())
def test_mutated_bodies_raise_only_decode_error(
    kind: type[msgspec.Struct], fmt: int, level: int, multi: bool, data: st.DataObject
) -> None:
    """Valid bodies with a few characters inserted or removed."""
    request = status_request(fmt, level, multi=multi)
    reply = _draw_reply(data, kind, fmt, level, multi)
    try:
        body = smsc_codec.encode_text([reply] if multi else reply, request)
    except EncodeError:
        return
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(body)))
        if data.draw(st.booleans()) and at < len(body):
            body = body[:at] + body[at + 1 :]
        else:
            piece = data.draw(st.sampled_from([*S.HOSTILE_PIECES, "\n", "}", "]"]))
            body = body[:at] + piece + body[at:]
    _decode_or_decode_error(body, request)


# ------------------------------------------------ wrongly typed values ---
def _broken(data: st.DataObject, reply: msgspec.Struct, details: Details | None) -> msgspec.Struct:
    """``reply`` with one to three of its fields (wire fields, ``extra``,
    ``ambiguous_fields``, the details rows) given foreign values."""
    cls = type(reply)
    targets = [spec.name for spec in plan_for(cls).fields]
    targets += ["extra", "ambiguous_fields"]
    if details is not None:
        targets.append(details.field)
    changes: dict[str, Any] = {}
    count = data.draw(st.integers(1, min(3, len(targets))))
    for name in data.draw(st.permutations(targets))[:count]:
        if name == "extra":
            changes[name] = data.draw(S.foreign_extras(cls))
        elif name == "ambiguous_fields":
            marks = st.sampled_from([(), ("message",), ("status",), "message", None, [1]])
            changes[name] = data.draw(marks)
        elif details is not None and name == details.field and data.draw(st.booleans()):
            row = data.draw(S.replies(details.candidate.cls))
            changes[name] = (_broken(data, row, None),)
        else:
            changes[name] = data.draw(S.foreign_values)
    # built without the constructor's checks: what a caller could still hand
    # to encode (the checks refuse these values themselves)
    values = {name: getattr(reply, name) for name in reply.__struct_fields__}
    return construct(type(reply), **{**values, **changes})


def _as_constructed(value: Any) -> Any:
    """``value`` as the checked constructor keeps it: a list field given its
    items (a tuple or list of text) holds their text, joined by commas. The
    encoders take the items as the constructor does, and write that text."""
    if isinstance(value, list):
        return [_as_constructed(item) for item in value]
    cls: type[msgspec.Struct] = type(value)
    items = {
        spec.name: getattr(value, spec.name)
        for spec in plan_for(cls).fields
        if spec.kind is Kind.LIST
    }
    texts = {
        name: ",".join(given)
        for name, given in items.items()
        if isinstance(given, (tuple, list)) and all(isinstance(item, str) for item in given)
    }
    if not texts:
        return value
    # (built as _broken builds: msgspec.structs.replace runs the constructor's
    # checks, which the value's other foreign fields may fail)
    fields = {name: getattr(value, name) for name in value.__struct_fields__}
    return construct(cls, **{**fields, **texts})


def _faithful_or_refused(value: Any, request: str) -> None:
    """encode returns bytes that decode back to ``value``, or raises
    EncodeError: no other exception, no body that reads back otherwise."""
    try:
        body = smsc_codec.encode(value, request)
    except EncodeError:
        event("refused")
        return
    event("written")
    assert isinstance(body, bytes)
    assert smsc_codec.decode(body, request) == _as_constructed(value)


@pytest.mark.parametrize("query", list(record_requests()))
@given(data=st.data())
def test_wrongly_typed_values_are_refused_or_read_back(query: str, data: st.DataObject) -> None:
    """Every registered kind, in every format, with foreign values in random
    fields (the kinds and fields come from the registry and the model)."""
    fmt = data.draw(st.sampled_from([0, 1, 2, 3]))
    request = f"{query}&fmt={fmt}"
    spec = reply_spec(parse_request(request))
    candidate = data.draw(st.sampled_from(spec.candidates))
    if fmt in (0, 1):
        layout = data.draw(st.sampled_from(line_layouts(fmt, candidate.rule)))
        reply = data.draw(S.replies(candidate.cls, layout.fields, text_formats=True))
    else:
        reply = data.draw(S.replies(candidate.cls))
    broken = _broken(data, reply, spec.details)
    _faithful_or_refused([broken] if spec.multi else broken, request)


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
@given(data=st.data())
def test_wrongly_typed_values_of_the_error_and_ok_answers(fmt: int, data: st.DataObject) -> None:
    request = f"send.php?fmt={fmt}"
    error = ApiError(code=data.draw(st.integers(1, 500)), description="x", script="send")
    for reply in (error, smsc_codec.Ok()):
        _faithful_or_refused(_broken(data, reply, None), request)
