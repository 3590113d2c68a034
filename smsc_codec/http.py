"""Decoding answers straight from an HTTP client's response.

:func:`decode_response` takes an ``httpx.Response`` or a ``requests.Response``
as it is: the request that was sent (method, URL and form body) tells the
layout, and the ``Content-Type``'s ``charset`` the bytes' charset. Neither
httpx nor requests is imported: the response is read by its attributes, so
this module costs nothing to import and works with either installed, or
both. It is a pure function on a received response, hence the same in
synchronous and asynchronous code (here against a fake server; without the
``transport`` the client reaches the real one):

>>> import asyncio, httpx, smsc_codec
>>> from smsc_codec.testing import FakeSmsc
>>> fake = FakeSmsc(login="demo", psw="secret")
>>> async def balance() -> smsc_codec.Balance:
...     sent = smsc_codec.build_request("balance", login="demo", psw="secret")
...     async with httpx.AsyncClient(transport=fake.async_transport()) as client:
...         response = await client.request(
...             sent.method, sent.url, headers=sent.headers, content=sent.body
...         )
...     return smsc_codec.http.decode_response(response)
>>> asyncio.run(balance())
Balance(balance=Decimal('100.00'))

The HTTP status is not consulted: the server answers errors with status 200
and the error in the body (facts §1.2).
"""

from __future__ import annotations

from typing import Any

from ._api import decode
from ._http_request import HttpRequest, content_type_params
from ._limits import DEFAULT_LIMITS, Limits
from ._request import python_codec

__all__ = ["decode_response", "sent_request"]


def decode_response(
    response: Any,
    *,
    strict: bool = False,
    charset: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Any:
    """Decode the answer held by an ``httpx.Response`` or ``requests.Response``.

    The layout comes from the request the response answers (its URL and, for
    a POST, its form body: :func:`sent_request`; a multipart body, a file
    upload, is not read); the charset from the response's ``Content-Type``,
    else the request's ``charset`` parameter (see :func:`_answer_charset`
    for when they disagree). An explicit ``charset`` wins over both.
    ``strict`` and ``limits`` are :func:`smsc_codec.decode`'s.

    Raises TypeError for an object that is not such a response (or one whose
    body was not read: call ``read()`` / ``await aread()`` on a streamed
    httpx response first), and what :func:`smsc_codec.decode` raises.
    """
    body = _attribute(response, "content")
    if not isinstance(body, bytes):
        raise _not_a_response(response)
    sent = sent_request(response)
    if charset is None:
        label = _content_type_charset(_header(_attribute(response, "headers"), "content-type"))
        charset = _answer_charset(label, sent, body)
    return decode(body, sent, strict=strict, charset=charset, limits=limits)


def sent_request(response: Any) -> HttpRequest:
    """The request an ``httpx.Response`` or ``requests.Response`` answers, as an
    :class:`~smsc_codec.HttpRequest`: method, URL, Content-Type and body."""
    request = _attribute(response, "request")
    if request is None:
        raise TypeError("the response does not say which request it answers")
    method = _attribute(request, "method")
    url = _attribute(request, "url")
    if not isinstance(method, str) or url is None:
        raise _not_a_response(response)
    # a requests.PreparedRequest has a body; an httpx.Request its content,
    # unless it was streamed
    body = request.body if hasattr(request, "body") else _attribute(request, "content")
    if isinstance(body, str):
        body = body.encode("latin-1", "replace")  # a form body is ASCII
    elif not isinstance(body, bytes):
        body = b""  # none, or streamed: there is no form to read
    headers = {}
    content_type = _header(_attribute(request, "headers"), "content-type")
    if content_type is not None:
        headers["Content-Type"] = content_type
    return HttpRequest(method=method, url=str(url), headers=headers, body=body)


def _attribute(value: Any, name: str) -> Any:
    """``value.name``, or None where it is missing or cannot be read (httpx
    raises for a response without a request and an unread stream)."""
    try:
        return getattr(value, name, None)
    except Exception:  # httpx.RequestNotRead, RuntimeError: nothing to read
        return None


def _header(headers: Any, name: str) -> str | None:
    if headers is None:
        return None
    found = headers.get(name)  # both clients' headers are case-insensitive
    return found if isinstance(found, str) else None


def _answer_charset(label: str | None, sent: HttpRequest, body: bytes) -> str | None:
    """The charset to read ``body`` in, from the Content-Type's ``label``.

    The documentation says the answer is written in the request's
    ``charset`` (facts §1.1), and the label usually agrees (facts §9). But
    recorded answers to ``charset=utf-8`` requests were labelled
    windows-1251 (the smsc_ru gem's VCR cassettes of 2016, in the shared
    captures), and which of the two was right cannot be told from their
    ASCII bodies. So where one of the two is UTF-8, the bytes decide: UTF-8
    if they are valid UTF-8 (Cyrillic in windows-1251 or KOI8-R practically
    never is), the other one if not. Two single-byte charsets cannot be told
    apart by their bytes: the label is taken.
    """
    if label is None or body.isascii():
        return label
    try:
        asked = sent.charset
    except ValueError:  # an unknown charset parameter: only the label is left
        return label
    if asked == label or "utf-8" not in (asked, label):
        return label
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return asked if label == "utf-8" else label
    return "utf-8"


def _content_type_charset(content_type: str | None) -> str | None:
    """The Python codec of the Content-Type's charset (a name the API does
    not use is passed on as it is: the body decoder reports it if unknown)."""
    charset = content_type_params(content_type)[1].get("charset")
    if not charset:
        return None
    try:
        return python_codec(charset)
    except ValueError:
        return charset


def _not_a_response(value: Any) -> TypeError:
    return TypeError(
        "expected an httpx.Response or a requests.Response whose body was read, "
        f"not {type(value).__name__}"
    )
