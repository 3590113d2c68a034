"""A process's first decode of each format, in a fresh interpreter.

Each round starts a new Python process that imports the library and decodes
one answer of the format; the process measures its own CPU time for the
import and for the first decode (``time.process_time``: what other processes
on the machine do is not counted). The figure is the median over rounds.
Goal: the first decode of each format costs at most 20 ms (a serverless
handler's cold start pays it).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from tests.test_cold_start import BODIES

ROUNDS = 15
GOAL_MS = 20.0

PROGRAM = """
import json, sys, time
started = time.process_time()
import smsc_codec
imported = time.process_time()
body, request = json.loads(sys.argv[1])
smsc_codec.decode(body, request)
decoded = time.process_time()
print(json.dumps([imported - started, decoded - imported]))
"""


@pytest.mark.parametrize("fmt", sorted(BODIES))
def test_cold_start(benchmark: BenchmarkFixture, fmt: int) -> None:
    samples: list[tuple[float, float]] = []

    def one_process() -> None:
        done = subprocess.run(
            [sys.executable, "-c", PROGRAM, json.dumps(BODIES[fmt])],
            capture_output=True,
            text=True,
            check=True,
        )
        imported, decoded = json.loads(done.stdout)
        samples.append((imported, decoded))

    benchmark.group = f"cold-start-fmt{fmt}"
    benchmark.pedantic(one_process, rounds=ROUNDS, iterations=1)  # type: ignore[no-untyped-call]
    benchmark.extra_info["cold_start"] = {
        "import_ms": 1000 * statistics.median(s[0] for s in samples),
        "first_decode_ms": 1000 * statistics.median(s[1] for s in samples),
        "goal_ms": GOAL_MS,
    }
