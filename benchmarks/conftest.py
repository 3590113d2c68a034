"""Benchmark inputs, derived from the model.

One SMS status reply with ``all=2`` (20 fields, Cyrillic text), a 1,000-row
multi-id answer of the same, a 1,000-contact list (``phones.php?get=1``,
seed 004), and one ``send.php?cost=3`` and one ``balance.php`` answer, in each
format, written by the library's own encoder so that the inputs follow the
model and the grammars. Bodies are
given as ``str`` to every contender: charset decoding is outside the race.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

import smsc_codec
from benchmarks.race import ROUNDS, Race, Rounds
from smsc_codec import (
    Balance,
    Contact,
    DeliveryError,
    MessageFlags,
    MessageStatus,
    MessageType,
    Ok,
    SendResult,
    SmsStatus,
)

ROWS = 1000


def reply(*, message: str, row: int | None = None) -> SmsStatus:
    return SmsStatus(
        status=MessageStatus.DELIVERED,
        last_date=datetime(2021, 6, 28, 15, 55, 47),
        last_timestamp=1624884947,
        flag=MessageFlags(0),
        err=DeliveryError.NO_ERROR,
        send_date=datetime(2021, 6, 28, 15, 55, 40),
        send_timestamp=1624884940,
        phone="79991234567",
        cost=Decimal("1.40"),
        sender_id="SMSC.RU",
        status_name="Доставлено",
        message=message,
        comment="коммент",
        mccmnc="25001",
        country="Россия",
        operator="МТС",
        operator_orig="МТС",
        region="Москва",
        type=MessageType.SMS,
        sms_cnt=1,
        id=row,
    )


@dataclass(frozen=True)
class Case:
    fmt: int
    request: str
    body: str
    expected: Any  #: what the codec must decode the body to


def _case(fmt: int, rows: int) -> Case:
    # fmt=1 cannot carry a comma in the message unambiguously next to the
    # comment (facts §5.1), so its message keeps the ` = ` and drops the comma.
    message = "Hello world = test" if fmt == 1 else "Hello, world = test"
    if rows == 1:
        request = f"status.php?id=1&phone=79991234567&all=2&fmt={fmt}"
        value: SmsStatus | list[SmsStatus] = reply(message=message)
    else:
        request = f"status.php?id=1,2&phone=79991234567&all=2&fmt={fmt}"
        value = [reply(message=message, row=i) for i in range(rows)]
    # The text layouts have no place for some fields (fmt=0 carries dates, not
    # timestamps): write what the layout carries and expect exactly that back.
    body = smsc_codec.encode_text(value, request, lossy=True)
    expected = smsc_codec.decode(body, request)
    return Case(fmt, request, body, expected)


CASES = {(fmt, rows): _case(fmt, rows) for fmt in range(4) for rows in (1, ROWS)}


@pytest.fixture(params=[1, ROWS], ids=["single", "1000"])
def rows(request: pytest.FixtureRequest) -> int:
    value: int = request.param
    return value


# ---------------------------------------------------------------- contacts --
def contact(row: int, *, comments: str) -> Contact:
    return Contact(
        phones="79991234567",
        name="Иванов Иван",
        groups="5922",
        first_name="Иван",
        last_name="Иванов",
        middle_name="Иванович",
        birthday=date(1980, 5, 17),
        client_id=f"c{row}",
        comments=comments,
        tags="vip",
        other_phones="79991234568",
    )


def _contact_case(fmt: int) -> Case:
    # As for the status rows: a comma in fmt=1 text would make the line ambiguous.
    comments = "Позвонить утром = срочно" if fmt == 1 else "Позвонить утром, = срочно"
    request = f"phones.php?get=1&fmt={fmt}"
    value = [contact(i, comments=comments) for i in range(ROWS)]
    body = smsc_codec.encode_text(value, request)
    return Case(fmt, request, body, smsc_codec.decode(body, request))


CONTACT_CASES = {fmt: _contact_case(fmt) for fmt in range(4)}


# ----------------------------------------------------------- tiny answers --
SEND = SendResult(id=1236, cnt=2, cost=Decimal("2.80"), balance=Decimal("97.70"))
BALANCE = Balance(balance=Decimal("250.80"))
OK = Ok()
SHORT_STATUS = SmsStatus(
    status=MessageStatus.DELIVERED,
    last_date=datetime(2021, 6, 28, 15, 55, 47),
    last_timestamp=1624884947,
    err=DeliveryError.NO_ERROR,
)

#: single short answers: (request without fmt, the value), each in every format
TINY = {
    "send": ("send.php?cost=3", SEND),
    "balance": ("balance.php", BALANCE),
    "ok": ("phones.php?del=1", OK),
    "status": ("status.php?id=1&phone=79991234567", SHORT_STATUS),
}


def _tiny_case(fmt: int, request: str, value: Any) -> Case:
    request = f"{request}&fmt={fmt}" if "?" in request else f"{request}?fmt={fmt}"
    # the text layouts carry a date (fmt=0) or a timestamp (fmt=1): written
    # lossily, read back as written
    body = smsc_codec.encode_text(value, request, lossy=True)
    if value is OK and fmt >= 2:
        body = "OK"  # the bare OK the server answers whatever fmt was asked (facts §9)
    return Case(fmt, request, body, smsc_codec.decode(body, request))


TINY_CASES = {
    (answer, fmt): _tiny_case(fmt, request, value)
    for answer, (request, value) in TINY.items()
    for fmt in range(4)
}


# ------------------------------------------------------------------ races --
@dataclass
class RaceFixture:
    """Runs a race (``benchmarks/race.py``) through pytest-benchmark: each of
    its rounds is one pytest-benchmark round, and the ratios go into the
    run's JSON (``extra_info["race"]``) for ``report.py``."""

    benchmark: BenchmarkFixture

    def __call__(
        self,
        group: str,
        contenders: dict[str, Any],
        *,
        baseline: str = "floor",
        subject: str = "codec",
        goal: float | None,
        rounds: int = ROUNDS,
    ) -> Race:
        runner = Rounds(contenders, baseline)
        self.benchmark.group = group
        self.benchmark.pedantic(  # type: ignore[no-untyped-call]
            runner.run_round, rounds=rounds, iterations=1, warmup_rounds=0
        )
        result = runner.race
        self.benchmark.extra_info["race"] = {**result.summary(), "subject": subject, "goal": goal}
        return result

    @property
    def extra_info(self) -> dict[str, Any]:
        info: dict[str, Any] = self.benchmark.extra_info
        return info


@pytest.fixture
def race(benchmark: BenchmarkFixture) -> RaceFixture:
    return RaceFixture(benchmark)
