"""Decoding: the codec beside its floor and a naive peer, per format and size.

Each group is one race (``benchmarks/race.py``): the codec (``codec``), the
fastest correct hand-written reader of the same layout (``floor``) and, for
context, what peers do (``peer``), timed by CPU in interleaved rounds.
``benchmarks/report.py`` prints the median per-round ratio codec/floor beside
the group's goal. Each contender's result is checked before the race, so a
broken fast path cannot look fast.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest

import smsc_codec
from benchmarks import floors
from benchmarks.conftest import CASES, CONTACT_CASES, ROWS, RaceFixture

#: codec / floor, per format (benchmarks/README.md)
GOALS = {0: 2.0, 1: 2.0, 2: 1.2, 3: 1.3}


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


def _status_floor(fmt: int, rows: int) -> Callable[[str], Any]:
    if fmt == 3:
        return floors.floor_json if rows == 1 else floors.floor_json_many
    if fmt == 2:
        return floors.floor_xml
    if fmt == 0:
        return floors.floor_text
    return functools.partial(floors.floor_csv, multi=rows > 1)


_STATUS_PEERS: dict[int, Callable[[str], Any]] = {
    0: floors.peer_text,
    1: floors.peer_csv,
    3: floors.peer_json,
}


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
@pytest.mark.parametrize("rows", [1, ROWS], ids=["single", str(ROWS)])
def test_status(race: RaceFixture, fmt: int, rows: int) -> None:
    case = CASES[(fmt, rows)]
    codec = smsc_codec.Decoder(case.request).decode
    floor = _status_floor(fmt, rows)
    assert codec(case.body) == case.expected
    if fmt == 2:
        assert floor(case.body).tag == ("sms" if rows == 1 else "list")
    else:
        _same_fields(floor(case.body), case.expected)
    contenders = {"codec": lambda: codec(case.body), "floor": lambda: floor(case.body)}
    peer = _STATUS_PEERS.get(fmt)
    if peer is not None:
        contenders["peer"] = lambda: peer(case.body)
        if fmt == 0:
            assert peer(case.body)[0]["message"] != _first(case.expected).message  # its bug
    size = "single" if rows == 1 else str(rows)
    race(f"decode-fmt{fmt}-{size}", contenders, goal=GOALS[fmt])


# ---------------------------------------------------------------- contacts --
def _same_contacts(floor: list[Any], expected: list[Any]) -> None:
    assert len(floor) == len(expected)
    got, want = floor[-1], expected[-1]
    assert got.phone == want.phones  # (a list is kept as its text)
    assert got.phone_other == want.other_phones
    assert got.group == want.groups
    assert got.birthday == want.birthday
    assert (got.name, got.comments, got.id) == (want.name, want.comments, want.client_id)


_CONTACT_FLOORS: dict[int, Callable[[str], Any]] = {
    0: floors.floor_contacts_text,
    1: floors.floor_contacts_csv,
    2: floors.floor_xml,
    3: floors.floor_contacts_json,
}


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_contacts(race: RaceFixture, fmt: int) -> None:
    case = CONTACT_CASES[fmt]
    codec = smsc_codec.Decoder(case.request).decode
    floor = _CONTACT_FLOORS[fmt]
    assert codec(case.body) == case.expected
    if fmt == 2:
        assert len(floor(case.body)) == ROWS
    else:
        _same_contacts(floor(case.body), case.expected)
    race(
        f"decode-fmt{fmt}-contacts-{ROWS}",
        {"codec": lambda: codec(case.body), "floor": lambda: floor(case.body)},
        goal=GOALS[fmt],
    )
