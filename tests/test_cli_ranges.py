"""``decode -f parquet --jobs N`` over plain JSON Lines files: workers read
byte ranges of the input and write their own parts; the result is the one
process's, row for row, reject for reject.

Every run here is the real command line with real worker processes.
"""

from __future__ import annotations

import gzip
import json
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given
from hypothesis import strategies as st

from smsc_codec._cli._ranges import (
    RANGE_MIN_BYTES,
    SPILL_BYTES,
    _Done,
    _outcomes_of,
    _ranges,
    _Spool,
)
from smsc_codec._cli._sources import Source
from smsc_codec._cli._work import Tally
from tests.cli_runs import CLI, run_cli
from tests.logs import corpus_exchanges, log_lines, write_log

#: lines that are no record, each at its own place in the log
_BAD = [
    b'{"request": "status.php?id=1&fmt=1&psw=secret", "body": "1,2\n',  # cut short
    b"not json at all\n",
    b'{"request": "status.php?id=1&fmt=1&apikey=k3y", "body": 5}\n',  # a body that is no text
    b'{"request": "status.php?id=7&phone=79990000000&fmt=1&psw=hidden", "body": "x,y,z"}\n',
]


def _mixed_log(folder: Path) -> list[Path]:
    """Two logs of every corpus answer with bad lines, blank lines, CRLF
    endings, a byte-order mark and a line too long to read spread through
    them; each several ranges long."""
    lines = list(log_lines(26_000))
    for number in range(0, len(lines), 211):
        lines.insert(number, _BAD[number % len(_BAD)])
    for number in range(5, len(lines), 499):
        lines[number] = lines[number].replace(b"\n", b"\r\n")
    for number in range(7, len(lines), 1009):
        lines.insert(number, b"\n")
    too_long = b'{"request": "status.php?fmt=1", "body": "' + b"9" * (1100 << 10) + b'"}\n'
    lines.insert(9_000, too_long)
    lines[0] = b"\xef\xbb\xbf" + lines[0]
    half = len(lines) // 2
    paths = [folder / "a.jsonl", folder / "b.jsonl"]
    paths[0].write_bytes(b"".join(lines[:half]))
    paths[1].write_bytes(b"".join(lines[half:]).rstrip(b"\n"))  # the last line unended
    assert all(path.stat().st_size > 2 * RANGE_MIN_BYTES for path in paths)
    return paths


def _decode(cwd: Path, name: str, inputs: list[str | Path], *args: str) -> tuple[Path, bytes, str]:
    """(output folder, rejects, diagnostics) of ``decode -f parquet``."""
    out, rejects = cwd / name, cwd / f"{name}-rejects.jsonl"
    done = run_cli(cwd, "decode", *inputs, "-f", "parquet", "-o", out, "--rejects", rejects, *args)
    assert done.returncode == 1, done.stderr[-3000:]  # (the bad lines)
    diagnostics = done.stderr.replace(str(rejects), "REJECTS")
    return out, rejects.read_bytes(), diagnostics


def _tables(folder: Path) -> dict[str, pa.Table]:
    return {path.stem: pq.read_table(path) for path in sorted(folder.iterdir())}


def _parts(folder: Path) -> list[str]:
    return sorted(part.name for kind in folder.iterdir() for part in kind.iterdir())


def test_workers_reading_ranges_write_what_one_process_writes(tmp_path: Path) -> None:
    logs = _mixed_log(tmp_path)
    limits = ("--limit", "max_body_bytes=4096", "--tz", "Europe/Moscow")
    one, rejects_one, said_one = _decode(tmp_path, "one", [*logs], "--jobs", "1", *limits)
    two, rejects_two, said_two = _decode(tmp_path, "two", [*logs], "--jobs", "2", *limits)
    assert set(_parts(one)) == {"part-00000.parquet"}
    assert len(set(_parts(two))) > 4  # several ranges of each file, each its own part
    tables_one, tables_two = _tables(one), _tables(two)
    assert tables_one.keys() == tables_two.keys()
    assert len(tables_one) > 10  # (the corpus's kinds)
    for kind, table in tables_one.items():
        assert tables_two[kind].schema == table.schema
        # the same rows, in the same order (a code's dictionary is each row group's own)
        assert tables_two[kind].to_pylist() == table.to_pylist(), kind
    assert rejects_two == rejects_one
    assert said_two.replace("two-", "one-") == said_one
    # every reject names its own line, across ranges and files; credentials masked
    assert len(rejects_one.splitlines()) > 120
    for secret in (b"secret", b"k3y", b"hidden"):
        assert secret not in rejects_one
    files = {str(log): log.read_bytes().removeprefix(b"\xef\xbb\xbf").split(b"\n") for log in logs}
    checked = 0
    for reject in map(json.loads, rejects_one.splitlines()):
        line = files[reject["source"]][reject["line"] - 1].rstrip(b"\r")
        raw = reject["raw"].encode()
        if b"***" not in raw:
            assert line.startswith(raw), reject  # (a line too long: its start)
            checked += 1
    assert checked > 100


def test_inputs_that_are_not_plain_files_are_read_as_before(tmp_path: Path) -> None:
    """Standard input and gzip take the chunked path: one part per kind."""
    log = write_log(tmp_path / "log.jsonl.gz", 15_000)
    plain = tmp_path / "plain.jsonl"
    plain.write_bytes(gzip.decompress(log.read_bytes()))
    one, rejects_one, _ = _decode(tmp_path, "one", [plain], "--jobs", "1")
    zipped, rejects_zipped, _ = _decode(tmp_path, "zipped", [log], "--jobs", "2")
    out = tmp_path / "piped"
    with plain.open("rb") as stdin:
        piped = subprocess.run(
            [*CLI, "decode", "-", "-f", "parquet", "-o", str(out), "--jobs", "2", "-q"],
            stdin=stdin,
            capture_output=True,
            cwd=tmp_path,
            check=False,
        )
    assert piped.returncode == 1
    for folder in (zipped, out):
        assert set(_parts(folder)) == {"part-00000.parquet"}
        tables = _tables(folder)
        for kind, table in _tables(one).items():
            assert tables[kind].drop_columns(["source"]).equals(table.drop_columns(["source"]))
    assert rejects_zipped.replace(b"log.jsonl.gz", b"plain.jsonl") == rejects_one


@given(
    text=st.lists(st.sampled_from([b"a", b"bc", b"\n", b"\n\n", b"xyz" * 5]), max_size=60),
    target=st.integers(1, 40),
)
def test_ranges_cut_a_file_after_line_breaks(text: list[bytes], target: int) -> None:
    data = b"".join(text)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "log.jsonl"
        path.write_bytes(data)
        ranges = list(_ranges([Source("log", path, "jsonl")], target))
    assert [r.part for r in ranges] == list(range(len(ranges)))
    ends = [0, *(r.end for r in ranges)]
    assert [r.start for r in ranges] == ends[:-1]  # one after another, the file whole
    assert ends[-1] == len(data)
    for cut in ranges:
        assert cut.start == 0 or data[cut.start - 1 : cut.start] == b"\n"
        assert cut.end - cut.start >= min(target, len(data) - cut.start)
        assert cut.first_line == data[: cut.start].count(b"\n") + 1


def test_ctrl_c_leaves_whole_parts_of_the_input_up_to_where_it_stopped(tmp_path: Path) -> None:
    log = write_log(tmp_path / "log.jsonl", 300_000)
    out = tmp_path / "tables"
    process = subprocess.Popen(
        [*CLI, "decode", str(log), "-f", "parquet", "-o", str(out), "--jobs", "2", "-q"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(out.glob("*/part-00001.parquet")):
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert b"interrupted" in stderr
    lines = {
        line
        for table in _tables(out).values()  # every part readable: whole row groups
        for line in table.column("line").to_pylist()
    }
    assert 0 < len(lines) < 300_000
    # the input up to some line, less its rejects: the lines the corpus's
    # answers that decode are at, in every cycle of the corpus up to there
    cycle = write_log(tmp_path / "cycle.jsonl", len(corpus_exchanges()))
    whole = tmp_path / "cycle"
    run_cli(tmp_path, "decode", cycle, "-f", "parquet", "-o", whole, "-q")
    decoded = {
        line for table in _tables(whole).values() for line in table.column("line").to_pylist()
    }
    period = len(corpus_exchanges())
    assert lines == {n for n in range(1, max(lines) + 1) if (n - 1) % period + 1 in decoded}


def test_a_ranges_rejects_beyond_the_spill_size_come_back_whole(tmp_path: Path) -> None:
    """Rejects and diagnostics past SPILL_BYTES wait in a file, and come back
    in pieces that join to what was written (a character cut by a piece's end
    included); the file is removed once read."""
    rejects, diagnostics = _Spool(str(tmp_path)), _Spool(str(tmp_path))
    lines = [f'{{"line": {n}, "reason": "плохо"}}\n'.encode() for n in range(200_000)]
    for line in lines:
        rejects.write(line)
        diagnostics.write(line)
    done = _Done(rejects.taken(), diagnostics.taken(), Tally(), [], stopped=False)
    assert isinstance(done.rejects, str)
    assert len(b"".join(lines)) > SPILL_BYTES
    counter = [0]
    outcomes = list(_outcomes_of(done, 123, counter))
    assert len(outcomes) > 2
    assert b"".join(o.rejects for o in outcomes) == b"".join(lines)
    assert "".join(o.diagnostics for o in outcomes) == b"".join(lines).decode()
    assert outcomes[-1].tally is done.tally
    assert counter == [123]
    assert list(tmp_path.iterdir()) == []
