"""examples/sdk_httpx.py, the small client built on the codec, driven against
the fake SMSC with real httpx clients, synchronous and asynchronous."""

from __future__ import annotations

import importlib.util
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from smsc_codec import (
    ApiError,
    Contact,
    InsufficientFundsError,
    MessageStatus,
    RateLimitError,
    SendResult,
)
from smsc_codec.testing import FakeSmsc

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sdk_httpx.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sdk_httpx", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sdk = _load()


def test_a_message_from_sending_to_delivery() -> None:
    fake = FakeSmsc(login="demo", psw="secret")
    with httpx.Client(transport=fake.transport()) as http:
        smsc = sdk.SmscClient(http, login="demo", psw="secret")
        sent = smsc.send(["79990000001", "79990000002"], "Привет, мир")
        assert sent == SendResult(id=1, cnt=2, cost=Decimal("2.80"), balance=Decimal("97.20"))
        seen = [smsc.status(1, "79990000001").status for _ in range(4)]
        assert seen == [-1, 0, 1, 1]
        full = smsc.status(1, "79990000002", level=2)
        assert (full.message, full.cost, full.country) == ("Привет, мир", Decimal("1.40"), "Россия")
        assert smsc.balance() == Decimal("97.20")


def test_contacts() -> None:
    fake = FakeSmsc(apikey="KEY")
    with httpx.Client(transport=fake.transport()) as http:
        smsc = sdk.SmscClient(http, apikey="KEY")
        assert smsc.contacts() == []  # "not found" is an empty list
        assert smsc.add_contact("79990000001", "Иван") == 1
        (contact,) = smsc.contacts()
        assert isinstance(contact, Contact)
        assert (contact.phones, contact.name) == ("79990000001", "Иван")


def test_what_the_documentation_says_to_wait_out_is_retried() -> None:
    fake = FakeSmsc(login="demo", psw="secret")
    with httpx.Client(transport=fake.transport()) as http:
        smsc = sdk.SmscClient(http, login="demo", psw="secret", retry_delay=0)
        fake.queue_error("balance", 9)
        fake.queue_error("balance", 4)
        assert smsc.balance() == Decimal("100.00")
        assert len(fake.requests) == 3
        fake.queue_error("balance", 9)
        fake.queue_error("balance", 9)
        fake.queue_error("balance", 9)
        with pytest.raises(RateLimitError):
            smsc.balance()  # three tries, all refused
        assert len(fake.requests) == 6
        fake.balance = Decimal("0.50")
        with pytest.raises(InsufficientFundsError) as caught:
            smsc.send(["79990000001"], "x")  # never retried
        assert len(fake.requests) == 7
        assert caught.value.message_id == 1


def test_the_delay_is_what_the_error_says() -> None:
    limited = RateLimitError(ApiError(code=9, script="status"))
    with httpx.Client() as http:
        smsc = sdk.SmscClient(http, login="demo", psw="secret")
        assert smsc._wait(limited, 0) == 60  # "wait a minute"
        assert sdk.SmscClient(http, apikey="k", retry_delay=2)._wait(limited, 1) == 2
        with pytest.raises(RateLimitError):
            smsc._wait(limited, 2)  # the last try


@pytest.mark.anyio
async def test_the_async_client() -> None:
    fake = FakeSmsc(login="demo", psw="secret")
    fake.set_outcome("79990000002", MessageStatus.UNDELIVERABLE)
    async with httpx.AsyncClient(transport=fake.async_transport()) as http:
        smsc = sdk.AsyncSmscClient(http, login="demo", psw="secret", retry_delay=0)
        sent = await smsc.send(["79990000002"], "Привет")
        assert (sent.id, sent.cnt, sent.balance) == (1, 1, Decimal("98.60"))
        fake.queue_error("status", 9)
        seen = [(await smsc.status(1, "79990000002")).status for _ in range(3)]
        assert seen == [-1, 0, 20]
        assert await smsc.balance() == Decimal("98.60")
        assert await smsc.contacts() == []
        assert await smsc.add_contact("79990000002") == 2
        assert [c.phones for c in await smsc.contacts()] == ["79990000002"]
