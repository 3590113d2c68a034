"""Decoding: the codec beside its floor and a naive peer, per format and size.

Each group holds the codec (``codec``), the fastest correct hand-written
reader of the same layout (``floor``) and, for context, what peers do
(``peer``). ``benchmarks/report.py`` turns a run into codec/floor ratios.
"""

from __future__ import annotations

from typing import Any

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

import smsc_codec
from benchmarks import floors
from benchmarks.conftest import CASES, Case


def _group(benchmark: BenchmarkFixture, fmt: int, rows: int) -> Case:
    benchmark.group = f"decode-fmt{fmt}-{'single' if rows == 1 else rows}"
    return CASES[(fmt, rows)]


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) else value


def _same_fields(floor: Any, expected: Any) -> None:
    """The floor read the same record the codec did."""
    got, want = _first(floor), _first(expected)
    for name in ("status", "err", "phone", "cost", "message", "comment", "country", "type"):
        if getattr(want, name) is not None:
            assert getattr(got, name) == getattr(want, name), name
    for name in ("last_date", "send_date", "last_timestamp"):
        if getattr(want, name) is not None:
            assert getattr(got, name) == getattr(want, name), name


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_codec(benchmark: BenchmarkFixture, fmt: int, rows: int) -> None:
    case = _group(benchmark, fmt, rows)
    decoder = smsc_codec.Decoder(case.request)
    result = benchmark(decoder.decode, case.body)
    assert result == case.expected


def test_floor_fmt3(benchmark: BenchmarkFixture, rows: int) -> None:
    case = _group(benchmark, 3, rows)
    reader = floors.floor_json if rows == 1 else floors.floor_json_many
    _same_fields(benchmark(reader, case.body), case.expected)


def test_peer_fmt3(benchmark: BenchmarkFixture, rows: int) -> None:
    case = _group(benchmark, 3, rows)
    benchmark(floors.peer_json, case.body)


def test_floor_fmt2(benchmark: BenchmarkFixture, rows: int) -> None:
    case = _group(benchmark, 2, rows)
    root = benchmark(floors.floor_xml, case.body)
    assert root.tag == ("sms" if rows == 1 else "list")


def test_floor_fmt0(benchmark: BenchmarkFixture, rows: int) -> None:
    case = _group(benchmark, 0, rows)
    _same_fields(benchmark(floors.floor_text, case.body), case.expected)


def test_peer_fmt0(benchmark: BenchmarkFixture, rows: int) -> None:
    case = _group(benchmark, 0, rows)
    records = benchmark(floors.peer_text, case.body)
    assert records[0]["message"] != _first(case.expected).message  # the peer's bug


def test_floor_fmt1(benchmark: BenchmarkFixture, rows: int) -> None:
    case = _group(benchmark, 1, rows)
    _same_fields(benchmark(floors.floor_csv, case.body, rows > 1), case.expected)


def test_peer_fmt1(benchmark: BenchmarkFixture, rows: int) -> None:
    case = _group(benchmark, 1, rows)
    benchmark(floors.peer_csv, case.body)
