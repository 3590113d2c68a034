"""The command line for archives: outputs that readers load whole, masked
credentials, time zones, and the exit statuses it documents.

The mixed files are read by the real readers (polars, DuckDB): a log of every
corpus answer, each repeated in a block longer than the rows a reader infers
a column's type from, so that a column whose type changed between kinds
would fail to load or load wrong.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import msgspec
import polars as pl
import pyarrow.parquet as pq
import pytest

from tests.cli_runs import run_cli
from tests.logs import corpus_exchanges

REPO = Path(__file__).resolve().parent.parent
#: longer than the 100 rows polars infers a type from
BLOCK = 110


@pytest.fixture(scope="module")
def blocks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("archive")
    log = folder / "blocks.jsonl"
    encoder = msgspec.json.Encoder()
    with log.open("wb") as out:
        for request, body in corpus_exchanges():
            line = encoder.encode({"request": request, "body": body}) + b"\n"
            out.write(line * BLOCK)
    return log


@pytest.fixture(scope="module")
def decoded(blocks: Path) -> dict[str, Path]:
    outputs = {"jsonl": blocks.with_name("rows.jsonl"), "csv": blocks.with_name("rows.csv")}
    for form, path in outputs.items():
        done = run_cli(blocks.parent, "decode", blocks, "-f", form, "-o", path, "-q")
        assert done.returncode == 1, done.stderr[-2000:]  # the corpus's rejections
    return outputs


def _sql(query: str) -> Any:
    relation = duckdb.sql(query)
    assert relation is not None
    return relation


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n")


def test_polars_reads_mixed_json_lines(decoded: dict[str, Path]) -> None:
    rows = pl.read_ndjson(decoded["jsonl"], infer_schema_length=None)
    assert rows.height == _lines(decoded["jsonl"])
    reply, replies = rows.schema["reply"], rows.schema["replies"]
    # one type each: a one-record answer's reply is an object, a list's replies a list
    assert isinstance(reply, pl.Struct)
    assert isinstance(replies, pl.List)
    assert isinstance(replies.inner, pl.Struct)
    single = {field.name: field.dtype for field in reply.fields}
    listed = {field.name: field.dtype for field in replies.inner.fields}
    assert single["cost"] == listed["cost"] == pl.String  # money: its exact text
    assert single["id"] == listed["id"] == pl.Int64
    assert listed["phones"] == pl.String  # a contact's list as written
    assert isinstance(single["phones_details"], pl.List)  # send.php's per-number records


def test_duckdb_reads_mixed_json_lines(decoded: dict[str, Path]) -> None:
    path = decoded["jsonl"]
    count = _sql(f"select count(*) from read_json_auto('{path}')").fetchall()[0]
    assert count == (_lines(path),)
    kinds = _sql(
        f"select count(distinct reply.cost) from read_ndjson('{path}', sample_size=-1)"
    ).fetchall()[0]
    assert kinds is not None
    assert kinds[0] > 1


def _csv_rows(path: Path) -> int:
    return len(pl.read_csv(path, infer_schema=False))


def test_polars_reads_mixed_csv(decoded: dict[str, Path]) -> None:
    path = decoded["csv"]
    # loaded as polars infers by default (the first 100 rows: a column empty
    # there is text), and with every row seen: then each column has its type
    assert pl.read_csv(path).height == _csv_rows(path)
    for rows in (pl.read_csv(path, infer_schema_length=None),):
        assert rows.height == _csv_rows(path)
        assert rows.schema["status.code"] == pl.Int64
        assert rows.schema["line"] == pl.Int64
        assert rows.schema["cost"] == pl.Float64
        assert rows.schema["flag.template"] == pl.Boolean
        assert rows.schema["sent"] == pl.String  # an incoming message's ISO date
        assert "sent_text" in rows.columns  # a callback's text as posted, apart


def test_duckdb_reads_mixed_csv(decoded: dict[str, Path]) -> None:
    path = decoded["csv"]
    types = dict(
        _sql(f"select column_name, column_type from (describe select * from '{path}')").fetchall()
    )
    assert types["cost"] == "DOUBLE"
    assert types["status.code"] == "BIGINT"
    total = _sql(f"select count(*) from read_csv('{path}')").fetchall()[0]
    assert total == (_csv_rows(path),)


# -- credentials --------------------------------------------------------------------

SECRETS = {"psw": "Sup3r-secret", "apikey": "KEY-77", "login": "acme-login"}


def _secret_log(tmp_path: Path) -> Path:
    url = "status.php?login=acme-login&psw=Sup3r-secret&id=1&phone=7999&fmt=1"
    lines = [
        {"request": url, "body": "1,1286524541,0"},
        {"request": url + "&apikey=KEY-77", "body": "1,x,0"},  # rejected
        {
            "request": {"script": "balance", "psw": "Sup3r-secret", "login": "acme-login"},
            "body": "250.80",
        },
        {"request": "balance.php?apikey=KEY-77&fmt=3", "body": '{"balance": "1.00"}'},
    ]
    log = tmp_path / "secret.jsonl"
    log.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return log


@pytest.mark.parametrize(
    ("args", "kept"),
    [((), set()), (("--keep-login",), {"login"}), (("--keep-credentials",), set(SECRETS))],
)
def test_credentials_are_masked_everywhere(
    tmp_path: Path, args: tuple[str, ...], kept: set[str]
) -> None:
    log = _secret_log(tmp_path)
    written: list[str] = []
    for command in (
        ["decode", "-f", "jsonl"],
        ["decode", "-f", "csv"],
        ["convert", "--to-fmt", "3"],
        ["validate"],
    ):
        out, rejects = tmp_path / "out", tmp_path / "rejects.jsonl"
        extra = ["-o", str(out)] if command[0] != "validate" else []
        done = run_cli(tmp_path, *command, log, *extra, "--rejects", rejects, *args)
        assert done.returncode == 1, done.stderr
        texts = [done.stdout, done.stderr, rejects.read_text("utf-8")]
        if extra:
            texts.append(out.read_text("utf-8"))
            out.unlink()
        written.append("\n".join(texts))
    tables = tmp_path / "tables"
    done = run_cli(tmp_path, "decode", log, "-f", "parquet", "-o", tables, *args)
    for path in tables.iterdir():
        written.append(str(pq.read_table(path).column("request").to_pylist()))
    everything = "\n".join(written)
    for name, secret in SECRETS.items():
        assert (secret in everything) == (name in kept), name
    if not kept:
        assert "psw=***" in everything
        assert '"psw": "***"' in everything or '"psw":"***"' in everything


# -- time zones ----------------------------------------------------------------------


def test_tz_makes_dates_instants_in_every_output(tmp_path: Path) -> None:
    log = tmp_path / "inbox.jsonl"
    request = "get.php?get_answers=1&fmt=3"
    bodies = [
        '[{"id": 1, "received": "29.09.2018 15:07:39"}]',
        '[{"id": 2, "received": "26.10.2014 01:30:00"}]',  # before the clocks went back
        '[{"id": 3, "received": "30.03.2014 02:30:00"}]',  # no such time in Paris
    ]
    log.write_text("".join(json.dumps({"request": request, "body": b}) + "\n" for b in bodies))
    done = run_cli(tmp_path, "decode", log, "-o", tmp_path / "rows.jsonl", "--tz", "Europe/Paris")
    assert done.returncode == 1
    rows = [json.loads(line) for line in (tmp_path / "rows.jsonl").read_text().splitlines()]
    assert [row["replies"][0]["received"] for row in rows] == [
        "2018-09-29T15:07:39+02:00",
        "2014-10-26T01:30:00+02:00",
    ]
    assert ":3:1: field 'received'" in done.stderr
    assert "no time in Europe/Paris" in done.stderr
    tables = tmp_path / "tables"
    run_cli(tmp_path, "decode", log, "-f", "parquet", "-o", tables, "--tz", "Europe/Paris")
    table = pq.read_table(tables / "IncomingMessage.parquet")
    assert str(table.schema.field("received").type) == "timestamp[ms, tz=Europe/Paris]"
    assert table.column("line").to_pylist() == [1, 2]
    bad = run_cli(tmp_path, "decode", log, "--tz", "Mars/Olympus")
    assert bad.returncode == 2
    assert "no time zone" in bad.stderr


# -- stats ---------------------------------------------------------------------------


def test_stats_keeps_quotes_and_reported_costs_apart(tmp_path: Path) -> None:
    lines = [
        ("send.php?cost=2&fmt=3", '{"id": 7, "cnt": 1, "cost": "1.40"}'),
        ("send.php?cost=1&fmt=3", '{"cnt": 1, "cost": "1.40"}'),  # a quote
        (
            "status.php?id=7&phone=7999&all=1&fmt=3",  # the same message, asked about
            '{"status": 1, "last_timestamp": 1, "err": 0, "cost": "1.40"}',
        ),
        (
            "get.php?get_stat=1&fmt=3",
            '[{"login": "a", "cnt": 1, "credit": "9.00", "currency": "RUB"}]',
        ),
    ]
    log = tmp_path / "costs.jsonl"
    log.write_text("".join(json.dumps({"request": r, "body": b}) + "\n" for r, b in lines))
    done = run_cli(tmp_path, "stats", "--json", log)
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    assert report["cost_charged"] == {"": "1.40"}  # the message once, the quote not at all
    costs = {(c["kind"], c["currency"], c["counted"]): Decimal(c["total"]) for c in report["costs"]}
    assert costs == {
        ("SendResult", "", "charged"): Decimal("1.40"),
        ("SendResult", "", "quoted"): Decimal("1.40"),
        ("SmsStatus", "", "reported"): Decimal("1.40"),
        ("Statistics", "RUB", "reported"): Decimal("9.00"),
    }
    table = run_cli(tmp_path, "stats", log).stdout
    assert re.search(r"^spent\s+-\s+1\.40\s+the total: charged costs only$", table, re.M)
    assert re.search(r"^SendResult\s+-\s+1\s+1\.40\s+no: price quotes", table, re.M)


# -- exit statuses -------------------------------------------------------------------


@pytest.mark.parametrize("command", ["decode", "validate", "convert", "stats", "check-corpus"])
def test_help_documents_the_exit_statuses(tmp_path: Path, command: str) -> None:
    text = run_cli(tmp_path, command, "--help").stdout
    assert "exit status:" in text
    assert re.search(r"^\s+0\s", text, re.M)
    assert re.search(r"^\s+1\s", text, re.M)
    assert re.search(r"^\s+2\s", text, re.M)
    if command != "check-corpus":
        assert re.search(r"^\s+130\s", text, re.M)


def test_readme_documents_the_exit_statuses() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme.split("## The command line", 1)[1].split("\n## ", 1)[0]
    for status in ("0", "1", "2", "130"):
        assert re.search(rf"^\| `{status}` \|", section, re.M), status
