"""Single short answers: the codec's fixed cost per call.

A ``send.php?cost=3`` answer, a ``balance.php`` balance, a bare ``OK`` and an
``all=0`` status row, decoded by a reused ``Decoder``, beside a floor that
checks the same grammar (a ``fullmatch`` of the layout, or a typed msgspec
decode with the grammar's patterns) and does the same conversions into one
Struct. These answers are a few dozen bytes: what is measured is everything
the codec does around the reading (finding the layout, the envelope checks,
dispatch). Goal: codec ≤ 1.5× the floor in fmt 0, 1 and 3; fmt=2 is beside
defusedxml's parse alone, as in test_decode.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import smsc_codec
from benchmarks import floors
from benchmarks.conftest import TINY, TINY_CASES, RaceFixture

GOAL = 1.5
XML_GOAL = 1.2

FLOORS: dict[tuple[str, int], Callable[[str], Any]] = {
    ("send", 0): floors.floor_send_text,
    ("send", 1): floors.floor_send_csv,
    ("send", 3): floors.floor_send_json,
    ("balance", 0): floors.floor_balance_line,
    ("balance", 1): floors.floor_balance_line,
    ("balance", 3): floors.floor_balance_json,
    ("ok", 0): floors.floor_ok,
    ("ok", 1): floors.floor_ok,
    ("ok", 2): floors.floor_ok,  # the bare OK, whatever fmt was asked (facts §9)
    ("ok", 3): floors.floor_ok,
    ("status", 0): floors.floor_short_status_text,
    ("status", 1): floors.floor_short_status_csv,
    ("status", 3): floors.floor_short_status_json,
}


def _same_values(got: Any, want: Any) -> None:
    """The floor read what the codec read (a Decimal equals an int or a
    float of the same value: the type counts too)."""
    for name in getattr(got, "__struct_fields__", ()):
        value = getattr(got, name)
        expected = getattr(want, name)
        if value is None:
            assert expected is None, name
            continue
        assert value == expected, name
        if isinstance(expected, (int, str)) or type(expected).__name__ == "Decimal":
            assert isinstance(value, type(expected)) or isinstance(expected, int), name


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
@pytest.mark.parametrize("answer", list(TINY))
def test_tiny(race: RaceFixture, answer: str, fmt: int) -> None:
    case = TINY_CASES[(answer, fmt)]
    codec = smsc_codec.Decoder(case.request).decode
    assert codec(case.body) == case.expected
    xml = (answer, fmt) not in FLOORS
    floor = floors.floor_xml if xml else FLOORS[(answer, fmt)]
    if xml:
        floor(case.body)  # the parse alone: nothing to compare
    else:
        _same_values(floor(case.body), case.expected)
    race(
        f"tiny-fmt{fmt}-{answer}",
        {"codec": lambda: codec(case.body), "floor": lambda: floor(case.body)},
        goal=XML_GOAL if xml else GOAL,
    )
