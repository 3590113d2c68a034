"""Fixtures of the SDK tests: a fake SMSC and a real HTTP client pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from smsc_codec.testing import FakeSmsc
from tests.sdk.clients import CLIENTS, Wire, wire


@pytest.fixture
def fake() -> FakeSmsc:
    return FakeSmsc(login="demo", psw="secret")


@pytest.fixture(params=CLIENTS)
def client(request: pytest.FixtureRequest, fake: FakeSmsc) -> Iterator[Wire]:
    """Each client in turn: httpx, httpx's AsyncClient, requests."""
    with wire(request.param, fake) as found:
        yield found
