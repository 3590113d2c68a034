"""Columnar fmt=2: the plain one-record answers read column by column
(``smsc_codec._columnar_xml``) give what the per-answer decoder gives, and
every other body, mixed in the same batch, is left to it.

The differential check is ``tests/test_columnar.py``'s: the same batch
decoded column by column and answer by answer must give equal tables and
the same rejections. Beside it, the reader itself is asked which bodies it
took, so that a batch read wholly per answer cannot pass for a columnar one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import smsc_codec
from smsc_codec import _columnar as columnar
from smsc_codec._columnar import _group_of
from smsc_codec._columnar_xml import read_xml_group
from smsc_codec._limits import DEFAULT_LIMITS, Limits
from smsc_codec._replies import record_requests
from smsc_codec._xml import plain_record_fields
from tests import strategies as S
from tests.test_columnar import assert_batch_same_as_per_answer, assert_same_as_per_answer

pytestmark = pytest.mark.property

REQUEST = "status.php?id=1&phone=79991234567&all=2&fmt=2"


#: an ``all=2`` status row as the encoder writes it in fmt=2 (seed 003), with
#: Cyrillic text, and all in ASCII
PLAIN = "\n".join(
    [
        "<sms>",
        "<status>1</status>",
        "<last_date>28.06.2021 15:55:47</last_date>",
        "<last_timestamp>1624884947</last_timestamp>",
        "<flag>0</flag>",
        "<err>0</err>",
        "<send_date>28.06.2021 15:55:40</send_date>",
        "<send_timestamp>1624884940</send_timestamp>",
        "<phone>79991234567</phone>",
        "<cost>1.40</cost>",
        "<sender_id>SMSC.RU</sender_id>",
        "<status_name>Доставлено</status_name>",
        "<message>Hello</message>",
        "<comment>коммент</comment>",
        "<mccmnc>25001</mccmnc>",
        "<country>Россия</country>",
        "<operator>МТС</operator>",
        "<operator_orig>МТС</operator_orig>",
        "<region>Москва</region>",
        "<type>0</type>",
        "<sms_cnt>1</sms_cnt>",
        "</sms>",
    ]
)
ASCII = (
    PLAIN.replace("Доставлено", "Delivered")
    .replace("коммент", "c")
    .replace("Россия", "RU")
    .replace("МТС", "MTS")
    .replace("Москва", "Moscow")
)


@pytest.fixture(autouse=True)
def _reader_faults_show(monkeypatch: pytest.MonkeyPatch) -> None:
    """A vectorised reader that raises fails the test instead of handing its
    group to the per-answer decoder unseen."""
    monkeypatch.setattr(columnar, "READER_FAULTS", ())


def _taken(request: str, bodies: list[Any], limits: Limits = DEFAULT_LIMITS) -> set[int]:
    """The positions of the bodies the fmt=2 reader takes."""
    group = _group_of(request, False, None, limits)
    assert group is not None
    _, read = read_xml_group(group, bodies, np.arange(len(bodies), dtype=np.int64))
    return set(read.tolist())


def _edited(old: str, new: str) -> str:
    assert old in PLAIN
    return PLAIN.replace(old, new, 1)


#: bodies the entry reads: read column by column, as the entry reads them
PLAIN_BODIES: list[Any] = [
    PLAIN,
    ASCII,
    ASCII.encode("ascii"),
    PLAIN + "\n \t",
    _edited("<sms>\n", "<sms>"),
    _edited("<cost>1.40</cost>\n", ""),  # an optional field absent: another template
    _edited("<comment>коммент</comment>", "<comment></comment>"),
    _edited("<country>Россия</country>\n", "") + "\n",
    _edited("<message>Hello</message>", "<message>a, b = c; 'q\" ]]</message>"),
    # fields in another order: another template
    _edited("<flag>0</flag>\n<err>0</err>", "<err>0</err>\n<flag>0</flag>"),
]

#: bodies the entry does not read, or reads to a value out of a column's
#: form: each goes per answer (rejected, or read by defusedxml, as it says)
OTHER_BODIES: list[Any] = [
    _edited("<message>Hello", "<message>&amp;Hello"),  # an entity reference
    _edited("<message>Hello", "<message>&#72;ello"),  # a character reference
    _edited("<message>Hello", "<message><![CDATA[Hello]]>"),
    _edited("<message>Hello", "<message><!-- c -->Hello"),
    _edited("<message>Hello", "<message><?pi x?>Hello"),
    _edited("<sms>", '<sms id="1">'),  # an attribute on the record
    _edited("<flag>0</flag>", '<flag a="b">0</flag>'),  # ... on a field
    _edited("<flag>0</flag>", "<flag><b>0</b></flag>"),  # nesting
    _edited("<flag>0</flag>", "<flag/>"),  # an empty-element tag
    _edited("<flag>0</flag>", "<flag>0</flag>\n<flag>1</flag>"),  # a field twice
    _edited("<flag>0</flag>", "<flag>0</flaf>"),  # an end tag naming another element
    _edited("</sms>", "text</sms>"),  # text outside the fields
    _edited("</sms>", "\n x\n</sms>"),
    _edited("<flag>0</flag>\n", "<flag>0</flag>\r\n"),  # a CR
    _edited("<message>Hello", "<message>Hel\x01lo"),  # a character XML cannot carry
    _edited("<message>Hello", "<message>Hello\ufffe"),
    _edited("<flag>0</flag>", "<ns:flag>0</ns:flag>"),  # a prefixed name
    '<?xml version="1.0" encoding="windows-1251"?>\n' + PLAIN,  # a declaration
    ('<?xml version="1.0" encoding="windows-1251"?>\n' + PLAIN).encode("cp1251"),
    PLAIN.encode("cp1251"),  # bytes that are not ASCII
    PLAIN.encode("utf-8"),
    "<!DOCTYPE sms>\n" + PLAIN,
    " " + PLAIN,  # white space before the record
    _edited("<flag>0</flag>", "<flag>0</flag>\n<unknown_key>x</unknown_key>"),
    _edited("<status>1</status>\n", ""),  # a required field absent
    _edited("<flag>0</flag>", "<flag>0</flag>\n<error>x</error>"),  # an error key
    _edited("<status>1</status>", "<status> 1</status>"),  # values out of their form
    _edited("<status>1</status>", "<status>+1</status>"),
    _edited("<status>1</status>", "<status>9999999999999999999999</status>"),
    _edited("<cost>1.40</cost>", "<cost>1,40</cost>"),
    _edited("<cost>1.40</cost>", "<cost>1.</cost>"),
    _edited("<last_date>28.06.2021", "<last_date>31.06.2021"),
    _edited("<last_date>28.06.2021 15:55:47", "<last_date>28.06.2021 25:55:47"),
    _edited("<last_date>28.06.2021 15:55:47", "<last_date></last_date"),
    _edited("</sms>", "</sms><sms></sms>"),
    "<result><error>x</error><error_code>2</error_code></result>",
    "<list>\n" + PLAIN + "\n</list>",
    "OK",
    "",
    b"\xff<sms></sms>",
]


def test_plain_and_other_bodies_in_one_batch_decode_as_per_answer() -> None:
    bodies = [*PLAIN_BODIES, *OTHER_BODIES] * 2
    requests = [f"{REQUEST}&n={number}" for number in range(len(bodies))]
    assert_same_as_per_answer(requests, bodies)
    every = len(PLAIN_BODIES) + len(OTHER_BODIES)
    plain = {position for position in range(len(bodies)) if position % every < len(PLAIN_BODIES)}
    assert _taken(REQUEST, bodies) == plain


@pytest.mark.parametrize("body", OTHER_BODIES, ids=range(len(OTHER_BODIES)))
def test_a_body_not_plain_or_out_of_form_is_left_per_answer(body: Any) -> None:
    assert _taken(REQUEST, [PLAIN, body, PLAIN]) == {0, 2}
    assert_same_as_per_answer([REQUEST] * 3, [PLAIN, body, PLAIN])


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("<flag>0</flag>", "<flag></flag>"),  # an optional number empty
        ("<flag>0</flag>", "<flag>-0</flag>"),
        ("<flag>0</flag>", "<flag>255</flag>"),  # flag bits no name holds
        ("<cost>1.40</cost>", "<cost></cost>"),
        ("<cost>1.40</cost>", "<cost>-0.0</cost>"),
        ("<cost>1.40</cost>", "<cost>1.400000</cost>"),
        ("<cost>1.40</cost>", "<cost>0001.40</cost>"),
        ("<cost>1.40</cost>", "<cost>1.4000001</cost>"),  # past the column's scale
        ("<status>1</status>", "<status></status>"),  # a required number empty
        ("<status>1</status>", "<status>-0</status>"),
        ("<status>1</status>", "<status>77</status>"),  # an unknown code
        ("<err>0</err>", "<err>-5</err>"),
        ("<type>0</type>", "<type>99</type>"),
        ("<sms_cnt>1</sms_cnt>", "<sms_cnt>007</sms_cnt>"),
        ("<sms_cnt>1</sms_cnt>", "<sms_cnt>999999999999999999</sms_cnt>"),
        ("<last_timestamp>1624884947</", "<last_timestamp>-1</"),
        ("<last_date>28.06.2021 15:55:47</", "<last_date></"),  # an optional date empty
        ("<send_date>28.06.2021 15:55:40</", "<send_date>29.02.2020 00:00:00</"),
        ("<send_date>28.06.2021 15:55:40</", "<send_date>29.02.2021 00:00:00</"),
        ("<phone>79991234567</phone>", "<phone></phone>"),
        ("<message>Hello</message>", "<message>  </message>"),
    ],
)
def test_values_at_the_edges_of_their_forms_decode_as_per_answer(old: str, new: str) -> None:
    assert_same_as_per_answer([REQUEST] * 2, [PLAIN, _edited(old, new)])


def test_limits_leave_a_long_body_per_answer() -> None:
    limits = Limits(max_field_length=len(PLAIN) - 1)
    bodies = [PLAIN, _edited("<cost>1.40</cost>\n", "")]
    assert _taken(REQUEST, bodies, limits) == {1}
    assert_same_as_per_answer([REQUEST] * 2, bodies, limits=limits)


def test_a_body_whose_tags_end_before_the_templates_is_left_per_answer() -> None:
    """The last body's tags are shorter than the template's: they are
    compared up to the end of the data, not past it."""
    first = "<sms>\n<status>1</status>\n<operator_orig>x</operator_orig>\n</sms>"
    last = "<sms>\n<status>1</status>\n<a>x</a></sms>"
    assert _taken(REQUEST, [first, last]) == {0}
    assert_same_as_per_answer([REQUEST] * 2, [first, last])


def test_every_template_past_the_most_is_left_per_answer() -> None:
    lines = PLAIN.split("\n")
    fields = lines[1:-1]
    # the same fields, each batch's body rotated: a template each
    bodies = [
        "\n".join([lines[0], *fields[shift:], *fields[:shift], lines[-1]]) for shift in range(12)
    ]
    taken = _taken(REQUEST, bodies)
    assert 0 < len(taken) < len(bodies)
    assert_same_as_per_answer([REQUEST] * len(bodies), bodies)


# -- generated batches ------------------------------------------------------------------

#: the one-record fmt=2 layouts (the plain form is theirs)
_ONE_RECORD = [
    (query, spec) for query, spec in record_requests().items() if not spec.multi and spec.candidates
]

#: what may be put into a body: markup, references, white space and the
#: framing of the other formats
_XML_PIECES = [
    *S.FRAMING_PIECES,
    "&amp;",
    "&#65;",
    "<![CDATA[x]]>",
    "<!-- c -->",
    "<?pi x?>",
    ' a="b"',
    "<b>0</b>",
    "<flag/>",
    "</",
    ">",
    "\t",
    '<?xml version="1.0" encoding="windows-1251"?>',
    "Ё",
    "\ufffe",
]


@st.composite
def plain_answers(draw: st.DrawFn) -> tuple[str, str | bytes]:
    """A one-record fmt=2 answer as the encoder writes it (plain), often
    changed: a piece of markup put in, a field line dropped, doubled or
    moved, or its bytes in another charset."""
    query, spec = draw(st.sampled_from(_ONE_RECORD))
    request = f"{query}&fmt=2&n={draw(st.integers(0, 9))}"
    candidate = draw(st.sampled_from(spec.candidates))
    text = st.sampled_from(["", "Привет", "a, b", "x = y", "1", " ", "ok", "a]]>b"])
    reply = draw(S.replies(candidate.cls, text=text))
    try:
        body = smsc_codec.encode_text(reply, request, lossy=True)
    except smsc_codec.SmscCodecError:
        return request, draw(S.hostile_bodies)
    lines = body.split("\n")
    edit = draw(st.integers(0, 7))
    if edit == 1 and body:
        at = draw(st.integers(0, len(body)))
        body = body[:at] + draw(st.sampled_from(_XML_PIECES)) + body[at:]
    elif edit == 2 and len(lines) > 2:
        at = draw(st.integers(1, len(lines) - 2))
        copy = draw(st.booleans())
        moved = lines[at]
        rest = lines[:at] + ([moved] if copy else []) + lines[at + 1 :]
        to = draw(st.integers(1, len(rest) - 1))
        body = "\n".join([*rest[:to], moved, *rest[to:]])
    elif edit == 3 and len(lines) > 2:
        at = draw(st.integers(1, len(lines) - 2))
        body = "\n".join(lines[:at] + lines[at + 1 :])
    if draw(st.integers(0, 3)) == 0:
        return request, body.encode(draw(st.sampled_from(["utf-8", "cp1251"])), errors="replace")
    return request, body


@settings(max_examples=60)
@given(st.lists(plain_answers(), min_size=1, max_size=25))
def test_generated_fmt2_batches_decode_as_per_answer(batch: list[tuple[str, str | bytes]]) -> None:
    assert_batch_same_as_per_answer(batch)


@settings(max_examples=30)
@given(plain_answers())
def test_the_reader_takes_what_the_entry_reads_plain(answer: tuple[str, str | bytes]) -> None:
    """A body the reader takes is one the entry's regex reads (text, or
    ASCII bytes)."""
    request, body = answer
    if _taken(request, [body]):
        text = body if isinstance(body, str) else body.decode("ascii")
        group = _group_of(request, False, None, DEFAULT_LIMITS)
        assert group is not None
        assert plain_record_fields(group.spec.xml_item, text) is not None
