"""Requests to the SMSC HTTP API as plain values, built and read without I/O.

Strategy (as h11 and gidgethub's ``sansio`` module): the codec never sends
anything. :func:`build_request` returns an :class:`HttpRequest` (method, URL,
headers, body bytes) that any HTTP client sends as it is; the answer comes
back to :func:`smsc_codec.decode` together with that value, so the layout is
taken from the request that was really sent, parameters in the form body
included.

The parameters travel as the official libraries send them (facts §1.1): a
``application/x-www-form-urlencoded`` POST body (or the URL's query for GET),
percent-encoded in the request's ``charset`` -- the server reads the request
and writes the answer in that charset, windows-1251 unless it is named.

Credentials (``psw``, which is the password or its MD5, and ``apikey``) never
show in a ``repr`` or ``str`` of the value, and are dropped when the request
is reduced to the :class:`~smsc_codec.Request` that chooses the layout.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TypeGuard

from ._codes import Fmt
from ._errors import RequestError
from ._request import DEFAULT_CHARSET, Request, parse_request, python_codec

__all__ = [
    "DEFAULT_BASE_URL",
    "FORM_CONTENT_TYPE",
    "SECRET_PARAMS",
    "HttpRequest",
    "ParamValue",
    "build_request",
    "content_type_params",
    "request_from_http",
    "request_with_form",
]

#: The API's address (facts §1.1); smscentre.com and the regional mirrors
#: (smsc.kz, smsc.ua, ...) answer the same at their own ``/sys/``.
DEFAULT_BASE_URL = "https://smsc.ru/sys/"

#: What a POST body is, as the official libraries send it.
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"

#: Parameters that carry a secret: the password (or its MD5) and the API key.
SECRET_PARAMS = frozenset({"psw", "apikey"})

#: The charsets the server reads and writes (facts §1.1), by their API names.
_CHARSETS = ("utf-8", "windows-1251", "koi8-r")

_MASK = "***"
_SCRIPT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

ParamValue = str | int | Decimal | dt.date | Sequence[str | int] | None


@dataclasses.dataclass(frozen=True, repr=False)
class HttpRequest:
    """One request to the API: what an HTTP client sends, nothing more.

    Send it with any client, e.g.
    ``httpx.request(r.method, r.url, headers=r.headers, content=r.body)`` or
    ``requests.request(r.method, r.url, headers=r.headers, data=r.body)``.
    Its ``repr`` and ``str`` show ``psw`` and ``apikey`` as ``***``.
    """

    method: str
    url: str
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict, hash=False)
    body: bytes = b""

    @property
    def script(self) -> str:
        """The script the request calls (``send`` for ``…/sys/send.php``)."""
        return parse_request(self.url.partition("?")[0]).script

    @property
    def charset(self) -> str:
        """The Python codec its parameters (and the answer) are written in."""
        return python_codec(_charset_param(self._raw_pairs()) or DEFAULT_CHARSET)

    @property
    def params(self) -> tuple[tuple[str, str], ...]:
        """Every parameter sent, from the URL's query and the form body, in
        order, decoded in the request's charset (credentials included).
        Raises :class:`RequestError` for bytes that charset cannot read."""
        return self._params("strict")

    def _params(self, errors: str) -> tuple[tuple[str, str], ...]:
        raw = self._raw_pairs()
        codec = python_codec(_charset_param(raw) or DEFAULT_CHARSET)
        try:
            return tuple(_unquote_pairs(raw, codec, errors))
        except UnicodeDecodeError as exc:
            raise RequestError(f"a parameter is not valid {codec}: {exc.reason}") from None

    def _raw_pairs(self) -> list[tuple[str, str]]:
        pairs = _split_form(self.url.partition("?")[2].partition("#")[0])
        if self.body and _is_form(self.method, self.headers):
            pairs += _split_form(self.body.decode("latin-1"))
        return pairs

    def __repr__(self) -> str:
        head, sep, query = self.url.partition("?")
        url = head + sep + _masked_form(query)
        shown = [f"method={self.method!r}", f"url={url!r}"]
        if self.headers:
            shown.append(f"headers={dict(self.headers)!r}")
        if self.body:
            body = _masked_form(self.body.decode("latin-1")).encode("latin-1")
            shown.append(f"body={body!r}")
        return f"HttpRequest({', '.join(shown)})"

    __str__ = __repr__


def build_request(
    script: str,
    params: Mapping[str, ParamValue] | None = None,
    /,
    *,
    login: str | None = None,
    psw: str | None = None,
    apikey: str | None = None,
    fmt: int = Fmt.JSON,
    charset: str = "utf-8",
    method: str = "POST",
    base_url: str = DEFAULT_BASE_URL,
    **more_params: ParamValue,
) -> HttpRequest:
    """Build a request to ``script`` (``"send"`` or ``"send.php"``), without I/O.

    Authenticate with ``login`` and ``psw`` (the password, or the lower-case
    MD5 of it) or with ``apikey`` alone. The script's parameters go as
    keywords (``phones=…, mes=…, cost=3``) or, for names that are not Python
    identifiers (``fl[29]``), in the ``params`` mapping. A value is a str, an
    int, a Decimal, a :class:`datetime.date` (written ``dd.mm.yyyy``), a list
    of str or int (joined with commas, as ``phones`` and ``id`` are), or None
    (left out); True and False are written 1 and 0.

    ``fmt`` defaults to 3 (JSON) and ``charset`` to ``"utf-8"`` (facts §1.1:
    "a library should always send charset=utf-8"); both are always sent, so
    the answer's layout and charset follow from the request. A ``POST`` puts
    the parameters in a form body, a ``GET`` in the URL.

    Raises :class:`RequestError` for missing or conflicting credentials, an
    unknown fmt, charset or method, or a value the charset cannot carry, and
    TypeError for a value of another type.
    """
    name = _script_name(script)
    verb = _verb(method)
    charset_name = _charset_name(charset)
    fmt_value = _fmt(fmt)
    pairs = [*_credentials(login, psw, apikey), ("fmt", str(int(fmt_value)))]
    pairs.append(("charset", charset_name))
    pairs += _script_params([*(params or {}).items(), *more_params.items()])
    form = _encode_form(pairs, python_codec(charset_name), charset_name)
    url = _script_url(base_url, name)
    if verb == "GET":
        return HttpRequest(method=verb, url=f"{url}?{form}")
    return HttpRequest(
        method=verb,
        url=url,
        headers={"Content-Type": FORM_CONTENT_TYPE},
        body=form.encode("ascii"),
    )


def _script_name(script: str) -> str:
    """The script's name, ``send`` of ``"send"`` or ``"send.php"``."""
    name = script.strip().removesuffix(".php")
    if not _SCRIPT_NAME.fullmatch(name):
        raise RequestError(f"not a script name: {script!r}")
    return name


def _verb(method: str) -> str:
    """The HTTP method, upper case: the API takes GET and POST."""
    verb = method.upper()
    if verb not in ("GET", "POST"):
        raise RequestError(f"the API is called with GET or POST, not {method!r}")
    return verb


def _charset_name(charset: str) -> str:
    """The API's name of ``charset``, one of those the server reads (facts §1.1)."""
    charset_name = charset.strip().lower()
    if charset_name not in _CHARSETS:
        raise RequestError(f"charset must be one of {', '.join(_CHARSETS)}, not {charset!r}")
    return charset_name


def _fmt(fmt: int) -> Fmt:
    """The answer's format asked for: 0, 1, 2 or 3."""
    try:
        return Fmt(fmt)
    except ValueError:
        raise RequestError(f"fmt must be 0, 1, 2 or 3, not {fmt!r}") from None


def _script_params(params: Iterable[tuple[str, ParamValue]]) -> list[tuple[str, str]]:
    """The script's parameters as text, those given None left out."""
    pairs = []
    for key, value in params:
        if key in {"login", "psw", "apikey", "fmt", "charset"}:
            raise RequestError(f"{key!r} is a keyword of build_request, not a parameter")
        text = _param_text(key, value)
        if text is not None:
            pairs.append((key, text))
    return pairs


def _script_url(base_url: str, name: str) -> str:
    """The URL of script ``name`` below ``base_url`` (with or without its ``/``)."""
    url = urllib.parse.urljoin(base_url if base_url.endswith("/") else base_url + "/", name)
    return url + ".php"


def _credentials(login: str | None, psw: str | None, apikey: str | None) -> list[tuple[str, str]]:
    if apikey is not None:
        if login is not None or psw is not None:
            raise RequestError("apikey replaces login and psw: give one or the other")
        return [("apikey", apikey)]
    if login is None or psw is None:
        raise RequestError("give login and psw, or apikey")
    return [("login", login), ("psw", psw)]


def _param_text(key: str, value: ParamValue) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (str, int, Decimal)):
        return str(value)
    if isinstance(value, dt.datetime):
        # send.php's `time` has several documented spellings; the caller picks one
        raise TypeError(f"parameter {key!r}: write a datetime as the script documents it (a str)")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")  # `start`, `end`, `bd`: dd.mm.yyyy (seed 002)
    if _is_item_list(value):
        return ",".join(str(item) for item in value)
    raise TypeError(
        f"parameter {key!r} must be a str, int, Decimal, date or a list of str or int, "
        f"not {type(value).__name__}"
    )


def _is_item_list(value: object) -> TypeGuard[Sequence[str | int]]:
    """A list of str or int (no bool), as ``phones`` and ``id`` take."""
    return isinstance(value, Sequence) and all(
        isinstance(item, (str, int)) and not isinstance(item, bool) for item in value
    )


def _encode_form(pairs: Iterable[tuple[str, str]], codec: str, charset: str) -> str:
    out = []
    for key, value in pairs:
        try:
            out.append(
                urllib.parse.quote_plus(key, encoding=codec)
                + "="
                + urllib.parse.quote_plus(value, encoding=codec)
            )
        except UnicodeEncodeError:
            # (the value itself is not shown: it may be a password)
            raise RequestError(f"parameter {key!r} cannot be written in {charset}") from None
    return "&".join(out)


def _split_form(text: str) -> list[tuple[str, str]]:
    """``key=value&…`` pairs, still percent-encoded."""
    pairs = []
    for piece in text.split("&"):
        if piece:
            key, _, value = piece.partition("=")
            pairs.append((key, value))
    return pairs


def _unquote_pairs(
    pairs: Iterable[tuple[str, str]], codec: str, errors: str
) -> list[tuple[str, str]]:
    return [
        (
            urllib.parse.unquote_plus(key, encoding=codec, errors=errors),
            urllib.parse.unquote_plus(value, encoding=codec, errors=errors),
        )
        for key, value in pairs
    ]


def _charset_param(raw_pairs: Iterable[tuple[str, str]]) -> str | None:
    """The ``charset`` parameter among still-encoded pairs (its value is ASCII)."""
    found = None
    for key, value in raw_pairs:
        if key == "charset":
            found = urllib.parse.unquote_plus(value, encoding="latin-1")
    return found


def _masked_form(text: str) -> str:
    """``text`` (a query or a form body) with every secret's value as ``***``."""
    out = []
    for piece in text.split("&"):
        key, sep, _ = piece.partition("=")
        name = urllib.parse.unquote_plus(key, encoding="latin-1")
        out.append(f"{key}={_MASK}" if sep and name in SECRET_PARAMS else piece)
    return "&".join(out)


def content_type_params(content_type: str | None) -> tuple[str, dict[str, str]]:
    """The media type (lower case) and the parameters of a Content-Type value."""
    if not content_type:
        return "", {}
    media, *rest = content_type.split(";")
    params = {}
    for item in rest:
        key, sep, value = item.partition("=")
        if sep:
            params[key.strip().lower()] = value.strip().strip('"')
    return media.strip().lower(), params


def _is_form(method: str, headers: Mapping[str, str]) -> bool:
    """A body the server reads as parameters: a POST form (PHP reads the
    body of a POST only, and only as form fields)."""
    if method.upper() != "POST":
        return False
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    media, _ = content_type_params(content_type)
    return media in ("", FORM_CONTENT_TYPE)


def _without_secrets(pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((key, value) for key, value in pairs if key not in SECRET_PARAMS)


def request_with_form(request: Request, form: bytes | str | Mapping[str, object]) -> Request:
    """``request`` (read from a URL) with the fields of its form body.

    The form's fields come after the URL's, so that they win where both name
    one (PHP's ``$_REQUEST`` order, "GP"). A form body is read in its own
    ``charset`` field, else the URL's; a character that charset cannot read
    is replaced (only ASCII parameters choose a layout). Credentials are
    dropped: they never choose a layout.
    """
    if isinstance(form, Mapping):
        pairs = [(str(key), str(value)) for key, value in form.items()]
    else:
        raw = _split_form(form.decode("latin-1") if isinstance(form, bytes) else form)
        charset = _charset_param(raw) or request.get("charset") or DEFAULT_CHARSET
        pairs = _unquote_pairs(raw, python_codec(charset), "replace")
    return Request(script=request.script, params=_without_secrets([*request.params, *pairs]))


def request_from_http(request: HttpRequest) -> Request:
    """The :class:`Request` that chooses the layout of the answer to ``request``."""
    # (a character the charset cannot read is replaced: only ASCII
    # parameters choose a layout, and the answer must still be read)
    return Request(script=request.script, params=_without_secrets(request._params("replace")))
