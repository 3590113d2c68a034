"""fmt=3 bodies read by where their keys stand (``_columnar_keyed``).

Every check the keyed reader makes is held here: a batch of bodies in the
server's layout, one of which breaks the check, decodes as the per-answer
decoder decodes it (the differential helper of ``test_columnar``), and the
keyed reader itself takes the others and not that one. A body the checks
let through gives what the per-answer decoder gives.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from smsc_codec import Limits, SmsStatus
from smsc_codec import _columnar as columnar
from smsc_codec._columnar_json import _twin
from smsc_codec._columnar_keyed import read_keyed
from smsc_codec._limits import DEFAULT_LIMITS
from smsc_codec._schema import plan_for
from tests.test_columnar import assert_same_as_per_answer

pytestmark = pytest.mark.property

REQUEST = "status.php?id=1&phone=79991234567&all=2&fmt=3"

#: a status answer as the server writes it: one key a line
LINES = {
    "status": "1",
    "last_date": '"28.06.2021 15:55:47"',
    "last_timestamp": "1624884947",
    "flag": "0",
    "err": "0",
    "phone": '"79991234567"',
    "cost": '"1.40"',
    "message": '"Привет, world"',
    "type": "0",
}


def body(**values: str) -> str:
    """The answer of ``LINES`` with some raw JSON values replaced."""
    lines = {**LINES, **values}
    return "{\n" + ",\n".join(f'"{key}": {value}' for key, value in lines.items()) + "\n}"


GOOD = body()


@pytest.fixture(autouse=True)
def _reader_faults_show(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(columnar, "READER_FAULTS", ())


def keyed_rows(bodies: list[str], limits: Limits = DEFAULT_LIMITS) -> list[int]:
    """The bodies the keyed reader takes (its keys: the first body's)."""
    max_text = limits.max_field_length
    twin = _twin(SmsStatus, max_text)[0].type
    taken = read_keyed(pa.array(bodies), twin, plan_for(SmsStatus).fields, max_text)
    assert taken is not None
    rows, values = taken
    assert all(len(column) == len(rows) for column in values.values())
    return np.asarray(rows).tolist()  # type: ignore[no-any-return]


def check(bad: str, *, taken: bool, **options: Any) -> None:
    bodies = [GOOD, bad, GOOD]
    assert_same_as_per_answer([REQUEST] * len(bodies), bodies, **options)
    assert keyed_rows(bodies, options.get("limits", DEFAULT_LIMITS)) == (
        [0, 1, 2] if taken else [0, 2]
    )


@pytest.mark.parametrize(
    "bad",
    [
        # the lines: one line feed more than keys ("{" and "}" alone)
        pytest.param(GOOD.replace("{\n", "{\n\n"), id="a blank line"),
        pytest.param(GOOD.replace('"status": 1,', '"status": 1,\n"status": 2,'), id="a key twice"),
        pytest.param(GOOD.replace("{\n", '{"sms_cnt": 5,\n'), id="a key on the first line"),
        pytest.param(GOOD.replace("{\n", "{1,\n"), id="more on the first line"),
        pytest.param(GOOD[:-1] + "]", id="a bracket for the last line"),
        pytest.param(GOOD[:-1] + " }", id="more on the last line"),
        # each line: its key, a value, a comma
        pytest.param(
            GOOD.replace('"phone": "79991234567",', '"phone": "79991234567"x'), id="no comma"
        ),
        pytest.param(GOOD.replace('"status": ', '"statuz": '), id="another key"),
        pytest.param(
            GOOD.replace('"last_timestamp": ', '"last_timestamq": '), id="another key, at its end"
        ),
        pytest.param(GOOD.replace('"status": ', '"status" : '), id="other spacing"),
        pytest.param(
            GOOD.replace('"last_timestamp": ', '"last_timestamp":'), id="no space after a long key"
        ),
        # numbers: JSON's integer form, in int64
        pytest.param(body(status="01"), id="a leading zero"),
        pytest.param(body(status="0x5"), id="hexadecimal"),
        pytest.param(body(status="+5"), id="a plus sign"),
        pytest.param(body(status='""'), id="an empty number"),
        pytest.param(body(status="-"), id="a sign alone"),
        pytest.param(body(status="1.5"), id="a fraction"),
        pytest.param(body(status="1e3"), id="an exponent"),
        pytest.param(body(last_timestamp="12a"), id="a letter after a digit"),
        pytest.param(body(last_timestamp="12345678901234567890"), id="twenty digits"),
        pytest.param(body(status='"1'), id="an open quote"),
        pytest.param(body(status="true"), id="a boolean"),
        # (the twins then refuse a float flag, as the per-answer decoder's
        # MessageFlags does)
        *(
            pytest.param(body(flag=f), id=f"a flag {f}")
            for f in ("1e3", "1.0", '"1.0"', '"1.4e1"', "-1.5")
        ),
        # texts: a JSON string with no escape, quote or control character
        pytest.param(body(phone="79991234567"), id="a number for a text"),
        pytest.param(body(phone='"'), id="a lone quote"),
        # (a quote too many elsewhere in the body: the count of quotes is right)
        pytest.param(body(phone='"', message='"a"b"'), id="a lone quote and one more"),
        pytest.param(body(phone='"7999', message='"a"b"'), id="an open text and a quote more"),
        pytest.param(body(message='"a"b"'), id="a quote inside"),
        pytest.param(body(message='"a\\nb"'), id="an escape"),
        pytest.param(body(message='"a\\u0041"'), id="a unicode escape"),
        pytest.param(body(message='"a\tb"'), id="a tab"),
        pytest.param(body(message='"a\x00b"'), id="a NUL"),
        pytest.param(body(message='"a\rb"'), id="a carriage return"),
        # null only where the twin takes None
        pytest.param(body(status="null"), id="null for a required number"),
        pytest.param(body(status="nul"), id="almost null"),
        pytest.param(body(phone="nullx"), id="more than null"),
        pytest.param(body(phone="true"), id="four letters, not null"),
    ],
)
def test_a_body_breaking_a_check_is_not_read_by_its_keys(bad: str) -> None:
    check(bad, taken=False)


@pytest.mark.parametrize(
    "fine",
    [
        pytest.param(body(status='"5"'), id="a number in quotes"),
        pytest.param(body(status="-0"), id="minus zero"),
        pytest.param(body(last_timestamp="123456789012345678"), id="eighteen digits"),
        pytest.param(body(phone="null", last_date="null"), id="null for optional texts"),
        pytest.param(body(err="null"), id="null for an optional number"),
        pytest.param(body(last_date='""'), id="an empty date"),
        pytest.param(body(message='""'), id="an empty text"),
        pytest.param(body(message='"a/b \x7f"'), id="a slash and DEL"),
        pytest.param(body(cost='"12.5"'), id="other money"),
    ],
)
def test_a_body_passing_every_check_is_read_as_per_answer(fine: str) -> None:
    check(fine, taken=True)


def test_quotes_escapes_and_control_characters_are_found_in_the_body_holding_them() -> None:
    # in texts (looked for there, over the texts of all bodies at once), and
    # in the other places, whose bytes are checked where they stand
    bad = [
        GOOD.replace('"status": 1,', "status: 1,"),
        body(message='"a""b"'),
        body(phone='"7\\u0039"'),
        body(message='"x\ty"'),
        body(status='"1""'),
        body(last_date='"28.06.2021 15:55:4""'),
        body(cost='"1.4""'),
        body(cost='"1.4\t"'),
        GOOD.replace('"flag": 0,', '"flag": 0,\r'),
    ]
    bodies = [GOOD, *[piece for one in bad for piece in (one, GOOD)]]
    assert_same_as_per_answer([REQUEST] * len(bodies), bodies)
    assert keyed_rows(bodies) == list(range(0, len(bodies), 2))


def test_texts_longer_than_the_limit_are_not_read() -> None:
    limits = Limits(max_field_length=20)
    # 20 characters in 38 bytes is within the limit; 21 is not
    check(body(message='"' + "я" * 19 + 'a"'), taken=True, limits=limits)
    check(body(message='"' + "я" * 20 + 'a"'), taken=False, limits=limits)


def test_bodies_over_the_limit_are_not_read() -> None:
    long = body(message='"' + "x" * 300 + '"')
    limits = Limits(max_body_bytes=len(GOOD.encode()) + 10)
    bodies = [GOOD, long, GOOD]
    assert_same_as_per_answer([REQUEST] * len(bodies), bodies, limits=limits)
    decoded = columnar.decode_columns([REQUEST] * len(bodies), bodies, limits=limits)
    assert sorted(decoded.rejected) == [1]


def test_money_is_a_text_within_the_limit() -> None:
    # (19: the dates' length; the per-answer decoder refuses longer money)
    limits = Limits(max_field_length=19)
    check(body(cost='"-123456789012.12345"'), taken=True, limits=limits)
    check(body(cost='"-123456789012.123456"'), taken=False, limits=limits)
    # (and so through the twins, for a body of other keys)
    other = "{\n" + '"status": 1,\n"cost": "-123456789012.123456"' + "\n}"
    assert_same_as_per_answer([REQUEST] * 2, [GOOD, other], limits=limits)


def test_a_body_not_opening_with_a_brace_is_not_read() -> None:
    assert keyed_rows([GOOD, "[" + GOOD[1:], GOOD]) == [0, 2]


def test_the_last_body_is_read_to_its_end() -> None:
    # the reader looks past the bodies' end (a key's last word, a value's
    # first): the last body's short last line is still read exactly
    short = "{\n" + '"status": 1' + "\n}"
    assert keyed_rows([short, short]) == [0, 1]
    assert keyed_rows([short, short[:-1] + "]"]) == [0]
    assert_same_as_per_answer([REQUEST] * 2, [short, short])


def test_bodies_of_other_keys_go_to_the_twins() -> None:
    other = "{\n" + '"status": 1,\n"err": 0' + "\n}"
    bodies = [GOOD, other, body(status="01"), GOOD]
    assert_same_as_per_answer([REQUEST] * len(bodies), bodies)
    assert keyed_rows(bodies) == [0, 3]


def test_the_keys_are_those_of_the_first_body_that_gives_them() -> None:
    error = '{\n"error": "duplicate request, wait a minute",\n"error_code": 9\n}'
    bodies = [error, "not json", GOOD, GOOD]
    assert_same_as_per_answer([REQUEST] * len(bodies), bodies)
    assert keyed_rows(bodies) == [2, 3]


@pytest.mark.parametrize(
    "first",
    [
        pytest.param(body(sms_cnt="1", foo="2"), id="a key of no field"),
        pytest.param("{\n" + '"err": 0' + "\n}", id="no required key"),
    ],
)
def test_keys_are_not_taken_from_a_body_the_twin_refuses(first: str) -> None:
    bodies = [first, first, GOOD]
    assert_same_as_per_answer([REQUEST] * len(bodies), bodies)
    assert keyed_rows(bodies) == [2]


def test_arrow_inputs_are_read_by_their_keys() -> None:
    bodies = [GOOD, body(status="01"), GOOD]
    assert_same_as_per_answer(pa.array([REQUEST] * 3), pa.array(bodies))
    assert_same_as_per_answer([REQUEST] * 3, pa.array(bodies, type=pa.large_string()))
