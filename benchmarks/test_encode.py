"""Encoding, for information (no goal): each format, one reply and 1,000 rows."""

from __future__ import annotations

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

import smsc_codec
from benchmarks.conftest import CASES


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_codec_encode(benchmark: BenchmarkFixture, fmt: int, rows: int) -> None:
    case = CASES[(fmt, rows)]
    benchmark.group = f"encode-fmt{fmt}-{'single' if rows == 1 else rows}"
    assert benchmark(smsc_codec.encode_text, case.expected, case.request) == case.body
