"""Timing a program run as a subprocess: wall time, its CPU time, and how
much of the machine the rest of it took meanwhile.

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
import time
from collections.abc import Mapping

__all__ = ["measured_run"]


def _cpu_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of the whole machine."""
    with open("/proc/stat", encoding="ascii") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle and iowait
    return sum(values) - idle, sum(values)


def measured_run(command: list[str], env: Mapping[str, str] | None = None) -> dict[str, float]:
    """Run ``command``; its wall and CPU seconds and the others' share."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy0, total0 = _cpu_ticks()
    started = time.perf_counter()
    done = subprocess.run(
        command,
        capture_output=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    wall = time.perf_counter() - started
    busy1, total1 = _cpu_ticks()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert done.returncode == 0, (command, done.stderr[-3000:])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    ticks = os.sysconf("SC_CLK_TCK")
    machine = (total1 - total0) / ticks
    others = max(0.0, (busy1 - busy0) / ticks - cpu)
    return {"wall": wall, "cpu": cpu, "others": others / machine if machine else 0.0}
