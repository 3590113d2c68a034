"""Answers from HTTP: smsc_codec.http.decode_response with real httpx (sync and
async) and real requests responses, answered by a FakeSmsc."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

import anyio
import httpx
import pytest
import requests

from smsc_codec import (
    ApiError,
    Balance,
    Contact,
    Created,
    DecodeError,
    HttpRequest,
    MessageStatus,
    Ok,
    SendResult,
    SmsStatus,
    build_request,
)
from smsc_codec.http import decode_response, sent_request
from smsc_codec.testing import FakeSmsc, serve_wsgi
from tests.sdk.clients import Wire


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_a_conversation_in_every_format(client: Wire, fmt: int) -> None:
    call = client.call
    sent = decode_response(call("send", phones="79990000001", mes="Привет", cost=3, fmt=fmt))
    assert sent == SendResult(id=1, cnt=1, cost=Decimal("1.40"), balance=Decimal("98.60"))
    status = decode_response(call("status", id=1, phone="79990000001", all=1, fmt=fmt))
    assert isinstance(status, SmsStatus)
    assert (status.status, status.message, status.cost) == (-1, "Привет", Decimal("1.40"))
    balance = decode_response(call("balance", fmt=fmt, cur=1))
    assert balance == Balance(balance=Decimal("98.60"), currency="RUB")
    assert decode_response(call("phones", add=1, phone="79990000002", name="Иван", fmt=fmt)) == (
        Created(id=2)
    )
    contacts = decode_response(call("phones", get=1, fmt=fmt))
    assert [(c.phones, c.name) for c in contacts] == [("79990000002", "Иван")]
    assert isinstance(contacts[0], Contact)
    assert decode_response(call("phones", **{"del": 1}, phone="79990000002", fmt=fmt)) == Ok()


@pytest.mark.parametrize("charset", ["utf-8", "windows-1251", "koi8-r"])
def test_the_answer_is_read_in_the_requests_charset(client: Wire, charset: str) -> None:
    client.call("send", phones="79990000001", mes="Съешь же ещё этих булок", charset=charset)
    response = client.call("status", id=1, phone="79990000001", all=1, fmt=3, charset=charset)
    assert response.headers["content-type"] == f"application/json; charset={charset}"
    assert decode_response(response).message == "Съешь же ещё этих булок"


def test_a_get_request_decodes(client: Wire) -> None:
    response = client.call("balance", fmt=1, method="GET")
    assert decode_response(response) == Balance(balance=Decimal("100.00"))
    found = sent_request(response)
    assert (found.method, found.body, found.script) == ("GET", b"", "balance")


def test_requests_own_form_encoding_is_read(fake: FakeSmsc) -> None:
    """A form requests encodes itself (``data=dict``: the prepared body is a str)."""
    with fake.serve() as base_url, requests.Session() as session:
        response = session.post(
            base_url + "status.php",
            data={"login": "demo", "psw": "secret", "id": "7,", "phone": "79990000001", "fmt": 2},
        )
    assert isinstance(response.request.body, str)
    found = decode_response(response)
    # several ids (a trailing comma): a list, with the id and phone; -3 has no dates
    assert found == [SmsStatus(status=MessageStatus.NOT_FOUND, id=7, phone="79990000001")]


def test_httpx_own_query_encoding_is_read(fake: FakeSmsc) -> None:
    with httpx.Client(transport=fake.transport()) as client:
        response = client.get(
            "https://smsc.ru/sys/balance.php",
            params={"login": "demo", "psw": "secret", "fmt": 2, "cur": 1},
        )
    assert (
        response.text == "<result>\n<balance>100.00</balance>\n<currency>RUB</currency>\n</result>"
    )
    assert decode_response(response) == Balance(balance=Decimal("100.00"), currency="RUB")


def test_an_error_answer_is_a_value(client: Wire) -> None:
    response = client.call("balance", psw="wrong", fmt=1)
    assert response.status_code == 200  # the server says it in the body
    found = decode_response(response)
    assert isinstance(found, ApiError)
    assert (found.code, found.script, found.meaning.name) == (2, "balance", "AUTHORISATION")


# -- the Content-Type's charset, and an explicit one over it -----------------------------


def _utf8_relabelled(answer: bytes, content_type: str) -> tuple[bytes, str]:
    """What a transcoding proxy does: the answer re-encoded as UTF-8, and said so."""
    codec = content_type.partition("charset=")[2]
    return answer.decode(codec).encode("utf-8"), content_type.replace(codec, "utf-8")


def _relabelling_app(fake: FakeSmsc) -> Callable[..., Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        caught: dict[str, Any] = {}

        def keep(status: str, headers: list[tuple[str, str]]) -> None:
            caught.update(status=status, headers=dict(headers))

        answer = b"".join(fake(environ, keep))
        body, content_type = _utf8_relabelled(answer, caught["headers"]["Content-Type"])
        start_response(
            caught["status"],
            [("Content-Type", content_type), ("Content-Length", str(len(body)))],
        )
        return [body]

    return app


class _RelabellingTransport(httpx.AsyncBaseTransport):
    def __init__(self, fake: FakeSmsc) -> None:
        self.inner = fake.async_transport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        answer = await self.inner.handle_async_request(request)
        await answer.aread()
        body, content_type = _utf8_relabelled(answer.content, answer.headers["content-type"])
        return httpx.Response(
            answer.status_code, headers={"content-type": content_type}, content=body
        )


@pytest.fixture(params=["httpx", "httpx-async", "requests"])
def relabelled(
    request: pytest.FixtureRequest, fake: FakeSmsc
) -> Iterator[Callable[[HttpRequest], Any]]:
    """Send through a proxy that answers in UTF-8 whatever was asked for."""
    if request.param == "requests":
        with serve_wsgi(_relabelling_app(fake)) as base_url, requests.Session() as session:
            yield lambda sent: session.request(
                sent.method,
                base_url + sent.url.rpartition("/")[2],
                headers=sent.headers,
                data=sent.body,
            )
    elif request.param == "httpx":
        with httpx.Client(transport=httpx.WSGITransport(app=_relabelling_app(fake))) as client:
            yield lambda sent: client.request(
                sent.method, sent.url, headers=sent.headers, content=sent.body
            )
    else:

        async def send(sent: HttpRequest) -> httpx.Response:
            async with httpx.AsyncClient(transport=_RelabellingTransport(fake)) as client:
                return await client.request(
                    sent.method, sent.url, headers=sent.headers, content=sent.body
                )

        yield lambda sent: anyio.run(send, sent)


def test_the_content_type_charset_wins_over_the_request(
    fake: FakeSmsc, relabelled: Callable[[HttpRequest], Any]
) -> None:
    fake.receive("79990000001", "Ответ: да")
    sent = build_request(
        "get", login="demo", psw="secret", get_answers=1, fmt=0, charset="windows-1251"
    )
    response = relabelled(sent)
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert "Ответ: да".encode() in response.content
    (message,) = decode_response(response)
    assert message.message == "Ответ: да"
    # an explicit charset still wins (here a wrong one: the UTF-8 bytes
    # read as windows-1251 are mojibake, not the text)
    (misread,) = decode_response(response, charset="cp1251")
    assert misread.message == "Ответ: да".encode().decode("cp1251")
    with pytest.raises(DecodeError, match="is not valid ascii"):
        decode_response(response, charset="ascii")


def _answer(sent: HttpRequest, content_type: str, body: bytes) -> httpx.Response:
    request = httpx.Request(sent.method, sent.url, headers=sent.headers, content=sent.body)
    return httpx.Response(
        200, headers={"content-type": content_type}, content=body, request=request
    )


@pytest.mark.parametrize(
    ("asked", "label", "written"),
    [
        # recorded: charset=utf-8 asked, windows-1251 labelled (the bytes decide)
        ("utf-8", "windows-1251", "utf-8"),
        ("utf-8", "windows-1251", "windows-1251"),
        ("windows-1251", "utf-8", "utf-8"),
        ("windows-1251", "utf-8", "windows-1251"),
        ("koi8-r", "utf-8", "koi8-r"),
        # two single-byte charsets: the label is taken
        ("windows-1251", "koi8-r", "koi8-r"),
        ("koi8-r", "windows-1251", "windows-1251"),
    ],
)
def test_when_the_label_and_the_request_disagree(asked: str, label: str, written: str) -> None:
    sent = build_request("balance", apikey="k", fmt=3, cur=1, charset=asked)
    body = '{"balance": "250.80", "currency": "руб"}'.encode(written)
    found = decode_response(_answer(sent, f"application/json; charset={label}", body))
    assert found == Balance(balance=Decimal("250.80"), currency="руб")


def test_without_a_content_type_charset_the_requests_is_used() -> None:
    sent = build_request("balance", apikey="k", fmt=1, cur=1, charset="koi8-r")
    answer = _answer(sent, "text/plain", "250.80,руб".encode("koi8-r"))
    assert decode_response(answer) == Balance(balance=Decimal("250.80"), currency="руб")


# -- async code, as it is written ------------------------------------------------------


@pytest.mark.anyio
async def test_decode_response_in_async_code(fake: FakeSmsc) -> None:
    async with httpx.AsyncClient(transport=fake.async_transport()) as client:
        sent = build_request("send", login="demo", psw="secret", phones="79990000001", mes="x")
        response = await client.request(
            sent.method, sent.url, headers=sent.headers, content=sent.body
        )
        assert decode_response(response) == SendResult(id=1, cnt=1)
        sent = build_request("status", login="demo", psw="secret", id=1, phone="79990000001")
        async with client.stream(
            sent.method, sent.url, headers=sent.headers, content=sent.body
        ) as streamed:
            with pytest.raises(TypeError, match="whose body was read"):
                decode_response(streamed)
            await streamed.aread()
            assert decode_response(streamed).status == -1


# -- what is not a response ------------------------------------------------------------


def test_what_is_not_a_response_is_a_type_error() -> None:
    for wrong in (b"250.80", None, object(), requests.Response()):
        with pytest.raises(TypeError, match=r"httpx\.Response or a requests\.Response"):
            decode_response(wrong)
    orphan = httpx.Response(200, content=b"250.80")  # no request set
    with pytest.raises(TypeError, match="which request it answers"):
        decode_response(orphan)


def test_the_adapters_import_neither_client() -> None:
    code = (
        "import sys, smsc_codec.http, smsc_codec.testing; "
        "print(sorted({'httpx', 'requests'} & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
