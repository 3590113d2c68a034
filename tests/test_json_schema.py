"""The JSON Schemas hold what the codec reads and writes, checked with the
``jsonschema`` package: every corpus reply against the model's schema, every
fmt=3 body against the wire schema."""

from __future__ import annotations

import functools
import json
import typing
from typing import Any

import jsonschema
import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

import smsc_codec
from smsc_codec import Callback, MessageStatus, Reply
from smsc_codec._cli import main
from smsc_codec._corpus import CorpusEntry
from smsc_codec._exchange import decode_exchange, encode_exchange, is_callback
from smsc_codec._replies import reply_spec
from smsc_codec._request import parse_request
from tests import strategies as S
from tests.conftest import corpus_entries

MODEL = smsc_codec.json_schema()
WIRE = smsc_codec.json_schema(wire=True)
KINDS = [*typing.get_args(Reply), *typing.get_args(Callback)]


@functools.cache
def _checker(wire: bool, ref: str | None) -> Any:
    return _validator(WIRE if wire else MODEL, ref)


def _validator(schema: dict[str, Any], ref: str | None = None) -> Any:
    """A validator of the whole schema, or of one of its $defs."""
    if ref is not None:
        schema = {"$defs": schema["$defs"], "$ref": f"#/$defs/{ref}"}
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


MODEL_CHECK = _validator(MODEL)
WIRE_CHECK = _validator(WIRE)


def _fmt(entry: CorpusEntry) -> int | None:
    fmt = parse_request(entry.request).get("fmt")
    return int(fmt) if fmt else (None if is_callback(entry.request) else 0)


DECODED = [e for e in corpus_entries() if "error" not in e.meta["expect"]]
JSON_BODIES = [e for e in corpus_entries() if _fmt(e) == 3]


def _as_json(value: Any) -> Any:
    """A value as a JSON reader sees it (to_builtins keeps tuples)."""
    return json.loads(json.dumps(msgspec.to_builtins(value)))


def _json_or_none(entry: CorpusEntry) -> Any:
    """The body's JSON, read in the body's charset (None: not JSON)."""
    handler = parse_request(entry.request).get("charset") or "windows-1251"
    charset = handler if is_callback(entry.request) else parse_request(entry.request).charset
    try:
        return json.loads(entry.body.decode(charset))
    except ValueError:
        return None


@pytest.mark.parametrize("entry", DECODED, ids=[e.name for e in DECODED])
def test_every_corpus_reply_fits_the_model_schema(entry: CorpusEntry) -> None:
    value = decode_exchange(entry.body, entry.request)
    MODEL_CHECK.validate(_as_json(value))
    for one in value if isinstance(value, list) else [value]:
        _checker(False, type(one).__name__).validate(_as_json(one))


#: lenient-only variations whose values the server does not write so: money
#: as a bare JSON number (read leniently, facts §1.4)
NOT_AS_WRITTEN = {"balance/bare-number-fmt3": "balance"}


def _answers_of(entry: CorpusEntry) -> Any:
    """A validator of what the entry's request may be answered with: its
    kinds of record (one, or an array), an error, ``OK``."""
    if is_callback(entry.request):
        names = tuple(k.__name__ for k in typing.get_args(Callback))
    else:
        spec = reply_spec(parse_request(entry.request))
        names = (*(c.cls.__name__ for c in spec.candidates), "ApiError", "Ok")
    return _answers(names)


@functools.cache
def _answers(names: tuple[str, ...]) -> Any:
    refs = [{"$ref": f"#/$defs/{name}"} for name in names]
    return _validator({**WIRE, "anyOf": [*refs, {"type": "array", "items": {"anyOf": refs}}]})


@pytest.mark.parametrize("entry", JSON_BODIES, ids=[e.name for e in JSON_BODIES])
def test_every_fmt3_body_fits_the_wire_schema(entry: CorpusEntry) -> None:
    """Each body fits the schema of its request's answers, and of its own
    kind; what the server does not write (a rejected body, money as a bare
    number) does not fit."""
    data = _json_or_none(entry)
    rejected = "error" in entry.meta["expect"]
    if data is None:
        # not JSON: a broken body, or an answer in text form whatever fmt
        # was asked for (`OK`, `ERROR = …`, facts §9)
        assert rejected or isinstance(
            decode_exchange(entry.body, entry.request), (smsc_codec.Ok, smsc_codec.ApiError)
        )
        return
    errors = list(_answers_of(entry).iter_errors(data))
    if entry.name in NOT_AS_WRITTEN or rejected:
        assert errors, "the wire schema accepts what the server does not write"
        return
    assert not errors, [e.message for e in errors]
    WIRE_CHECK.validate(data)
    value = decode_exchange(entry.body, entry.request)
    records = value if isinstance(value, list) else [value]
    objects = data if isinstance(data, list) else [data]
    for record, obj in zip(records, objects, strict=True):
        _checker(True, type(record).__name__).validate(obj)


def test_the_not_as_written_body_fails_where_expected() -> None:
    (entry,) = [e for e in JSON_BODIES if e.name in NOT_AS_WRITTEN]
    errors = list(_validator(WIRE, "Balance").iter_errors(json.loads(entry.body)))
    assert [list(e.path) for e in errors] == [[NOT_AS_WRITTEN[entry.name]]]


@pytest.mark.parametrize("entry", DECODED, ids=[e.name for e in DECODED])
def test_what_the_encoder_writes_in_fmt3_fits_the_wire_schema(entry: CorpusEntry) -> None:
    if is_callback(entry.request):
        request = "callback?fmt=3"
    else:
        query = [(k, v) for k, v in parse_request(entry.request).params if k != "fmt"]
        script = parse_request(entry.request).script
        request = f"{script}.php?" + "&".join(f"{k}={v}" for k, v in [*query, ("fmt", "3")])
    value = decode_exchange(entry.body, entry.request)
    try:
        body = encode_exchange(value, request)
    except smsc_codec.EncodeError:
        return  # (a value this layout cannot carry: tested elsewhere)
    if body.strip() == b"OK":
        return  # a bare OK answered to fmt=3 is written back bare
    WIRE_CHECK.validate(json.loads(body.decode(parse_request(request).charset)))


@pytest.mark.parametrize("kind", KINDS, ids=[k.__name__ for k in KINDS])
@given(data=st.data())
def test_generated_replies_fit_the_model_schema(kind: type[Any], data: st.DataObject) -> None:
    value = data.draw(S.model_values(kind))
    _checker(False, kind.__name__).validate(_as_json(value))


def test_codes_are_open_and_named() -> None:
    status = MODEL["$defs"]["MessageStatus"]
    named = {branch["const"]: branch["title"] for branch in status["anyOf"] if "const" in branch}
    assert named == {int(m): m.name for m in MessageStatus}
    assert {"type": "integer", "description": "a code the table does not list"} in status["anyOf"]
    check = _validator(MODEL, "SmsStatus")
    assert check.is_valid({"kind": "SmsStatus", "status": 99, "flag": 1 << 14})
    assert not check.is_valid({"kind": "SmsStatus", "status": "1"})
    assert not check.is_valid({"kind": "HlrStatus", "status": 1})
    assert not check.is_valid({"kind": "SmsStatus", "status": 1, "last_date": "10.10.2010"})


def test_wire_dates_and_money_have_the_servers_shape() -> None:
    check = _validator(WIRE, "SmsStatus")
    assert check.is_valid({"status": 1, "last_date": "28.06.2021 15:55:47", "cost": "1.40"})
    assert check.is_valid({"status": 99, "route": {"id": 7}})  # open codes, unknown keys
    assert not check.is_valid({"status": 1, "last_date": "2021-06-28T15:55:47"})
    assert not check.is_valid({"status": 1, "cost": 1.4})
    assert not check.is_valid({"status": 1, "cost": "1,40"})
    props = WIRE["$defs"]["SmsStatus"]["properties"]
    assert props["cost"]["pattern"] == r"^-?[0-9]+(\.[0-9]+)?$"


def test_schema_command_prints_both_schemas(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == MODEL
    assert main(["schema", "--wire"]) == 0
    assert json.loads(capsys.readouterr().out) == WIRE
