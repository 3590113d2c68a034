"""Decoding a 1,000-contact list (``phones.php?get=1``): the codec beside its floor.

Same rules as test_decode.py: each floor does the codec's work (a date, three
lists split and kept with their text, a Struct per contact) and every
benchmark checks its result.
"""

from __future__ import annotations

from typing import Any

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

import smsc_codec
from benchmarks import floors
from benchmarks.conftest import CONTACT_CASES, ROWS, Case


def _group(benchmark: BenchmarkFixture, fmt: int) -> Case:
    benchmark.group = f"decode-fmt{fmt}-contacts-{ROWS}"
    return CONTACT_CASES[fmt]


def _same_contacts(floor: list[Any], expected: list[Any]) -> None:
    assert len(floor) == len(expected)
    got, want = floor[-1], expected[-1]
    assert got.phone == want.phones  # (a list is kept as its text)
    assert got.phone_other == want.other_phones
    assert got.group == want.groups
    assert got.birthday == want.birthday
    assert (got.name, got.comments, got.id) == (want.name, want.comments, want.client_id)


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_codec(benchmark: BenchmarkFixture, fmt: int) -> None:
    case = _group(benchmark, fmt)
    decoder = smsc_codec.Decoder(case.request)
    assert benchmark(decoder.decode, case.body) == case.expected


def test_floor_fmt3(benchmark: BenchmarkFixture) -> None:
    case = _group(benchmark, 3)
    _same_contacts(benchmark(floors.floor_contacts_json, case.body), case.expected)


def test_floor_fmt2(benchmark: BenchmarkFixture) -> None:
    case = _group(benchmark, 2)
    assert len(benchmark(floors.floor_xml, case.body)) == ROWS


def test_floor_fmt0(benchmark: BenchmarkFixture) -> None:
    case = _group(benchmark, 0)
    _same_contacts(benchmark(floors.floor_contacts_text, case.body), case.expected)


def test_floor_fmt1(benchmark: BenchmarkFixture) -> None:
    case = _group(benchmark, 1)
    _same_contacts(benchmark(floors.floor_contacts_csv, case.body), case.expected)
