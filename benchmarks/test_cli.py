"""Throughput of the command line beside the library's in-process decoding.

The same JSON Lines log (tests/logs.py: the corpus cycled, every request made
unique as a real log's ids make it) is decoded three ways in one run:

* ``test_inprocess``: the records already in memory, ``decode`` called on each
  (the baseline: no file, no JSON Lines parsing, no output);
* ``test_cli[1]`` and ``test_cli[2]``: ``smsc-codec decode LOG -o FILE``
  as a subprocess, end to end (start-up, reading, rows, writing), with one and
  two worker processes.

The goal (issue: the command line): the command line decodes at no less than
a third of the in-process rate, i.e. cli time / in-process time <= 3.
``SMSC_CLI_BENCH_RECORDS`` sets the log's length (default 1,000,000).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import msgspec
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from smsc_codec import SmscCodecError
from smsc_codec._exchange import decode_exchange
from tests.logs import write_log

RECORDS = int(os.environ.get("SMSC_CLI_BENCH_RECORDS", "1000000"))


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_log(tmp_path_factory.mktemp("cli") / "log.jsonl", RECORDS)


def test_inprocess(benchmark: BenchmarkFixture, log: Path) -> None:
    benchmark.group = "cli-throughput"
    records = [msgspec.json.decode(line) for line in log.read_bytes().splitlines()]

    def decode_all() -> int:
        decoded = 0
        for record in records:
            try:
                decode_exchange(record["body"], record["request"])
            except SmscCodecError:
                continue
            decoded += 1
        return decoded

    # one round: a million records take long enough to measure once
    decoded = benchmark.pedantic(decode_all, rounds=1, iterations=1)  # type: ignore[no-untyped-call]
    assert 0.9 * RECORDS < decoded < RECORDS  # the corpus's rejections are in the log


@pytest.mark.parametrize("jobs", [1, 2])
def test_cli(benchmark: BenchmarkFixture, log: Path, tmp_path: Path, jobs: int) -> None:
    benchmark.group = "cli-throughput"
    out = tmp_path / "rows.jsonl"
    command = [sys.executable, "-m", "smsc_codec._cli", "decode", str(log), "-o", str(out)]
    command += ["--jobs", str(jobs), "--quiet"]

    def run() -> int:
        return subprocess.run(command, stderr=subprocess.DEVNULL, check=False).returncode

    status = benchmark.pedantic(run, rounds=1, iterations=1)  # type: ignore[no-untyped-call]
    assert status == 1  # some were rejected
    with out.open("rb") as rows:
        assert 0.9 * RECORDS < sum(1 for _ in rows) < RECORDS
