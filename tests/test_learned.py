"""Learned layouts read what the general path reads, or leave the body to it.

A fmt=0 line the grammar does not hold is read by key (``scan_keys``); its
shape is then compiled (``_learned``) and read on the fast path. A fmt=3
object with keys the model does not know is read by the general path; its
twin then learns the keys (``_twins.learn_keys``). Both must give exactly
what the general path gives, for any values: the properties below draw
lines and objects of a learned shape with hostile values (texts holding
``, key = `` of known and unknown keys, empty values, keys written twice)
and compare.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

import smsc_codec
from smsc_codec._grammar import line_layouts
from smsc_codec._json import decode_json
from smsc_codec._limits import DEFAULT_LIMITS
from smsc_codec._lines import known_keys, new_shapes, scan_keys
from smsc_codec._matcher import LineMismatch, line_codec
from smsc_codec._replies import Candidate, record_requests, reply_spec
from smsc_codec._request import parse_request
from smsc_codec._schema import Kind
from smsc_codec._twins import LEARNED, READ_ONE, twin_for, wire_twin
from tests import strategies as S

pytestmark = pytest.mark.property

#: every registered fmt=0 layout written `key = value`, by (rule, kind)
KEYED: dict[str, Candidate] = {}
for _spec in record_requests().values():
    for _candidate in _spec.candidates:
        _layout = line_layouts(0, _candidate.rule)[0]
        if _layout.literals[0].endswith(" = ") and len(_layout.fields) > 1:
            KEYED[_candidate.rule] = _candidate


def _key_literal(literal: str, *, first: bool, spaced: bool) -> str:
    key = literal.removeprefix(", ").rstrip("= ").rstrip()
    return ("" if first else ", ") + key + (" = " if spaced else "= ")


@st.composite
def shaped_lines(draw: st.DrawFn, candidate: Candidate) -> tuple[Any, ...]:
    """A shape of the layout's keys (a subset with every required key, in
    any order, spelled with or without the space, with unknown keys), and
    two lines of it: one of plain values, one of hostile ones."""
    codec = line_codec(0, candidate.rule, candidate.cls)
    layout = line_layouts(0, candidate.rule)[0]
    keys = dict(zip(layout.fields, layout.literals, strict=False))
    plan = codec.plan
    names = [
        name
        for name in layout.fields
        if plan.by_name[name].required or draw(st.booleans(), label=f"keep {name}")
    ]
    names = draw(st.permutations(names))
    unknown = draw(st.lists(st.sampled_from(["foo", "x_1", "note", "Zeta"]), max_size=3))
    for key in unknown:
        names.insert(draw(st.integers(0, len(names))), f"?{key}")
    literals: list[str] = []
    fields: list[str | None] = []
    for i, name in enumerate(names):
        spaced = draw(st.booleans()) if draw(st.booleans()) else True
        if name.startswith("?"):
            literals.append(("" if i == 0 else ", ") + name[1:] + (" = " if spaced else "= "))
            fields.append(None)
        else:
            literals.append(_key_literal(keys[name], first=i == 0, spaced=spaced))
            fields.append(name)
    known = sorted(known_keys(codec))
    hostile = st.one_of(
        S.free_text,
        st.sampled_from(known).map(lambda k: f"a, {k} = b"),
        st.sampled_from(["a, foo = b", "x, y", ", q= 1", "", ", Status = 1"]),
    )

    def values(text: st.SearchStrategy[str]) -> list[str]:
        out = []
        for name in fields:
            spec = None if name is None else plan.by_name[name]
            if spec is None or spec.kind.free:
                out.append(draw(text))
            elif spec.kind is Kind.TOKEN:
                out.append(draw(st.one_of(S.token, text)))
            else:
                value = draw(S.value_of(spec))
                out.append("" if value is None else spec.to_text(value))
        return out

    plain = values(S.token)
    wild = values(hostile)
    return tuple(literals), tuple(fields), plain, wild


def _line(literals: tuple[str, ...], values: list[str]) -> str:
    return "".join(literal + value for literal, value in zip(literals, values, strict=True))


def _scanned(line: str, candidate: Candidate) -> Any:
    try:
        return scan_keys(line, line_codec(0, candidate.rule, candidate.cls))
    except LineMismatch:
        return None


@pytest.mark.parametrize("rule", sorted(KEYED))
@given(data=st.data())
def test_a_learned_shape_reads_as_the_key_scanner(rule: str, data: st.DataObject) -> None:
    candidate = KEYED[rule]
    codec = line_codec(0, candidate.rule, candidate.cls)
    literals, _, plain, wild = data.draw(shaped_lines(candidate))
    first = _line(literals, plain)
    scanned = _scanned(first, candidate)
    if scanned is None:
        event("the plain line does not scan")
        return
    shapes = new_shapes(codec, candidate)
    shapes.learn(*scanned[2])
    for values in (plain, wild):
        line = _line(literals, values)
        got = shapes.read(line)
        want = _scanned(line, candidate)
        if got is None:
            event("left to the scanner")
            continue
        event("read by the shape")
        # a shape reads a line only as the scanner would, unambiguously
        assert want is not None, line
        reply, ambiguous, shape = want
        assert got == reply, line
        assert ambiguous == ()
        assert shape == scanned[2]


@pytest.mark.parametrize("rule", sorted(KEYED))
@given(data=st.data())
def test_a_shape_reads_the_plain_lines_it_was_learned_from(rule: str, data: st.DataObject) -> None:
    """Not vacuous: a shape learned from a line reads it (and its like)."""
    candidate = KEYED[rule]
    codec = line_codec(0, candidate.rule, candidate.cls)
    literals, _, plain, _ = data.draw(shaped_lines(candidate))
    line = _line(literals, plain)
    scanned = _scanned(line, candidate)
    if scanned is None or scanned[2][0] != literals or scanned[1]:
        return  # (a token of the plain line read as a key, or a key written twice)
    shapes = new_shapes(codec, candidate)
    shapes.learn(*scanned[2])
    assert shapes.read(line) == scanned[0]


STATUS = "status.php?id=1&phone=79990000000&all=2&fmt=0"


def test_a_stream_of_one_shape_is_read_as_the_scanner_reads_each_line() -> None:
    """End to end: a decoder meets the same shape (err and comment left
    out, an unknown key, operator_orig spaced) line after line, values
    changing; every answer decodes as the first did, by key."""
    rng = random.Random(7)
    decoder = smsc_codec.Decoder(STATUS, kind=smsc_codec.SmsStatus)
    codec = line_codec(0, "status_sms_all2", smsc_codec.SmsStatus)
    for i in range(200):
        message = rng.choice(["Hello, world = test", "a, foo = b", "x", "", f"n{i}"])
        line = (
            f"Status = 1, check_time = 10.10.2010 10:10:{i % 60:02d}, send_date = 10.10.2010 "
            f"10:10:09, phone = 7999{i}, mccmnc = 25001, country = Россия, operator = МТС, "
            f"operator_orig = МТС, region = Москва, cost = 1.{i % 100:02d}, sender_id = SMSC, "
            f"status_name = Доставлено, message = {message}, type = 0, extra_key = {i}"
        )
        reply = decoder.decode(line.encode("cp1251"))
        assert isinstance(reply, smsc_codec.SmsStatus)
        assert reply == scan_keys(line, codec)[0]
        assert reply.err is None
        assert reply.comment is None
        assert reply.extra == (("extra_key", str(i)),)
    assert codec.learned is not None
    assert codec.learned.first is not None


def test_a_line_of_more_keys_than_a_shape_holds_is_read_by_the_scanner() -> None:
    """A made-up line of thousands of keys is not compiled into a shape (a
    regex of thousands of groups is quadratic in the line): the scanner
    reads it, as it reads a shorter one, and nothing is learned of it."""
    from smsc_codec._learned import MAX_SHAPE_KEYS  # noqa: PLC0415 - the bound under test

    request = "status.php?id=1&phone=79990000000&all=1&fmt=0"
    codec = line_codec(0, "status_sms_all1", smsc_codec.SmsStatus)
    for keys in (MAX_SHAPE_KEYS, MAX_SHAPE_KEYS + 1, 5000):
        line = "Status = 1" + "".join(f", k{i} = {i}" for i in range(keys - 1))
        decoder = smsc_codec.Decoder(request)
        for _ in range(2):
            reply = decoder.decode(line)
            assert isinstance(reply, smsc_codec.SmsStatus)
            assert reply == scan_keys(line, codec)[0]
            assert reply.extra == tuple((f"k{i}", str(i)) for i in range(keys - 1))
        shapes = codec.learned.shapes if codec.learned is not None else {}
        learned = any(len(literals) == keys for literals in shapes)
        assert learned is (keys <= MAX_SHAPE_KEYS)


def test_a_trailing_line_break_reads_as_the_line() -> None:
    for fmt, body in ((0, "Status = 1, check_time = 10.10.2010 10:10:10, err = 0"), (1, "1,5,0")):
        request = f"status.php?id=1&phone=79990000000&fmt={fmt}"
        want = smsc_codec.decode(body, request)
        for end in ("\n", "\r\n"):
            assert smsc_codec.decode(body + end, request) == want


# ------------------------------------------------------------- fmt=3 ---
SPECS = dict(record_requests())


@st.composite
def objects_with_unknown_keys(draw: st.DrawFn, query: str) -> tuple[Any, list[str]]:
    spec = SPECS[query]
    cls = spec.candidates[0].cls
    value = draw(S.replies(cls, None, text_formats=False))
    request = query + "&fmt=3"
    try:
        text = smsc_codec.encode_text(value, request)
    except smsc_codec.EncodeError:
        return None, []
    data = json.loads(text)
    records = data if isinstance(data, list) else [data]
    unknown: list[str] = []
    for record in records:
        for key in draw(st.lists(st.sampled_from(["foo", "bar", "note", "id_2"]), max_size=3)):
            record[key] = draw(
                st.one_of(
                    st.none(),
                    st.booleans(),
                    st.integers(),
                    st.floats(allow_nan=False, allow_infinity=False),
                    S.free_text,
                    st.lists(st.integers(), max_size=2),
                )
            )
            unknown.append(key)
        if draw(st.booleans()):  # keys in another order
            items = list(record.items())
            draw(st.randoms()).shuffle(items)
            record.clear()
            record.update(items)
    return data, unknown


@pytest.mark.parametrize("query", sorted(SPECS))
@given(data=st.data())
def test_a_learned_twin_reads_as_the_general_path(query: str, data: st.DataObject) -> None:
    value, unknown = data.draw(objects_with_unknown_keys(query))
    if value is None:
        return
    spec = reply_spec(parse_request(query))
    request = query + "&fmt=3"
    decoder = smsc_codec.Decoder(request)
    for _ in range(2):  # the second time, the twin has learned the keys
        text = json.dumps(value, ensure_ascii=False)
        try:
            want = decode_json(text, spec, strict=False, limits=DEFAULT_LIMITS)
        except smsc_codec.DecodeError:
            with pytest.raises(smsc_codec.DecodeError):
                decoder.decode(text)
            return
        assert decoder.decode(text) == want
        if text.isascii():  # (the request's charset is windows-1251)
            assert decoder.decode(text.encode("ascii")) == want
    event("unknown keys" if unknown else "no unknown key")


def test_a_key_written_twice_keeps_its_first_place_and_last_value() -> None:
    """As a JSON object reader does (the general path): a learned twin must
    not put it where it was written last."""
    request = "balance.php?fmt=3"
    for _ in range(3):
        reply: Any = smsc_codec.decode('{"balance": "1.00", "a": 1, "b": 2, "a": 3}', request)
        assert reply.extra == (("a", 3), ("b", 2))


def test_an_unknown_key_after_the_first_sight_is_kept_in_order() -> None:
    request = "status.php?id=1&phone=79990000000&fmt=3"
    decoder = smsc_codec.Decoder(request)
    for i in range(3):
        body = f'{{"zz": {i}, "status": 1, "err": 0, "aa": "x{i}"}}'
        reply: Any = decoder.decode(body)
        assert reply.extra == (("zz", i), ("aa", f"x{i}"))
        assert msgspec.structs.fields(reply)  # a frozen reply of the model's class
        assert type(reply) is smsc_codec.SmsStatus


@pytest.fixture
def fresh_twins() -> Iterator[None]:
    """Learned twins of their own: the keys other tests taught may fill a
    kind's hidden slots."""
    saved = dict(LEARNED), {key: cell[0] for key, cell in READ_ONE.items()}
    LEARNED.clear()
    for key, cell in READ_ONE.items():
        cell[0] = wire_twin(*key).read_one
    try:
        yield
    finally:
        LEARNED.clear()
        LEARNED.update(saved[0])
        # (a kind first met here keeps its plain reader: an entry holds its cell)
        for key, cell in READ_ONE.items():
            cell[0] = saved[1].get(key, wire_twin(*key).read_one)


@pytest.mark.usefixtures("fresh_twins")
@pytest.mark.parametrize("count", [1, 2, 3])
def test_a_learned_twin_reads_in_place_up_to_the_hidden_slots(count: int) -> None:
    """A status row has two fields no key fills (``extra``,
    ``ambiguous_fields``): a twin that learned one or two keys reads them
    there and switches its class, and reads every body of its kind; one that
    learned three builds its reply anew and reads only a body that may hold
    one of them. Either way each body reads as the general path reads it:
    all the keys, some, in another order, none, a key written twice, a list."""
    keys = ["zeta", "alpha", "mid"][:count]
    pairs = [f'"{key}": {i}' for i, key in enumerate(keys)]
    one = STATUS_ROW.replace("}", ", " + ", ".join(pairs) + "}")
    many = f"[{one}, {STATUS_ROW}]"
    for _ in range(2):  # the second time, the twin has learned the keys
        smsc_codec.decode(one, STATUS_ONE)
    cls, max_text = smsc_codec.SmsStatus, DEFAULT_LIMITS.max_field_length
    learned = LEARNED[cls, max_text]
    assert learned.unknown == tuple(keys)
    plain = wire_twin(cls, max_text)
    in_place = twin_for(cls, max_text, STATUS_ROW) is learned
    assert in_place is (count <= 2)
    assert twin_for(cls, max_text, one) is learned
    bodies = {
        STATUS_ONE: [
            one,
            STATUS_ROW,
            STATUS_ROW.replace("}", ", " + ", ".join(reversed(pairs)) + "}"),
            STATUS_ROW.replace("}", f", {pairs[-1]}, {pairs[0]}, {pairs[-1][:-1]}7}}"),
            STATUS_ROW.replace("{", "{" + pairs[-1] + ", "),
        ],
        STATUS_MANY: [many, f"[{STATUS_ROW}, {one}]"],
    }
    for request, texts in bodies.items():
        spec = reply_spec(parse_request(request))
        for text in texts:
            want = decode_json(text, spec, strict=False, limits=DEFAULT_LIMITS)
            for body in (text, text.encode()):  # (the request's charset: UTF-8)
                got: Any = smsc_codec.decode(body, request)
                assert got == want, text
                assert type(got if request is STATUS_ONE else got[0]) is cls
    if not in_place:
        assert twin_for(cls, max_text, STATUS_ROW) is plain


@pytest.mark.usefixtures("fresh_twins")
@pytest.mark.parametrize("count", [1, 2, 3])
def test_a_learned_key_nested_too_deep_is_refused_at_the_limit(count: int) -> None:
    """msgspec reads a learned key's value before the twin sees it: one
    nested deeper than msgspec goes (RecursionError) is left to the general
    path, which refuses it at ``max_depth``, as it does untaught."""
    keys = ["zeta", "alpha", "mid"][:count]
    taught = STATUS_ROW.replace("}", "".join(f', "{key}": 0' for key in keys) + "}")
    for _ in range(2):
        smsc_codec.decode(taught, STATUS_ONE)
    assert LEARNED[smsc_codec.SmsStatus, DEFAULT_LIMITS.max_field_length].unknown == tuple(keys)
    deep = STATUS_ROW.replace("}", f', "{keys[-1]}": {"[" * 5000}{"]" * 5000}}}')
    for body in (deep, deep.encode()):
        with pytest.raises(smsc_codec.LimitError, match="deep"):
            smsc_codec.decode(body, STATUS_ONE)


STATUS_ONE = "status.php?id=1&phone=79990000000&all=0&fmt=3&charset=utf-8"
STATUS_MANY = "status.php?id=1,2&phone=79990000000,79990000001&fmt=3&charset=utf-8"
STATUS_ROW = '{"status": 1, "last_timestamp": 1624884947, "err": 0}'
