"""The columnar pick of a status line's kind (``_columnar_pick``) against the
registry's own ``pick_line``, on the edges of each rule and on generated
lines."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

import smsc_codec
from smsc_codec._columnar_pick import pick_candidates
from smsc_codec._replies import layout_of, reply_spec

pytestmark = pytest.mark.property

#: every status layout with two kinds: (fmt, all, several ids)
_LAYOUTS = [(fmt, level, multi) for fmt in (0, 1) for level in (0, 1, 2) for multi in (False, True)]

_EDGES = [
    "",
    "4",
    ",4",
    "4,",
    "1,2,3,4",
    "1,2,3, 4",
    "1,2,3,4 ",
    "1,2,3,\u30004\u3000",
    "1,2,3,\u00854",
    "1,2,3,4,5",
    "1,2,3, 4 ,5",
    "1,2,3,44,5",
    "1,2,3,4,",
    ",,,,,,,,,,",
    ",,,,,,,,,",
    ",,,,,,,,,,,,",
    ",,,,,,,,,,,",
    "status = 1, imsi = 2",
    "message = a, imsi = b",
    "imsi = 1",
    ", imsi =",
    ",imsi = 1",
]


def _check(fmt: int, level: int, multi: bool, lines: list[str]) -> None:
    ids = "1,2" if multi else "1"
    request = smsc_codec.parse_request(f"status.php?phone=7999&id={ids}&fmt={fmt}&all={level}")
    layout = layout_of(request)
    spec = reply_spec(layout)
    picked = pick_candidates(spec, layout, fmt, pa.array(lines, type=pa.string())).tolist()
    expected = [spec.candidates.index(spec.pick_line(fmt, line)) for line in lines]
    assert picked == expected


@pytest.mark.parametrize(("fmt", "level", "multi"), _LAYOUTS)
def test_the_edges_of_each_rule_pick_as_the_registry(fmt: int, level: int, multi: bool) -> None:
    _check(fmt, level, multi, _EDGES)


@given(
    st.sampled_from(_LAYOUTS),
    st.lists(
        st.text(alphabet=st.sampled_from(",4 \t\u3000\u0085imsy=a1"), max_size=40), max_size=20
    ),
)
def test_generated_lines_pick_as_the_registry(
    layout: tuple[int, int, bool], lines: list[str]
) -> None:
    _check(*layout, lines)
