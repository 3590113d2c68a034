"""The archives guide's engine recipes (docs/archives.md) give what one process gives.

A generated archive is cut into shards; ``decode_table`` over all of it in
this process is the reference. polars and DuckDB query the decoded tables,
Dask (a ``distributed`` LocalCluster of two worker processes) writes Parquet
per kind from ``map_partitions`` over the shards, and Spark (``local[2]``,
its Python workers on this interpreter through ``PYSPARK_PYTHON``) decodes
with ``mapInArrow``. Marked ``engines``: a CI step of its own runs them
(``python -m pytest -m engines``) with the engines' extras installed.
"""

from __future__ import annotations

import os
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from smsc_codec.arrow import decode_table
from tests.cli_runs import run_cli
from tests.recipes import recipe, write_shards

pytestmark = pytest.mark.engines

SHARDS = 4
RECORDS = 1500


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_shards(tmp_path_factory.mktemp("shards"), SHARDS, RECORDS)


@pytest.fixture(scope="module")
def reference(shards: list[Path]) -> dict[str, pa.Table]:
    """decode_table over the whole archive, in this process."""
    import msgspec  # noqa: PLC0415

    records = [
        msgspec.json.decode(line) for path in shards for line in path.read_bytes().splitlines()
    ]
    decoded = decode_table([r["request"] for r in records], [r["body"] for r in records])
    assert decoded.rejections.num_rows > 0  # the corpus's rejections are in the archive
    return dict(decoded)


@pytest.fixture(scope="module")
def cli_tables(shards: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The command line's Parquet output of the archive, two workers each
    reading its own ranges: a dataset folder of parts per kind."""
    out = tmp_path_factory.mktemp("cli") / "tables"
    done = run_cli(out.parent, "decode", *shards, "-f", "parquet", "-o", out, "--jobs", "2", "-q")
    assert done.returncode == 1, done.stderr  # (the corpus's rejections are in the archive)
    assert len(list((out / "SmsStatus.parquet").glob("part-*.parquet"))) > 1
    return out / "SmsStatus.parquet"


def _by_status(table: pa.Table) -> list[tuple[str, int, Decimal]]:
    """Messages and cost per status label, counted in Python."""
    messages: Counter[str] = Counter()
    cost: dict[str, Decimal] = {}
    for row in table.select(["status_label", "cost"]).to_pylist():
        label = row["status_label"]
        messages[label] += 1
        cost[label] = cost.get(label, Decimal(0)) + (row["cost"] or Decimal(0))
    return [(label, messages[label], cost[label]) for label in sorted(messages)]


def _run(name: str, **names: Any) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "__main__", **names}
    exec(compile(recipe(name), f"<recipe {name}>", "exec"), namespace)
    return namespace


def _rows(found: Any) -> list[tuple[str, int, Decimal]]:
    return [(label, int(messages), Decimal(cost or 0)) for label, messages, cost in found]


def test_polars(shards: list[Path], reference: dict[str, pa.Table]) -> None:
    found = _run("polars", shards=shards)["by_status"]
    assert _rows(found.iter_rows()) == _by_status(reference["SmsStatus"])
    assert found["messages"].sum() == reference["SmsStatus"].num_rows


def test_duckdb(shards: list[Path], reference: dict[str, pa.Table]) -> None:
    found = _run("duckdb", shards=shards)["by_status"]
    assert _rows(found) == _by_status(reference["SmsStatus"])


def test_dask(shards: list[Path], reference: dict[str, pa.Table], tmp_path: Path) -> None:
    out = tmp_path / "tables"
    done = _run("dask", shards=shards, out=out)
    counts: Counter[str] = Counter()
    for partition in done["counts"]:
        counts.update(partition)
    assert counts == {kind: table.num_rows for kind, table in reference.items()}
    offsets = {path.name: number * RECORDS for number, path in enumerate(shards)}
    for kind, want in reference.items():
        import pyarrow.parquet as pq  # noqa: PLC0415

        got = pq.read_table(out / kind)
        index = pa.array(
            [
                offsets[shard] + local
                for shard, local in zip(
                    got["shard"].to_pylist(), got["input_index"].to_pylist(), strict=True
                )
            ],
            type=pa.int64(),
        )
        got = got.drop_columns(["shard"]).set_column(0, "input_index", index)
        got = got.sort_by([("input_index", "ascending"), ("item", "ascending")])
        assert got.to_pylist() == want.to_pylist(), kind
    assert done["status"].num_rows == reference["SmsStatus"].num_rows


def test_spark(shards: list[Path], reference: dict[str, pa.Table], cli_tables: Path) -> None:
    done = _run("spark", shards=shards)
    try:
        assert os.environ["PYSPARK_PYTHON"]  # the recipe says where the workers' library is
        assert _rows(done["by_status"]) == _by_status(reference["SmsStatus"])
        assert done["status"].count() == reference["SmsStatus"].num_rows
        # the command line's dataset folder, read by Spark's own reader
        parts = done["spark"].read.parquet(str(cli_tables))
        counted = parts.groupBy("status_label").count().collect()
        assert sorted((row["status_label"], row["count"]) for row in counted) == [
            (label, messages) for label, messages, _ in _by_status(reference["SmsStatus"])
        ]
    finally:
        done["spark"].stop()


def test_engines_read_the_command_lines_dataset(
    cli_tables: Path, reference: dict[str, pa.Table]
) -> None:
    """polars, DuckDB and Dask read a kind's folder of parts as one table
    (Spark's reader: in test_spark)."""
    import dask.dataframe as dd  # noqa: PLC0415
    import duckdb  # noqa: PLC0415
    import polars as pl  # noqa: PLC0415

    want = _by_status(reference["SmsStatus"])
    parts = str(cli_tables / "*.parquet")
    assert _by_status(pl.read_parquet(parts).to_arrow()) == want
    query = f"SELECT status_label, count(*), sum(cost) FROM '{parts}' GROUP BY 1 ORDER BY 1"
    relation = duckdb.sql(query)
    assert relation is not None
    assert _rows(relation.fetchall()) == want
    frame = dd.read_parquet(str(cli_tables)).compute()
    assert _by_status(pa.Table.from_pandas(frame, preserve_index=False)) == want
