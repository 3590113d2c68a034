"""Codec ÷ floor in interleaved rounds: the median of per-round CPU-time ratios.

    python benchmarks/rounds.py [ROUNDS]

pytest-benchmark times each contender in turn, so a load that comes and goes
on a shared machine lands on one of them; here each round times a batch of
codec calls and a batch of floor calls back to back (in alternating order),
in CPU time, and the ratio is taken per round. The inputs and floors are the
decode benchmarks' own (``conftest.py``, ``floors.py``).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import smsc_codec
from benchmarks import floors
from benchmarks.conftest import CASES, CONTACT_CASES, Case
from benchmarks.test_send_balance import ANSWERS, FLOORS

_Floor = Callable[[str], Any]


def groups() -> dict[str, tuple[Case, _Floor]]:
    found: dict[str, tuple[Case, _Floor]] = {}
    for (fmt, rows), case in CASES.items():
        multi = rows > 1

        def csv(body: str, multi: bool = multi) -> Any:
            return floors.floor_csv(body, multi)

        status: dict[int, _Floor] = {
            0: floors.floor_text,
            1: csv,
            2: floors.floor_xml,
            3: floors.floor_json if rows == 1 else floors.floor_json_many,
        }
        found[f"decode-fmt{fmt}-{'single' if rows == 1 else rows}"] = (case, status[fmt])
    contacts: dict[int, _Floor] = {
        0: floors.floor_contacts_text,
        1: floors.floor_contacts_csv,
        2: floors.floor_xml,
        3: floors.floor_contacts_json,
    }
    for fmt, case in CONTACT_CASES.items():
        found[f"decode-fmt{fmt}-contacts-1000"] = (case, contacts[fmt])
    for answer, cases in ANSWERS.items():
        for fmt, case in cases.items():
            floor = FLOORS.get((answer, fmt), floors.floor_xml)
            found[f"decode-fmt{fmt}-{answer}-single"] = (case, floor)
    return found


def _batch(call: _Floor, body: str, times: int) -> int:
    start = time.process_time_ns()
    for _ in range(times):
        call(body)
    return time.process_time_ns() - start


def main(rounds: int) -> None:
    print(f"{'group':<30} {'codec/floor':>11}   quartiles")
    for name, (case, floor) in sorted(groups().items()):
        codec = smsc_codec.Decoder(case.request).decode
        times = 1  # calls per batch: some 20 ms of the codec's time
        while _batch(codec, case.body, times) < 20_000_000:
            times *= 2
        ratios = []
        for i in range(rounds):
            if i % 2:
                mine, floor_time = _batch(codec, case.body, times), _batch(floor, case.body, times)
            else:
                floor_time, mine = _batch(floor, case.body, times), _batch(codec, case.body, times)
            ratios.append(mine / floor_time)
        low, _, high = statistics.quantiles(ratios)
        print(f"{name:<30} {statistics.median(ratios):>11.2f}   {low:.2f}-{high:.2f}", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
