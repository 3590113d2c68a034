"""Decoding answers straight from an HTTP client's response.

:func:`decode_response` takes an ``httpx.Response`` or a ``requests.Response``
as it is: the request that was sent (method, URL and form body) tells the
layout, and the ``Content-Type``'s ``charset`` the bytes' charset. Neither
httpx nor requests is imported: the response is read by its attributes, so
this module costs nothing to import and works with either installed, or
both. It is a pure function on a received response, hence the same in
synchronous and asynchronous code::

    async with httpx.AsyncClient() as client:
        sent = smsc_codec.build_request("balance", login=login, psw=psw)
        response = await client.request(
            sent.method, sent.url, headers=sent.headers, content=sent.body
        )
    balance = smsc_codec.http.decode_response(response)

The HTTP status is not consulted: the server answers errors with status 200
and the error in the body (facts §1.2).

.. versionadded:: 0.2
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
    a POST, its form body: :func:`sent_request`); the charset from the
    response's ``Content-Type``, else the request's ``charset`` parameter. An
    explicit ``charset`` wins over both. ``strict`` and ``limits`` are
    :func:`smsc_codec.decode`'s.

    Raises TypeError for an object that is not such a response (or one whose
    body was not read: call ``read()`` / ``await aread()`` on a streamed
    httpx response first), and what :func:`smsc_codec.decode` raises.
    """
    body = _attribute(response, "content")
    if not isinstance(body, bytes):
        raise _not_a_response(response)
    if charset is None:
        charset = _content_type_charset(_header(_attribute(response, "headers"), "content-type"))
    return decode(body, sent_request(response), strict=strict, charset=charset, limits=limits)


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
