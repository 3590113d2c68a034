"""smsc_codec.arrow: typed tables per reply kind, and columnar decoding that
gives what the per-answer decoder gives.

The differential tests decode the same batch twice: column by column (the
vectorised readers, with the per-answer decoder for what they send back) and
answer by answer (``columnar=False``: every answer through
``smsc_codec.decode``, its replies turned into columns). The tables must be
equal and the rejections the same, with the same reason, line and column.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import msgspec
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import smsc_codec
from smsc_codec import DecodeError, Limits
from smsc_codec import _columnar as columnar
from smsc_codec._columnar import decode_columns
from smsc_codec._columnar_convert import LAST_SPACE
from smsc_codec._columnar_lines import _refused_starts, refused_start_pattern
from smsc_codec._grammar import line_layouts
from smsc_codec._limits import DEFAULT_LIMITS
from smsc_codec._replies import record_requests
from smsc_codec.arrow import MONEY, decode_table, kinds, schema_for
from tests import strategies as S
from tests.logs import corpus_exchanges

pytestmark = pytest.mark.property


@pytest.fixture(autouse=True)
def _reader_faults_show(monkeypatch: pytest.MonkeyPatch) -> None:
    """A vectorised reader that raises fails the test instead of handing its
    group to the per-answer decoder unseen."""
    monkeypatch.setattr(columnar, "READER_FAULTS", ())


def _rejection(error: Exception | str) -> tuple[str, int | None, int | None]:
    if isinstance(error, DecodeError):
        return error.reason, error.line, error.column
    return str(error), None, None


def assert_same_as_per_answer(
    requests: list[Any], bodies: list[Any], **options: Any
) -> dict[type, pa.Table]:
    columnar = decode_columns(requests, bodies, **options)
    reference = decode_columns(requests, bodies, columnar=False, **options)
    assert columnar.tables.keys() == reference.tables.keys()
    for kind, table in reference.tables.items():
        got = columnar.tables[kind]
        assert got.schema == table.schema, kind
        if not got.equals(table):  # show the first row that differs
            for mine, theirs in zip(got.to_pylist(), table.to_pylist(), strict=True):
                assert mine == theirs, kind
            raise AssertionError(f"{kind.__name__}: equal rows, unequal tables")
    assert {i: _rejection(e) for i, e in columnar.rejected.items()} == {
        i: _rejection(e) for i, e in reference.rejected.items()
    }
    return reference.tables


def assert_batch_same_as_per_answer(batch: list[tuple[Any, Any]], **options: Any) -> None:
    """:func:`assert_same_as_per_answer` of (request, body) pairs."""
    assert_same_as_per_answer([r for r, _ in batch], [b for _, b in batch], **options)


# -- the corpus -------------------------------------------------------------------------


@pytest.mark.parametrize("tz", [None, "Europe/Moscow"])
def test_corpus_decodes_as_per_answer(tz: str | None) -> None:
    exchanges = corpus_exchanges()
    requests = [request for request, _ in exchanges]
    bodies = [body for _, body in exchanges]
    tables = assert_same_as_per_answer(requests, bodies, tz=tz)
    assert len(tables) >= 15  # most kinds are in the corpus


def test_corpus_as_bytes_and_with_unique_requests_decodes_as_per_answer() -> None:
    exchanges = corpus_exchanges() * 3
    requests = [f"{r}{'&' if '?' in r else '?'}n={i}&psw=x" for i, (r, _) in enumerate(exchanges)]
    bodies: list[Any] = [
        body.encode("utf-8") if i % 2 else body for i, (_, body) in enumerate(exchanges)
    ]
    assert_same_as_per_answer(requests, bodies)


def test_a_key_over_max_field_length_rejects_as_per_answer() -> None:
    """Under a ``max_field_length`` shorter than a key of the kind, the
    answers are refused (a JSON key is a text) as the per-answer decoder
    refuses them; under a longer one they are read."""
    bodies = ['{"id": 33, "cnt": 1}', ' {"id": 34, "cnt": 2}', b'{"id": 35, "cnt": 3}']
    requests = ["send.php?cost=3&fmt=3"] * len(bodies)
    assert_same_as_per_answer(requests, bodies, limits=Limits(max_field_length=2))
    refused = decode_columns(requests, bodies, limits=Limits(max_field_length=2))
    assert sorted(refused.rejected) == [0, 1, 2]
    tables = assert_same_as_per_answer(requests, bodies, limits=Limits(max_field_length=3))
    assert [t.num_rows for t in tables.values()] == [3]


def test_strict_decodes_as_per_answer() -> None:
    exchanges = corpus_exchanges()
    assert_same_as_per_answer([r for r, _ in exchanges], [b for _, b in exchanges], strict=True)


# -- generated batches ------------------------------------------------------------------

_REQUESTS = list(record_requests().items())


@st.composite
def answers(draw: st.DrawFn) -> tuple[str, str | bytes]:
    """A request of a registered layout and an answer: a generated reply
    written by the encoder (sometimes changed a little), or a hostile body."""
    query, spec = draw(st.sampled_from(_REQUESTS))
    fmt = draw(st.sampled_from([0, 1, 3, 3, 2]))
    request = f"{query}&fmt={fmt}&n={draw(st.integers(0, 9))}"
    if draw(st.integers(0, 9)) == 0:
        return request, draw(S.hostile_bodies)
    candidate = draw(st.sampled_from(spec.candidates))
    fields = None
    if fmt in (0, 1):
        layout = draw(st.sampled_from(line_layouts(fmt, candidate.rule)))
        fields = layout.fields
    count = draw(st.integers(1, 3)) if spec.multi else 1
    text = st.sampled_from(["", "Привет", "a, b", "x = y", "1", ", id = 5", "ok"])
    replies = [
        draw(S.replies(candidate.cls, fields, text_formats=fmt < 2, text=text))
        for _ in range(count)
    ]
    try:
        body = smsc_codec.encode_text(replies if spec.multi else replies[0], request, lossy=True)
    except smsc_codec.SmscCodecError:
        return request, draw(S.hostile_bodies)
    edit = draw(st.integers(0, 5))
    if edit == 1 and body:  # a character changed
        at = draw(st.integers(0, len(body) - 1))
        body = body[:at] + draw(st.sampled_from(S.FRAMING_PIECES)) + body[at + 1 :]
    elif edit == 2:
        body += "\n"
    return request, body


@settings(max_examples=40)
@given(st.lists(answers(), min_size=1, max_size=25))
def test_generated_batches_decode_as_per_answer(batch: list[tuple[str, str | bytes]]) -> None:
    assert_batch_same_as_per_answer(batch)


@settings(max_examples=15)
@given(st.lists(answers(), min_size=1, max_size=15))
def test_generated_batches_in_a_zone_decode_as_per_answer(
    batch: list[tuple[str, str | bytes]],
) -> None:
    assert_batch_same_as_per_answer(batch, tz="America/New_York")


#: an ``all=2`` status row as the encoder writes it in fmt=1: its last two
#: separators are ``", "``
_STATUS_ROW = (
    "1,1624884947,0,1624884940,79991234567,Россия,МТС,Москва,1.40,SMSC.RU,"
    "Доставлено,Hello world = test, коммент, 0"
)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("", ""),
        (", коммент", ",коммент"),  # a ", " separator without its space
        (", 0", ",0"),
        (", 0", ","),  # ... the line ending at its comma
        (", 0", ", "),  # an absent type
        (", 0", ",  0"),
        ("1,1624884947", "1, 1624884947"),  # a space before a number
        ("1.40", "-1.40"),
        ("1.40", "1."),
        ("1.40", ".40"),
        ("1.40", "+1.40"),
        ("1.40", "1.4000000"),
        ("1.40", "1234567890123.40"),
        ("1.40", ""),
        ("1,1624884947", "-1,1624884947"),
        ("1,1624884947", "1,16248849470000000000"),
        ("1,1624884947", "1,١٦٢٤"),
        ("test,", "test, with a comma,"),
        ("Москва,", ""),
    ],
)
def test_fmt1_rows_at_the_edges_of_their_layout_decode_as_per_answer(old: str, new: str) -> None:
    row = _STATUS_ROW.replace(old, new, 1) if old else _STATUS_ROW
    # a log of rows of one width and one with a changed field, in both
    # orders, and before a body that starts with a space
    bodies = [_STATUS_ROW, row, _STATUS_ROW, row, row, f" {_STATUS_ROW}"]
    requests = [f"status.php?id={n}&phone=79991234567&all=2&fmt=1" for n in range(len(bodies))]
    assert_same_as_per_answer(requests, bodies)
    assert_same_as_per_answer(requests[:2], [row, row])


# -- the tables -------------------------------------------------------------------------


def test_one_batch_gives_typed_columns() -> None:
    decoded = decode_table(
        [
            "status.php?id=5&phone=79990000000&fmt=1",
            "status.php?id=5,6&phone=79990000000&all=1&fmt=0",
            "balance.php?fmt=3",
            "send.php?fmt=1",
            "phones.php?get=1&fmt=3",
        ],
        [
            "1,1286524541,0",
            "Status = 1, check_time = 10.10.2010 10:10:10, err = 0, send_date = 10.10.2010 "
            "10:10:09, phone = 7999, cost = 1.40, sender_id = SMSC, status_name = D, message ="
            " Hi, there, comment = , type = 0, id = 5\nStatus = -3, id = 6",
            '{"balance": "250.80"}',
            "0,-3",
            '[{"phone": "7999, 7998", "name": "A", "birthday": "17.05.1980"}]',
        ],
    )
    assert set(decoded) == {"SmsStatus", "Balance", "ApiError", "Contact"}
    status = decoded["SmsStatus"]
    assert status.schema == schema_for("SmsStatus")
    rows = status.to_pylist()
    assert [(r["input_index"], r["item"]) for r in rows] == [(0, None), (1, 0), (1, 1)]
    assert rows[0]["status_label"] == "DELIVERED"
    assert rows[1]["last_date"] == datetime(2010, 10, 10, 10, 10, 10)
    assert rows[1]["cost"] == Decimal("1.40")
    assert rows[1]["message"] == "Hi, there"
    assert rows[2]["status_label"] == "NOT_FOUND"
    assert status.schema.field("cost").type == MONEY == pa.decimal128(18, 6)
    assert status.schema.field("status_label").type == pa.dictionary(pa.int32(), pa.string())
    error = decoded["ApiError"].to_pylist()[0]
    assert (error["code"], error["code_label"], error["script"]) == (3, "NO_MONEY", "send")
    contact = decoded["Contact"].to_pylist()[0]
    assert contact["phones"] == ["7999", "7998"]
    assert contact["birthday"] == date(1980, 5, 17)
    assert decoded.rejections.num_rows == 0


def test_flag_bits_stand_beside_the_number() -> None:
    decoded = decode_table(
        ["status.php?id=5&phone=7999&fmt=3"],
        ['{"status": 1, "last_timestamp": 1286694610, "flag": 292, "err": 0}'],
    )
    row = decoded["SmsStatus"].to_pylist()[0]
    flags = smsc_codec.MessageFlags(292)
    assert row["flag"] == 292
    assert row["flag_message_type"] == flags.message_type.name
    assert row["flag_template"] is flags.template is True
    assert row["flag_second_balance"] is flags.second_balance
    assert row["flag_unknown_bits"] == flags.unknown_bits


def test_values_no_column_holds_reject_their_answer_whole() -> None:
    decoded = decode_table(
        [
            "status.php?id=1&phone=7&fmt=1",
            "status.php?id=1,2&phone=1,2&fmt=1",
            "send.php?cost=2&fmt=3",
            "balance.php?fmt=0",
            "status.php?id=1&phone=7&fmt=1",
        ],
        [
            "1,18446744073709551616,0",
            "1,1286524541,0,1,79990000001\n1,9223372036854775808,0,2,79990000002",
            '{"id": 1, "cnt": 2, "cost": "1.1234567"}',
            "1234567890123.5",
            "1,1286524541,0",
        ],
    )
    assert decoded["SmsStatus"].column("input_index").to_pylist() == [4]
    assert "SendResult" not in decoded
    assert "Balance" not in decoded
    rejected = decoded.rejections.to_pylist()
    assert [r["input_index"] for r in rejected] == [0, 1, 2, 3]
    for r in rejected:
        assert r["reason"].startswith("cannot be held in a table: field "), r
        assert r["line"] is None


def test_rejections_carry_the_decoders_reason_line_and_column() -> None:
    body = "1,1286524541,0,1,7999\n1,12865x4541,0,2,7998"
    decoded = decode_table(["status.php?id=1,2&phone=1,2&fmt=1"], [body])
    with pytest.raises(DecodeError) as caught:
        smsc_codec.decode(body, "status.php?id=1,2&phone=1,2&fmt=1")
    (row,) = decoded.rejections.to_pylist()
    assert (row["reason"], row["line"], row["column"]) == (
        caught.value.reason,
        caught.value.line,
        caught.value.column,
    )
    assert row["line"] == 2


def test_dates_in_a_zone_are_instants() -> None:
    requests = ["get.php?get_answers=1&fmt=3"] * 2
    bodies = [
        '[{"id": 1, "received": "29.09.2018 15:07:39"}]',
        '[{"id": 2, "received": "30.03.2014 02:30:00"}]',  # skipped in Paris
    ]
    moscow = decode_table(requests, bodies, tz="Europe/Moscow")["IncomingMessage"]
    assert moscow.schema.field("received").type == pa.timestamp("ms", tz="Europe/Moscow")
    first = moscow.to_pylist()[0]["received"]
    assert first.astimezone(UTC) == datetime(2018, 9, 29, 12, 7, 39, tzinfo=UTC)
    paris = decode_table(requests, bodies, tz="Europe/Paris")
    assert paris["IncomingMessage"].column("id").to_pylist() == [1]
    (skipped,) = paris.rejections.to_pylist()
    assert skipped["input_index"] == 1
    assert "no time in Europe/Paris" in skipped["reason"]


def test_tables_of_different_batches_concatenate() -> None:
    first = decode_table(["get.php?get_answers=1&fmt=3"], ['[{"id": 1, "message": "a"}]'])
    second = decode_table(
        ["get.php?get_answers=1&fmt=1"], ["2,29.09.2018 15:07:39,7999,hello,7998,"]
    )
    both = pa.concat_tables([first["IncomingMessage"], second["IncomingMessage"]])
    assert both.column("id").to_pylist() == [1, 2]
    assert both.schema == schema_for("IncomingMessage")


def test_every_kind_has_a_schema() -> None:
    for name, cls in kinds().items():
        schema = schema_for(cls)
        assert schema.names[:2] == ["input_index", "item"]
        assert schema.names[-2:] == ["extra", "ambiguous_fields"]
        assert schema == schema_for(name)


def test_inputs_may_be_arrow_arrays() -> None:
    requests = pa.array(["status.php?id=5&phone=7&fmt=1"] * 3)
    bodies = pa.array(["1,1286524541,0", "1,x,0", None])
    decoded = decode_table(requests, bodies)
    assert decoded["SmsStatus"].num_rows == 1
    assert decoded.rejections.column("input_index").to_pylist() == [1, 2]


@pytest.mark.parametrize(
    "form",
    [
        lambda values: pa.chunked_array([values[:2], values[2:]]),
        lambda values: pa.array(values, type=pa.large_string()),
        lambda values: pa.array(values, type=pa.string_view()),
        lambda values: pa.array(values).dictionary_encode(),
    ],
    ids=["chunked", "large_string", "string_view", "dictionary"],
)
def test_every_arrow_string_form_decodes_as_a_list(form: Any) -> None:
    requests = [f"status.php?id={n}&phone=7&fmt=1" for n in range(3)] + ["status.php?fmt=0"]
    bodies = ["1,1286524541,0", "1,x,0", "2,1286524541,0", "Status = 1, check_time = x"]
    expected = decode_table(requests, bodies)
    decoded = decode_table(form(requests), form(bodies))
    assert list(decoded) == list(expected)
    for name in expected:
        assert decoded[name].equals(expected[name])
    assert decoded.rejections.equals(expected.rejections)
    assert decoded.rejections.num_rows == 2


def test_callbacks_decode_as_per_answer() -> None:
    decoded = decode_table(
        ["callback?fmt=3", "callback"], ['{"id": 5, "status": 1, "phone": "7"}', "id=6&status=1"]
    )
    assert decoded["StatusCallback"].column("id").to_pylist() == [5, 6]


def test_white_space_ends_at_u3000() -> None:
    assert not any(chr(c).isspace() for c in range(LAST_SPACE + 1, sys.maxunicode + 1))


_START_PIECES = [
    "O",
    "E",
    "K",
    "1",
    ",",
    "-",
    ",-",
    " ",
    "\u3000",
    "\ufeff",
    "\x85",
    "Я",
    "😀",
    "ab",
]


@pytest.mark.parametrize(
    "request_",
    [f"status.php?id={ids}&phone=7&all=2&fmt={fmt}" for ids in ("1", "1,2") for fmt in (0, 1)],
)
@given(
    st.lists(
        st.one_of(
            st.lists(st.sampled_from(_START_PIECES), max_size=12).map("".join),
            # ",-" after as many characters as may stand before it, or one
            # more, after an ASCII letter (of the bytes that start no refusal)
            st.tuples(st.integers(35, 38), st.sampled_from(["a", "Я", "😀", " "])).map(
                lambda n_char: "a" + n_char[1] * n_char[0] + ",-1"
            ),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_refused_starts_are_those_the_pattern_matches(request_: str, texts: list[str]) -> None:
    group = columnar._group_of(request_, False, None, DEFAULT_LIMITS)
    assert group is not None
    pattern = refused_start_pattern(group.fmt, group.spec.multi)
    array = pa.array(texts, type=pa.string())
    expected = pc.match_substring_regex(array, pattern).to_pylist()
    assert _refused_starts(array, group).tolist() == expected
    # the same texts as a slice of a longer array (offsets not from 0)
    longer = pa.array(["x", *texts], type=pa.string()).slice(1)
    assert _refused_starts(longer, group).tolist() == expected


def test_the_model_is_the_schema() -> None:
    """A field added to a kind is a column: every wire field has one."""
    from smsc_codec._schema import plan_for  # noqa: PLC0415

    for cls in kinds().values():
        names = set(schema_for(cls).names)
        for spec in plan_for(cls).fields:
            assert spec.name in names, (cls, spec.name)
    assert isinstance(msgspec, object)


# -- grouping by layout ------------------------------------------------------------------

_PARAM_NAMES = [
    "fmt",
    "all",
    "id",
    "phone",
    "psw",
    "login",
    "cost",
    "get",
    "get_group",
    "charset",
    "f%6Dt",
    "n",
    "mes",
    "get_answers",
    "add",
    "cur",
]
_VALUES = [
    "0",
    "1",
    "2",
    "3",
    "1,2",
    "1%2C2",
    "7999",
    "+7999",
    "7999,7998",
    "",
    "x y",
    "1+",
    "a#b",
    "utf-8",
    "koi8-r",
]


@st.composite
def urls(draw: st.DrawFn) -> str:
    head = draw(
        st.sampled_from(
            [
                "status.php",
                "send.php",
                "phones.php",
                "https://smsc.ru/sys/get.php",
                "balance.php",
                "x/info.php",
                "callback",
                "",
                "mails.php",
            ]
        )
    )
    params = draw(
        st.lists(st.tuples(st.sampled_from(_PARAM_NAMES), st.sampled_from(_VALUES)), max_size=6)
    )
    return head + "?" + "&".join(f"{name}={value}" for name, value in params)


@given(st.lists(urls(), min_size=1, max_size=40))
def test_requests_grouped_together_have_one_layout(requests: list[str]) -> None:
    from smsc_codec._columnar_groups import group_requests  # noqa: PLC0415
    from smsc_codec._replies import layout_of  # noqa: PLC0415

    groups, others = group_requests(requests)
    grouped = [i for group in groups for i in group.tolist()]
    assert sorted(grouped + others.tolist()) == list(range(len(requests)))
    for group in groups:
        layouts = set()
        for index in group.tolist():
            try:
                layouts.add(repr(layout_of(smsc_codec.parse_request(requests[index]))))
            except smsc_codec.SmscCodecError as exc:
                layouts.add(type(exc).__name__)
        assert len(layouts) == 1, [requests[i] for i in group]
