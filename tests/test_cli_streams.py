"""The command line as a stream: flat memory, no record lost, Ctrl-C, progress.

Each test runs ``smsc-codec`` as a subprocess over generated JSON Lines logs
(tests/logs.py); memory is measured as tests/cli_runs.py says.
"""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import time
from pathlib import Path

import msgspec
import pytest

from tests.cli_runs import BUDGET, CLI, peak_memory
from tests.logs import quick_exchanges, write_log


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_memory_stays_flat_as_the_input_grows_tenfold(tmp_path: Path, jobs: str) -> None:
    exchanges = quick_exchanges()
    small = write_log(tmp_path / "small.jsonl", 10_000, exchanges)
    large = write_log(tmp_path / "large.jsonl", 100_000, exchanges)
    assert large.stat().st_size > 9 * small.stat().st_size
    peaks = {}
    for log in (small, large):
        out = tmp_path / f"{log.stem}.out"
        code, peaks[log.stem] = peak_memory(
            ["decode", str(log), "-o", str(out), "--jobs", jobs], tmp_path
        )
        assert code in (0, 1)
        assert out.stat().st_size > log.stat().st_size  # rows are written, not held
    # ten times the input, the same memory: a few MB of allocator noise at most
    assert peaks["large"] - peaks["small"] < 16 * 1024 * 1024, peaks
    assert peaks["large"] < BUDGET


def test_every_record_is_in_the_output_or_the_rejects(tmp_path: Path) -> None:
    log = write_log(tmp_path / "log.jsonl.gz", 40_000)
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    done = subprocess.run(
        [*CLI, "decode", str(log), "-o", str(out), "--rejects", str(rejects), "--jobs", "2"],
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 1  # the corpus has answers that must be rejected
    decoded = [msgspec.json.decode(line)["line"] for line in out.read_bytes().splitlines()]
    rejected = [msgspec.json.decode(line)["line"] for line in rejects.read_bytes().splitlines()]
    assert rejected  # the corpus's rejections are among them
    assert sorted(decoded + rejected) == list(range(1, 40_001))
    assert decoded == sorted(decoded)  # --jobs keeps the input's order
    summary = done.stderr.decode().splitlines()[-1]
    assert f"40,000 records, {len(decoded):,} read, {len(rejected):,} rejected" in summary


def test_ctrl_c_leaves_only_whole_lines(tmp_path: Path) -> None:
    log = write_log(tmp_path / "log.jsonl", 300_000)
    out = tmp_path / "out.jsonl"
    process = subprocess.Popen(
        [*CLI, "decode", str(log), "-o", str(out), "-q"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while (not out.exists() or out.stat().st_size < 100_000) and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert b"interrupted" in stderr
    data = out.read_bytes()
    assert data.endswith(b"\n")
    lines = [json.loads(line)["line"] for line in data.splitlines()]
    assert 0 < len(lines) < 300_000  # stopped early, and what is there is whole
    assert lines == sorted(lines)


def _stderr_on_terminal(args: list[str], cwd: Path) -> str:
    """What the tool writes to standard error when that is a terminal."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [*CLI, *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=follower, stdin=subprocess.DEVNULL
    )
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", errors="replace")


def test_progress_line_on_a_terminal_only(tmp_path: Path) -> None:
    log = write_log(tmp_path / "log.jsonl", 30_000, quick_exchanges())
    on_terminal = _stderr_on_terminal(["decode", str(log), "-o", os.devnull], tmp_path)
    assert "records/s" in on_terminal
    assert "30,000 records" in on_terminal  # the last redraw counts everything
    assert "read" in on_terminal
    quiet = _stderr_on_terminal(["decode", str(log), "-o", os.devnull, "--quiet"], tmp_path)
    assert "records/s" not in quiet
    piped = subprocess.run(
        [*CLI, "decode", str(log), "-o", os.devnull],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "records/s" not in piped.stderr
    assert "\r" not in piped.stderr
    assert "30,000 records" in piped.stderr  # the summary is still there


def test_a_truncated_gzip_keeps_its_whole_lines_and_says_where_it_broke(tmp_path: Path) -> None:
    whole = write_log(tmp_path / "whole.jsonl.gz", 5_000, quick_exchanges()).read_bytes()
    log = tmp_path / "cut.jsonl.gz"
    log.write_bytes(whole[: len(whole) // 2])
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    done = subprocess.run(
        [*CLI, "decode", str(log), "-o", str(out), "--rejects", str(rejects)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    seen = [msgspec.json.decode(line)["line"] for line in out.read_bytes().splitlines()]
    reasons = [msgspec.json.decode(line) for line in rejects.read_bytes().splitlines()]
    broken = reasons[-1]
    assert "cannot read" in broken["reason"]
    assert "from here on" in broken["reason"]
    # every line before the break is in the output or the rejects, none after
    lines = sorted(seen + [reject["line"] for reject in reasons[:-1]])
    assert lines == list(range(1, broken["line"]))
    assert 0 < broken["line"] < 5_000
    assert f"{log}:{broken['line']}:1: cannot read" in done.stderr


@pytest.mark.parametrize(
    "options",
    [["--rejects", "."], ["-o", "missing-folder/out.jsonl"], ["--jobs", "-1"]],
    ids=["rejects-is-a-folder", "output-folder-missing", "negative-jobs"],
)
def test_a_usage_mistake_is_a_message_and_status_2(tmp_path: Path, options: list[str]) -> None:
    log = write_log(tmp_path / "log.jsonl", 10, quick_exchanges())
    done = subprocess.run(
        [*CLI, "decode", str(log), *options],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("smsc-codec decode: ")
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "options",
    [["--limit", "max_rows=10"], ["--limit", "max_records=-1"], ["--limit", "max_depth"]],
    ids=["unknown-limit", "negative-limit", "limit-without-value"],
)
def test_a_bad_limit_is_a_usage_mistake(tmp_path: Path, options: list[str]) -> None:
    log = write_log(tmp_path / "log.jsonl", 10, quick_exchanges())
    done = subprocess.run(
        [*CLI, "decode", str(log), *options],
        cwd=tmp_path,
        check=False,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "--limit" in done.stderr
    assert "Traceback" not in done.stderr


def test_limit_option_reaches_the_decoder(tmp_path: Path) -> None:
    """`--limit max_records=1` rejects a two-record answer, naming the limit;
    without it the same answer decodes."""
    body = tmp_path / "two.body"
    body.write_bytes(b"1,0,0,1,79990000001\n1,0,0,2,79990000002")
    args = [*CLI, "decode", "-q", str(body), "--request", "status.php?id=1,2&phone=1,2&fmt=1"]
    whole = subprocess.run(args, cwd=tmp_path, check=False, capture_output=True, text=True)
    assert whole.returncode == 0
    limited = subprocess.run(
        [*args, "--limit", "max_records=1"],
        cwd=tmp_path,
        check=False,
        capture_output=True,
        text=True,
    )
    assert limited.returncode == 1
    assert f"{body}:2:1: fmt=1: more records than 1, over the limit max_records=1" in limited.stderr


def test_a_full_disk_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    log = write_log(tmp_path / "log.jsonl", 2_000, quick_exchanges())
    done = subprocess.run(
        [*CLI, "decode", str(log), "-o", "/dev/full"],
        cwd=tmp_path,
        check=False,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "No space left on device" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_closed_standard_input_is_a_message(tmp_path: Path) -> None:
    done = subprocess.run(
        [*CLI, "decode", "-"],
        cwd=tmp_path,
        check=False,
        stdin=subprocess.DEVNULL,
        capture_output=True,
    )
    assert done.returncode == 0  # an empty input is no mistake
    closed = subprocess.run(
        [*CLI, "decode", "-"],
        cwd=tmp_path,
        check=False,
        capture_output=True,
        text=True,
        preexec_fn=lambda: os.close(0),
    )
    assert closed.returncode == 2
    assert "standard input is closed" in closed.stderr


def test_a_pipe_named_by_a_path_is_read(tmp_path: Path) -> None:
    """A FIFO, as `<(zcat log.gz)` gives, is an input like a file."""
    fifo = tmp_path / "answers.fifo"
    os.mkfifo(fifo)
    reader = subprocess.Popen(
        [*CLI, "decode", "-q", str(fifo), "--request", "status.php?id=1&phone=7&fmt=1"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    with fifo.open("wb") as pipe:
        pipe.write(b"1,1286524541,0")
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    row = msgspec.json.decode(out)
    assert row["reply"]["last_timestamp"] == 1286524541


def test_a_body_file_is_read_no_further_than_the_body_limit(tmp_path: Path) -> None:
    """A body file over ``max_body_bytes`` is one reject naming the limit; the
    rejects file does not repeat it."""
    body = tmp_path / "big.body"
    body.write_bytes(b"1,1286524541,0" + b"0" * 5_000)
    rejects = tmp_path / "rejects.jsonl"
    request = "status.php?id=1&phone=7&fmt=1"
    limit = ["--limit", "max_body_bytes=1000"]
    done = subprocess.run(
        [*CLI, "decode", "-q", str(body), "--request", request, *limit, "--rejects", str(rejects)],
        cwd=tmp_path,
        check=False,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    (reject,) = [msgspec.json.decode(line) for line in rejects.read_bytes().splitlines()]
    assert reject["reason"] == "more than 1,000 bytes, over the limit max_body_bytes"
    assert reject["raw"] == ""
