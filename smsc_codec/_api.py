"""The public entry points: decode, encode, detect_format."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

import msgspec

from ._body import body_text
from ._build import MISS
from ._codes import Fmt
from ._encodable import checked_reply
from ._envelope import OK_BARE, OK_PLAIN, detect_text_envelope
from ._errors import DecodeError, EncodeError, RequestError, SmscCodecError
from ._formats import READERS, WRITERS
from ._http_request import HttpRequest
from ._limits import DEFAULT_LIMITS, Limits, check_body_size
from ._model import ApiError, Ok, Reply, ReplyBase
from ._replies import ReplySpec, layout_of, reply_spec, request_for_kind, url_layout_key
from ._request import FormLike, Request, RequestLike, parse_request
from ._url_shapes import ShapeTable

__all__ = ["Decoder", "decode", "decode_as", "detect_format", "encode", "encode_text"]

#: What :func:`decode` returns: a reply (:class:`ApiError` and :class:`Ok`
#: among them) or a list of replies (several records).
Decoded = Reply | list[Reply]

_R = TypeVar("_R", bound=ReplyBase)


class Decoder(Generic[_R]):
    """A decoder bound to one request, to reuse for many bodies.

    ``Decoder(request).decode(body)`` is ``decode(body, request)`` with the
    request read once; keep one per request shape when decoding many answers
    (as with msgspec's ``Decoder``).

    ``Decoder(request, kind=SmsStatus)`` is a decoder for one reply kind: its
    :meth:`decode` returns that kind, a list of it, an :class:`ApiError` or
    :class:`Ok` (to a type checker too), and raises :class:`DecodeError` for
    a body that holds another kind (an HLR row where an SMS row was meant).

    A decoder is a value: equal to another made with the same arguments, and
    it pickles (its caches are rebuilt), so it can be handed to other processes.
    """

    __slots__ = (
        "_charset_given",
        "_entry",
        "_max_body",
        "_ok",
        "_ok_bytes",
        "_ok_text",
        "_reader",
        "_request_charset",
        "_spec",
        "charset",
        "fmt",
        "kind",
        "limits",
        "request",
        "strict",
    )

    @overload
    def __init__(
        self: Decoder[Reply],
        request: RequestLike,
        *,
        kind: None = None,
        strict: bool = False,
        charset: str | None = None,
        limits: Limits = DEFAULT_LIMITS,
        form: FormLike | None = None,
    ) -> None: ...

    @overload
    def __init__(
        self: Decoder[_R],
        request: RequestLike,
        *,
        kind: type[_R],
        strict: bool = False,
        charset: str | None = None,
        limits: Limits = DEFAULT_LIMITS,
        form: FormLike | None = None,
    ) -> None: ...

    def __init__(
        self,
        request: RequestLike,
        *,
        kind: type[_R] | None = None,
        strict: bool = False,
        charset: str | None = None,
        limits: Limits = DEFAULT_LIMITS,
        form: FormLike | None = None,
    ) -> None:
        _check_request(request)
        self.kind = kind
        self.request = parse_request(request, form=form)
        self.fmt = int(self.request.fmt)
        self.charset = charset or self.request.charset
        #: the charset given (then an XML declaration cannot override it),
        #: and the one the request names
        self._charset_given = charset
        self._request_charset = self.request.get("charset")
        self.strict = strict
        self.limits = limits
        self._max_body = limits.max_body_bytes
        self._spec: ReplySpec | RequestError | None = None
        self._reader = READERS[self.fmt]
        #: the reader's compiled entry for this request's commonest answer,
        #: built by the first decode (no_entry: there is none, or decoding
        #: is strict)
        self._entry: Callable[[Any], Any] = no_entry if strict else _unbuilt
        #: the bare ``OK`` as text and as bytes (ASCII: the same in every
        #: charset), and the reply every path reads it as (None: the limits
        #: refuse a body that short, the general path says how)
        ok_fits = limits.max_body_bytes >= len("OK") and (
            self.fmt >= Fmt.XML or (limits.max_line_length >= len("OK") and limits.max_records >= 1)
        )
        self._ok_text = "OK" if ok_fits else None
        self._ok_bytes = b"OK" if ok_fits else None
        self._ok = OK_BARE if self.fmt >= Fmt.XML else OK_PLAIN

    def _arguments(self) -> tuple[Any, ...]:
        return (self.request, self.kind, self.strict, self._charset_given, self.limits)

    def __reduce__(self) -> tuple[Any, ...]:
        # (the caches hold compiled code: a copy builds its own)
        return (_rebuild_decoder, self._arguments())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Decoder):
            return NotImplemented
        return self._arguments() == other._arguments()

    def __hash__(self) -> int:
        return hash(self._arguments())

    def __repr__(self) -> str:
        kind = "" if self.kind is None else f", kind={self.kind.__name__}"
        return f"Decoder({self.request!r}{kind}, strict={self.strict}, charset={self.charset!r})"

    if not TYPE_CHECKING:  # (the type checker reads __init__'s overloads)

        def __new__(cls, *args, kind=None, **options):
            # A decoder for a kind checks what it decodes (_KindDecoder); the
            # others pay nothing for that on their hot path.
            return object.__new__(_KindDecoder if kind is not None and cls is Decoder else cls)

    def decode(self, body: bytes | bytearray | memoryview | str) -> _R | list[_R] | ApiError | Ok:
        """Decode one answer to this decoder's request; see :func:`decode`."""
        # (the readers are typed loosely, as Structs: each returns a reply of
        # the request's kinds, what the signature says)
        # The bare OK first, by comparing the exact forms (its reply is a
        # constant); then the entry, which reads the commonest answer of the
        # request's layout and answers MISS for any other body (an object
        # that is no body, a body over a limit, the first body of all:
        # ``_decode_other``). ``decode`` with a URL writes the entry's call
        # and its except clauses out as here (calling this method instead
        # cost the request benchmarks 0.03-0.04 of their ratio): a change is
        # made to both.
        kind = body.__class__
        if kind is str:
            if body == self._ok_text:
                return self._ok
        elif kind is bytes and body == self._ok_bytes:
            return self._ok
        try:
            found = self._entry(body)
        except SmscCodecError:
            raise
        except Exception as exc:  # a bug must not leak a foreign exception type
            raise DecodeError(f"internal error: {exc!r}", fmt=self.fmt) from exc
        if found is not MISS:
            return found  # type: ignore[no-any-return]
        return self._decode_other(body)  # type: ignore[no-any-return]

    def _decode_other(self, body: bytes | bytearray | memoryview | str) -> Any:
        """A body the entry left: the bare OK (for ``decode``, which calls
        the entry first), a body of another type than bytes or str, the
        first body of all (the entry is built, then tried), or one for the
        general path."""
        kind = body.__class__
        if kind is str:
            if body == self._ok_text:
                return self._ok
        elif kind is not bytes:
            self._check_unusual(body)  # (TypeError for an object that is no body)
        elif body == self._ok_bytes:
            return self._ok
        try:
            if self._entry is _unbuilt:
                found = self._build_entry(body)
                if found is not MISS:
                    return found
            # (an entry leaves a body over max_body_bytes to the check in _read)
            return self._read(body)
        except SmscCodecError:
            raise
        except Exception as exc:  # a bug must not leak a foreign exception type
            raise DecodeError(f"internal error: {exc!r}", fmt=self.fmt) from exc

    def _read(self, body: bytes | bytearray | memoryview | str) -> Any:
        """A body the entry left (or a decoder without one): in the charset
        the body or the request names, by the reader's fast path where it
        takes the body, else by its general one."""
        if len(body) > self._max_body:
            self._check_unusual(body)  # (it raises LimitError)
        reader = self._reader
        charset = self.charset
        if self._charset_given is None:
            charset = reader.charset_of(
                body, charset, request_named=self._request_charset, strict=self.strict
            )
        spec = self._success_spec()
        if not self.strict and isinstance(spec, ReplySpec) and not spec.ok_only:
            found = reader.read_fast(body, charset, spec, self.limits)
            if found is not None:
                return found
        text = body_text(body, charset, self.fmt)
        found = reader.read(text, spec, strict=self.strict, limits=self.limits)
        return _answered_by(found, self.request)

    def _check_unusual(self, body: object) -> None:
        """A body of another type than bytes or str (TypeError unless it is a
        bytearray or memoryview), or a long one: held against max_body_bytes."""
        checked = _checked_body(body)
        try:
            check_body_size(checked, self.limits, self.fmt, self.charset)
        except SmscCodecError:
            raise
        except Exception as exc:  # a bug must not leak a foreign exception type
            raise DecodeError(f"internal error: {exc!r}", fmt=self.fmt) from exc

    def _success_spec(self) -> ReplySpec | RequestError:
        """The request's success layout, or the RequestError saying why it
        has none (then only an error or OK answer decodes)."""
        spec = self._spec
        if spec is None:
            try:
                spec = self._spec = reply_spec(self.request)
            except RequestError as exc:
                spec = self._spec = exc
        return spec

    def _build_entry(self, body: bytes | bytearray | memoryview | str) -> Any:
        """The first decode: the reader's entry for this request's answers
        is compiled, then used from now on."""
        spec = self._success_spec()
        entry = None
        if isinstance(spec, ReplySpec):
            entry = self._reader.entry(spec, self.limits, self.charset)
        self._entry = no_entry if entry is None else entry
        return self._entry(body)


def _unbuilt(body: Any) -> Any:
    """Marks an entry not built yet (``Decoder._build_entry``)."""
    return MISS


def no_entry(body: Any) -> Any:
    """The entry of a decoder whose reader has none for its answers, or
    that decodes strictly: every body takes the general path."""
    return MISS


def _answered_by(found: Any, request: Request | None) -> Any:
    """An error answer names the script that answered (its code's meaning
    depends on it)."""
    if isinstance(found, ApiError) and request is not None:
        return msgspec.structs.replace(found, script=request.script)
    return found


class _KindDecoder(Decoder[_R]):
    """A :class:`Decoder` made for one reply kind (``Decoder(request, kind=K)``)."""

    __slots__ = ()

    def decode(self, body: bytes | bytearray | memoryview | str) -> _R | list[_R] | ApiError | Ok:
        assert self.kind is not None
        return _of_kind(Decoder.decode(self, body), self.kind, self.fmt)


def _rebuild_decoder(
    request: Request, kind: type[Any] | None, strict: bool, charset: str | None, limits: Limits
) -> Decoder[Any]:
    return Decoder(request, kind=kind, strict=strict, charset=charset, limits=limits)


def _of_kind(found: Any, kind: type[_R], fmt: int) -> _R | list[_R] | ApiError | Ok:
    """``found`` when it is what a decoder for ``kind`` promises; otherwise a
    DecodeError (a status body may hold HLR rows where SMS rows were meant)."""
    if isinstance(found, list):
        other = next((record for record in found if not isinstance(record, kind)), None)
    else:
        other = None if isinstance(found, (kind, ApiError, Ok)) else found
    if other is not None:
        raise DecodeError(
            f"expected {kind.__name__} records, the body holds a {type(other).__name__}", fmt=fmt
        )
    return found  # type: ignore[no-any-return]


#: Every line of a log has its own request (ids, numbers), but few layouts:
#: requests share the decoder of their layout, with its warmed-up codecs.
#: Keyed by the decoding options, then by the layout key (the URL's scan, or
#: the parsed request's layout).
_DECODERS: dict[tuple[bool, str | None, Limits | None], dict[Hashable, Decoder[Reply]]] = {}
#: the table of the default options (lenient, the request's charset, the
#: default limits), found without hashing them
_DEFAULT_DECODERS = _DECODERS.setdefault((False, None, None), {})
#: decoders kept per table (a flood of made-up layouts empties it)
_MAX_DECODERS = 256
#: the default table's decoders by the shape of the URLs that found them
_URL_SHAPES: ShapeTable[Decoder[Reply]] = ShapeTable()


def _decoder_for(
    request: str | Request,
    strict: bool,
    charset: str | None,
    limits: Limits,
    url_key: Hashable | None,
) -> Decoder[Reply]:
    """The shared decoder of ``request``'s layout; ``url_key`` is the URL's
    key (``url_layout_key``), None where the full parse must tell."""
    if url_key is None:
        layout = layout_of(parse_request(request))
        url_key = (layout.script, layout.params)
    default = not strict and charset is None and limits is DEFAULT_LIMITS
    table = (
        _DEFAULT_DECODERS
        if default
        else _DECODERS.setdefault(
            (strict, charset, None if limits is DEFAULT_LIMITS else limits), {}
        )
    )
    decoder = table.get(url_key)
    if decoder is None:
        if len(table) >= _MAX_DECODERS:
            table.clear()
        layout = layout_of(parse_request(request))
        decoder = table[url_key] = Decoder(layout, strict=strict, charset=charset, limits=limits)
    return decoder


# The options are passed by keyword, as documented, but not declared
# keyword-only: CPython does not specialise a call to a function with
# keyword-only parameters, and that call cost a short answer's decode with a
# URL about 0.06 of its time (benchmarks/README.md, the requests).
def decode(  # noqa: PLR0917
    body: bytes | bytearray | memoryview | str,
    request: RequestLike | None,
    strict: bool = False,
    charset: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    form: FormLike | None = None,
) -> Decoded:
    """Decode one answer of the SMSC HTTP API.

    ``request`` is the request URL, its ``script.php?query`` tail, a mapping of
    its query parameters (with an optional ``"script"`` key), the
    :class:`HttpRequest` that was sent (URL and form body) or a
    :class:`Request`; it tells the script, ``fmt``, ``all``, several ids and
    the charset. With ``None``, only answers that describe themselves (errors,
    ``OK``) can be decoded. ``form`` is the POST form body sent to the URL
    (bytes, text or its fields): its parameters count as the URL's.

    Pass the options after ``request`` by keyword: their order is not part
    of the interface.

    Returns the reply Struct, a list of them (several records), an
    :class:`ApiError` or :class:`Ok` (typed :data:`Decoded`; :func:`decode_as`
    and ``Decoder(request, kind=...)`` narrow it to one kind).

    Lenient decoding (the default) accepts the variations seen in real traffic
    and marks free text whose extent it had to choose in ``ambiguous_fields``.
    ``strict=True`` accepts the documented layout only and raises on unknown
    keys, unknown codes and ambiguous text.

    ``charset`` overrides the request's (``"auto"`` tells UTF-8 from
    windows-1251). ``limits`` bounds what a body may hold (:class:`Limits`).

    Decoders are kept by the request's layout, so the lines of a log, each
    with its own ids, numbers and credentials, share them; with the default
    options the shapes of a log's URLs (their names in order and the values
    that choose the layout) are learned, and a URL of a learned shape finds
    its decoder in one regex call.

    Raises :class:`DecodeError` for any body that cannot be decoded (its
    subclass :class:`LimitError` for one over a limit),
    :class:`RequestError` for an unusable request, and TypeError for a body
    that is not bytes or str or a request of another type.
    """
    if (
        type(request) is str
        and form is None
        and not strict
        and charset is None
        and limits is DEFAULT_LIMITS
    ):
        # the commonest call, a log line's URL with the default options: its
        # layout's decoder found by the URL's shape, before anything else
        # (``ShapeTable.find`` written out: its call would be a fifth of what
        # finding the decoder costs)
        shapes = _URL_SHAPES.current
        fullmatch = shapes.fullmatch  # (a callable in a slot: LOAD_METHOD would not specialise)
        known = fullmatch(request)
        if known is not None and "#" not in request:
            # (and Decoder.decode written out too, its entry first: the
            # bare OK is among what the entry leaves; a change to one is
            # made to the other)
            decoder: Decoder[Reply] = shapes.values[known.lastindex]  # type: ignore[index,assignment]
            try:
                found = decoder._entry(body)
            except SmscCodecError:
                raise
            except Exception as exc:  # a bug must not leak a foreign exception type
                raise DecodeError(f"internal error: {exc!r}", fmt=decoder.fmt) from exc
            if found is not MISS:
                return found  # type: ignore[no-any-return]
            return decoder._decode_other(body)  # type: ignore[no-any-return]
        return _decode_by_url(body, request)
    return _decode_with_options(
        body, request, strict=strict, charset=charset, limits=limits, form=form
    )


def _decode_by_url(body: bytes | bytearray | memoryview | str, url: str) -> Decoded:
    """:func:`decode` with the default options, for a URL of no shape
    learned."""
    return _url_decoder(url).decode(body)


def _url_decoder(url: str) -> Decoder[Reply]:
    """The shared decoder of ``url``'s layout with the default options, for
    a URL of no shape learned: found by its layout key, and its shape noted."""
    url_key = url_layout_key(url)
    decoder = _DEFAULT_DECODERS.get(url_key)
    if decoder is None:
        decoder = _decoder_for(url, False, None, DEFAULT_LIMITS, url_key)
    if url_key is not None:
        _URL_SHAPES.learn(url, url_key, decoder)
    return decoder


def _decode_with_options(
    body: bytes | bytearray | memoryview | str,
    request: RequestLike | None,
    *,
    strict: bool,
    charset: str | None,
    limits: Limits,
    form: FormLike | None,
) -> Decoded:
    """:func:`decode` of anything but a URL with the default options."""
    if not isinstance(strict, int):  # (a bool is an int) another option put in its place
        raise TypeError(
            f"strict must be True or False, not {type(strict).__name__}: "
            "pass decode's options by keyword"
        )
    if request is None:
        return _decode_unrequested(body, strict, charset, limits)
    return _options_decoder(request, strict, charset, limits, form).decode(body)


def _options_decoder(
    request: RequestLike, strict: bool, charset: str | None, limits: Limits, form: FormLike | None
) -> Decoder[Reply]:
    """The shared decoder of ``request``'s layout with these options."""
    if form is not None or not isinstance(request, (str, Request)):
        _check_request(request)
        request = parse_request(request, form=form)
    url_key = url_layout_key(request) if isinstance(request, str) else None
    return _decoder_for(request, strict, charset, limits, url_key)


def shared_decoder(
    request: RequestLike,
    *,
    strict: bool = False,
    charset: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Decoder[Reply]:
    """The decoder :func:`decode` decodes an answer to ``request`` with,
    shared by the requests of its layout: ``decode(body, request, ...)`` is
    ``shared_decoder(request, ...).decode(body)``. Its ``request`` is the
    layout's (script, ``fmt`` and the parameters that choose the layout);
    a URL of a learned shape finds it without being parsed (the command
    line's records)."""
    if type(request) is str and not strict and charset is None and limits is DEFAULT_LIMITS:
        found = _URL_SHAPES.find(request)
        return _url_decoder(request) if found is None else found
    return _options_decoder(request, strict, charset, limits, None)


def _decode_unrequested(
    body: bytes | bytearray | memoryview | str,
    strict: bool,
    charset: str | None,
    limits: Limits,
) -> Decoded:
    """:func:`decode` without the request: an answer that describes itself."""
    if not isinstance(body, (bytes, str)):
        _checked_body(body)  # (Decoder.decode checks it on the other path)
    fmt: int | None = None
    try:
        check_body_size(body, limits, None, charset or "utf-8")
        text = body_text(body, charset or "auto", None)
        fmt = detect_format(text)
        return _self_described(text, fmt, strict, limits)
    except SmscCodecError:
        raise
    except Exception as exc:  # a bug must not leak a foreign exception type
        raise DecodeError(f"internal error: {exc!r}", fmt=fmt) from exc


def _self_described(text: str, fmt: int | None, strict: bool, limits: Limits) -> Decoded:
    """A body decoded without its request: only an answer that describes
    itself (an error, ``OK``) decodes."""
    unknown = RequestError("decoding this body needs the request it answers")
    if fmt is None:  # (a bare number or OK reads the same in several formats)
        envelope = detect_text_envelope(text, 0, limits)
        if envelope is None:
            raise unknown
        return envelope
    found: Decoded = READERS[fmt].read(text, unknown, strict=strict, limits=limits)
    return found


def _checked_body(body: object) -> bytes | bytearray | memoryview | str:
    if not isinstance(body, (bytes, bytearray, memoryview, str)):
        raise TypeError(f"body must be bytes or str, not {type(body).__name__}")
    return body


def _check_request(request: object) -> None:
    if not isinstance(request, (str, Mapping, Request, HttpRequest)):
        raise TypeError(
            "request must be a URL, a mapping of its parameters, an HttpRequest or a "
            f"Request, not {type(request).__name__}"
        )


@overload
def decode_as(
    body: bytes | bytearray | memoryview | str,
    kind: type[_R],
    fmt: int,
    *,
    strict: bool = False,
    charset: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    **params: str | int,
) -> _R | list[_R] | ApiError | Ok: ...


@overload
def decode_as(
    body: bytes | bytearray | memoryview | str,
    kind: str,
    fmt: int,
    *,
    strict: bool = False,
    charset: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    **params: str | int,
) -> Decoded: ...


def decode_as(
    body: bytes | bytearray | memoryview | str,
    kind: type[_R] | str,
    fmt: int,
    *,
    strict: bool = False,
    charset: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    **params: str | int,
) -> _R | list[_R] | ApiError | Ok | Decoded:
    """Decode when only the reply kind and the format are known.

    ``kind`` is a reply class (``SmsStatus``, ``Contact``) or a script name
    (``"status"``); further request parameters (``all=1``, ``id="1,2"``,
    ``get_group=1``) go as keywords. A reply class brings the command that asks
    for it (``Contact``: ``phones.php?get=1``) unless a keyword names another,
    and is what comes back: that kind, a list of it, an :class:`ApiError` or
    :class:`Ok`; a body holding another kind raises :class:`DecodeError`.
    """
    command: tuple[tuple[str, str], ...] = ()
    if isinstance(kind, str):
        script = kind
    else:
        asking = request_for_kind(kind)
        if asking is None:
            raise RequestError(f"no script answers with {kind!r}")
        script, command = asking.script, asking.params
    request = Request(
        script=script,
        params=(
            ("fmt", str(fmt)),
            *((k, str(v)) for k, v in params.items()),
            *(() if params.keys() - {"fmt", "charset"} else command),
        ),
    )
    found = decode(body, request, strict=strict, charset=charset, limits=limits)
    return found if isinstance(kind, str) else _of_kind(found, kind, fmt)


_TEXT_START = re.compile(r"[A-Za-z_][A-Za-z0-9_]* ?= |OK(?: -|,) ")
_CSV_START = re.compile(r"-?[0-9]+,")
#: balance.php's answer, the same line in fmt=0 and fmt=1 (facts §2.5, §5.13)
_BALANCE_LINE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:,[A-Za-z]*)?\s*")


def detect_format(body: bytes | str) -> Fmt | None:
    """The format a body is written in, when it says so itself.

    XML starts with ``<``, JSON with ``{`` or ``[``, fmt=0 with ``key = ``
    (``ERROR = `` included) or send.php's and jobs.php's ``OK - ``, ``OK, ``;
    a line of comma-separated values starting with a number is fmt=1. A bare
    number or ``OK``, and balance.php's ``250.80,RUB``, are the same in
    several formats (facts §5.13): the answer is ``None``, not a guess.
    """
    head = body[:256]
    text = head.decode("latin-1") if isinstance(head, bytes) else head
    text = text.lstrip("\ufeff\xef\xbb\xbf \t\r\n")
    if text.startswith("<"):
        return Fmt.XML
    if text.startswith(("{", "[")):
        return Fmt.JSON
    if _TEXT_START.match(text):
        return Fmt.TEXT
    if _BALANCE_LINE.fullmatch(text) and len(head) == len(body):
        return None
    if _CSV_START.match(text):
        return Fmt.CSV
    return None


#: layout key -> the generated writer of its answers (``Writer.fast_writer``)
_FAST_WRITERS: dict[Hashable, Callable[[Any], str | None]] = {}
#: the same by request, the few last requests written for
_FAST_BY_REQUEST: dict[str, Callable[[Any], str | None]] = {}


def _fast_writer(request: str, key: Hashable) -> Callable[[Any], str | None] | None:
    """The generated writer of the answers to ``request`` (made once per
    layout key); None for a request the general path refuses."""
    try:
        req = parse_request(request)
        spec = reply_spec(req)
    except SmscCodecError:
        return None
    writer = WRITERS[int(req.fmt)].fast_writer(spec)
    if len(_FAST_WRITERS) >= _MAX_DECODERS:
        _FAST_WRITERS.clear()
    _FAST_WRITERS[key] = writer
    return writer


def encode_text(
    reply: Any,
    request: RequestLike,
    *,
    lossy: bool = False,
) -> str:
    """Write a reply (or a list of them) as the server would, as text.

    Raises :class:`EncodeError` when the target layout cannot carry the reply
    faithfully: a field it has no place for, text that would read back
    differently or make a line ambiguous. ``lossy=True`` drops or empties what
    the layout cannot carry instead.
    """
    _check_request(request)
    if not lossy and request.__class__ is str:
        # the writers generated for the request's layout (_compiled): by the
        # request itself (a program writing answers to one request), else by
        # its layout key; None where the general path below decides
        fast = _FAST_BY_REQUEST.get(request)
        if fast is None:
            fast = _fast_writer_of_url(request)
        if fast is not None:
            text = fast(reply)
            if text is not None:
                return text
    return _encode_checked(reply, parse_request(request), lossy=lossy)


def _encode_checked(reply: Any, req: Request, *, lossy: bool) -> str:
    """``encode_text`` by the general path: the reply checked against what
    the request's layout can carry (``checked_reply``), then written."""
    fmt = int(req.fmt)
    writer = WRITERS[fmt]
    if isinstance(reply, (ApiError, Ok)):
        envelope = checked_reply(reply, fmt, lossy=lossy)
        assert isinstance(envelope, (ApiError, Ok))
        return writer.write_envelope(envelope, lossy=lossy)
    spec = reply_spec(req)
    # A list is written as a list (a JSON array, the XML list element) even
    # for a one-record request, as lenient decoding reads such a body back;
    # the line formats have no list of their own: one line is one record.
    as_list = spec.multi or (writer.lists and isinstance(reply, (list, tuple)))
    replies = _replies_to_write(reply, fmt, as_list=as_list, lossy=lossy)
    for r in replies:
        if not any(type(r) is c.cls for c in spec.candidates):
            raise EncodeError(
                f"{type(r).__name__} is not an answer of this {req.script}.php request", fmt=fmt
            )
    replies = [checked_reply(r, fmt, lossy=lossy, spec=spec) for r in replies]
    return writer.write(replies, spec, as_list=as_list, lossy=lossy)


def _fast_writer_of_url(request: str) -> Callable[[Any], str | None] | None:
    """The generated writer of a URL not seen before, by its layout key
    (compiled on the key's first sight), kept for the URL too; None where
    the general path decides."""
    key = url_layout_key(request)
    if key is None:
        return None
    fast = _FAST_WRITERS.get(key)
    if fast is None:
        fast = _fast_writer(request, key)
    if fast is not None:
        if len(_FAST_BY_REQUEST) >= _MAX_DECODERS:
            _FAST_BY_REQUEST.clear()
        _FAST_BY_REQUEST[request] = fast
    return fast


def _replies_to_write(
    reply: Any, fmt: int, *, as_list: bool, lossy: bool
) -> Sequence[msgspec.Struct]:
    """The records ``reply`` (one, or a list) writes; TypeError for anything
    else, EncodeError for a list the layout has no form for."""
    if isinstance(reply, msgspec.Struct):
        return [reply]
    if not isinstance(reply, (list, tuple)):
        raise TypeError(
            f"reply must be a reply Struct or a list of them, not {type(reply).__name__}"
        )
    for r in reply:
        if not isinstance(r, msgspec.Struct):
            raise TypeError(f"reply must be a list of reply Structs, not of {type(r).__name__}")
    if not as_list and len(reply) != 1:
        raise EncodeError(f"the request asks for one record, not {len(reply)}", fmt=fmt)
    if not as_list and not lossy:
        raise EncodeError(
            f"a list has no fmt={fmt} form: its one line reads back as the record alone "
            "(pass the record, or lossy=True)",
            fmt=fmt,
        )
    return list(reply)


def encode(
    reply: Any,
    request: RequestLike,
    *,
    lossy: bool = False,
    charset: str | None = None,
) -> bytes:
    """Write a reply (or a list of them) as the server would, in its charset.

    The charset is the request's (windows-1251 unless it names another, facts
    §1.1) or ``charset``. See :func:`encode_text` for what raises EncodeError.
    """
    _check_request(request)
    req = parse_request(request)
    # (a URL as given: encode_text finds the generated writer by its key)
    text = encode_text(reply, request if request.__class__ is str else req, lossy=lossy)
    codec = charset or req.charset
    try:
        return text.encode(codec)
    except UnicodeEncodeError as exc:
        char = exc.object[exc.start : exc.end]
        raise EncodeError(
            f"{char!r} cannot be written in {codec}",
            field=_field_holding(reply, char),
            fmt=int(req.fmt),
        ) from None
    except LookupError:
        raise EncodeError(f"unknown charset {codec!r}") from None


def _field_holding(reply: Any, char: str) -> str | None:
    for item in reply if isinstance(reply, (list, tuple)) else [reply]:
        for name in getattr(item, "__struct_fields__", ()):
            value = getattr(item, name)
            if isinstance(value, str) and char in value:
                return str(name)
    return None
