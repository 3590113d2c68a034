"""The columnar conversions of numbers, money and dates against the
per-answer decoder's readers (``_schema``): a text the columnar way takes
reads as the same value alone, and a date of the kind's form that the
per-answer reader takes is taken (``_columnar_convert``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from smsc_codec._columnar_convert import (
    INT_FORM,
    MONEY_FORM,
    convert_text,
    money_spans,
    numbers_in_form,
)
from smsc_codec._schema import (
    KIND_PATTERNS,
    Kind,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_int,
)

pytestmark = pytest.mark.property

_READERS: dict[Kind, Callable[[str], Any]] = {
    Kind.DATETIME: parse_datetime,
    Kind.DATE: parse_date,
    Kind.INT: parse_int,
    Kind.DECIMAL: parse_decimal,
}

#: the edges of the date forms: days past a month's end, leap days, zero
#: and out-of-range parts, a wrong length, other digits and separators
_DATE_EDGES = [
    "28.06.2021 15:55:47",
    "31.04.2021 10:00:00",
    "30.04.2021 10:00:00",
    "29.02.2020 00:00:00",
    "29.02.2021 00:00:00",
    "29.02.1900 00:00:00",
    "29.02.2000 23:59:59",
    "00.01.2021 10:00:00",
    "01.00.2021 10:00:00",
    "01.13.2021 10:00:00",
    "01.01.0000 10:00:00",
    "01.01.0001 00:00:00",
    "31.12.9999 23:59:59",
    "01.01.2021 24:00:00",
    "01.01.2021 23:60:00",
    "01.01.2021 23:59:60",
    "1.01.2021 10:00:00",
    "01.01.2021 10:00:00 ",
    "01.01.2021T10:00:00",
    "01-01-2021 10:00:00",
    "٠١.٠١.٢٠٢١ ١٠:٠٠:٠٠",
    "０１.０１.２０２１ １０:００:００",
    "01.01.2021 1０:00:00",
    "",
    "28.06.2021",
    "29.02.2020",
    "29.02.2019",
    "31.11.2021",
    "00.00.0000",
    "28.06.２021",
    "1/.01.2021 10:00:00",
    "0:.01.2021 10:00:00",
    "01.01.2021 10:00:1/",
    "1/.01.2021",
    "0:.01.2021",
    "01/01/2021",
]


def _dates(pattern: str) -> st.SearchStrategy[str]:
    """Texts near the form: its places filled with digits (any numbers in
    range or out of it) or other characters."""
    place = st.one_of(st.sampled_from("0123456789"), st.sampled_from(". :-/T٠٩０"), st.just(""))
    width = len(
        re.sub(r"\[0-9\]\{(\d+)\}", lambda m: "0" * int(m.group(1)), pattern).replace("\\", "")
    )
    return st.lists(place, min_size=width - 1, max_size=width + 1).map("".join)


def _check(kind: Kind, texts: list[str | None]) -> None:
    valid, column = convert_text(kind, pa.array(texts, type=pa.string()), None)
    values = column.to_pylist()
    read = _READERS[kind]
    for text, taken, value in zip(texts, valid.tolist(), values, strict=True):
        if text is None:
            assert not taken
            continue
        try:
            alone = read(text)
        except ValueError:
            alone = None
        if taken:
            assert alone is not None, text
            assert value == alone, text
        elif kind in (Kind.DATETIME, Kind.DATE) and re.fullmatch(KIND_PATTERNS[kind], text):
            assert alone is None, text  # a date of the form that exists is taken


@pytest.mark.parametrize("kind", [Kind.DATETIME, Kind.DATE])
def test_the_edges_of_the_date_forms_read_as_alone(kind: Kind) -> None:
    _check(kind, [*_DATE_EDGES, None])
    valid, _ = convert_text(kind, pa.array(_DATE_EDGES[:1] * 3 + [None]), None)
    assert valid.tolist() == [kind is Kind.DATETIME] * 3 + [False]


@given(st.data())
def test_texts_near_a_date_form_read_as_alone(data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from([Kind.DATETIME, Kind.DATE]))
    texts = data.draw(st.lists(st.one_of(_dates(KIND_PATTERNS[kind]), st.none()), max_size=30))
    _check(kind, texts)


@given(
    st.sampled_from([Kind.INT, Kind.DECIMAL]),
    st.lists(
        st.one_of(
            st.integers(-(10**20), 10**20).map(str),
            st.decimals(allow_nan=False, allow_infinity=False, places=8).map(str),
            st.text(alphabet="-+.0123456789 e٣", max_size=22),
            st.none(),
        ),
        max_size=30,
    ),
)
def test_numbers_and_money_taken_read_as_alone(kind: Kind, texts: list[str | None]) -> None:
    _check(kind, texts)


#: texts near the number forms: digits, signs, points, other characters
_NEAR_NUMBERS = st.text(alphabet="-.0123456789 e٣", max_size=22)


def _spans(
    texts: list[str],
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The texts written one after another (with a byte between them, as
    ``fmt=1`` lines hold them, and spaces after the last): the bytes, and
    where each text starts and ends."""
    data = bytearray()
    starts, ends = [], []
    for text in texts:
        data += b","
        starts.append(len(data))
        data += text.encode()
        ends.append(len(data))
    data += b" " * len(MONEY_FORM)
    return (
        np.frombuffer(bytes(data), dtype=np.uint8),
        np.asarray(starts, dtype=np.int64),
        np.asarray(ends, dtype=np.int64),
    )


def _texts_in_form(texts: list[str], *, money: bool, absent: bool) -> list[bool]:
    """``numbers_in_form`` over the texts written one after another."""
    found = numbers_in_form(*_spans(texts), money=money, absent=absent)
    return [bool(value) for value in found]


def _expected(texts: list[str], *, money: bool, absent: bool) -> list[bool]:
    form = MONEY_FORM if money else INT_FORM
    return [bool(re.fullmatch(form, text)) or (absent and not text) for text in texts]


@given(
    st.booleans(),
    st.booleans(),
    st.one_of(
        st.lists(_NEAR_NUMBERS, max_size=30),
        # texts of one width (the numbers of a log), read by a faster path
        st.integers(1, 22).flatmap(
            lambda width: st.lists(
                st.one_of(
                    st.text(alphabet="-.0123456789e", min_size=width, max_size=width),
                    st.text(alphabet="0123456789", min_size=width, max_size=width),
                ),
                min_size=1,
                max_size=30,
            )
        ),
    ),
)
def test_numbers_in_form_are_those_the_forms_match(
    money: bool, absent: bool, texts: list[str]
) -> None:
    assert _texts_in_form(texts, money=money, absent=absent) == _expected(
        texts, money=money, absent=absent
    )


@given(
    st.lists(
        st.one_of(
            _NEAR_NUMBERS,
            st.decimals(allow_nan=False, allow_infinity=False, places=6).map(str),
            # (texts of one width with the point in other places, or in none)
            st.sampled_from(["0.000001", "-999999999999.999999", "123456789012.5", "-0.0", "1."]),
            st.sampled_from(["000000000000", "0000000000.1", "000000000.12", "1.40", "14.0"]),
        ),
        max_size=30,
    )
)
def test_money_read_from_the_bytes_is_money_read_from_text(texts: list[str]) -> None:
    valid, column = money_spans(*_spans(texts))
    taken, expected = convert_text(Kind.DECIMAL, pa.array(texts, type=pa.string()), None)
    assert valid.tolist() == taken.tolist()
    assert column.equals(expected)


@pytest.mark.parametrize(
    "texts",
    [
        ["1624884947"] * 3,
        ["1.40", "2.50", "0.01"],
        ["1.40", "2.50", "0.0."],
        ["1.40", "2.50", "-1.4"],
        ["1234567890123.4"] * 2,
        ["123456789012.4"] * 2,
        ["1.1234567", "1.1234567"],
        ["1.123456", "1.123456"],
        ["1234567890123456789"] * 2,
        ["123456789012345678"] * 2,
        ["-", "1", ".", "1.", ".1", "-.1", "--1", "1-", "1..2", "", "٣", "+1", " 1"],
    ],
)
def test_the_edges_of_the_number_forms(texts: list[str]) -> None:
    for money in (False, True):
        for absent in (False, True):
            assert _texts_in_form(texts, money=money, absent=absent) == _expected(
                texts, money=money, absent=absent
            ), (money, absent)
