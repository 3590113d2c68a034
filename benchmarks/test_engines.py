"""The README's engine recipes with one worker and with two.

Each recipe runs as it is in the README (``tests/recipes.py`` reads it) in a
fresh interpreter, on a generated archive of ``SHARDS`` shards, once with one
worker and once with two: Dask's LocalCluster ``n_workers``, Spark's
``local[N]``, DuckDB's ``threads``, polars' ``POLARS_MAX_THREADS``. Wall time
(start-up included: a cluster's start is part of using it), two rounds in
alternate order, the median of the per-round ratios, with the share of the
machine other processes took (``wall.py``). Goal-free: how the engines
scale is reported, not required.
"""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path
from typing import Any

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from benchmarks.wall import measured_run
from tests.recipes import recipe, write_shards

pytestmark = pytest.mark.engines

SHARDS = int(os.environ.get("SMSC_ENGINE_BENCH_SHARDS", "8"))
RECORDS = int(os.environ.get("SMSC_ENGINE_BENCH_RECORDS", "10000"))
ROUNDS = 2


def _program(name: str, workers: int) -> tuple[str, dict[str, str]]:
    code = recipe(name)
    env: dict[str, str] = {}
    if name == "dask":
        code = code.replace("n_workers=2", f"n_workers={workers}")
    elif name == "spark":
        code = code.replace('master("local[2]")', f'master("local[{workers}]")')
        code += "\nspark.stop()\n"
    elif name == "duckdb":
        code = f"import duckdb\nduckdb.sql('SET threads = {workers}')\n" + code
    elif name == "polars":
        env["POLARS_MAX_THREADS"] = str(workers)
    head = "import sys\nfrom pathlib import Path\nout = Path(sys.argv[1])\n"
    head += "shards = [Path(p) for p in sys.argv[2:]]\n"
    return head + code, env


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_shards(tmp_path_factory.mktemp("engine-shards"), SHARDS, RECORDS)


@pytest.mark.parametrize("engine", ["polars", "duckdb", "dask", "spark"])
def test_engine_workers(
    benchmark: BenchmarkFixture, shards: list[Path], tmp_path: Path, engine: str
) -> None:
    benchmark.group = f"engine-{engine}"
    runs: dict[int, list[dict[str, float]]] = {1: [], 2: []}

    def one_round() -> None:
        order = [1, 2] if len(runs[1]) % 2 == 0 else [2, 1]
        for workers in order:
            code, env = _program(engine, workers)
            script = tmp_path / f"{engine}-{workers}.py"
            script.write_text(code, encoding="utf-8")
            out = tmp_path / f"out-{workers}-{len(runs[workers])}"
            command = [sys.executable, str(script), str(out), *map(str, shards)]
            runs[workers].append(measured_run(command, env))

    benchmark.pedantic(one_round, rounds=ROUNDS, iterations=1, warmup_rounds=0)  # type: ignore[no-untyped-call]
    ratio = statistics.median(
        two["wall"] / one["wall"] for one, two in zip(runs[1], runs[2], strict=True)
    )
    info: dict[str, Any] = {
        "engine": engine,
        "answers": SHARDS * RECORDS,
        "two_over_one_wall": ratio,
        "runs": runs,
    }
    benchmark.extra_info["engine_workers"] = info
