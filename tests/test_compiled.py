"""The generated writers (``_compiled``) write what the general writer
writes, or stand aside: for every registered layout in every format, on
replies drawn from the model (hostile text included), the fast path's body
equals the general path's, and where the general path refuses the fast path
writes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

import smsc_codec
from smsc_codec import EncodeError
from smsc_codec._formats import WRITERS
from smsc_codec._grammar import line_layouts
from smsc_codec._replies import record_requests, reply_spec
from smsc_codec._request import parse_request
from tests import strategies as S

pytestmark = pytest.mark.property

CASES = [(query, fmt) for query in record_requests() for fmt in (0, 1, 2, 3)]


def _draw(data: st.DataObject, query: str, fmt: int) -> Any:
    spec = reply_spec(parse_request(f"{query}&fmt={fmt}"))
    candidate = data.draw(st.sampled_from(spec.candidates))
    fields = None
    if fmt in (0, 1):
        fields = data.draw(st.sampled_from(line_layouts(fmt, candidate.rule))).fields
    text = data.draw(st.sampled_from([S.free_text, S.cp1251_text]))
    strategy = S.replies(candidate.cls, fields, text_formats=fmt in (0, 1), text=text)
    if spec.multi:
        return data.draw(st.lists(strategy, min_size=1, max_size=3))
    return data.draw(strategy)


@pytest.mark.parametrize(("query", "fmt"), CASES)
@given(data=st.data())
def test_the_fast_path_writes_what_the_general_path_writes(
    query: str, fmt: int, data: st.DataObject
) -> None:
    request = f"{query}&fmt={fmt}"
    spec = reply_spec(parse_request(request))
    value = _draw(data, query, fmt)
    fast = WRITERS[fmt].fast_writer(spec)(value)
    try:
        # (a parsed request takes the general path)
        general = smsc_codec.encode_text(value, parse_request(request))
    except EncodeError:
        assert fast is None
        event("refused: the fast path stood aside")
        return
    event("fast" if fast is not None else "general")
    if fast is not None:
        assert fast == general
    assert smsc_codec.encode_text(value, request) == general


def test_a_list_value_of_a_one_record_line_request_is_left_to_the_general_path() -> None:
    reply = smsc_codec.Balance(balance=Decimal("1.5"))
    assert WRITERS[0].fast_writer(reply_spec(parse_request("balance.php")))([reply]) is None
