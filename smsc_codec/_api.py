"""The public entry points: decode, encode, detect_format."""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable, Sequence
from typing import Any

import msgspec

from ._body import body_text
from ._codes import Fmt
from ._encodable import checked_reply
from ._envelope import detect_text_envelope, encode_envelope, xml_envelope
from ._errors import DecodeError, EncodeError, RequestError, SmscCodecError
from ._json import TYPED_DEPTH, decode_json, encode_json, fast_json, wire_twin
from ._limits import DEFAULT_LIMITS, Limits, check_body_size, check_lines
from ._lines import decode_lines, encode_lines
from ._matcher import LineCodec, LineMismatch, line_codec
from ._model import ApiError, Ok
from ._replies import ReplySpec, layout_of, reply_spec, request_for_kind
from ._request import Request, RequestLike, parse_request
from ._schema import plan_for
from ._xml import decode_plain_xml, decode_xml, encode_xml, parse_xml

__all__ = ["Decoder", "decode", "decode_as", "detect_format", "encode", "encode_text"]

Decoded = Any  # a reply Struct, a list of them, ApiError or Ok


class Decoder:
    """A decoder bound to one request, to reuse for many bodies.

    ``Decoder(request).decode(body)`` is ``decode(body, request)`` with the
    request read once; keep one per request shape when decoding many answers
    (as with msgspec's ``Decoder``).
    """

    __slots__ = (
        "_line_codecs",
        "_max_body",
        "_one_finish",
        "_one_read",
        "_short_body",
        "_spec",
        "_utf8",
        "charset",
        "fmt",
        "limits",
        "request",
        "strict",
    )

    def __init__(
        self,
        request: RequestLike,
        *,
        strict: bool = False,
        charset: str | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self.request = parse_request(request)
        self.fmt = int(self.request.fmt)
        self.charset = charset or self.request.charset
        self.strict = strict
        self.limits = limits
        self._max_body = limits.max_body_bytes
        #: a fmt=0/1 body this short cannot pass a line, text or record limit
        self._short_body = min(limits.max_line_length, limits.max_field_length, limits.max_records)
        self._spec: ReplySpec | None = None
        #: the wire twin's reader and finisher of the commonest fmt=3 answer,
        #: one object of the first kind, once the first body has been read
        self._one_read: Callable[[Any], Any] | None = None
        self._one_finish: Callable[[Any], Any] = _unset
        self._utf8 = self.charset == "utf-8"
        self._line_codecs: dict[str, LineCodec] = {}

    def decode(self, body: bytes | bytearray | memoryview | str) -> Decoded:
        """Decode one answer to this decoder's request; see :func:`decode`."""
        try:
            # (the limits are checked inline first: most bodies are far below them)
            if len(body) > self._max_body or isinstance(body, memoryview):
                check_body_size(body, self.limits, self.fmt, self.charset)
            read = self._one_read
            # (msgspec reads UTF-8 bytes itself; ASCII is the same in every charset)
            if (
                read is not None
                and body[:1] in _OBJECT_START
                and (type(body) is str or (type(body) is bytes and (self._utf8 or body.isascii())))
            ):
                try:
                    return self._one_finish(read(body))
                except _FAST_JSON_MISSES:
                    pass  # fast_json and the general path sort it out
            if self.fmt == 3 and not self.strict:
                found = self._fast_json(body)
                if found is not None:
                    return found
            text = body_text(body, self.charset, self.fmt)
            long_values = (
                self.fmt < 2
                and len(text) > self._short_body
                and check_lines(text, self.fmt, self.limits)
            )
            if not self.strict and self.fmt != 3 and not long_values:
                found = self._fast_line(text) if self.fmt < 2 else self._fast_xml(text)
                if found is not None:
                    return found
            return _decode_text(
                text,
                self.request,
                self.fmt,
                self.strict,
                limits=self.limits,
                long_values=long_values,
            )
        except SmscCodecError:
            raise
        except Exception as exc:  # a bug must not leak a foreign exception type
            raise DecodeError(f"internal error: {exc!r}", fmt=self.fmt) from exc

    def _success_spec(self) -> ReplySpec | None:
        spec = self._spec
        if spec is None:
            try:
                spec = self._spec = reply_spec(self.request)
            except RequestError:
                return None  # no success layout: only an error answer can decode
        return None if spec.ok_only else spec

    def _fast_line(self, text: str) -> Decoded:
        """One well-formed fmt=0/1 record, or None for the general path.

        The general path handles everything else: several lines, the OK and
        error answers (``OK``, and errors, which start with E or hold ",-"),
        lenient reading by key, and the error position when nothing fits.
        (send.php's and jobs.php's answers start with ``OK - ``, ``OK, ``.)
        """
        head = text[:1]
        if "\n" in text or "\r" in text or head in ("E", "") or ",-" in text[:40]:
            return None
        if head == "O" and text.strip() == "OK":
            return None
        spec = self._success_spec()
        if spec is None or spec.multi:
            return None
        candidate = spec.pick_line(self.fmt, text)
        codec = self._line_codecs.get(candidate.rule)
        if codec is None:
            codec = self._line_codecs[candidate.rule] = line_codec(
                self.fmt, candidate.rule, candidate.cls
            )
        try:
            return codec.read_reply(text)
        except LineMismatch:
            return None

    def _fast_xml(self, text: str) -> Decoded:
        """A plain XML success answer (see ``_xml.plain_records``), or None."""
        spec = self._success_spec()
        return None if spec is None else decode_plain_xml(text, spec, self.limits)

    def _fast_json(self, body: bytes | bytearray | memoryview | str) -> Decoded:
        # msgspec reads UTF-8 bytes itself; ASCII is the same in every charset.
        if not isinstance(body, (str, bytes)) or (
            isinstance(body, bytes) and not self._utf8 and not body.isascii()
        ):
            return None
        spec = self._success_spec()
        if spec is None:
            return None
        if not spec.multi and self._one_read is None and self.limits.max_depth >= TYPED_DEPTH:
            # decode() reads the commonest answer with this twin from now on
            twin = wire_twin(spec.candidates[0].cls, self.limits.max_field_length)
            self._one_finish = twin.to_model
            self._one_read = twin.one.decode
        return fast_json(body, spec, self.limits)


#: the first character of a JSON object, as text and as bytes
_OBJECT_START = ("{", b"{")
#: what the fast fmt=3 path gives up on (the general path says what is wrong)
_FAST_JSON_MISSES = (msgspec.ValidationError, msgspec.DecodeError, ValueError)


def _unset(wire: Any) -> Any:
    raise AssertionError("no wire twin yet")


@functools.lru_cache(maxsize=256)
def _decoder(
    request: str | Request, strict: bool, charset: str | None, limits: Limits | None
) -> Decoder:
    # Every line of a log has its own request (ids, numbers), but few layouts:
    # requests share the decoder of their layout, with its warmed-up codecs.
    return _layout_decoder(layout_of(parse_request(request)), strict, charset, limits)


@functools.lru_cache(maxsize=256)
def _layout_decoder(
    layout: Request, strict: bool, charset: str | None, limits: Limits | None
) -> Decoder:
    return Decoder(layout, strict=strict, charset=charset, limits=limits or DEFAULT_LIMITS)


def decode(
    body: bytes | bytearray | memoryview | str,
    request: RequestLike | None,
    *,
    strict: bool = False,
    charset: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Decoded:
    """Decode one answer of the SMSC HTTP API.

    ``request`` is the request URL, its ``script.php?query`` tail, a mapping of
    its query parameters (with an optional ``"script"`` key) or a
    :class:`Request`; it tells the script, ``fmt``, ``all``, several ids and
    the charset. With ``None``, only answers that describe themselves (errors,
    ``OK``) can be decoded.

    Returns the reply Struct, a list of them (several records), an
    :class:`ApiError` or :class:`Ok`.

    Lenient decoding (the default) accepts the variations seen in real traffic
    and marks free text whose extent it had to choose in ``ambiguous_fields``.
    ``strict=True`` accepts the documented layout only and raises on unknown
    keys, unknown codes and ambiguous text.

    ``charset`` overrides the request's (``"auto"`` tells UTF-8 from
    windows-1251). ``limits`` bounds what a body may hold (:class:`Limits`).
    Raises :class:`DecodeError` for any body that cannot be decoded (its
    subclass :class:`LimitError` for one over a limit), and
    :class:`RequestError` for an unusable request.
    """
    if request is None:
        fmt: int | None = None
        try:
            check_body_size(body, limits, None, charset or "utf-8")
            text = body_text(body, charset or "auto", None)
            fmt = detect_format(text)
            return _decode_text(text, None, fmt, strict, limits=limits, long_values=None)
        except SmscCodecError:
            raise
        except Exception as exc:  # a bug must not leak a foreign exception type
            raise DecodeError(f"internal error: {exc!r}", fmt=fmt) from exc
    if not isinstance(request, (str, Request)):
        request = parse_request(request)
    # (None stands for the default limits in the cache key: hashing a Struct
    # on every call would cost more than a short body's decoding)
    chosen = None if limits is DEFAULT_LIMITS else limits
    return _decoder(request, strict, charset, chosen).decode(body)


def _decode_text(
    text: str,
    req: Request | None,
    fmt: int | None,
    strict: bool,
    *,
    limits: Limits,
    long_values: bool | None,
) -> Decoded:
    if long_values is None and fmt is not None and fmt < 2:
        long_values = check_lines(text, fmt, limits)
    envelope = detect_text_envelope(text, fmt if fmt is not None else 0)
    if envelope is None and fmt == 2:
        root = parse_xml(text, limits)
        envelope = xml_envelope(root, text, strict=strict, limits=limits)
    if envelope is not None:
        if isinstance(envelope, ApiError) and req is not None:
            envelope.script = req.script
        return envelope
    if fmt == 3:
        # A JSON error answer needs no success layout: find it first.
        json_spec: ReplySpec | None = None
        if req is not None:
            with contextlib.suppress(RequestError):
                json_spec = reply_spec(req)
        found = decode_json(text, json_spec, ApiError, strict=strict, limits=limits)
        if isinstance(found, ApiError) and req is not None:
            found.script = req.script
        return found
    if req is None or fmt is None:
        raise RequestError("decoding this body needs the request it answers")
    spec = reply_spec(req)
    if spec.ok_only:
        raise _ok_only_fault(text, fmt)
    if fmt == 2:
        return decode_xml(text, root, spec, strict=strict, limits=limits)
    return decode_lines(text, fmt, spec, strict=strict, limits=limits, long_values=long_values)


def _ok_only_fault(text: str, fmt: int) -> DecodeError:
    return DecodeError("this request is answered with OK or an error only", fmt=fmt, text=text)


def decode_as(
    body: bytes | bytearray | memoryview | str,
    kind: type[msgspec.Struct] | str,
    fmt: int,
    *,
    strict: bool = False,
    charset: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    **params: str | int,
) -> Decoded:
    """Decode when only the reply kind and the format are known.

    ``kind`` is a reply class (``SmsStatus``, ``Contact``) or a script name
    (``"status"``); further request parameters (``all=1``, ``id="1,2"``,
    ``get_group=1``) go as keywords. A reply class brings the command that asks
    for it (``Contact``: ``phones.php?get=1``) unless a keyword names another.
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
    return decode(body, request, strict=strict, charset=charset, limits=limits)


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
    req = parse_request(request)
    fmt = int(req.fmt)
    if isinstance(reply, (ApiError, Ok)):
        envelope = checked_reply(reply, fmt, lossy=lossy)
        assert isinstance(envelope, (ApiError, Ok))
        return encode_envelope(envelope, fmt, lossy=lossy)
    spec = reply_spec(req)
    replies: Sequence[msgspec.Struct]
    # A list is written as a list (a JSON array, the XML list element) even
    # for a one-record request, as lenient decoding reads such a body back;
    # the line formats have no list of their own: one line is one record.
    as_list = spec.multi or (fmt in (2, 3) and isinstance(reply, (list, tuple)))
    if isinstance(reply, msgspec.Struct):
        replies = [reply]
    elif isinstance(reply, (list, tuple)):
        replies = list(reply)
        if not as_list and len(replies) != 1:
            raise EncodeError(f"the request asks for one record, not {len(replies)}", fmt=fmt)
        if not as_list and not lossy:
            raise EncodeError(
                f"a list has no fmt={fmt} form: its one line reads back as the record alone "
                "(pass the record, or lossy=True)",
                fmt=fmt,
            )
    else:
        raise EncodeError(f"cannot encode {type(reply).__name__}", fmt=fmt)
    if not replies and fmt in (0, 1):
        raise EncodeError(f"a list of no records has no fmt={fmt} form: the body would be empty")
    for r in replies:
        if not any(type(r) is c.cls for c in spec.candidates):
            raise EncodeError(
                f"{type(r).__name__} is not an answer of this {req.script}.php request", fmt=fmt
            )
    replies = [checked_reply(r, fmt, lossy=lossy, spec=spec) for r in replies]
    for r in replies:
        keys = [s.wire for s in plan_for(type(r)).fields if getattr(r, s.name) is not None]
        if fmt in (2, 3) and type(r) is not spec.pick_keys(keys).cls:
            raise EncodeError(f"its keys would read as another kind of record: {keys}", fmt=fmt)
        if fmt in (2, 3) and not lossy:
            _refuse_blanked_texts(r, fmt)
    if fmt == 3:
        return encode_json(replies, spec, as_list=as_list)
    if fmt == 2:
        return encode_xml(replies, spec, as_list=as_list)
    return encode_lines(replies, fmt, spec, lossy=lossy)


def _refuse_blanked_texts(reply: msgspec.Struct, fmt: int) -> None:
    """A layout that writes every key (contact lists, seed 004) writes an
    absent text as an empty element or string, which reads back as ``""``,
    not None: the value would change (fmt=0/1 refuse the same, _matcher)."""
    plan = plan_for(type(reply))
    if not plan.every_key:
        return
    for spec in plan.fields:
        if spec.kind.textual and getattr(reply, spec.name) is None:
            raise EncodeError(
                "absent, but this layout writes every key: it would read back as empty "
                'text (give it "" or pass lossy=True)',
                field=spec.name,
                fmt=fmt,
            )


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
    req = parse_request(request)
    text = encode_text(reply, req, lossy=lossy)
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
