"""Decoding and encoding one exchange: an answer with the request it answers.

The request names an API script (``status.php?id=5&fmt=1``) or, for what the
server posts to a client's handler, ``callback`` with the handler URL's
``fmt`` and ``charset`` (``callback?fmt=2&charset=utf-8``). The corpus and the
command line both read exchanges this way.
"""

from __future__ import annotations

from typing import Any

from ._api import decode, encode
from ._callbacks import decode_callback, encode_callback
from ._limits import DEFAULT_LIMITS, Limits
from ._request import RequestLike, parse_request

__all__ = ["CALLBACK", "decode_exchange", "encode_exchange", "is_callback"]

#: The script name of a callback exchange.
CALLBACK = "callback"


def is_callback(request: RequestLike) -> bool:
    if isinstance(request, str):
        return request.startswith(CALLBACK)
    return parse_request(request).script == CALLBACK


def _handler(request: RequestLike) -> tuple[int | None, str]:
    """The fmt and charset a callback handler's URL names (form fields, windows-1251)."""
    handler = parse_request(request)
    # (Request.fmt refuses anything but 0-3 with a RequestError)
    fmt = int(handler.fmt) if handler.get("fmt") else None
    return fmt, handler.get("charset") or "windows-1251"


def decode_exchange(
    body: bytes | str,
    request: RequestLike,
    *,
    strict: bool = False,
    charset: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Any:
    """Decode ``body``: :func:`decode` for a script, :func:`decode_callback` for a callback."""
    if not is_callback(request):
        return decode(body, request, strict=strict, charset=charset, limits=limits)
    fmt, handler_charset = _handler(request)
    handler = charset or handler_charset
    return decode_callback(body, fmt=fmt, charset=handler, strict=strict, limits=limits)


def encode_exchange(value: Any, request: RequestLike, *, lossy: bool = False) -> bytes:
    """Encode ``value`` as the answer to ``request`` (or as the callback it
    names); ``lossy`` drops or empties what the format has no place for."""
    if not is_callback(request):
        return encode(value, request, lossy=lossy)
    fmt, charset = _handler(request)
    return encode_callback(value, fmt=fmt, charset=charset, lossy=lossy)
