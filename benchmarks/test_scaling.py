"""Decoding time grows linearly with the input: time per byte at 1×, 10× and
100× the size, for plain lists and for hostile shapes, rejections included.

Each shape is decoded at three sizes, raced against each other in interleaved
rounds by CPU time (``benchmarks/race.py``); ``benchmarks/report.py`` divides
each median by the body's length and reports, per shape, the largest time per
byte over the smallest (the goal: at most 1.5), and for the hostile shapes
the time per byte itself (the goal: at most 1 µs on this project's machine).
The 1× bodies are 10–100 KB, so the fixed cost of a call is lost in the work.
Bodies are written from the model by the library's encoder and handed over
as bytes in the request's charset (windows-1251), as they come off the wire.
The limits are raised out of the way: what is measured is the decoder's
work, not its refusals.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec
import pytest

import smsc_codec
from benchmarks.conftest import RaceFixture, reply
from smsc_codec import MessageStatus, SmsStatus

SIZES = {"1x": 1, "10x": 10, "100x": 100}
#: rounds (each size once a round): the 100× bodies take up to a second a call
ROUNDS = 5
#: time per byte, largest over smallest across the sizes: linear time
SCALING_GOAL = 1.5
#: no limit in the way of the largest input
UNLIMITED = smsc_codec.Limits(
    max_body_bytes=1 << 30, max_records=1 << 30, max_line_length=1 << 30, max_field_length=1 << 30
)
STATUS = "status.php?id=1,2&phone=79991234567&all=2&fmt={fmt}"
ONE_STATUS = "status.php?id=1&phone=79991234567&all=2&fmt={fmt}"
#: several-id all=0 rows: status, timestamp, id, phone (err is optional)
TINY = "status.php?id=1,2&phone=79991234567,79991234568&fmt=1"
#: rows at 1× per format: about 64 KB of all=2 rows
LIST_ROWS = {0: 200, 1: 600, 2: 100, 3: 150}
TINY_ROWS = 3_000


@dataclass(frozen=True)
class Shape:
    request: str
    #: the value written at a scale (1, 10 or 100): a reply or a list of them
    value: Callable[[int], Any]
    #: a cheap check that the decoded value is the one written
    check: Callable[[Any, Any], bool]


def _message(unit: str, length: int) -> Callable[[int], str]:
    """``unit`` repeated to ``length`` × scale characters."""
    return lambda scale: (unit * (length * scale // len(unit) + 1))[: length * scale]


def _list(fmt: int) -> Shape:
    # as in conftest.py: a comma in a fmt=1 message next to the comment is ambiguous
    message = "Hello world = test" if fmt == 1 else "Hello, world = test"
    return Shape(
        STATUS.format(fmt=fmt),
        lambda scale: [reply(message=message, row=i) for i in range(LIST_ROWS[fmt] * scale)],
        _same_rows,
    )


def _same_rows(got: Any, want: Any) -> bool:
    last, expected = got[-1], want[-1]
    return len(got) == len(want) and (last.id, last.phone, last.message) == (
        expected.id,
        expected.phone,
        expected.message,
    )


def _one(fmt: int, message: Callable[[int], str]) -> Shape:
    """One all=2 record whose message grows with the scale."""
    return Shape(
        ONE_STATUS.format(fmt=fmt),
        lambda scale: reply(message=message(scale)),
        lambda got, want: got.message == want.message and got.comment == want.comment,
    )


def _with_unknown_key(scale: int) -> list[SmsStatus]:
    """The fmt=3 list, each record with a key the model does not know (read
    by a learned twin once the first body has been read)."""
    return [
        msgspec.structs.replace(row, extra=(("note", f"row {i}"),))
        for i, row in enumerate(_list(3).value(scale))
    ]


def _same_rows_and_keys(got: Any, want: Any) -> bool:
    return _same_rows(got, want) and got[-1].extra == want[-1].extra


def _tiny(scale: int) -> list[SmsStatus]:
    return [
        SmsStatus(status=MessageStatus.DELIVERED, last_timestamp=1624884947, id=i, phone="7999")
        for i in range(TINY_ROWS * scale)
    ]


SHAPES: dict[str, Shape] = {
    **{f"list-fmt{fmt}": _list(fmt) for fmt in range(4)},
    # the fmt=3 list with an unknown key in every record
    "unknown-keys-fmt3": Shape(STATUS.format(fmt=3), _with_unknown_key, _same_rows_and_keys),
    # one line of 64,000 characters and more, no comma in the text
    "huge-line-fmt1": _one(1, _message("Hello мир = test ", 64_000)),
    # the shortest rows a several-id answer has: `1,1624884947,17,7999`
    "tiny-lines-fmt1": Shape(TINY, _tiny, _same_rows),
    # a message of commas before `, comment, type`: every comma a possible end
    "commas-fmt1": _one(1, _message(",", 10_000)),
    # a message of `key = value` pairs before `, comment = `
    "pairs-fmt0": _one(0, _message("a = b, c = d, ", 64_000)),
    # one value to unescape: entities in XML, escapes in JSON
    "huge-value-fmt2": _one(2, _message("Hello & <мир> ", 64_000)),
    "huge-value-fmt3": _one(3, _message('Hello "мир" \\ ', 64_000)),
}


@dataclass(frozen=True)
class Hostile:
    """A body written by hand (the encoders refuse to write a broken one)."""

    request: str
    body: Callable[[int], str]
    #: where the body must be refused (an offset, -1 for the last character),
    #: or None for a body that decodes
    fault_at: Callable[[str], int] | None
    strict: bool = False


def _commas_line(count: int) -> str:
    # a message of commas, then a type that is no number (any comma could
    # end the message: a general parser's worst case)
    return "1,1,0,1,7,1,S,x," + ",".join(["a"] * count) + ", z, X"


def _pairs_line(count: int) -> str:
    return (
        "Status = 1, check_time = 10.10.2010 10:10:10, err = 0, "
        "send_date = 10.10.2010 10:10:09, phone = 79990000000, cost = 1.40, "
        "sender_id = SMSC, status_name = x, message = hi"
        + ", comment = b" * count
        + ", comment = , type = Z"
    )


def _contact_line(count: int) -> str:
    return "79990000001," + "Ив," * count + "5922,Иван,Иванов,Петрович,32.13.1980,c-17,x,vip,"


def _last(text: str) -> int:
    return len(text) - 1


HOSTILE: dict[str, Hostile] = {
    "reject-commas-fmt1": Hostile(
        "status.php?id=5&phone=7&fmt=1&all=1", lambda scale: _commas_line(4_000 * scale), _last
    ),
    "reject-pairs-strict-fmt0": Hostile(
        "status.php?id=5&phone=7&all=1", lambda scale: _pairs_line(600 * scale), _last, strict=True
    ),
    "reject-contact-fmt1": Hostile(
        "phones.php?get=1&fmt=1",
        lambda scale: _contact_line(2_000 * scale),
        lambda text: text.index("32.13.1980"),
    ),
    # every comma a separator, long texts, no birthday where one belongs
    "reject-texts-fmt1": Hostile(
        "phones.php?get=1&fmt=1",
        lambda scale: ",".join(["x" * 700 * scale] * 11),
        lambda text: 6 * (len(text) // 11 + 1),
    ),
    # one record and blank lines: each a line the reader must pass over
    "blank-lines-fmt1": Hostile(
        "status.php?id=5&phone=7&fmt=1",
        lambda scale: "1,1286524541,0" + "\n" * 8_000 * scale,
        None,
    ),
}


@functools.cache
def _hostile_body(shape: str, scale: int) -> bytes:
    return HOSTILE[shape].body(scale).encode("cp1251")


def _decode_or_refuse(decoder: smsc_codec.Decoder[Any], body: bytes) -> Any:
    try:
        return decoder.decode(body)
    except smsc_codec.DecodeError as exc:
        return exc


@pytest.mark.parametrize("shape", HOSTILE)
def test_scaling_hostile(race: RaceFixture, shape: str) -> None:
    hostile = HOSTILE[shape]
    decoder = smsc_codec.Decoder(hostile.request, strict=hostile.strict)
    bodies = {size: _hostile_body(shape, scale) for size, scale in SIZES.items()}
    for body in bodies.values():
        found = _decode_or_refuse(decoder, body)
        text = body.decode("cp1251")
        if hostile.fault_at is None:
            assert not isinstance(found, smsc_codec.DecodeError), found
        else:
            assert isinstance(found, smsc_codec.DecodeError), found
            assert (found.line, found.column) == (1, hostile.fault_at(text) + 1), found
    _race_sizes(race, f"scaling-{shape}", decoder, bodies, refusals=True)


def _race_sizes(
    race: RaceFixture,
    group: str,
    decoder: smsc_codec.Decoder[Any],
    bodies: dict[str, bytes],
    *,
    refusals: bool = False,
) -> None:
    """The sizes raced against each other, 1× the baseline: the report
    divides each median time by its body's length."""
    call = functools.partial(_decode_or_refuse, decoder) if refusals else decoder.decode
    result = race(
        group,
        {size: functools.partial(call, body) for size, body in bodies.items()},
        baseline="1x",
        subject="100x",
        goal=SCALING_GOAL,
        rounds=ROUNDS,
    )
    race.extra_info["bytes"] = {size: len(body) for size, body in bodies.items()}
    assert result.seconds


@functools.cache
def _case(shape: str, scale: int) -> tuple[bytes, Any]:
    """The body (bytes in the request's charset) and what it must decode to."""
    value = SHAPES[shape].value(scale)
    # The text layouts have no place for some fields: write what they carry.
    return smsc_codec.encode(value, SHAPES[shape].request, lossy=True), value


@pytest.mark.parametrize("shape", SHAPES)
def test_scaling(race: RaceFixture, shape: str) -> None:
    decoder = smsc_codec.Decoder(SHAPES[shape].request, limits=UNLIMITED)
    bodies = {}
    for size, scale in SIZES.items():
        body, expected = _case(shape, scale)
        assert SHAPES[shape].check(decoder.decode(body), expected)
        bodies[size] = body
    _race_sizes(race, f"scaling-{shape}", decoder, bodies)
