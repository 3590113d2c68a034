"""Races: contenders timed side by side, in interleaved rounds, by CPU time.

On this project's shared two-core machine wall-clock times swing by ±40 %
from run to run, and two benchmarks run one after the other see different
loads: the same group moved from 1.65 to 5.26 between runs. So a race

* times the CPU of the measuring thread (``time.thread_time``), not the wall
  clock: what other processes do is not counted;
* runs every contender once per round, in an order rotated each round, so
  that a slow spell hits all of them alike;
* reports, for each contender, the median over rounds of its time divided by
  the baseline's time in the same round (and the spread of those ratios).

Each contender is warmed up before the loop count is calibrated (a first
call compiles a layout's regex and generated code: calibrating on it gives
one-iteration samples). The loop count is chosen so that one contender's
share of a round takes at least ``ROUND_SECONDS`` of CPU.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: CPU time each contender gets in one round
ROUND_SECONDS = 0.01
ROUNDS = 15
WARMUP_CALLS = 3


@dataclass
class Race:
    """Per-call CPU seconds of each contender, one entry per round."""

    baseline: str
    seconds: dict[str, list[float]] = field(default_factory=dict)
    loops: dict[str, int] = field(default_factory=dict)

    def ratios(self, name: str) -> list[float]:
        """``name``'s time over the baseline's, round by round."""
        return [
            mine / base
            for mine, base in zip(self.seconds[name], self.seconds[self.baseline], strict=True)
        ]

    def ratio(self, name: str) -> float:
        """The median of the per-round ratios."""
        return statistics.median(self.ratios(name))

    def spread(self, name: str) -> tuple[float, float]:
        """The first and third quartiles of the per-round ratios."""
        quartiles = statistics.quantiles(self.ratios(name), n=4)
        return quartiles[0], quartiles[2]

    def summary(self) -> dict[str, Any]:
        """What the report needs, as JSON-ready values."""
        return {
            "baseline": self.baseline,
            "median_seconds": {n: statistics.median(s) for n, s in self.seconds.items()},
            "ratios": {n: self.ratio(n) for n in self.seconds if n != self.baseline},
            "spreads": {n: self.spread(n) for n in self.seconds if n != self.baseline},
            "loops": dict(self.loops),
            "rounds": len(self.seconds[self.baseline]),
        }


def _loops_for(call: Callable[[], object], seconds: float) -> int:
    """How many calls take at least ``seconds`` of CPU (after warming up)."""
    for _ in range(WARMUP_CALLS):
        call()
    loops = 1
    while True:
        started = time.thread_time()
        for _ in range(loops):
            call()
        spent = time.thread_time() - started
        if spent >= seconds or loops >= 1 << 24:
            return loops
        # aim a little past the target, from what this count took
        loops = max(loops * 2, int(loops * seconds * 1.2 / max(spent, 1e-9)))


class Rounds:
    """A race run one round at a time (so that pytest-benchmark can drive
    the rounds); ``race`` holds the results."""

    def __init__(
        self,
        contenders: Mapping[str, Callable[[], object]],
        baseline: str,
        *,
        round_seconds: float = ROUND_SECONDS,
    ) -> None:
        if baseline not in contenders:
            raise ValueError(f"the baseline {baseline!r} is not a contender")
        self.contenders = dict(contenders)
        self.race = Race(baseline, {name: [] for name in contenders})
        self.race.loops = {
            name: _loops_for(call, round_seconds) for name, call in contenders.items()
        }
        self._order = list(contenders)

    def run_round(self) -> None:
        """Every contender once, in an order rotated from the last round's."""
        loops = self.race.loops
        for name in self._order:
            call = self.contenders[name]
            count = loops[name]
            started = time.thread_time()
            for _ in range(count):
                call()
            self.race.seconds[name].append((time.thread_time() - started) / count)
        self._order.append(self._order.pop(0))


def race(
    contenders: Mapping[str, Callable[[], object]],
    baseline: str,
    *,
    rounds: int = ROUNDS,
    round_seconds: float = ROUND_SECONDS,
) -> Race:
    """Run ``rounds`` interleaved rounds of the contenders."""
    runner = Rounds(contenders, baseline, round_seconds=round_seconds)
    for _ in range(rounds):
        runner.run_round()
    return runner.race
