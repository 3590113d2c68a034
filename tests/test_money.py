"""Money is a decimal number, ``-?[0-9]+(.[0-9]+)?`` (facts §1.4): the same
rule in every format and mode for what the server writes.

Lenient decoding also reads a bare JSON number where the layout quotes the
amount, digit for digit as written, when it has that form (it cannot change
the amount); nothing else. The encoders write an amount digit by digit and
refuse what is no amount, or what they would have to expand.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any

import pytest

import smsc_codec
from smsc_codec import Balance, DecodeError, EncodeError
from smsc_codec._checks import construct, replaced
from smsc_codec._schema import MAX_MONEY_ZEROS
from tests.helpers import decoded

#: what Decimal() reads but no amount on the wire is written as
NOT_MONEY = [
    "NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "1E+999999999",
    "1e3",
    "1.5E-3",
    "1_000",
    " 1.40 ",
    "1.40 ",
    "+1.40",
    "1.",
    ".5",
    "1,40",
    "١٢",  # digits of another script: str.isdigit() says yes
]

BALANCE = "balance.php?cur=1"
STATUS_LIST = "status.php?id=101,102&phone=79991234567,79991234568&all=1"


def balance_body(fmt: int, amount: str) -> str:
    """A balance.php ``cur=1`` answer holding ``amount`` as its text, in ``fmt``."""
    if fmt == 2:
        escaped = amount.replace("&", "&amp;").replace("<", "&lt;")
        return f"<result>\n<balance>{escaped}</balance>\n<currency>RUB</currency>\n</result>"
    if fmt == 3:
        return json.dumps({"balance": amount, "currency": "RUB"}, ensure_ascii=False)
    return f"{amount},RUB"


def decode_error(body: str, request: str, **options: Any) -> DecodeError:
    with pytest.raises(DecodeError) as caught:
        decoded(body, request, **options)
    return caught.value


# --------------------------------------------------------------- reading ---
@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("amount", NOT_MONEY)
@pytest.mark.parametrize("fmt", [2, 3])
def test_what_is_no_amount_is_refused(fmt: int, amount: str, strict: bool) -> None:
    """fmt=2/3 used to read these through Decimal() (NaN, an exponent of a
    billion, ``1_000`` as 1000), even in strict mode."""
    body = balance_body(fmt, amount)
    error = decode_error(body, f"{BALANCE}&fmt={fmt}", strict=strict)
    assert "expected a decimal number" in error.reason, error
    assert error.line == (2 if fmt == 2 else 1)


@pytest.mark.parametrize("amount", NOT_MONEY)
@pytest.mark.parametrize("fmt", [0, 1])
def test_the_line_formats_hold_the_same_rule(fmt: int, amount: str) -> None:
    error = decode_error(balance_body(fmt, amount), f"{BALANCE}&fmt={fmt}")
    assert error.line == 1


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
@pytest.mark.parametrize("amount", ["250.80", "0", "-12.5", "0.0000001", "007.10", "-0.00"])
def test_amounts_keep_their_digits(fmt: int, amount: str) -> None:
    """The same digits and exponent as written (1.10 is not 1.1), leading
    zeros and all: the documented form has no other constraint."""
    for strict in (False, True):
        reply = decoded(balance_body(fmt, amount), f"{BALANCE}&fmt={fmt}", strict=strict)
        assert reply.balance.as_tuple() == Decimal(amount).as_tuple()


def test_a_list_with_one_bad_amount_is_refused_at_that_record() -> None:
    """The fast path (one typed msgspec decode of the whole array) holds every
    amount to the rule; the refusal comes from the record that breaks it."""
    rows = [
        {"status": 1, "cost": "1.40", "id": 101, "phone": "79991234567"},
        {"status": 1, "cost": "NaN", "id": 102, "phone": "79991234568"},
    ]
    body = "[" + ",\n".join(json.dumps(row) for row in rows) + "]"
    error = decode_error(body, f"{STATUS_LIST}&fmt=3")
    assert (error.line, "NaN" in error.reason) == (2, True), error


@pytest.mark.parametrize(
    ("literal", "digits"),
    [
        ("1.10", "1.10"),  # a float would be 1.1
        ("250", "250"),
        ("-0.5", "-0.5"),
        ("1.00000000000000001", "1.00000000000000001"),  # a float would be 1.0
        ("123456789012345678901234.5", "123456789012345678901234.5"),
    ],
)
@pytest.mark.parametrize("unknown_key", [False, True])
def test_lenient_reads_a_bare_number_digit_for_digit(
    literal: str, digits: str, unknown_key: bool
) -> None:
    """A bare JSON number where the layout quotes the amount: the same amount.
    With an unknown key the body takes the general path, which must keep the
    digits too (msgspec's untyped reader would make a float of it)."""
    extra = ', "bonus": 1.5' if unknown_key else ""
    body = f'{{"balance": {literal}{extra}}}'
    reply = decoded(body, f"{BALANCE}&fmt=3")
    assert reply.balance.as_tuple() == Decimal(digits).as_tuple()
    assert reply.extra == ((("bonus", 1.5),) if unknown_key else ())
    refusal = "unknown key 'bonus'" if unknown_key else "is a JSON string in the documented layout"
    with pytest.raises(DecodeError, match=refusal):
        decoded(body, f"{BALANCE}&fmt=3", strict=True)


@pytest.mark.parametrize("literal", ["1e3", "1.5E-3", "2E+999999999", "1e400"])
def test_lenient_refuses_a_bare_number_with_an_exponent(literal: str) -> None:
    body = f'{{"balance": {literal}}}'
    error = decode_error(body, f"{BALANCE}&fmt=3")
    assert literal in error.reason, error


def test_other_numbers_with_a_fraction_still_read_as_floats() -> None:
    """Only money keeps its text: an unknown key's value reads as JSON reads it."""
    body = '{"balance": "1.00", "rate": [0.5, {"x": 2.25}]}'
    reply = decoded(body, "balance.php?fmt=3")
    (key, value), *more = reply.extra
    assert (key, value.value, more) == ("rate", [0.5, {"x": 2.25}], [])  # (JSON kept as text)


# --------------------------------------------------------------- writing ---
def encode_error(value: Any, request: str) -> EncodeError:
    start = time.perf_counter()
    with pytest.raises(EncodeError) as caught:
        smsc_codec.encode(value, request)
    assert time.perf_counter() - start < 0.5  # refused, not expanded first
    return caught.value


@pytest.mark.parametrize(
    "amount",
    [
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        Decimal("-Infinity"),
        Decimal("1E+999999999"),  # a gigabyte of zeros, a minute of writing
        Decimal("1E+999999999999999999"),  # MemoryError
        Decimal("1E-999999999"),
        Decimal(1).scaleb(MAX_MONEY_ZEROS + 1),
        Decimal("0.1").scaleb(-MAX_MONEY_ZEROS - 1),
    ],
    ids=str,
)
@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_what_would_not_be_an_amount_on_the_wire_is_refused(fmt: int, amount: Decimal) -> None:
    error = encode_error(Balance(balance=amount, currency="RUB"), f"{BALANCE}&fmt={fmt}")
    assert error.field == "balance"


@pytest.mark.parametrize(
    ("amount", "written"),
    [
        (Decimal("250.80").normalize(), "250.8"),  # Decimal('2.508E+2')
        (Decimal(250).normalize(), "250"),  # Decimal('2.5E+2')
        (Decimal(1).scaleb(MAX_MONEY_ZEROS), "1" + "0" * MAX_MONEY_ZEROS),
        (Decimal("1E-5"), "0.00001"),
        (250, "250"),  # an int is an amount too
    ],
)
@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_an_exponent_is_written_out_within_the_bound(
    fmt: int, amount: Decimal | int, written: str
) -> None:
    request = f"{BALANCE}&fmt={fmt}"
    reply = construct(Balance, balance=amount, currency="RUB")
    body = smsc_codec.encode(reply, request)
    assert written.encode() in body
    assert decoded(body, request) == reply


@pytest.mark.parametrize("amount", [1.4, "1.40", True, (Decimal(1),)], ids=repr)
@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_an_amount_of_another_type_is_refused(fmt: int, amount: Any) -> None:
    """A float is binary (1.4 is not 1.4), text is no number, True no amount."""
    reply = replaced(Balance(balance=Decimal("1.40")), balance=amount)
    assert encode_error(reply, f"balance.php?fmt={fmt}").field == "balance"
