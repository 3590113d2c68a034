"""A fake SMSC server for tests: no account, no network, real answers.

:class:`FakeSmsc` answers every script the codec knows, in the ``fmt`` and
``charset`` asked for, written by the library's own encoders -- byte for byte
what the server writes, as far as the documentation tells. It keeps a small
account: messages sent (one per number), whose status moves on at each
status query or at :meth:`FakeSmsc.advance`; a balance that goes down by the
cost of what is sent; contacts, groups, blacklist, incoming messages,
mailings, sender names and templates. Answers or errors can be queued per
script to script a test.

Use it as an httpx transport, synchronous or asynchronous
(``fake.async_transport()``; httpx is imported only then), as a WSGI
application, or served on a local port for any client:

>>> import httpx, requests, smsc_codec
>>> from smsc_codec.http import decode_response
>>> fake = FakeSmsc(login="demo", psw="secret")
>>> sent = smsc_codec.build_request("balance", login="demo", psw="secret")
>>> with httpx.Client(transport=fake.transport()) as client:
...     decode_response(client.request(sent.method, sent.url, content=sent.body))
Balance(balance=Decimal('100.00'))
>>> with fake.serve() as base_url:  # "http://127.0.0.1:PORT/sys/"
...     sent = smsc_codec.build_request("balance", login="demo", psw="secret", base_url=base_url)
...     decode_response(requests.post(sent.url, data=sent.body, headers=sent.headers))
Balance(balance=Decimal('100.00'))
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import functools
import hashlib
import http
import threading
import wsgiref.simple_server
import wsgiref.util
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from ._api import encode
from ._codes import DeliveryError, MessageStatus, api_error_meaning
from ._errors import EncodeError, RequestError
from ._fake_account import SCRIPTS, Call, FakeAccount, Refusal, SentMessage, sms_parts
from ._http_request import HttpRequest
from ._model import ApiError, IncomingMessage
from ._request import DEFAULT_CHARSET, Request

if TYPE_CHECKING:
    import httpx

__all__ = ["FakeResponse", "FakeSmsc", "SentMessage", "serve_wsgi", "sms_parts"]

#: A WSGI application (PEP 3333).
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

#: The server's own error texts, from recorded answers (facts §9); a code
#: without one gets its documented meaning.
_ERROR_TEXTS = {
    1: "parameters error",
    2: "authorise error",
    5: "save error",
    6: "message is denied",
    7: "invalid number",
    8: "can't to deliver",
    9: "duplicate request, wait a minute",
}

#: Content-Type media types by fmt; the charset is the request's (facts §9:
#: "application/json; charset=windows-1251" when none was asked for).
_MEDIA_TYPES = ("text/plain", "text/plain", "text/xml", "application/json")


class FakeResponse(NamedTuple):
    """What :meth:`FakeSmsc.handle` answers: HTTP status, headers, body."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


class FakeSmsc(FakeAccount):
    """A simulated SMSC account and server (see the module docstring).

    ``login`` with ``psw`` (or the MD5 of it, as the official libraries may
    send) or ``apikey`` are the credentials it accepts; anything else is
    answered with error 2. ``price`` is the cost of one SMS part (an HLR
    request costs one part); ``now`` is the server's clock (Moscow time),
    which :meth:`advance` moves. With ``advance_on_status``, every status query
    moves the messages it asks about one step on their path, after answering.

    State is public: ``balance``, ``messages`` (:class:`SentMessage`),
    ``incoming``, ``contacts``, ``groups``, ``blacklist``, ``jobs``,
    ``senders``, ``templates``; ``requests`` lists every request received.
    """

    def __init__(
        self,
        *,
        login: str = "login",
        psw: str = "password",
        apikey: str | None = None,
        balance: Decimal | str = "100.00",
        currency: str = "RUB",
        price: Decimal | str = "1.40",
        sender: str = "SMSC",
        now: dt.datetime | None = None,
        advance_on_status: bool = True,
    ) -> None:
        super().__init__(
            login=login,
            balance=balance,
            currency=currency,
            price=price,
            sender=sender,
            now=now or dt.datetime(2024, 1, 15, 12, 0, 0),
            advance_on_status=advance_on_status,
        )
        self._secrets = {psw, hashlib.md5(psw.encode()).hexdigest()}
        self._apikey = apikey
        self._queued: dict[str, collections.deque[Any]] = collections.defaultdict(collections.deque)
        self._lock = threading.RLock()
        #: every request received, in order
        self.requests: list[HttpRequest] = []

    # -- scripting ---------------------------------------------------------------

    def queue(self, script: str, *answers: Any) -> None:
        """Answer the next requests to ``script`` with ``answers``, in order,
        instead of the simulation: each a reply value (a Struct, a list of
        them, an :class:`~smsc_codec.ApiError`, :class:`~smsc_codec.Ok`),
        written in the fmt and charset asked for, or raw ``bytes`` sent as
        they are. Credentials are still checked first."""
        self._queued[script.removesuffix(".php")].extend(answers)

    def queue_error(
        self,
        script: str,
        code: int,
        description: str | None = None,
        *,
        message_id: int | None = None,
    ) -> None:
        """Answer the next request to ``script`` with API error ``code``."""
        name = script.removesuffix(".php")
        self.queue(name, self._error(name, code, description, message_id))

    def advance(self, steps: int = 1, *, seconds: float = 60) -> None:
        """Move the clock by ``seconds`` and every message ``steps`` along its path."""
        with self._lock:
            self.now += dt.timedelta(seconds=seconds)
            for message in self.messages:
                message.advance(steps, self.now)

    def set_outcome(
        self,
        phone: str,
        status: MessageStatus,
        err: DeliveryError = DeliveryError.NO_ERROR,
    ) -> None:
        """Make messages sent to ``phone`` from now on end in ``status`` with
        ``err`` (e.g. ``UNDELIVERABLE``, ``ABSENT_SUBSCRIBER``) instead of
        being delivered."""
        self.outcomes[phone.lstrip("+")] = (MessageStatus(status), DeliveryError(err))

    def receive(
        self, phone: str, message: str, *, to_phone: str = "79990000000"
    ) -> IncomingMessage:
        """An incoming message from ``phone``, for ``get.php?get_answers=1``."""
        with self._lock:
            received = IncomingMessage(
                id=self.new_id(),
                received=self.now,
                phone=phone,
                message=message,
                to_phone=to_phone,
                sent=self.now,
            )
            self.incoming.append(received)
            return received

    # -- the server, without I/O ---------------------------------------------------

    def handle(self, request: HttpRequest) -> FakeResponse:
        """Answer one request (every adapter below comes here)."""
        with self._lock:
            self.requests.append(request)
            try:
                script = request.script
            except RequestError:
                script = ""
            if script not in SCRIPTS:
                return _plain(http.HTTPStatus.NOT_FOUND, f"no script {script or request.url}")
            try:
                parsed = Request(script=script, params=request.params)
                parsed.charset  # noqa: B018 - raises for an unknown charset
                int(parsed.fmt)
            except RequestError:
                # a request the server cannot read: error 1, in the default layout
                parsed = Request(script=script)
                return self._respond(self._error(script, 1), parsed)
            try:
                answer = self._answer(Call(parsed))
            except Refusal as refusal:
                answer = self._error(script, refusal.code, message_id=refusal.message_id)
            return self._respond(answer, parsed)

    def _answer(self, call: Call) -> Any:
        params = call.params
        apikey = params.get("apikey")
        if apikey is not None:
            if self._apikey is None or apikey != self._apikey:
                raise Refusal(2)
        elif params.get("login") != self.login or params.get("psw") not in self._secrets:
            raise Refusal(2)
        queued = self._queued.get(call.script)
        if queued:
            return queued.popleft()
        return self.answer(call)

    def _error(
        self, script: str, code: int, description: str | None = None, message_id: int | None = None
    ) -> ApiError:
        if description is None:
            meaning = api_error_meaning(script, code)
            if code == 3:
                description = "no money" if meaning.name == "NO_MONEY" else "record not found"
            else:
                description = _ERROR_TEXTS.get(code, meaning.description)
        return ApiError(code=code, description=description, id=message_id, script=script)

    def _respond(self, answer: Any, request: Request) -> FakeResponse:
        charset = request.get("charset") or DEFAULT_CHARSET
        content_type = f"{_MEDIA_TYPES[int(request.fmt)]}; charset={charset}"
        if isinstance(answer, bytes):
            body = answer
        else:
            try:
                # lossy: the server writes what each layout has room for (no
                # `flag` in fmt=0/1, no description in an fmt=1 error, ...)
                body = encode(answer, request, lossy=True)
            except EncodeError as exc:
                return _plain(
                    http.HTTPStatus.INTERNAL_SERVER_ERROR, f"FakeSmsc cannot write this: {exc}"
                )
        return FakeResponse(200, (("Content-Type", content_type),), body)

    # -- adapters ---------------------------------------------------------------

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        """The WSGI application (PEP 3333)."""
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        content_type = environ.get("CONTENT_TYPE")
        request = HttpRequest(
            method=environ["REQUEST_METHOD"],
            url=wsgiref.util.request_uri(environ),
            headers={"Content-Type": content_type} if content_type else {},
            body=body,
        )
        status, headers, answer = self.handle(request)
        phrase = http.HTTPStatus(status).phrase
        start_response(f"{status} {phrase}", [*headers, ("Content-Length", str(len(answer)))])
        return [answer]

    def transport(self) -> httpx.BaseTransport:
        """An ``httpx.BaseTransport`` answering from this fake:
        ``httpx.Client(transport=fake.transport())``."""
        return _httpx_transports()[0](self)

    def async_transport(self) -> httpx.AsyncBaseTransport:
        """An ``httpx.AsyncBaseTransport`` answering from this fake:
        ``httpx.AsyncClient(transport=fake.async_transport())``."""
        return _httpx_transports()[1](self)

    def serve(
        self, host: str = "127.0.0.1", port: int = 0
    ) -> contextlib.AbstractContextManager[str]:
        """Serve this fake over HTTP while in the ``with`` block (see
        :func:`serve_wsgi`); yields the base URL, ``http://HOST:PORT/sys/``."""
        return serve_wsgi(self, host, port)


@contextlib.contextmanager
def serve_wsgi(app: WsgiApp, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve a WSGI application (a :class:`FakeSmsc`, or a middleware around
    one) with ``wsgiref`` in a thread while in the ``with`` block; yields the
    base URL of the API, ``http://HOST:PORT/sys/`` (port 0: a free one)."""
    server = wsgiref.simple_server.make_server(host, port, app, handler_class=_QuietHandler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}/sys/"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def _plain(status: http.HTTPStatus, text: str) -> FakeResponse:
    return FakeResponse(
        int(status), (("Content-Type", "text/plain; charset=utf-8"),), text.encode()
    )


class _QuietHandler(wsgiref.simple_server.WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log on standard error."""


@functools.cache
def _httpx_transports() -> tuple[
    Callable[[FakeSmsc], httpx.BaseTransport], Callable[[FakeSmsc], httpx.AsyncBaseTransport]
]:
    """The transport classes, defined when first asked for: this module
    imports without httpx."""
    import httpx  # noqa: PLC0415 - optional: only the transports need it

    def sent(request: httpx.Request) -> HttpRequest:
        content_type = request.headers.get("content-type")
        return HttpRequest(
            method=request.method,
            url=str(request.url),
            headers={"Content-Type": content_type} if content_type else {},
            body=request.content,
        )

    def response(answer: FakeResponse) -> httpx.Response:
        # a stream, as a network transport returns: the client reads it
        # (or leaves it unread, for client.stream())
        stream = httpx.ByteStream(answer.body)
        return httpx.Response(answer.status, headers=list(answer.headers), stream=stream)

    class FakeTransport(httpx.BaseTransport):
        def __init__(self, fake: FakeSmsc) -> None:
            self.fake = fake

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            request.read()
            return response(self.fake.handle(sent(request)))

    class AsyncFakeTransport(httpx.AsyncBaseTransport):
        def __init__(self, fake: FakeSmsc) -> None:
            self.fake = fake

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            await request.aread()
            return response(self.fake.handle(sent(request)))

    return FakeTransport, AsyncFakeTransport
