"""Print the ratio tables of a benchmark run.

    python benchmarks/report.py .benchmarks/run.json

Every group is a race (``benchmarks/race.py``): contenders timed by CPU in
interleaved rounds, the figure being the median over rounds of a contender's
time over the baseline's in the same round. Ratios are what count: absolute
times move from machine to machine and run to run. Exit status 1 when a goal
is missed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

#: the command line end to end / in-process decoding of the same log: at least
#: a third of the in-process rate
CLI_GOAL = 3.0
#: hostile shapes: CPU time per byte at every size (the issue's bound)
HOSTILE_NS_PER_BYTE = 1000.0


def _races(benchmarks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    races = {}
    for bench in benchmarks:
        info = bench.get("extra_info", {})
        if "race" in info:
            races[bench["group"] or bench["name"]] = {**info["race"], "bytes": info.get("bytes")}
    return races


def _met(ratio: float, goal: float | None) -> str:
    if goal is None:
        return "-"
    return "yes" if ratio <= goal else "NO"


def report(path: Path) -> int:
    data = json.loads(path.read_text(encoding="utf-8"))
    races = _races(data["benchmarks"])
    missed = _report_races({g: r for g, r in races.items() if not g.startswith("scaling-")})
    missed += _report_scaling({g: r for g, r in races.items() if g.startswith("scaling-")})
    missed += _report_cli(data["benchmarks"])
    missed += _report_cli_parquet(data["benchmarks"])
    _report_engines(data["benchmarks"])
    missed += _report_cold_start(data["benchmarks"])
    return 1 if missed else 0


def _report_cold_start(benchmarks: list[dict[str, Any]]) -> int:
    """A fresh process's CPU time for the import and the first decode."""
    rows = {
        b["group"]: b["extra_info"]["cold_start"]
        for b in benchmarks
        if "cold_start" in b.get("extra_info", {})
    }
    if not rows:
        return 0
    print(f"\n{'cold start':<20} {'import ms':>9} {'first decode ms':>15} {'goal':>5} {'met':>4}")
    missed = 0
    for group in sorted(rows):
        row = rows[group]
        met = _met(row["first_decode_ms"], row["goal_ms"])
        missed += met == "NO"
        print(
            f"{group:<20} {row['import_ms']:>9.1f} {row['first_decode_ms']:>15.1f}"
            f" {row['goal_ms']:>5.0f} {met:>4}"
        )
    return missed


def _report_races(races: dict[str, dict[str, Any]]) -> int:
    """One line per group: the subject over the baseline, its spread, the
    goal, and the other contenders' ratios for context."""
    if not races:
        return 0
    print(
        f"{'group':<30} {'ratio':>6} {'q1-q3':>11} {'goal':>5} {'met':>4}"
        "   (subject/baseline; others)"
    )
    missed = 0
    for group in sorted(races):
        race = races[group]
        subject, baseline = race["subject"], race["baseline"]
        ratio = race["ratios"][subject]
        q1, q3 = race["spreads"][subject]
        goal = race["goal"]
        met = _met(ratio, goal)
        missed += met == "NO"
        others = ", ".join(
            f"{name} {value:.2f}" for name, value in race["ratios"].items() if name != subject
        )
        print(
            f"{group:<30} {ratio:>6.2f} {q1:>5.2f}-{q3:<5.2f} "
            f"{goal if goal is not None else '-':>5} {met:>4}"
            f"   {subject}/{baseline}{'; ' + others if others else ''}"
        )
    return missed


def _report_scaling(races: dict[str, dict[str, Any]]) -> int:
    """Time per byte at each size (CPU, median), and the largest over the
    smallest of the per-round time-per-byte ratios to 1×."""
    if not races:
        return 0
    print(
        f"\n{'scaling':<30} {'ns/byte 1x':>10} {'10x':>8} {'100x':>8}"
        f" {'max/min':>8} {'goal':>5} {'met':>4}"
    )
    missed = 0
    for group in sorted(races):
        race = races[group]
        sizes = race["bytes"]
        per_byte = {size: race["median_seconds"][size] / sizes[size] for size in sizes}
        # per-round ratios to 1x, scaled from time per call to time per byte
        relative = {"1x": 1.0}
        for size, ratio in race["ratios"].items():
            relative[size] = ratio * sizes["1x"] / sizes[size]
        spread = max(relative.values()) / min(relative.values())
        met = _met(spread, race["goal"])
        hostile = group.startswith(("scaling-reject-", "scaling-blank-"))
        if hostile and max(per_byte.values()) * 1e9 > HOSTILE_NS_PER_BYTE:
            met = "NO"
        missed += met == "NO"
        row = " ".join(f"{per_byte[size] * 1e9:>8.1f}" for size in ("1x", "10x", "100x"))
        print(f"{group:<30}   {row} {spread:>8.2f} {race['goal']:>5} {met:>4}")
    return missed


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


def _report_cli_parquet(benchmarks: list[dict[str, Any]]) -> int:
    """JSON Lines to Parquet: rates per CPU second beside reading, and the
    wall time of two processes over one (with what the rest of the machine
    took meanwhile)."""
    found = [b["extra_info"]["cli_parquet"] for b in benchmarks if "cli_parquet" in b["extra_info"]]
    if not found:
        return 0
    info = found[0]
    rate = info["rate_mb_per_cpu_s"]
    print(f"\ncli-parquet: {info['records']:,} answers, {info['megabytes']:.0f} MB of JSON Lines")
    print(f"{'program':<10} {'MB/CPU s':>9}")
    for name in ("read", "jobs1", "jobs2"):
        print(f"{name:<10} {rate[name]:>9.1f}")
    rate_met = rate["jobs1"] >= info["goal_rate"]
    print(
        f"decode -f parquet: {rate['jobs1']:.1f} MB/s per core (goal {info['goal_rate']:.0f}, "
        f"{'met' if rate_met else 'NOT met'}); reading is {info['cli_over_read']:.2f}x faster"
    )
    ratio = info["jobs2_over_jobs1_wall"]
    jobs_met = ratio <= info["goal_jobs"]
    shares = info["others_share"]
    busy = ", ".join(
        f"{name} {max(values):.0%}" for name, values in shares.items() if name != "read"
    )
    print(
        f"--jobs 2 / --jobs 1 wall time: {ratio:.2f} (goal {info['goal_jobs']}, "
        f"{'met' if jobs_met else 'NOT met'}); the rest of the machine took at most: {busy}"
    )
    if "jobs2_critical_path_over_jobs1_cpu" in info:
        print(
            "--jobs 2 critical path (main process + largest worker CPU) / --jobs 1 CPU: "
            f"{info['jobs2_critical_path_over_jobs1_cpu']:.2f}"
        )
    return (not rate_met) + (not jobs_met)


def _report_engines(benchmarks: list[dict[str, Any]]) -> None:
    """Each engine's wall time with two workers over one (no goal)."""
    found = [
        b["extra_info"]["engine_workers"] for b in benchmarks if "engine_workers" in b["extra_info"]
    ]
    if not found:
        return
    print(f"\n{'engine':<8} {'answers':>8} {'2 workers / 1':>14}   others' share of the machine")
    for info in found:
        shares = [run["others"] for runs in info["runs"].values() for run in runs]
        print(
            f"{info['engine']:<8} {info['answers']:>8,} {info['two_over_one_wall']:>14.2f}"
            f"   at most {max(shares):.0%}"
        )


if __name__ == "__main__":
    sys.exit(report(Path(sys.argv[1] if len(sys.argv) > 1 else ".benchmarks/run.json")))
