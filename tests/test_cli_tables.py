"""``decode -f parquet`` reads a chunk of plain log lines in one call
(``_tables_out._read_whole``) and any other chunk line by line: both ways
give the same tables, and lines that only read as records together are
each rejected, as they are alone."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.cli_runs import run_cli

_STATUS = "status.php?id={n}&phone=79991234567&all=2&fmt=1&login=acme&psw=secret"
_BODY = (
    "1,1624884947,0,1624884940,79991234567,Россия,МТС,Москва,1.40,SMSC.RU,Доставлено,"
    "Hello {n}, коммент, 0"
)


def _plain(count: int) -> list[bytes]:
    encode = msgspec.json.encode
    return [
        encode({"request": _STATUS.format(n=n), "body": _BODY.format(n=n)}) + b"\n"
        for n in range(count)
    ]


def _decode(
    tmp_path: Path, name: str, lines: list[bytes]
) -> tuple[pa.Table, list[dict[str, object]]]:
    log = tmp_path / f"{name}.jsonl"
    log.write_bytes(b"".join(lines))
    out, rejects = tmp_path / name, tmp_path / f"{name}-rejects.jsonl"
    done = run_cli(tmp_path, "decode", log, "-f", "parquet", "-o", out, "--rejects", rejects, "-q")
    assert "Traceback" not in done.stderr
    (written,) = out.iterdir()
    rejected = [json.loads(line) for line in rejects.read_text().splitlines()]
    return pq.read_table(written), rejected


def test_a_chunk_read_whole_equals_the_same_records_read_line_by_line(tmp_path: Path) -> None:
    plain = _plain(300)
    whole, none = _decode(tmp_path, "whole", plain)
    assert none == []
    assert whole.column("line").to_pylist() == list(range(1, 301))
    # the same records, with lines that are not plain records among them: a
    # blank line, a record whose request is a mapping, a line of two records
    mapping = msgspec.json.encode(
        {"request": {"script": "status", "id": "1", "fmt": "1"}, "body": "1,1624884947,0"}
    )
    two = plain[0].rstrip(b"\n") + b" " + plain[1]
    mixed = [*plain[:100], b"\n", mapping + b"\n", two, *plain[100:]]
    by_lines, rejected = _decode(tmp_path, "lines", mixed)
    assert [reject["line"] for reject in rejected] == [103]
    assert "not a log record" in str(rejected[0]["reason"])
    plain_rows = by_lines.filter(pa.compute.not_equal(by_lines.column("line"), 102))
    assert plain_rows.drop_columns(["source", "line"]).equals(
        whole.drop_columns(["source", "line"])
    )
    assert plain_rows.column("line").to_pylist() == [*range(1, 101), *range(104, 304)]


def test_lines_that_read_as_one_record_together_are_each_rejected(tmp_path: Path) -> None:
    """Each line starts with ``{`` and ends with ``}``; together the first two
    would be one object if a line break did not end a line's record."""
    plain = _plain(3)
    head = plain[0].rstrip(b"\n")[:-1] + b', "more": {"a": 1}'  # the outer object left open
    tail = b'{"b": 2}}\n'
    table, rejected = _decode(tmp_path, "split", [head + b"\n", tail, *plain[1:]])
    assert [reject["line"] for reject in rejected] == [1, 2]
    assert all("not a log record" in str(reject["reason"]) for reject in rejected)
    assert table.column("line").to_pylist() == [3, 4]


def test_only_a_chunk_of_plain_records_is_read_whole() -> None:
    from smsc_codec._cli._records import LogFields  # noqa: PLC0415
    from smsc_codec._cli._sources import Chunk  # noqa: PLC0415
    from smsc_codec._cli._tables_out import _read_whole, _Taken  # noqa: PLC0415
    from smsc_codec._cli._work import _line_decoder  # noqa: PLC0415

    decoder = _line_decoder(LogFields())
    plain = _plain(5)

    def whole(lines: list[bytes]) -> bool:
        return _read_whole(_Taken(), decoder, Chunk("log", "jsonl", 1, lines))

    assert whole(plain)
    assert whole([*plain[:4], plain[4].rstrip(b"\n")])  # the last line without its break
    assert whole([line.replace(b"\n", b"\r\n") for line in plain])
    assert not whole([*plain, b"\n"])  # a blank line
    assert not whole([*plain, b' {"request": "a", "body": "b"}\n'])  # not at the line's start
    assert not whole([plain[0].rstrip(b"\n") + b" " + plain[1]])  # two records on a line
    assert not whole([b'{"request": "status.php", "body": 1}\n'])  # a body that is no text


def test_a_chunks_tables_cross_to_the_main_process_unchanged(tmp_path: Path) -> None:
    """``--jobs N`` pickles each chunk's tables (as Arrow IPC streams)."""
    import pickle  # noqa: PLC0415

    from smsc_codec._cli._tables_out import _Tables  # noqa: PLC0415

    table, _ = _decode(tmp_path, "crossing", _plain(50))
    back = pickle.loads(pickle.dumps(_Tables({"SmsStatus": table, "Empty": table.slice(0, 0)})))
    assert type(back) is _Tables
    assert back["SmsStatus"].equals(table)
    assert back["SmsStatus"].schema == table.schema
    assert back["Empty"].num_rows == 0
    assert back["Empty"].schema == table.schema


#: pieces of log lines: whole records, records of another shape, and
#: fragments that only make JSON joined to others
_PIECES = [
    '{"request": "status.php?id=1&fmt=1", "body": "1,2"}',
    '{"request": "a", "body": "b", "more": {"c": [1, {}]}}',
    '{"request": {"script": "status"}, "body": "x"}',
    '{"body": "no request"}',
    '{"request": "a", "body": "b", "x": {',
    '"y": "}"}}',
    '{"request": "a\\n", "body": "{\\"}"}',
    '{"request": "a", "body": "',
    '"}',
    "{",
    "}",
    "{}",
    " ",
    ", ",
    "[{}]",
]


#: a line of pieces, mostly one that is a record whole
_LINES = st.one_of(
    st.sampled_from(_PIECES[:2]),
    st.lists(st.sampled_from(_PIECES), min_size=1, max_size=4).map("".join),
)


@st.composite
def _chunks(draw: st.DrawFn) -> list[str]:
    """Lines of records, with a few others among them."""
    lines = draw(st.lists(st.sampled_from(_PIECES[:2]), max_size=10))
    for _ in range(draw(st.integers(0, 2))):
        lines.insert(draw(st.integers(0, len(lines))), draw(_LINES))
    return lines


@pytest.mark.property
@given(_chunks())
def test_a_chunk_read_whole_is_each_line_read_alone(pieces: list[str]) -> None:
    """Whenever a chunk is read in one call, each of its lines, read alone,
    is a record with that request and that body."""
    from smsc_codec._cli._records import LogFields  # noqa: PLC0415
    from smsc_codec._cli._sources import Chunk  # noqa: PLC0415
    from smsc_codec._cli._tables_out import _read_whole, _Taken  # noqa: PLC0415
    from smsc_codec._cli._work import _line_decoder, log_item  # noqa: PLC0415

    fields = LogFields()
    decoder = _line_decoder(fields)
    lines = [line.encode() + b"\n" for line in pieces]
    taken = _Taken()
    if not _read_whole(taken, decoder, Chunk("log", "jsonl", 1, lines)):
        return
    assert len(taken.requests) == len(lines)
    for number, line in enumerate(lines):
        alone = log_item("log", number + 1, line, decoder, fields)
        assert alone.problem is None
        assert (alone.request, alone.body) == (taken.requests[number], taken.bodies[number])
        assert taken.record(number) == alone
