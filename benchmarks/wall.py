"""Timing a program run as a subprocess: wall time, its CPU time, and how
much of the machine the rest of it took meanwhile.

Beside the totals, the CPU time of each worker process it starts (sampled
from ``/proc`` every hundredth of a second while it runs; the main process's
own time is the total less theirs): the main process's time and its largest
worker's add up to the run's critical path on idle cores when the main
process waits while the workers work, a figure other work on the machine
changes far less than wall time.

Wall time is what more worker processes shorten, and what other work on a
shared machine lengthens. So each run records, beside its wall and CPU
seconds (``getrusage(RUSAGE_CHILDREN)``: the process and the workers it
waited for), the share of the machine's CPU time that other processes took
while it ran (``/proc/stat``'s busy time less the run's own): a ratio of wall
times from rounds where others took a large share says so.
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from collections.abc import Mapping
from typing import Any

__all__ = ["measured_run"]


def _cpu_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of the whole machine."""
    with open("/proc/stat", encoding="ascii") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle and iowait
    return sum(values) - idle, sum(values)


def _children(pid: int) -> list[int]:
    found = []
    try:
        for thread in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{thread}/children", encoding="ascii") as listed:
                found += [int(child) for child in listed.read().split()]
    except OSError:  # (ended meanwhile)
        pass
    return found


def _cpu_seconds(pid: int) -> float | None:
    """User and system time of a running process, from ``/proc/PID/stat``."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured_run(command: list[str], env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Run ``command``; its wall and CPU seconds, the others' share, and the
    CPU seconds of its main process (``own``) and of each of its workers."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy0, total0 = _cpu_ticks()
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    workers: dict[int, float] = {}
    ended = threading.Event()

    def sample() -> None:
        while not ended.wait(0.01):
            for child in _children(process.pid):
                seconds = _cpu_seconds(child)
                if seconds is not None:
                    workers[child] = seconds

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    wall = time.perf_counter() - started
    ended.set()
    sampler.join()
    busy1, total1 = _cpu_ticks()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert process.returncode == 0, (command, stderr[-3000:])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    ticks = os.sysconf("SC_CLK_TCK")
    machine = (total1 - total0) / ticks
    others = max(0.0, (busy1 - busy0) / ticks - cpu)
    worker_cpu = sorted(workers.values(), reverse=True)
    return {
        "wall": wall,
        "cpu": cpu,
        "others": others / machine if machine else 0.0,
        "own": cpu - sum(worker_cpu),
        "workers": worker_cpu,
    }
