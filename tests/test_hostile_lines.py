"""Hostile fmt=0/1 bodies: every decode linear in time, bounded in memory,
rejections included.

A line that no layout reads is refused at a position the fault locator finds
(``_line_faults``) without a general parser: Lark's Earley parser took
seconds and hundreds of megabytes on a line of a few hundred commas. Blank
lines are passed over in the regex engine. Each body here once took seconds
to minutes; ``benchmarks/test_scaling.py`` measures them at 1x-100x.
"""

from __future__ import annotations

import lark
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import smsc_codec
from smsc_codec import DecodeError, LimitError, Limits, _solver
from smsc_codec._body import iter_lines
from tests.helpers import decoded, position, refused_cheaply

ALL1 = "status.php?id=5&phone=79990000000&fmt=1&all=1"
ALL1_FMT0 = "status.php?id=5&phone=79990000000&all=1"
CONTACTS = "phones.php?get=1&fmt=1"


@pytest.fixture(autouse=True)
def no_general_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Decoding never runs Lark's parser: its worst case is not linear."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("Lark's parser ran while decoding")

    monkeypatch.setattr(lark.Lark, "parse", refuse)


def commas_line(count: int) -> str:
    """The issue's line: a message of ``count`` commas, then a bad type."""
    return "1,1,0,1,7,1,S,x," + ",".join(["a"] * count) + ", z, X"


def pairs_line(count: int, *, type_text: str = "Z") -> str:
    """fmt=0 all=1 with ``, comment = b`` repeated in the message."""
    return (
        "Status = 1, check_time = 10.10.2010 10:10:10, err = 0, "
        "send_date = 10.10.2010 10:10:09, phone = 79990000000, cost = 1.40, "
        "sender_id = SMSC, status_name = Доставлено, message = hi"
        + ", comment = b" * count
        + f", comment = , type = {type_text}"
    )


def contact_line(commas: int) -> str:
    """A contact whose name holds ``commas`` commas, with a bad birthday."""
    return "79990000001," + "Ив," * commas + "5922,Иван,Иванов,Петрович,32.13.1980,c-17,x,vip,"


@pytest.mark.parametrize("count", [400, 3000])
def test_a_line_of_commas_is_refused_at_the_bad_type(count: int) -> None:
    line = commas_line(count)
    error = refused_cheaply(lambda: decoded(line, ALL1), len(line))
    assert (error.line, error.column) == position(line, len(line) - 1)
    assert error.reason == "expected an integer, got 'X' in field 'type'"
    with pytest.raises(DecodeError) as strict:
        decoded(line, ALL1, strict=True)
    assert (strict.value.column, strict.value.reason) == (error.column, error.reason)


@pytest.mark.parametrize("count", [150, 2000])
def test_strict_fmt0_with_repeated_keys_in_a_message(count: int) -> None:
    line = pairs_line(count)
    error = refused_cheaply(lambda: decoded(line, ALL1_FMT0, strict=True), len(line))
    assert (error.line, error.column) == position(line, len(line) - 1)
    assert error.reason == "expected an integer, got 'Z' in field 'type'"
    # with a good type the same line reads; the message's `, comment = ` makes it ambiguous
    good = pairs_line(count, type_text="0")
    reply = decoded(good, ALL1_FMT0)
    assert reply.ambiguous_fields
    with pytest.raises(DecodeError, match="ambiguous"):
        decoded(good, ALL1_FMT0, strict=True)


@pytest.mark.parametrize("commas", [80, 2000])
def test_a_contact_with_many_commas_and_a_bad_birthday(commas: int) -> None:
    line = contact_line(commas)
    error = refused_cheaply(lambda: decoded(line, CONTACTS), len(line))
    assert (error.line, error.column) == position(line, line.index("32.13.1980"))
    assert error.reason == "expected a date dd.mm.yyyy, got '32.13.1980' in field 'birthday'"


def test_free_texts_without_extra_commas_do_not_backtrack() -> None:
    """Every comma a separator: each free text has one extent, read in one pass."""
    pad = "x" * 20_000
    line = ",".join([pad] * 7 + [pad] * 4)  # no birthday where one belongs
    error = refused_cheaply(lambda: decoded(line, CONTACTS), len(line))
    assert error.reason.startswith("expected a date dd.mm.yyyy, got 'xxx")
    assert error.column == 6 * (len(pad) + 1) + 1


@pytest.mark.parametrize(
    ("line", "request_", "column", "reason"),
    [
        ("1,x,0", "status.php?id=1&phone=2&fmt=1", 3, "expected an integer, got 'x'"),
        ("1,12865x4541,0", "status.php?id=1&phone=2&fmt=1", 8, "got '12865x4541'"),
        ("Status = one", "status.php?id=1&phone=2", 10, "got 'one' in field 'status'"),
        ("ERROR = x (y)", "send.php", 9, "got 'x' in field 'code'"),
        (
            "Status = 1, check_time = 10.10.2010 10:10:1",
            "status.php?id=1&phone=2",
            26,
            "got '10.10.2010 10:10:1' in field 'last_date'",
        ),
        (
            "Status = 1, check_time = 10.10.2010 10:10:10, err = 0, tz = 3",
            "status.php?id=1&phone=2",
            54,
            "unexpected text after field 'err'",
        ),
        (
            "1,2,0,3,79990000000,1.40,SMSC,Delivered,Hello",
            ALL1,
            46,
            "the line ends inside field 'message'",
        ),
    ],
)
def test_faults_are_placed_under_the_bad_text(
    line: str, request_: str, column: int, reason: str
) -> None:
    with pytest.raises(DecodeError) as caught:
        decoded(line, request_, strict=True)
    assert caught.value.column == column, str(caught.value)
    assert reason in caught.value.reason


# ----------------------------------------------------------- blank lines ---
def test_blank_lines_are_passed_over_in_one_step() -> None:
    """A record and a million blank lines: the reader yields the record alone."""
    body = "1,1286524541,0" + "\n" * 1_000_000 + " \r\n\t\n"
    assert [line.text for line in iter_lines(body, skip_blank=True)] == ["1,1286524541,0"]
    reply = decoded(body, "status.php?id=5&phone=79990000000&fmt=1")
    assert reply.last_timestamp == 1286524541
    between = "\n".join(["1,1286524541,0", "", "  ", "1,1286524542,0"])
    # (lenient decoding reads several records for a one-id request as a list)
    rows = decoded(between, "status.php?id=5&phone=79990000000&fmt=1")
    assert [row.last_timestamp for row in rows] == [1286524541, 1286524542]
    with pytest.raises(DecodeError, match="blank line") as strict:
        decoded(between, "status.php?id=5&phone=79990000000&fmt=1", strict=True)
    assert strict.value.line == 2


def test_a_lone_cr_in_a_record_is_still_refused_after_blank_lines() -> None:
    body = "1,1286524541,0\n\n\n1,12865\r24542,0"
    with pytest.raises(DecodeError, match="a CR that ends no line") as caught:
        decoded(body, "status.php?id=5&phone=79990000000&fmt=1")
    assert (caught.value.line, caught.value.column) == (4, 8)


# --------------------------------------------------------------- limits ---
@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_max_records_refuses_before_reading_past_the_limit(fmt: int) -> None:
    """The body is broken after the record over the limit: a decoder that read
    it all would report the break, not the limit."""
    request = f"status.php?id=1,2&phone=79990000000&fmt={fmt}"
    row = {
        0: "Status = 1, check_time = 10.10.2010 10:10:10, err = 0",
        1: "1,1286524541,0",
        2: "<sms><status>1</status></sms>",
        3: '{"status": 1}',
    }[fmt]
    limit = 2_000
    rows = [row] * (limit + 1)
    broken = {0: "Status = x", 1: "1,x", 2: "<sms><broken", 3: '{"status": '}[fmt]
    if fmt == 2:
        body = "<list>" + "\n".join(rows) + broken
    elif fmt == 3:
        body = "[" + ",\n".join(rows) + ",\n" + broken
    else:
        body = "\n".join([*rows, broken])
    error = refused_cheaply(
        lambda: decoded(body, request, limits=Limits(max_records=limit)), len(body)
    )
    assert isinstance(error, LimitError)
    assert error.limit == "max_records"
    assert error.line == limit + 1


def test_max_field_length_holds_for_an_error_line() -> None:
    limits = Limits(max_field_length=10)
    body = "ERROR = 3 (no money at all here), ID - 5"
    with pytest.raises(LimitError) as caught:
        decoded(body, "send.php", limits=limits)
    assert (caught.value.limit, caught.value.column) == ("max_field_length", 12)
    assert decoded("ERROR = 3 (no money), ID - 5", "send.php", limits=limits).code == 3


# ------------------------------------------------------ foreign exceptions ---
@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_a_lone_surrogate_in_a_str_body(fmt: int) -> None:
    """Only a str can hold one; msgspec reads a str as UTF-8 and refuses it."""
    body = '{"status": 1, "x": "\ud800"}' if fmt == 3 else "1,2,\ud800"
    with pytest.raises(DecodeError) as caught:
        decoded(body, f"status.php?id=1&phone=2&fmt={fmt}")
    assert not caught.value.reason.startswith("internal error")
    if fmt == 3:
        assert caught.value.reason == "a lone surrogate U+D800, which is no character"
        assert caught.value.column == body.index("\ud800") + 1


def test_a_callback_request_with_a_bad_fmt() -> None:
    from smsc_codec._exchange import decode_exchange  # noqa: PLC0415 - the command line's reader

    with pytest.raises(smsc_codec.RequestError, match="fmt must be 0, 1, 2 or 3"):
        decode_exchange(b"id=1&phone=2&status=1", "callback?fmt=x")


# ------------------------------------------------ the literals' positions ---
@settings(max_examples=200)
@given(
    line=st.text(alphabet=",, ab", max_size=60),
    literal=st.sampled_from([",", ", ", ",,", "ab", ", b = "]),
)
def test_occurrences_are_every_place_the_literal_starts(line: str, literal: str) -> None:
    """Found a chunk at a time (here of 7 characters, so that occurrences
    straddle the chunks), overlapping ones included."""
    expected = [at for at in range(len(line)) if line.startswith(literal, at)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_solver, "_CHUNK", 7)
        assert list(_solver.occurrences(line, literal)) == expected
    assert list(_solver.occurrences(line, literal)) == expected
