"""Decoding one ``send.php?cost=3`` and one ``balance.php`` answer: the codec
beside its floor.

Same rules as test_decode.py: each floor does the codec's work (ints, money to
``Decimal``, one Struct per answer) and every benchmark checks its result.
These answers are a few dozen bytes, so each call takes a few µs and the
ratios carry the machine's noise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

import smsc_codec
from benchmarks import floors
from benchmarks.conftest import BALANCE_CASES, SEND_CASES, Case

ANSWERS = {"send": SEND_CASES, "balance": BALANCE_CASES}

#: the fields both the codec and the floor fill, per answer
FIELDS = {"send": ("id", "cnt", "cost", "balance"), "balance": ("balance",)}

FLOORS: dict[tuple[str, int], Callable[[str], Any]] = {
    ("send", 0): floors.floor_send_text,
    ("send", 1): floors.floor_send_csv,
    ("send", 3): floors.floor_send_json,
    ("balance", 0): floors.floor_balance_line,
    ("balance", 1): floors.floor_balance_line,
    ("balance", 3): floors.floor_balance_json,
}


def _group(benchmark: BenchmarkFixture, answer: str, fmt: int) -> Case:
    benchmark.group = f"decode-fmt{fmt}-{answer}-single"
    return ANSWERS[answer][fmt]


@pytest.fixture(params=list(ANSWERS))
def answer(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_codec(benchmark: BenchmarkFixture, answer: str, fmt: int) -> None:
    case = _group(benchmark, answer, fmt)
    decoder = smsc_codec.Decoder(case.request)
    assert benchmark(decoder.decode, case.body) == case.expected


@pytest.mark.parametrize("fmt", [0, 1, 3])
def test_floor(benchmark: BenchmarkFixture, answer: str, fmt: int) -> None:
    case = _group(benchmark, answer, fmt)
    got = benchmark(FLOORS[(answer, fmt)], case.body)
    for name in FIELDS[answer]:
        value, want = getattr(got, name), getattr(case.expected, name)
        # A Decimal equals an int or a float of the same value: the type counts too.
        assert type(value) is type(want), name
        assert value == want, name


def test_floor_fmt2(benchmark: BenchmarkFixture, answer: str) -> None:
    case = _group(benchmark, answer, 2)
    root = benchmark(floors.floor_xml, case.body)
    # Parse alone converts nothing: check that it holds the codec's values as text.
    texts = {root.tag: root.text} if len(root) == 0 else {e.tag: e.text for e in root}
    assert texts == {n: str(getattr(case.expected, n)) for n in FIELDS[answer]}
