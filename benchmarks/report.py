"""Print codec/floor ratios from a pytest-benchmark JSON file.

    python benchmarks/report.py .benchmarks/run.json

Ratios are what count: absolute times move from machine to machine and run to
run, the codec and its floor are measured in the same run.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

#: the goal per format: codec median / floor median (see benchmarks/README.md)
GOALS = {"fmt3": 1.3, "fmt0": 2.0, "fmt1": 2.0, "fmt2": 1.2}


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
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(report(Path(sys.argv[1] if len(sys.argv) > 1 else ".benchmarks/run.json")))
