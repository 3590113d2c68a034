"""The command line fed what breaks readers and writers: a record nested too
deep, a value a writer cannot hold, money that cannot be added up, a line that
never ends, a quote that never closes. Every record still ends up in the output
or in the rejects, the run goes on, and memory stays bounded.

Each test runs ``smsc-codec`` as a subprocess; memory is measured as
tests/cli_runs.py says.
"""

from __future__ import annotations

import os
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pyarrow.parquet as pq
import pytest

from smsc_codec import SendResult
from smsc_codec._cli._records import RecordError
from smsc_codec._cli._sources import FRAMING_BYTES, KEPT_BYTES
from smsc_codec._cli._stats import Stats
from tests.cli_runs import BUDGET, peak_memory, peak_memory_while_running, run_cli
from tests.logs import log_lines, quick_exchanges

#: A smaller body limit, so that a record may take this many bytes.
BODY_LIMIT = 100_000
LIMIT = ["--limit", f"max_body_bytes={BODY_LIMIT}"]
RECORD_BYTES = BODY_LIMIT + FRAMING_BYTES
MIB = 1024 * 1024


def _json_lines(path: Path) -> list[dict[str, Any]]:
    return [msgspec.json.decode(line) for line in path.read_bytes().splitlines()]


def _lines_of(path: Path) -> list[int]:
    return [entry["line"] for entry in _json_lines(path)]


# -- a record nested too deep ---------------------------------------------------------


def test_a_record_nested_too_deep_is_rejected_and_the_run_goes_on(tmp_path: Path) -> None:
    """msgspec raises RecursionError on a line nested 100,000 deep, even in a
    field the tool skips: the line is rejected, the chunk around it and the
    rest of the log are still read. (Its bound is the interpreter's C
    recursion limit: 1,000 deep reads on Python 3.12, 5,000 on 3.13.)"""
    count, deep_at = 100_001, 50_001
    lines = list(log_lines(count, quick_exchanges()))
    nested = b"[" * 100_000 + b"]" * 100_000
    lines[deep_at - 1] = lines[deep_at - 1].replace(b"{", b'{"skipped": ' + nested + b", ", 1)
    log, out, rejects = tmp_path / "log.jsonl", tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    log.write_bytes(b"".join(lines))
    done = run_cli(tmp_path, "decode", log, "-o", out, "--rejects", rejects, "-q")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    decoded, rejected = _lines_of(out), _lines_of(rejects)
    assert sorted(decoded + rejected) == list(range(1, count + 1))
    (deep,) = [reject for reject in _json_lines(rejects) if reject["line"] == deep_at]
    assert "RecursionError" in deep["reason"]
    assert deep["raw"].encode() == lines[deep_at - 1].rstrip(b"\n")


# -- a value the Parquet writer cannot hold -------------------------------------------

#: a 64-bit overflow in a reply, and in the second reply of a list
TOO_BIG = [
    b'{"request": "status.php?id=1&phone=7&fmt=1", "body": "1,18446744073709551616,0"}\n',
    b'{"request": "status.php?id=1,2&phone=1,2&fmt=1", '
    b'"body": "1,1286524541,0,1,79990000001\\n1,9223372036854775808,0,2,79990000002"}\n',
]


def test_parquet_rejects_a_record_it_cannot_hold_and_writes_the_others(tmp_path: Path) -> None:
    """The same log decoded to JSON Lines and to Parquet: Parquet's rejects are
    JSON Lines' and the records with an integer past 64 bits, whole (no row of
    a list is written without the others), and every other row is written."""
    lines = list(log_lines(6_000, quick_exchanges()))
    bad_at = [10, 2_500, 2_501, 5_999]
    for number, bad in zip(bad_at, [*TOO_BIG, *TOO_BIG], strict=True):
        lines[number - 1] = bad
    log = tmp_path / "log.jsonl"
    log.write_bytes(b"".join(lines))
    as_jsonl, jsonl_rejects = tmp_path / "rows.jsonl", tmp_path / "jsonl-rejects.jsonl"
    run_cli(tmp_path, "decode", log, "-o", as_jsonl, "--rejects", jsonl_rejects, "-q")
    as_parquet, parquet_rejects = tmp_path / "tables", tmp_path / "parquet-rejects.jsonl"
    args: list[str | Path] = [
        "-f",
        "parquet",
        "-o",
        as_parquet,
        "--rejects",
        parquet_rejects,
        "--jobs",
        "2",
    ]
    done = run_cli(tmp_path, "decode", log, *args)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert set(bad_at) <= set(_lines_of(as_jsonl))  # JSON Lines holds any integer
    written: Counter[int] = Counter()
    for path in as_parquet.iterdir():  # a dataset per reply kind
        written.update(pq.read_table(path).column("line").to_pylist())
    # a row per reply of a list (an empty list has none)
    assert written == {
        row["line"]: len(row["replies"]) if "replies" in row else 1
        for row in _json_lines(as_jsonl)
        if row["line"] not in bad_at and row.get("replies") != []
    }
    rejected = _json_lines(parquet_rejects)
    assert [reject["line"] for reject in rejected] == sorted(_lines_of(jsonl_rejects) + bad_at)
    for reject in rejected:
        if reject["line"] in bad_at:
            assert reject["reason"].startswith("cannot be held in a table: field ")
            assert reject["raw"].encode() == lines[reject["line"] - 1].rstrip(b"\n")
    summary = done.stderr.splitlines()[-1]
    read = 6_000 - len(rejected)
    assert f"6,000 records, {read:,} read, {len(rejected):,} rejected" in summary


# -- money that cannot be added up -------------------------------------------------


def _send(cost: str) -> bytes:
    body = msgspec.json.encode({"id": 1, "cnt": 2, "cost": cost}).decode()
    return msgspec.json.encode({"request": "send.php?fmt=3&cost=2", "body": body}) + b"\n"


def test_stats_counts_a_record_only_once_it_is_decoded(tmp_path: Path) -> None:
    """A record is counted as an answer, or as rejected, never as both."""
    good = [_send("1.40"), _send("2.10")]
    bad = [_send("NaN"), _send("sNaN"), _send("Infinity"), _send("-Infinity")]
    log = tmp_path / "money.jsonl"
    log.write_bytes(b"".join([good[0], *bad, good[1]]))
    done = run_cli(tmp_path, "stats", "--json", log)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    report = msgspec.json.decode(done.stdout)
    assert report["records"] == len(good) + len(bad)
    assert report["rejected"] == len(bad)
    assert report["answers"] == len(good)
    assert report["items"] == len(good)
    assert report["by_script"] == {"send": len(good)}
    assert report["by_kind"] == {"SendResult": len(good)}
    assert report["cost_charged"] == {"": "3.50"}
    assert report["message_parts"] == 2 * len(good)
    assert "internal error" not in done.stderr


def test_an_answer_is_counted_whole_or_not_at_all() -> None:
    stats = Stats()
    stats.add(SendResult(id=1, cnt=2, cost=Decimal("1.40")), "send")
    before = stats.as_json()
    answer = [
        SendResult(id=2, cnt=1, cost=Decimal("0.70")),
        SendResult(id=3, cnt=1, cost=Decimal("NaN")),
    ]
    with pytest.raises(RecordError, match="NaN"):
        stats.add(answer, "send")
    assert stats.as_json() == before


# -- log readers bounded -------------------------------------------------------------


def test_a_log_line_longer_than_a_record_is_rejected_with_its_start(tmp_path: Path) -> None:
    """A 64 MB line under a 100 kB body limit: rejected with its first bytes,
    the lines around it read, and memory as for the log without it."""
    before = list(log_lines(1_000, quick_exchanges()))
    after = list(log_lines(1_000, quick_exchanges()))
    long_line = b'{"request": "balance.php?fmt=1", "body": "' + b"1" * (64 * MIB) + b'"}\n'
    clean, log = tmp_path / "clean.jsonl", tmp_path / "long.jsonl"
    clean.write_bytes(b"".join(before + after))
    log.write_bytes(b"".join([*before, long_line, *after]))
    peaks = {}
    for path in (clean, log):
        out, rejects = tmp_path / f"{path.stem}.out", tmp_path / f"{path.stem}.rejects"
        code, peaks[path.stem] = peak_memory(
            ["decode", str(path), "-o", str(out), "--rejects", str(rejects), *LIMIT], tmp_path
        )
        assert code == 1
    assert peaks["long"] - peaks["clean"] < 16 * MIB, peaks
    decoded, rejected = _lines_of(tmp_path / "long.out"), _json_lines(tmp_path / "long.rejects")
    assert sorted(decoded + [reject["line"] for reject in rejected]) == list(range(1, 2_002))
    (long,) = [reject for reject in rejected if reject["line"] == 1_001]
    assert long["raw"].encode() == long_line[:KEPT_BYTES]
    assert f"a line of {len(long_line):,} bytes, over the {RECORD_BYTES:,}" in long["reason"]
    assert f"its first {KEPT_BYTES:,} bytes are kept" in long["reason"]


def test_dev_zero_read_as_json_lines_does_not_grow(tmp_path: Path) -> None:
    """A line that never ends is read in bounded pieces: after the first second
    memory grows no more, and stays within the default limit's record."""
    args = ["decode", "--input-format", "jsonl", "/dev/zero", "-o", os.devnull]
    samples = peak_memory_while_running(args, tmp_path, seconds=3)
    assert len(samples) > 20, samples  # it ran, and was not stopped for growing
    assert samples[-1] < BUDGET, samples
    assert samples[-1] - samples[9] < 8 * MIB, samples


def _balance_row(number: int) -> str:
    return f"{number},balance.php?fmt=1,{number}.40\n"


def test_an_unclosed_csv_quote_is_rejected_and_the_rows_after_it_are_read(
    tmp_path: Path,
) -> None:
    """A quote left open takes in the rows after it, up to a record's bytes: then
    its first line is rejected and the rows after it are read again; the
    lines too long for a row after them are rejected one by one. Memory stays
    as for the same rows without the quote and those lines."""
    header = "id,request,body\n"
    swallowed = range(4, 40_004)  # ~1.1 MB of rows inside the quote
    junk = range(40_004, 40_064)  # 30 MB of lines, each a row of one field
    tail = range(40_064, 40_164)
    text = [header, _balance_row(2), '3,balance.php?fmt=1,"3.40\n']
    text += [_balance_row(n) for n in swallowed]
    text += ["x" * 500_000 + "\n" for _ in junk]
    text += [_balance_row(n) for n in tail]
    assert sum(len(line) for line in text[2 : 2 + len(swallowed)]) > RECORD_BYTES - 500_000
    log, clean = tmp_path / "quote.csv", tmp_path / "clean.csv"
    log.write_text("".join(text), encoding="utf-8")
    good = [_balance_row(n) for n in (2, 3, *swallowed, *tail)]
    clean.write_text(header + "".join(good), encoding="utf-8")
    peaks = {}
    for path in (clean, log):
        out, rejects = tmp_path / f"{path.stem}.out", tmp_path / f"{path.stem}.rejects"
        code, peaks[path.stem] = peak_memory(
            ["decode", str(path), "-o", str(out), "--rejects", str(rejects), *LIMIT], tmp_path
        )
        assert code == (0 if path == clean else 1)
    assert peaks["quote"] - peaks["clean"] < 16 * MIB, peaks
    assert _lines_of(tmp_path / "quote.out") == [2, *swallowed, *tail]
    rejected = _json_lines(tmp_path / "quote.rejects")
    assert [reject["line"] for reject in rejected] == [3, *junk]
    assert rejected[0]["raw"] == text[2].removesuffix("\n")
    assert f"a CSV record not ended within {RECORD_BYTES:,} bytes" in rejected[0]["reason"]
    assert {reject["reason"] for reject in rejected[1:]} == {"the row has 1 fields, the header 3"}


def test_quotes_that_keep_every_record_open_are_read_at_most_twice(tmp_path: Path) -> None:
    """Lines that keep a record open whether read inside a quote or afresh
    (``y",b,"z``: a field's end, then a quote opening the next) could make
    reading again quadratic; each is rejected, and the run ends in seconds."""
    count = 40_000
    line = 'y",b,"' + "z" * 90 + "\n"
    assert count * len(line) > 3 * RECORD_BYTES
    log, rejects = tmp_path / "quotes.csv", tmp_path / "rejects.jsonl"
    log.write_text("id,request,body\n" + line * count, encoding="utf-8")
    done = run_cli(tmp_path, "decode", log, "--rejects", rejects, *LIMIT, "-q", timeout=120)
    assert done.returncode == 1
    assert done.stdout == ""
    rejected = _json_lines(rejects)
    numbers = [reject["line"] for reject in rejected]
    assert numbers == sorted(set(numbers))
    assert numbers[0] == 2
    # every line is in exactly one reject: those rejected alone, and the last
    # record, which ends with the file
    spans = [reject["raw"].count("\n") + 1 for reject in rejected]
    assert sum(spans) == count
    assert max(len(reject["raw"]) for reject in rejected) < RECORD_BYTES
    assert [n + span for n, span in zip(numbers, spans, strict=True)][:-1] == numbers[1:]
