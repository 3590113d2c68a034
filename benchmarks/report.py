"""Print codec/floor ratios from a pytest-benchmark JSON file.

    python benchmarks/report.py .benchmarks/run.json

Ratios are what count: absolute times move from machine to machine and run to
run, the codec and its floor are measured in the same run.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

#: the goal per format: codec median / floor median (see benchmarks/README.md)
GOALS = {"fmt3": 1.3, "fmt0": 2.0, "fmt1": 2.0, "fmt2": 1.2}
#: the command line end to end / in-process decoding of the same log: at least
#: a third of the in-process rate
CLI_GOAL = 3.0
#: decoding time per byte, largest over smallest across 1x, 10x and 100x the
#: input (benchmarks/test_scaling.py): linear time
SCALING_GOAL = 1.5


def _role(name: str) -> str:
    for role in ("codec", "floor", "peer"):
        if name.startswith(f"test_{role}"):
            return role
    return "other"


def report(path: Path) -> int:
    data = json.loads(path.read_text(encoding="utf-8"))
    groups: dict[str, dict[str, float]] = {}
    for bench in data["benchmarks"]:
        group = bench["group"] or ""
        if group.startswith("decode-"):
            groups.setdefault(group, {})[_role(bench["name"])] = bench["stats"]["median"]
    header = f"{'group':<20} {'codec/floor':>11} {'goal':>6} {'met':>4} {'peer/floor':>10}"
    if groups:  # a run of other suites only (test_scaling.py) has none
        print(header + "   codec, floor")
    missed = 0
    for group in sorted(groups):
        times = groups[group]
        fmt = group.split("-")[1]
        ratio = times["codec"] / times["floor"]
        goal = GOALS[fmt]
        met = ratio <= goal
        missed += not met
        peer = f"{times['peer'] / times['floor']:.2f}" if "peer" in times else "-"
        print(
            f"{group:<20} {ratio:>11.2f} {goal:>6.1f} {'yes' if met else 'NO':>4} {peer:>10}"
            f"   {times['codec'] * 1e6:.1f} µs, {times['floor'] * 1e6:.1f} µs"
        )
    missed += _report_cli(data["benchmarks"]) + _report_scaling(data["benchmarks"])
    return 1 if missed else 0


def _report_cli(benchmarks: list[dict[str, Any]]) -> int:
    """Print the command line's time over in-process decoding; count missed goals."""
    times = {b["name"]: b["stats"]["median"] for b in benchmarks if b["group"] == "cli-throughput"}
    baseline = times.pop("test_inprocess", None)
    if baseline is None:
        return 0
    print(f"\n{'cli-throughput':<20} {'cli/in-process':>14} {'goal':>6} {'met':>4}   rate")
    missed = 0
    for name, seconds in sorted(times.items()):
        ratio = seconds / baseline
        met = ratio <= CLI_GOAL
        missed += not met
        print(
            f"{name:<20} {ratio:>14.2f} {CLI_GOAL:>6.1f} {'yes' if met else 'NO':>4}"
            f"   {1 / ratio:.2f} of the in-process rate"
        )
    return missed


def _report_scaling(benchmarks: list[dict[str, Any]]) -> int:
    """Print time per byte by input size for each shape; count missed goals."""
    shapes: dict[str, dict[str, float]] = {}
    for bench in benchmarks:
        if (bench["group"] or "").startswith("scaling-"):
            per_byte = bench["stats"]["median"] / bench["extra_info"]["bytes"]
            shapes.setdefault(bench["group"], {})[bench["params"]["size"]] = per_byte
    if not shapes:
        return 0
    print(
        f"\n{'scaling':<26} {'ns/byte 1x':>10} {'10x':>8} {'100x':>8}"
        f" {'max/min':>8} {'goal':>5} {'met':>4}"
    )
    missed = 0
    for group in sorted(shapes):
        sizes = shapes[group]
        ratio = max(sizes.values()) / min(sizes.values())
        met = ratio <= SCALING_GOAL
        missed += not met
        row = " ".join(
            f"{sizes.get(size, float('nan')) * 1e9:>8.1f}" for size in ("1x", "10x", "100x")
        )
        print(f"{group:<26}   {row} {ratio:>8.2f} {SCALING_GOAL:>5.1f} {'yes' if met else 'NO':>4}")
    return missed


if __name__ == "__main__":
    sys.exit(report(Path(sys.argv[1] if len(sys.argv) > 1 else ".benchmarks/run.json")))
