"""Real HTTP clients talking to a FakeSmsc: httpx (sync and async, through the
fake's transports) and requests (over a socket, the fake served by wsgiref).

``wire(kind, fake)`` yields a :class:`Wire` whose ``call`` builds a request
with :func:`smsc_codec.build_request`, sends it with the client and returns
the client's own response object.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import requests

from smsc_codec import HttpRequest, build_request
from smsc_codec.testing import FakeSmsc

#: every client the adapters are tested with
CLIENTS = ("httpx", "httpx-async", "requests")


class Wire:
    """One client, pointed at one fake."""

    def __init__(self, kind: str, fake: FakeSmsc, base_url: str) -> None:
        self.kind = kind
        self.fake = fake
        self.base_url = base_url
        self.login = fake.login
        self._session: requests.Session | None = None
        self._client: httpx.Client | None = None

    def request(self, script: str, **params: Any) -> HttpRequest:
        """A request to the fake, with its credentials unless given."""
        if "apikey" not in params:
            params.setdefault("login", self.login)
            params.setdefault("psw", "secret")
        return build_request(script, base_url=self.base_url, **params)

    def call(self, script: str, **params: Any) -> Any:
        """Build, send, and return the client's response."""
        return self.send(self.request(script, **params))

    def send(self, sent: HttpRequest) -> Any:
        if self.kind == "requests":
            assert self._session is not None
            return self._session.request(
                sent.method, sent.url, headers=sent.headers, data=sent.body
            )
        if self.kind == "httpx":
            assert self._client is not None
            return self._client.request(
                sent.method, sent.url, headers=sent.headers, content=sent.body
            )
        return anyio.run(self._send_async, sent)

    async def _send_async(self, sent: HttpRequest) -> httpx.Response:
        async with httpx.AsyncClient(transport=self.fake.async_transport()) as client:
            return await client.request(
                sent.method, sent.url, headers=sent.headers, content=sent.body
            )


@contextlib.contextmanager
def wire(kind: str, fake: FakeSmsc) -> Iterator[Wire]:
    if kind == "requests":
        with fake.serve() as base_url, requests.Session() as session:
            found = Wire(kind, fake, base_url)
            found._session = session
            yield found
        return
    found = Wire(kind, fake, "https://smsc.ru/sys/")
    if kind == "httpx":
        with httpx.Client(transport=fake.transport()) as client:
            found._client = client
            yield found
        return
    yield found
