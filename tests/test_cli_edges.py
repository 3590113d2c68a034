"""Where records could vanish at the command line's edges: closed standard
streams, folder entries that cannot be read or followed, worker processes
outliving their parent. Each is run for real: closed descriptors, real FIFOs,
symbolic links and folders without permissions, a real ``kill -9``.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest

from tests.cli_runs import CLI, run_cli
from tests.logs import log_lines, quick_exchanges, write_log

REPO = Path(__file__).resolve().parent.parent


# -- closed standard streams ---------------------------------------------------------


def _closing(*descriptors: int) -> Callable[[], None]:
    def close() -> None:
        for descriptor in descriptors:
            os.close(descriptor)

    return close


@pytest.mark.parametrize(
    ("closed", "said_on"),
    [((2,), "stdout"), ((1,), "stderr"), ((1, 2), None)],
    ids=["stderr-closed", "stdout-closed", "both-closed"],
)
def test_a_closed_standard_stream_is_one_line_and_status_2(
    tmp_path: Path, closed: tuple[int, ...], said_on: str | None
) -> None:
    """Nothing is read (the output file is not even made), one line says why on
    the stream still open, and the exit status is 2, never a silent 1."""
    log = write_log(tmp_path / "log.jsonl", 20, quick_exchanges())
    out = tmp_path / "out.jsonl"
    done = run_cli(tmp_path, "decode", log, "-o", out, preexec_fn=_closing(*closed))
    assert done.returncode == 2
    assert not out.exists()
    said = {"stdout": done.stdout, "stderr": done.stderr}
    name = {1: "output", 2: "error"}
    for stream, text in said.items():
        if stream != said_on:
            assert text == ""
            continue
        (line,) = text.splitlines()
        assert line.startswith("smsc-codec: standard ")
        assert all(f"standard {name[descriptor]}" in line for descriptor in closed)
        assert "closed" in line


# -- a folder's entries that cannot be read or followed ------------------------------


def _without_permission_override() -> None:
    """Run the child without root's power to read what permissions forbid
    (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so that a folder without
    permissions is unreadable to it, as to any other user: dropped from the
    bounding set, they are gone after exec."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop, cap_dac_override, cap_dac_read_search = 24, 1, 2
    for capability in (cap_dac_override, cap_dac_read_search):
        if libc.prctl(pr_capbset_drop, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "cannot drop the permission override")


def _one_line_log(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(next(log_lines(1, quick_exchanges())))
    return path


def test_a_folder_walk_reports_every_entry_it_cannot_read_or_follow(tmp_path: Path) -> None:
    top = tmp_path / "logs"
    readable = _one_line_log(top / "a" / "read.jsonl")
    elsewhere = _one_line_log(tmp_path / "elsewhere" / "linked.jsonl")
    (top / "linked").symlink_to(elsewhere.parent, target_is_directory=True)
    locked = top / "locked"
    _one_line_log(locked / "hidden.jsonl")
    (top / "a" / "up").symlink_to("..", target_is_directory=True)  # a loop through a link
    (top / "loop-1.jsonl").symlink_to("loop-2.jsonl")
    (top / "loop-2.jsonl").symlink_to("loop-1.jsonl")
    (top / "dangling.jsonl").symlink_to("gone.jsonl")
    os.mkfifo(top / "pipe.jsonl")  # opening it would wait for a writer forever
    os.mkfifo(top / "pipe.txt")  # not an input by its name: not a record either
    (top / "notes.txt").write_text("not an input\n")
    locked.chmod(0)
    rejects = tmp_path / "rejects.jsonl"
    try:
        done = run_cli(
            tmp_path, "decode", top, "--rejects", rejects, preexec_fn=_without_permission_override
        )
    finally:
        locked.chmod(0o755)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    rows = [msgspec.json.decode(line) for line in done.stdout.splitlines()]
    assert [row["source"] for row in rows] == [str(readable), str(top / "linked" / elsewhere.name)]
    reasons = {
        reject["source"]: reject["reason"]
        for reject in map(msgspec.json.decode, rejects.read_bytes().splitlines())
    }
    assert reasons == {
        str(top / "a" / "up"): "a link back to a folder holding it (a loop): not followed",
        str(top / "dangling.jsonl"): "a symbolic link to gone.jsonl, which does not exist",
        str(locked): "cannot read the folder: Permission denied",
        str(top / "loop-1.jsonl"): "a symbolic link that loops: not followed",
        str(top / "loop-2.jsonl"): "a symbolic link that loops: not followed",
        str(top / "pipe.jsonl"): "not a regular file but a pipe: not read",
    }
    for source, reason in reasons.items():
        assert f"{source}:1:1: {reason}" in done.stderr
    assert "6 rejected" in done.stderr.splitlines()[-1]


def test_a_fifo_named_on_the_command_line_is_still_read(tmp_path: Path) -> None:
    """Only a pipe found inside a folder is refused; one named is read."""
    fifo = tmp_path / "named.jsonl"
    os.mkfifo(fifo)
    reader = subprocess.Popen(
        [*CLI, "decode", "-q", str(fifo)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    line = next(log_lines(1, quick_exchanges()))
    with fifo.open("wb") as pipe:
        pipe.write(line)
    out, err = reader.communicate(timeout=60)
    assert reader.returncode in (0, 1), err
    assert [msgspec.json.decode(row)["line"] for row in out.splitlines()] == [1]


# -- workers end with their parent ---------------------------------------------------


def _children(parent: int) -> list[int]:
    """The processes whose parent is ``parent``, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            found.append(int(entry))
    return found


def _running(pid: int) -> bool:
    """Whether ``pid`` still runs: neither gone nor a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _wait_until_gone(pids: list[int], seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while any(map(_running, pids)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [pid for pid in pids if _running(pid)]


def _kill_all(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize(
    "output", [["-o", os.devnull], ["-f", "parquet", "-o", "tables"]], ids=["jsonl", "parquet"]
)
def test_workers_end_when_the_parent_is_killed(tmp_path: Path, output: list[str]) -> None:
    """Workers given chunks, or reading ranges of the input themselves (Parquet)."""
    log = write_log(tmp_path / "log.jsonl", 300_000, quick_exchanges())
    parent = subprocess.Popen(
        [*CLI, "decode", str(log), *output, "--jobs", "2", "-q"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline and parent.poll() is None:
            time.sleep(0.05)
            workers = _children(parent.pid)
        assert len(workers) == 2, workers
        time.sleep(0.5)  # at work
        assert parent.poll() is None
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        assert _wait_until_gone(workers, 10) == []
    finally:
        _kill_all([parent.pid, *workers])


_WATCHED = """
import os, sys, time
from smsc_codec._cli._pipeline import watch_parent

child = os.fork()
if child == 0:
    watch_parent(os.getppid(), interval=0.05)
    time.sleep(120)  # as a worker waiting for work
    os._exit(0)
print(child, flush=True)
time.sleep(120)
"""


def test_a_worker_watching_its_parent_ends_with_it(tmp_path: Path) -> None:
    """The watching thread, used where the kernel cannot be asked, for real: a
    process forks a child that watches it, and is killed."""
    middle = subprocess.Popen(
        [sys.executable, "-c", _WATCHED],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert middle.stdout is not None
    child = int(middle.stdout.readline())
    try:
        time.sleep(0.3)
        assert _running(child)  # it does not end by itself
        middle.send_signal(signal.SIGKILL)
        middle.wait()
        assert _wait_until_gone([child], 10) == []
    finally:
        middle.stdout.close()
        _kill_all([middle.pid, child])
