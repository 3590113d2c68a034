"""Encoding: each format, one ``all=2`` status reply and a 1,000-row list,
beside a hand-written writer of the same bytes (``encode_floors.py``).

The codec's figure is ``encode_text`` from the reply to the body: finding the
layout, checking the reply as a whole and every value, and the read-back
where a free text could be misread. Goal (issue 14): ≤ 3× the floor in every
format, for one reply and for the list.
"""

from __future__ import annotations

import pytest

import smsc_codec
from benchmarks.conftest import CASES, RaceFixture
from benchmarks.encode_floors import ENCODE_FLOORS

GOAL = 3.0


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_encode(race: RaceFixture, fmt: int, rows: int) -> None:
    case = CASES[(fmt, rows)]
    one, many = ENCODE_FLOORS[fmt]
    value = case.expected

    def floor() -> str:
        return one(value) if rows == 1 else many(value)

    assert floor() == case.body
    assert smsc_codec.encode_text(value, case.request) == case.body
    race(
        f"encode-fmt{fmt}-{'single' if rows == 1 else rows}",
        {
            "codec": lambda: smsc_codec.encode_text(value, case.request),
            "floor": floor,
        },
        goal=GOAL,
    )
