"""Running ``smsc-codec`` as a subprocess and measuring its memory.

Memory is the child's peak resident set: read with ``getrusage`` by a small
wrapper process once the tool has ended, or from ``/proc`` while it runs, so
the test process's own memory does not count.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["BUDGET", "CLI", "peak_memory", "peak_memory_while_running", "run_cli"]

CLI = [sys.executable, "-m", "smsc_codec._cli"]

#: The memory budget the issue sets for any input size, in bytes.
BUDGET = 200 * 1024 * 1024

_PEAK = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
"""


def run_cli(
    cwd: Path,
    *args: str | Path,
    timeout: float = 180,
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """The tool run with ``args``, its output and errors captured as text."""
    return subprocess.run(
        [*CLI, *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
        preexec_fn=preexec_fn,
    )


def peak_memory(args: list[str], cwd: Path) -> tuple[int, int]:
    """(exit status, peak resident bytes) of the tool run with ``args``."""
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, *CLI, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    code, peak = done.stdout.split()
    return int(code), int(peak)


def _status_bytes(pid: int, key: str) -> int:
    """A ``/proc/PID/status`` size (``VmHWM``, ``VmRSS``), in bytes."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise LookupError(key)


def peak_memory_while_running(args: list[str], cwd: Path, seconds: float) -> list[int]:
    """The tool's peak resident bytes, sampled every tenth of its first
    ``seconds`` of a run that is not expected to end; then it is killed. A run
    that outgrows BUDGET is killed at once (its samples end there)."""
    process = subprocess.Popen(
        [*CLI, *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    samples = []
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
            samples.append(_status_bytes(process.pid, "VmHWM"))
            if samples[-1] > BUDGET:
                break
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait()
    return samples
