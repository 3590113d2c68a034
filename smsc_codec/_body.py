"""Bodies as text: charsets, byte-order marks and line splitting."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import NamedTuple

from ._errors import DecodeError

__all__ = ["Line", "body_text", "iter_lines", "xml_body_charset"]

_BOMS = ((b"\xef\xbb\xbf", "utf-8"),)


def body_text(body: bytes | bytearray | memoryview | str, charset: str, fmt: int | None) -> str:
    """Decode a body; ``charset`` is a Python codec name or ``"auto"``.

    ``auto`` takes UTF-8 when the bytes are valid UTF-8 and windows-1251
    otherwise (windows-1251 decodes almost any bytes, so it is the fallback).
    A UTF-8 byte-order mark wins over the charset: it says what the bytes are.
    """
    if isinstance(body, str):
        text = body
    elif isinstance(body, bytes) and body.isascii():
        # ASCII reads the same in every charset the server writes (and holds
        # no byte-order mark): the commonest body takes no codec lookup
        text = body.decode("ascii")
        if b"\0" in body:
            raise _nul_fault(text, fmt)
        return text
    else:
        text = _decoded(bytes(body), charset, fmt)
    text = _strip_bom(text)
    if "\0" in text:
        raise _nul_fault(text, fmt)
    return text


def _decoded(data: bytes, charset: str, fmt: int | None) -> str:
    """Bytes that are not all ASCII as text: a byte-order mark says what
    they are, ``auto`` takes UTF-8 when they are valid UTF-8 (windows-1251
    otherwise); a byte the charset refuses and an unknown charset raise."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            data, charset = data[len(bom) :], codec
    if charset == "auto":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            charset = "cp1251"
    try:
        return data.decode(charset)
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode(charset, errors="replace")
        raise DecodeError(
            f"byte 0x{data[exc.start]:02x} is not valid {charset}",
            fmt=fmt,
            text=before + data[exc.start :].decode(charset, errors="replace"),
            offset=len(before),
        ) from None
    except LookupError:
        raise DecodeError(f"unknown charset {charset!r}", fmt=fmt) from None


def _nul_fault(text: str, fmt: int | None) -> DecodeError:
    # No answer holds a raw NUL: it marks a zero-filled or binary record,
    # which no format reads as text (JSON escapes one as \u0000).
    return DecodeError(
        "a NUL character, which no answer holds", fmt=fmt, text=text, offset=text.find("\0")
    )


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


class Line(NamedTuple):
    text: str  #: without its line break
    offset: int  #: where it starts in the body


#: a run of lines that hold whitespace only, each with its line break
_BLANK_LINES = re.compile(r"\s*\n")  # (one character class: no backtracking stack)


def iter_lines(text: str, *, skip_blank: bool = False) -> Iterator[Line]:
    """The records of a fmt=0/1 body, one at a time: LF or CRLF, a final line
    break optional.

    Lines are cut from the body as they are read, so a long answer is never
    held twice (the whole body and all its lines) at once. ``skip_blank``
    passes over runs of whitespace-only lines in the regex engine (a body of
    a record and millions of blank lines costs no Python step per line); a
    whitespace-only line without a final line break is still yielded.
    """
    start = 0
    find = text.find
    blank_run = _BLANK_LINES.match
    while True:
        if skip_blank:
            run = blank_run(text, start)
            if run is not None:
                start = run.end()
        end = find("\n", start)
        if end < 0:
            line = text[start:]
            line = line[:-1] if line.endswith("\r") else line
            if line or start == 0:  # nothing after a final line break is no record
                yield Line(line, start)
            return
        cut = end - 1 if end > start and text[end - 1] == "\r" else end
        yield Line(text[start:cut], start)
        start = end + 1


#: the encoding an XML declaration names (XML 1.0, section 4.3.3), within the first
#: line of a body (after a byte-order mark or whitespace)
_XML_ENCODING = re.compile(
    rb"""\A(?:\xef\xbb\xbf)?\s*<\?xml\s[^>]*?\bencoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._-]*)\1"""
)


def xml_body_charset(
    body: bytes | bytearray | memoryview | str,
    charset: str,
    *,
    request_named: str | None,
    strict: bool,
) -> str:
    """The charset to read a fmt=2 body in: the one its XML declaration names
    when the request names none; where both name one and they differ, the
    declaration's (lenient decoding: the body says how it is written) or a
    DecodeError at the declaration (strict decoding). ``charset`` is the
    request's codec, ``request_named`` the charset the request names (None:
    none)."""
    if isinstance(body, str) or body[:1] not in (b"<", b" ", b"\n", b"\r", b"\t", b"\xef"):
        return charset
    found = _XML_ENCODING.match(bytes(body[:256]))
    if found is None:
        return charset
    name = found.group(2).decode("ascii")
    try:
        declared = codecs.lookup(name).name
    except LookupError:
        return charset  # an unknown name: expat says what is wrong with it
    if not request_named or declared == codecs.lookup(charset).name:
        return declared
    if strict:
        head = bytes(body[: found.end()]).decode("ascii", "replace")
        raise DecodeError(
            f"the XML declaration names {name}, the request {request_named}",
            fmt=2,
            text=head,
            offset=found.start(2),
        )
    return declared
