"""A small SMSC client on smsc_codec and httpx: send, status, balance and
contacts, synchronous and asynchronous.

It parses nothing itself: ``build_request`` makes each request,
``decode_response`` reads the answer in whatever format, ``raise_for_error``
turns an error answer into an exception, and errors the documentation says to
wait out (``retryable``) are tried again::

    with httpx.Client() as http:
        smsc = SmscClient(http, login="demo", psw="secret")
        sent = smsc.send(["79990000001"], "Привет")
        print(smsc.status(sent.id, "79990000001").status.description)

Tests give it ``httpx.Client(transport=FakeSmsc().transport())``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import anyio
import httpx

import smsc_codec
from smsc_codec import ApiError, Contact, HlrStatus, SendResult, SmsStatus
from smsc_codec.http import decode_response

T = TypeVar("T")
#: one API call: the script, its parameters, and how to read the decoded reply
Call = tuple[str, dict[str, Any], Callable[[Any], T]]
_checked = smsc_codec.raise_for_error


def _listed(reply: Any) -> Any:
    """A list, where "not found" (error 3 on phones.php) is an empty one."""
    empty = isinstance(reply, ApiError) and reply.meaning.name == "NOT_FOUND"
    return [] if empty else _checked(reply)


def _send(phones: Sequence[str], text: str, options: dict[str, Any]) -> Call[SendResult]:
    return "send", {"phones": list(phones), "mes": text, "cost": 3, **options}, _checked


def _status(message_id: int, phone: str, level: int) -> Call[SmsStatus | HlrStatus]:
    return "status", {"id": message_id, "phone": phone, "all": level}, _checked


def _add_contact(phone: str, name: str) -> Call[int]:
    return "phones", {"add": 1, "phone": phone, "name": name}, lambda reply: _checked(reply).id


_BALANCE: Call[Decimal] = ("balance", {}, lambda reply: _checked(reply).balance)
_CONTACTS: Call[list[Contact]] = ("phones", {"get": 1}, _listed)


class _Smsc:
    """What both clients share, without I/O: the requests and when to retry."""

    def __init__(
        self,
        *,
        base_url: str = "https://smsc.ru/sys/",
        retries: int = 2,
        retry_delay: float | None = None,  # None: as long as the error says
        **credentials: Any,  # login and psw, or apikey
    ) -> None:
        self.base_url, self.credentials = base_url, credentials
        self.retries, self.retry_delay = retries, retry_delay

    def _request(self, script: str, params: dict[str, Any]) -> smsc_codec.HttpRequest:
        return smsc_codec.build_request(
            script, base_url=self.base_url, **self.credentials, **params
        )

    def _wait(self, error: smsc_codec.SmscApiError, attempt: int) -> float:
        """Seconds to wait before trying again; raises ``error`` to give up."""
        if not error.retryable or attempt >= self.retries:
            raise error
        return self.retry_delay if self.retry_delay is not None else error.retry_after or 1.0


class SmscClient(_Smsc):
    def __init__(self, http: httpx.Client, **options: Any) -> None:
        super().__init__(**options)
        self.http = http

    def _run(self, call: Call[T]) -> T:
        script, params, read = call
        sent = self._request(script, params)
        for attempt in range(self.retries + 1):
            answer = self.http.request(
                sent.method, sent.url, headers=sent.headers, content=sent.body
            )
            try:
                return read(decode_response(answer))
            except smsc_codec.SmscApiError as error:
                time.sleep(self._wait(error, attempt))
        raise AssertionError("_wait gives up on the last attempt")

    def send(self, phones: Sequence[str], text: str, **options: Any) -> SendResult:
        return self._run(_send(phones, text, options))

    def status(self, message_id: int, phone: str, *, level: int = 0) -> SmsStatus | HlrStatus:
        return self._run(_status(message_id, phone, level))

    def balance(self) -> Decimal:
        return self._run(_BALANCE)

    def contacts(self) -> list[Contact]:
        return self._run(_CONTACTS)

    def add_contact(self, phone: str, name: str = "") -> int:
        return self._run(_add_contact(phone, name))


class AsyncSmscClient(_Smsc):
    def __init__(self, http: httpx.AsyncClient, **options: Any) -> None:
        super().__init__(**options)
        self.http = http

    async def _run(self, call: Call[T]) -> T:
        script, params, read = call
        sent = self._request(script, params)
        for attempt in range(self.retries + 1):
            answer = await self.http.request(
                sent.method, sent.url, headers=sent.headers, content=sent.body
            )
            try:
                return read(decode_response(answer))
            except smsc_codec.SmscApiError as error:
                await anyio.sleep(self._wait(error, attempt))
        raise AssertionError("_wait gives up on the last attempt")

    async def send(self, phones: Sequence[str], text: str, **options: Any) -> SendResult:
        return await self._run(_send(phones, text, options))

    async def status(self, message_id: int, phone: str, *, level: int = 0) -> SmsStatus | HlrStatus:
        return await self._run(_status(message_id, phone, level))

    async def balance(self) -> Decimal:
        return await self._run(_BALANCE)

    async def contacts(self) -> list[Contact]:
        return await self._run(_CONTACTS)

    async def add_contact(self, phone: str, name: str = "") -> int:
        return await self._run(_add_contact(phone, name))
