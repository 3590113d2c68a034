"""Reading the request an answer belongs to.

The answer's layout depends on the script and on request parameters (``fmt``,
``all``, several ids, ``charset``), so every entry point takes the request: a
URL, its ``script.php?query`` tail, a mapping of query parameters, or a
:class:`Request`.
"""

from __future__ import annotations

import functools
import urllib.parse
from collections.abc import Mapping
from typing import TYPE_CHECKING, Union

import msgspec

from ._codes import Fmt
from ._errors import RequestError

if TYPE_CHECKING:
    from ._http_request import HttpRequest

__all__ = ["Request", "RequestLike", "parse_request", "python_codec", "script_of_path"]

#: The server's answer charset when the request names none (facts §1.1, §9).
DEFAULT_CHARSET = "windows-1251"

_CHARSETS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "windows-1251": "cp1251",
    "cp1251": "cp1251",
    "koi8-r": "koi8_r",
    "koi8r": "koi8_r",
}


class Request(msgspec.Struct, frozen=True, kw_only=True):
    """What the codec needs to know of a request: its script and parameters."""

    script: str
    params: tuple[tuple[str, str], ...] = ()

    def get(self, name: str, default: str | None = None) -> str | None:
        """The last value of a query parameter."""
        found = default
        for key, value in self.params:
            if key == name:
                found = value
        return found

    @property
    def fmt(self) -> Fmt:
        """The requested format (``fmt``, default 0)."""
        return _fmt_of(self)

    def _fmt(self) -> Fmt:
        raw = (self.get("fmt") or "0").strip()
        try:
            return Fmt(int(raw))
        except ValueError:
            raise RequestError(f"fmt must be 0, 1, 2 or 3, not {raw!r}") from None

    @property
    def all(self) -> int:
        """The ``all`` level of a status request (0, 1 or 2)."""
        raw = (self.get("all") or "0").strip()
        if raw not in {"0", "1", "2"}:
            raise RequestError(f"all must be 0, 1 or 2, not {raw!r}")
        return int(raw)

    @property
    def multi(self) -> bool:
        """True when the answer lists several records (a comma in ``id``, facts §2.4)."""
        return "," in (self.get("id") or "")

    @property
    def charset(self) -> str:
        """The Python codec of the answer's charset."""
        return _charset_of(self)

    def _charset(self) -> str:
        return python_codec(self.get("charset") or DEFAULT_CHARSET)


def python_codec(charset: str) -> str:
    """The Python codec of a ``charset`` the API names (``windows-1251``: cp1251)."""
    raw = charset.strip().lower()
    try:
        return _CHARSETS[raw]
    except KeyError:
        raise RequestError(f"unknown charset {raw!r}") from None


# Requests are immutable and few distinct ones recur (a log holds thousands of
# answers to the same request shape), so their derived values are cached.
_fmt_of = functools.lru_cache(maxsize=1024)(Request._fmt)
_charset_of = functools.lru_cache(maxsize=1024)(Request._charset)

#: A request: a URL, a mapping of parameters, a parsed or a sent request.
RequestLike = Union[str, Mapping[str, object], Request, "HttpRequest"]

#: A form body: its bytes or text (``key=value&…``) or its fields.
FormLike = bytes | str | Mapping[str, object]


def _infer_script(params: Mapping[str, str]) -> str | None:
    """Guess the script from its parameters when the request does not name it."""
    if "mes" in params or "list" in params:
        return "send"
    if "id" in params and "phone" in params:
        return "status"
    if "get_answers" in params or "get_messages" in params:
        return "get"
    return None


def script_of_path(head: str) -> str:
    """The script a URL's part before ``?`` names (``""`` when none)."""
    if "://" in head:  # drop the scheme and host: only the path names the script
        head = head.partition("://")[2].partition("/")[2]
    name = head.partition("#")[0].rstrip("/").rsplit("/", 1)[-1]
    return name[:-4] if name.endswith(".php") else name


@functools.lru_cache(maxsize=1024)
def _parse_url(request: str) -> Request:
    head, _, query = request.strip().partition("?")
    query = query.partition("#")[0]
    script = script_of_path(head)
    params = _parse_query(query)
    script = script or _infer_script(dict(params)) or ""
    if not script:
        raise RequestError("the request does not say which script answered")
    return Request(script=script, params=params)


def _parse_query(query: str) -> tuple[tuple[str, str], ...]:
    if "%" in query or "+" in query:
        return tuple(urllib.parse.parse_qsl(query, keep_blank_values=True))
    # nothing escaped (the common log line): the same pairs parse_qsl gives, faster
    pairs = []
    for field in query.split("&"):
        if field:
            key, _, value = field.partition("=")
            pairs.append((key, value))
    return tuple(pairs)


def parse_request(request: RequestLike, *, form: FormLike | None = None) -> Request:
    """Turn a URL, a ``script.php?query`` tail, a mapping, an
    :class:`HttpRequest` or a Request into a Request.

    A mapping may name the script under the key ``"script"``; otherwise it is
    inferred from the parameters where they tell (``mes`` → send, ``id`` and
    ``phone`` → status, ``get_answers``, ``get_messages`` → get).

    ``form`` is the POST form body the request was sent with (bytes or text
    ``key=value&…`` in the request's charset, or its fields as a mapping):
    its fields are read as parameters too. An HttpRequest brings its own.
    From a form or an HttpRequest, the credentials (``psw``, ``apikey``) are
    not kept.
    """
    if form is not None or not isinstance(request, (str, Mapping, Request)):
        return _parse_sent(request, form)
    if isinstance(request, Request):
        return request
    if isinstance(request, str):
        return _parse_url(request)
    return _parse_mapping(request)


def _parse_mapping(request: Mapping[str, object]) -> Request:
    """A request given as its parameters: the script named under the key
    ``"script"`` (``.php`` or not), or inferred from the others."""
    script: str | None = None
    items = []
    for key, value in request.items():
        if key == "script":
            script = str(value).removesuffix(".php")
        else:
            items.append((str(key), str(value)))
    params = tuple(items)
    script = script or _infer_script(dict(params))
    if not script:
        raise RequestError("the request does not say which script answered")
    return Request(script=script, params=params)


def _parse_sent(request: object, form: FormLike | None) -> Request:
    """A request with a form body, or an HttpRequest (built on this module,
    hence imported here)."""
    from ._http_request import HttpRequest, request_from_http, request_with_form  # noqa: PLC0415

    if isinstance(request, HttpRequest):
        parsed = request_from_http(request)
    elif isinstance(request, (str, Mapping, Request)):
        parsed = parse_request(request)
    else:
        raise RequestError(
            "a request is a URL, a mapping, an HttpRequest or a Request, "
            f"not {type(request).__name__}"
        )
    return parsed if form is None else request_with_form(parsed, form)
