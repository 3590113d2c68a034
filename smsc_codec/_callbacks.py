"""Callbacks: what the server posts to the client's handler URL (facts §2.16).

The server calls the handler after each status change, each incoming message
and each call of the "confirm a number by a call" service. It posts form
fields (``application/x-www-form-urlencoded``) unless the handler URL asks for
``fmt=2`` (XML) or ``fmt=3`` (JSON); values are in the handler URL's
``charset`` (windows-1251 by default).

[UNVERIFIED] The field names are those commonly used (facts §2.16: "recalled,
verify"); they are declared once, in the Structs below, and any other field
is kept in ``extra``. Which kind a callback is follows from its keys
(:func:`callback_kind`). The XML root element is not known either: any root
is read, and :data:`XML_ROOT` is written.

The signature: the handler URL may name a hash (``md5``, ``sha1``,
``crc32``), but which values are hashed, and under which parameter the hash
is sent, were not retrieved. No rule is assumed: the posted fields, the hash
among them, are kept, and :attr:`CallbackBase.signature` returns it.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Collection, Mapping

from ._body import body_text
from ._build import Place, build_reply
from ._codes import DeliveryError, MessageStatus
from ._encodable import checked_reply
from ._errors import DecodeError, EncodeError, SmscCodecError
from ._formats import READERS, WRITERS
from ._http_request import FORM_CONTENT_TYPE, content_type_params
from ._limits import DEFAULT_LIMITS, Limits, check_body_size
from ._model import FreeText, ReplyBase
from ._schema import plan_for

__all__ = [
    "XML_ROOT",
    "CallCallback",
    "Callback",
    "IncomingCallback",
    "StatusCallback",
    "callback_kind",
    "decode_callback",
    "encode_callback",
]

#: [UNVERIFIED] the root element written for an fmt=2 callback.
XML_ROOT = "result"

#: The hash algorithms a handler URL may name (facts §2.16).
SIGNATURE_KEYS = ("md5", "sha1", "crc32")


class _CallbackFields(ReplyBase, kw_only=True, frozen=True):
    """What every callback carries beside its fields: what every reply does
    (``extra``, ``ambiguous_fields``, the model's configuration)."""

    @property
    def signature(self) -> tuple[str, str] | None:
        """(algorithm, value) of the hash posted with the callback, if any."""
        for key, value in self.extra:
            if key in SIGNATURE_KEYS and isinstance(value, str):
                return key, value
        return None


class StatusCallback(_CallbackFields, kw_only=True, frozen=True):
    """A status change of a sent message or HLR request [UNVERIFIED names].

    ``time`` and ``ts`` are kept as the text posted: no source gives their
    format. An HLR result adds the subscriber's data, as status.php's HLR rows
    (facts §2.2).
    """

    id: int
    phone: str | None = None
    status: MessageStatus
    time: str | None = None
    ts: str | None = None
    err: DeliveryError | None = None
    imsi: str | None = None
    msc: str | None = None
    mcc: str | None = None
    mnc: str | None = None
    cn: FreeText | None = None
    net: FreeText | None = None
    rcn: FreeText | None = None
    rnet: FreeText | None = None


class IncomingCallback(_CallbackFields, kw_only=True, frozen=True):
    """An incoming message [UNVERIFIED names]: its id, the sender's number,
    the text ``mes``, the client's number ``to``, and the send and arrival
    times as posted (their format is not known)."""

    id: int
    phone: str | None = None
    mes: FreeText
    to: str | None = None
    sent: str | None = None
    time: str | None = None


class CallCallback(_CallbackFields, kw_only=True, frozen=True):
    """A call to confirm a number [UNVERIFIED]: no source names its fields but
    the caller's ``phone``; everything else is kept in ``extra``."""

    phone: str | None = None
    id: int | None = None
    time: str | None = None


#: Any callback the server posts: a status change, an incoming message or a call.
Callback = StatusCallback | IncomingCallback | CallCallback


def callback_kind(keys: Collection[str]) -> type[Callback]:
    """The kind of callback whose fields are ``keys``: a text ``mes`` is an
    incoming message, a ``status`` a status change, anything else a call."""
    if "mes" in keys:
        return IncomingCallback
    if "status" in keys:
        return StatusCallback
    return CallCallback


def decode_callback(
    body: bytes | str | Mapping[str, str],
    *,
    content_type: str | None = None,
    fmt: int | None = None,
    charset: str | None = None,
    strict: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Callback:
    """Decode what the server posted to a callback handler.

    ``body`` is the raw POST body, or the form fields a web framework already
    parsed (a mapping of str). ``content_type`` is the request's Content-Type
    header: it tells form fields from XML and JSON, and its ``charset``
    the charset. ``fmt`` (the handler URL's: None for form fields, or XML /
    JSON told by the body's first character) and ``charset`` (the handler
    URL's; windows-1251 when nothing names one) win over it.
    Raises :class:`DecodeError` for a body that cannot be read.
    """
    if not isinstance(body, (bytes, str, Mapping)):
        raise TypeError(f"body must be bytes, str or a mapping, not {type(body).__name__}")
    media, media_params = content_type_params(content_type)
    if fmt is None:
        fmt = _format_of_media(media)
    charset = charset or media_params.get("charset") or "windows-1251"
    try:
        if isinstance(body, Mapping):
            return _from_fields({str(k): str(v) for k, v in body.items()}, None, strict)
        check_body_size(body, limits, fmt, charset)
        return _from_body(body, media, fmt, charset, strict=strict, limits=limits)
    except SmscCodecError:
        raise
    except Exception as exc:  # a bug must not leak a foreign exception type
        raise DecodeError(f"internal error: {exc!r}", fmt=fmt) from exc


def _from_body(
    body: bytes | str, media: str, fmt: int | None, charset: str, *, strict: bool, limits: Limits
) -> Callback:
    """A posted body: form fields, or XML or JSON as ``fmt`` or its first
    character tells."""
    if fmt is None and media == FORM_CONTENT_TYPE:
        return _from_form(_as_text(body), charset, strict)
    if isinstance(body, bytes) and fmt is None:
        fmt = _format_of_head(body.lstrip()[:1])
        if fmt is None:
            return _from_form(_as_text(body), charset, strict)
    text = body_text(body, charset, fmt)
    if fmt is None:
        fmt = _format_of_head(text.lstrip()[:1])
    if fmt in (2, 3):  # (the formats a handler URL may ask for)
        read = READERS[fmt].read_record
        return read(text, callback_kind, strict=strict, limits=limits)  # type: ignore[return-value]
    return _from_form(text, charset, strict)


def _format_of_head(head: bytes | str) -> int | None:
    """XML or JSON, told by a body's first character; None: form fields."""
    if head in ("<", b"<"):
        return 2
    return 3 if head in ("{", "[", b"{", b"[") else None


#: Content-Type media types of XML and JSON callbacks.
_CALLBACK_MEDIA = {"application/json": 3, "text/json": 3, "application/xml": 2, "text/xml": 2}


def _format_of_media(media: str) -> int | None:
    """XML or JSON, told by a Content-Type's media type (``+xml`` types are
    XML); None: form fields, or a type that does not tell."""
    return _CALLBACK_MEDIA.get(media) or (2 if media.endswith("+xml") else None)


def _as_text(body: bytes | str) -> str:
    # a form body is ASCII: its other bytes are percent-escaped
    return body.decode("ascii", "replace") if isinstance(body, bytes) else body


def _from_form(text: str, charset: str, strict: bool) -> Callback:
    """Form fields ``key=value&...``, percent-encoded bytes in ``charset``."""
    fields: dict[str, str] = {}
    offsets: dict[str, int] = {}
    position = 0
    for piece in text.split("&"):
        if piece:
            key, _, value = piece.partition("=")
            try:
                name = urllib.parse.unquote_plus(key, encoding=charset, errors="strict")
                fields[name] = urllib.parse.unquote_plus(value, encoding=charset, errors="strict")
            except (UnicodeDecodeError, LookupError) as exc:
                raise _form_fault(f"not valid {charset}: {exc}", text, position) from None
            if name in offsets and strict:
                raise _form_fault(f"field {name!r} posted twice", text, position)
            offsets[name] = position
        position += len(piece) + 1
    return _from_fields(fields, (text, offsets), strict)


def _form_fault(reason: str, text: str, offset: int) -> DecodeError:
    return DecodeError(reason, fmt=None, text=text, offset=offset)


class _FormPlace(Place):
    """Faults of form fields: where each field was posted (``offsets``)."""

    def __init__(self, text: str, offsets: dict[str, int]) -> None:
        super().__init__(text)
        self.offsets = offsets

    def kept(self, key: str) -> bool:
        return key in SIGNATURE_KEYS  # the hash, whose rule is unknown

    def at(self, key: str, position: int) -> int:
        return self.offsets.get(key, 0)


def _from_fields(
    fields: dict[str, str], where: tuple[str, dict[str, int]] | None, strict: bool
) -> Callback:
    """A callback from its form fields; ``where`` = (the body, each key's
    offset), by the walk every format shares (``_build``)."""
    text, offsets = where if where is not None else ("&".join(fields), {})
    items = [(key, raw, offsets.get(key, 0)) for key, raw in fields.items()]
    place = _FormPlace(text, offsets)
    return build_reply(callback_kind(fields), items, place, strict=strict)  # type: ignore[return-value]


def encode_callback(
    callback: Callback,
    *,
    fmt: int | None = None,
    charset: str = "windows-1251",
    lossy: bool = False,
) -> bytes:
    """Write a callback as the server posts it: form fields (``fmt=None``),
    XML (2) or JSON (3), in ``charset``. ``lossy`` drops the unknown keys
    that would read back as something else (EncodeError otherwise)."""
    if fmt in (None, 2, 3):
        checked = checked_reply(callback, fmt, lossy=lossy, kind_of_keys=callback_kind)
        assert isinstance(checked, (StatusCallback, IncomingCallback, CallCallback))
        callback = checked
    if fmt is None:
        return _form_text(callback, charset).encode("ascii")
    if fmt not in (2, 3):
        raise EncodeError(f"callbacks are posted as form fields, XML or JSON, not fmt={fmt}")
    text = WRITERS[fmt].write_record(callback, XML_ROOT)
    try:
        return text.encode(charset)
    except (UnicodeEncodeError, LookupError) as exc:
        raise EncodeError(f"cannot be written in {charset}: {exc}", fmt=fmt) from None


def _form_text(callback: Callback, charset: str) -> str:
    pairs = []
    for spec in plan_for(type(callback)).fields:
        value = getattr(callback, spec.name)
        if value is None:
            continue
        try:
            pairs.append((spec.wire, spec.to_text(value), spec.name))
        except (ValueError, TypeError, AttributeError) as exc:
            raise EncodeError(str(exc), field=spec.name) from None
    for key, value in callback.extra:
        if not isinstance(value, str):
            raise EncodeError(f"{value!r} is not text", field=key)
        pairs.append((key, value, key))
    out = []
    for key, value, field in pairs:
        try:
            out.append(
                urllib.parse.quote_plus(key, encoding=charset)
                + "="
                + urllib.parse.quote_plus(value, encoding=charset)
            )
        except (UnicodeEncodeError, LookupError) as exc:
            raise EncodeError(f"cannot be written in {charset}: {exc}", field=field) from None
    return "&".join(out)
