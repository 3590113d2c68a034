"""Decoding time grows linearly with the input: time per byte at 1×, 10× and
100× the size, for plain lists and for hostile shapes.

Each shape is decoded at three sizes; ``benchmarks/report.py`` divides each
median by the body's length and reports, per shape, the largest time per byte
over the smallest (the goal: at most 1.5). The limits are raised out of the
way: what is measured is the decoder's work, not its refusals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

import smsc_codec
from benchmarks.conftest import reply

SIZES = {"1x": 1, "10x": 10, "100x": 100}
#: no limit in the way of the largest input
UNLIMITED = smsc_codec.Limits(
    max_body_bytes=1 << 30, max_records=1 << 30, max_line_length=1 << 30, max_field_length=1 << 30
)
STATUS = "status.php?id=1,2&phone=79991234567&all=2&fmt={fmt}"
ONE_STATUS = "status.php?id=1&phone=79991234567&all=2&fmt={fmt}"


@dataclass(frozen=True)
class Shape:
    request: str
    #: the body at a scale (1, 10 or 100)
    body: Callable[[int], str]
    #: a cheap check that the decoded value is the one written
    check: Callable[[Any, int], bool]


def _rows(fmt: int, scale: int) -> str:
    message = "Hello world = test" if fmt == 1 else "Hello, world = test"
    rows = [reply(message=message, row=i) for i in range(60 * scale)]
    return smsc_codec.encode_text(rows, STATUS.format(fmt=fmt), lossy=True)


def _one_message(fmt: int, unit: str, length: int) -> Callable[[int], str]:
    """One all=2 record whose message is ``unit`` repeated to ``length`` × scale."""

    def body(scale: int) -> str:
        message = (unit * (length * scale // len(unit) + 1))[: length * scale]
        value = reply(message=message)
        return smsc_codec.encode_text(value, ONE_STATUS.format(fmt=fmt), lossy=True)

    return body


def _message_length(length: int) -> Callable[[Any, int], bool]:
    return lambda value, scale: len(value.message) == length * scale


def _tiny_lines(scale: int) -> str:
    # the shortest several-id rows: status, timestamp, err, id, phone
    return "\n".join(f"1,1624884947,0,{i},7999" for i in range(2_000 * scale))


SHAPES: dict[str, Shape] = {
    **{
        f"list-fmt{fmt}": Shape(
            STATUS.format(fmt=fmt),
            lambda scale, fmt=fmt: _rows(fmt, scale),  # type: ignore[misc]
            lambda value, scale: len(value) == 60 * scale,
        )
        for fmt in range(4)
    },
    "huge-line-fmt1": Shape(
        ONE_STATUS.format(fmt=1), _one_message(1, "Hello world ", 40_000), _message_length(40_000)
    ),
    "tiny-lines-fmt1": Shape(
        "status.php?id=1,2&phone=7999,7998&fmt=1",
        _tiny_lines,
        lambda value, scale: len(value) == 2_000 * scale,
    ),
    # a message of commas in the middle of a line: every comma a possible end
    "commas-fmt1": Shape(
        ONE_STATUS.format(fmt=1), _one_message(1, ",", 10_000), _message_length(10_000)
    ),
    # a message of `key = value` pairs in a fmt=0 line
    "pairs-fmt0": Shape(
        ONE_STATUS.format(fmt=0), _one_message(0, "a = b, c = d, ", 50_000), _message_length(50_000)
    ),
    "huge-value-fmt2": Shape(
        ONE_STATUS.format(fmt=2),
        _one_message(2, "Hello & <world> ", 40_000),
        _message_length(40_000),
    ),
    "huge-value-fmt3": Shape(
        ONE_STATUS.format(fmt=3), _one_message(3, 'Hello "world" ', 40_000), _message_length(40_000)
    ),
}

_BODIES: dict[tuple[str, int], str] = {}


def _body(shape: str, scale: int) -> str:
    key = (shape, scale)
    if key not in _BODIES:
        _BODIES[key] = SHAPES[shape].body(scale)
    return _BODIES[key]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("shape", SHAPES)
def test_scaling(benchmark: BenchmarkFixture, shape: str, size: str) -> None:
    scale = SIZES[size]
    body = _body(shape, scale)
    decoder = smsc_codec.Decoder(SHAPES[shape].request, limits=UNLIMITED)
    benchmark.group = f"scaling-{shape}"
    benchmark.extra_info["bytes"] = len(body)
    rounds = max(3, 30 // scale)
    value = benchmark.pedantic(  # type: ignore[no-untyped-call]
        decoder.decode, args=(body,), rounds=rounds, iterations=1, warmup_rounds=1
    )
    assert SHAPES[shape].check(value, scale)
