"""Properties of the contact, group, blacklist, created-id and inbox answers.

The cases come from the reply registry (``record_requests``), so every layout
registered there is covered; the status answers have their own, finer cases
in test_property.py.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

import smsc_codec
from smsc_codec import AddressList, DecodeError, EncodeError, Ok
from smsc_codec._grammar import line_layouts
from smsc_codec._replies import ReplySpec, record_requests
from smsc_codec._schema import plan_for
from smsc_codec._strictness import unknown_codes
from tests import strategies as S
from tests.helpers import decoded, printed_layouts

pytestmark = pytest.mark.property

SPECS: dict[str, ReplySpec] = {
    query: spec for query, spec in record_requests().items() if not query.startswith("status")
}
CASES = [(query, fmt) for query in SPECS for fmt in (0, 1, 2, 3)]


def draw_records(data: st.DataObject, query: str, fmt: int) -> Any:
    spec = SPECS[query]
    candidate = spec.candidates[0]
    fields = None
    if fmt in (0, 1):
        fields = line_layouts(fmt, candidate.rule)[0].fields
    # A layout that writes every key writes an absent text as empty: it reads
    # back as "" (the line formats, and fmt=2/3 for kinds that write every key).
    every_key = plan_for(candidate.cls).every_key
    strategy = S.replies(candidate.cls, fields, text_formats=fmt in (0, 1) or every_key)
    if spec.multi:
        return data.draw(st.lists(strategy, min_size=1, max_size=3))
    value = data.draw(strategy)
    details = spec.details
    if details is not None:  # records nested in the one record (send.php op=1)
        kind, rule = details.candidate.cls, details.candidate.rule
        row_fields = line_layouts(fmt, rule)[0].fields if fmt in (0, 1) else None
        rows = data.draw(
            st.lists(S.replies(kind, row_fields, text_formats=fmt in (0, 1)), max_size=3)
        )
        if rows:
            value = msgspec.structs.replace(value, **{details.field: tuple(rows)})
    return value


def _rules(spec: ReplySpec) -> dict[type[msgspec.Struct], str]:
    return {candidate.cls: candidate.rule for candidate in spec.candidates}


@pytest.mark.parametrize(("query", "fmt"), CASES)
@given(data=st.data())
def test_round_trip(query: str, fmt: int, data: st.DataObject) -> None:
    """decode(encode(x)) == x (a list field is its text, separators included);
    only the line formats may refuse."""
    request = f"{query}&fmt={fmt}"
    value = draw_records(data, query, fmt)
    try:
        body = smsc_codec.encode(value, request, charset="utf-8")
    except EncodeError as exc:
        # XML and JSON carry any text; a line format refuses text that would
        # read back otherwise (a comma in a column, an ambiguous line), naming it.
        assert fmt in (0, 1), exc
        assert exc.field is not None, exc
        event(f"fmt={fmt} refused {exc.field}")
        return
    back = decoded(body, request, charset="utf-8")
    assert back == value
    records = value if isinstance(value, list) else [value]
    rules = _rules(SPECS[query])
    rows = [(r, rules[type(r)]) for r in records]
    details = SPECS[query].details
    if details is not None:
        more = getattr(value, details.field) or ()
        records = [*records, *more]
        rows += [(r, details.candidate.rule) for r in more]
    if not any(True for r in records for _ in unknown_codes(r)) and printed_layouts(fmt, rows):
        assert decoded(body, request, charset="utf-8", strict=True) == value


@pytest.mark.parametrize("query", list(SPECS))
@given(data=st.data())
def test_formats_agree(query: str, data: st.DataObject) -> None:
    """One list written in all four formats reads back the same from each."""
    spec = SPECS[query]
    candidate = spec.candidates[0]
    fields = set(line_layouts(0, candidate.rule)[0].fields)
    value = data.draw(S.replies(candidate.cls, fields, text_formats=True, text=S.cp1251_text))
    read: dict[int, Any] = {}
    for fmt in (0, 1, 2, 3):
        request = f"{query}&fmt={fmt}"
        try:
            body = smsc_codec.encode([value] if spec.multi else value, request)
        except EncodeError:
            assert fmt in (0, 1)
            continue
        read[fmt] = decoded(body, request)
    assert {2, 3} <= read.keys()
    for got in read.values():
        assert got == ([value] if spec.multi else value)


OK_ONLY = [
    f"{script}.php?{command}=1"
    for script in ("phones", "mails")
    for command in ("chg", "del", "chg_group", "del_group", "move_group", "del_black")
]


@pytest.mark.parametrize("query", OK_ONLY)
@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_change_and_delete_answer_ok(query: str, fmt: int) -> None:
    request = f"{query}&fmt={fmt}"
    body = smsc_codec.encode(Ok(), request)
    assert body == {0: b"OK", 1: b"OK", 2: b"<result>OK</result>", 3: b'{\n"result": "OK"\n}'}[fmt]
    assert decoded(body, request, strict=True) == Ok()
    # a bare OK whatever fmt was asked for (facts §9), kept as such
    bare = decoded(b"OK", request)
    assert bare == Ok(bare=fmt >= 2)
    assert smsc_codec.encode(bare, request) == b"OK"
    # anything else is not a success answer of these commands
    other = {0: "ID = 5", 1: "5", 2: "<phone>\n<id>5</id>\n</phone>", 3: '{"id": 5}'}[fmt]
    with pytest.raises(DecodeError, match="OK or an error"):
        decoded(other, request)


@pytest.mark.parametrize("query", [*SPECS, *OK_ONLY])
@given(body=st.binary(max_size=200), fmt=st.sampled_from([0, 1, 2, 3]))
def test_garbage_raises_only_decode_error(query: str, body: bytes, fmt: int) -> None:
    try:
        decoded(body, f"{query}&fmt={fmt}")
    except DecodeError as exc:
        assert exc.line >= 1
        assert exc.column >= 1


@pytest.mark.parametrize(("query", "fmt"), CASES)
@given(data=st.data())
def test_mutated_bodies_raise_only_decode_error(query: str, fmt: int, data: st.DataObject) -> None:
    request = f"{query}&fmt={fmt}"
    try:
        body = smsc_codec.encode_text(draw_records(data, query, fmt), request)
    except EncodeError:
        return
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(body)))
        piece = data.draw(st.sampled_from([*S.HOSTILE_PIECES, "\n", "}", "]", ""]))
        body = body[:at] + piece + body[at + data.draw(st.integers(0, 2)) :]
    try:
        decoded(body, request)
    except DecodeError as exc:
        assert "\n  " in str(exc)  # the source line and the caret


def test_list_fields_keep_their_text_and_take_plain_sequences() -> None:
    request = "phones.php?get=1&fmt=0"
    line = (
        "phone = 79990000001; 79990000002  79990000003, name = A, group = 1,2, "
        "first_name = , last_name = , middle_name = , birthday = , id = , "
        "comments = , tags = , phone_other = "
    )
    (contact,) = decoded(line, request)
    assert contact.phones == "79990000001; 79990000002  79990000003"
    assert contact.phone_list == ("79990000001", "79990000002", "79990000003")
    assert contact.phone_list.text == contact.phones
    assert contact.group_list == ("1", "2")
    assert contact.other_phone_list == ()
    assert smsc_codec.encode_text([contact], request) == line
    # a constructor takes the items too, joined with commas
    fresh = smsc_codec.Contact(
        **{**msgspec.structs.asdict(contact), "phones": ["79990000004", "79990000005"]}
    )
    assert fresh.phones == "79990000004,79990000005"
    again = smsc_codec.encode_text([fresh], request)
    assert again.startswith("phone = 79990000004,79990000005, name = A")
    assert decoded(again, request)[0].phone_list == ("79990000004", "79990000005")
    # an item cannot hold a separator: the constructor names the field
    with pytest.raises(ValueError, match=r"Contact\.phones: the list item '7999 0000004'"):
        # (the field is typed str; items are taken at run time for untyped callers)
        smsc_codec.Contact(phones=AddressList(["7999 0000004"]))  # type: ignore[arg-type]


def test_decode_as_brings_the_command() -> None:
    body = '[{"id": 5, "name": "A", "cnt": "12"}]'
    groups = smsc_codec.decode_as(body, smsc_codec.ContactGroup, 3)
    assert groups == [smsc_codec.ContactGroup(id=5, name="A", cnt=12)]
    assert smsc_codec.decode_as("ID = 7", smsc_codec.Created, 0) == smsc_codec.Created(id=7)
    inbox = decoded('[{"id": 1}]', {"get_answers": 1, "fmt": 3})
    assert inbox == [smsc_codec.IncomingMessage(id=1)]
