"""Bounds on what one body may hold, checked while it is decoded.

An answer comes from a network or from an archive nobody has read for years:
before the codec builds anything from it, the body's size, its number of
records, the length of its lines and text values and the nesting of its
markup are held against :class:`Limits`. Going over one raises
:class:`~smsc_codec.LimitError` at the first character past the limit.

The defaults are far above any answer the API writes (the longest documented
lists are contact and history lists of a few thousand records, seed 004) and
low enough that a hostile body cannot make the codec hold more than a small
multiple of the body in memory.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from typing import Any

import msgspec

from ._errors import LimitError

__all__ = [
    "DEFAULT_LIMITS",
    "Limits",
    "check_body_size",
    "check_lines",
    "check_text_values",
    "json_depth_fault",
    "json_record_fault",
    "nth_record_fault",
]

_MIB = 1024 * 1024


class Limits(msgspec.Struct, frozen=True, kw_only=True):
    """What :func:`~smsc_codec.decode` accepts before it raises :class:`LimitError`.

    ``Limits(max_body_bytes=200 * 1024 * 1024)`` raises one bound and keeps the
    others; pass it as ``decode(..., limits=...)`` or ``Decoder(..., limits=...)``.
    """

    #: the body's size: bytes of a bytes body, characters of a str body
    max_body_bytes: int = 64 * _MIB
    #: records in one body: the replies of a list answer and the rows of a
    #: details list (fmt 0/1: its lines)
    max_records: int = 1_000_000
    #: characters of one fmt=0/1 line, without its line break
    max_line_length: int = _MIB
    #: characters of one text value (a message, an unknown key's value)
    max_field_length: int = _MIB
    #: elements nested in fmt=2, arrays and objects nested in fmt=3
    max_depth: int = 32


DEFAULT_LIMITS = Limits()


def check_body_size(
    body: bytes | bytearray | memoryview | str, limits: Limits, fmt: int | None, charset: str
) -> None:
    """Refuse a body over ``max_body_bytes`` before any of it is decoded."""
    size = len(body) if not isinstance(body, memoryview) else body.nbytes
    maximum = limits.max_body_bytes
    if size <= maximum:
        return
    found = f"the body is {size:,} {'characters' if isinstance(body, str) else 'bytes'}"
    if isinstance(body, str):
        raise LimitError("max_body_bytes", maximum, found, fmt=fmt, text=body, offset=maximum)
    # Only the line of the fault is decoded, to show where it is.
    data = bytes(body[: maximum + 1]) if not isinstance(body, bytes) else body
    start = data.rfind(b"\n", 0, maximum) + 1
    end = data.find(b"\n", maximum)
    line = data[start : end if end >= 0 else maximum + 1].decode(charset, errors="replace")
    raise LimitError(
        "max_body_bytes",
        maximum,
        found,
        fmt=fmt,
        line=data.count(b"\n", 0, maximum) + 1,
        column=len(data[start:maximum].decode(charset, errors="replace")) + 1,
        source_line=line,
    )


def check_lines(text: str, fmt: int, limits: Limits) -> bool:
    """Hold a fmt=0/1 body's lines against the limits.

    Raises LimitError for a line over ``max_line_length`` or a record past
    ``max_records``; returns whether some line is longer than
    ``max_field_length`` (its values must then be measured one by one).
    A body shorter than every bound returns at once.
    """
    size = len(text)
    count_records = size > limits.max_records and text.count("\n") >= limits.max_records
    if size <= limits.max_field_length and size <= limits.max_line_length and not count_records:
        return False
    longest_allowed = limits.max_line_length
    long_values = False
    records = 0
    start = 0
    find = text.find
    while start <= size:
        end = find("\n", start)
        if end < 0:
            end = size
        length = end - start - (end > start and text[end - 1] == "\r")
        if length > longest_allowed:
            raise LimitError(
                "max_line_length",
                longest_allowed,
                f"a line of {length:,} characters",
                fmt=fmt,
                text=text,
                offset=start + longest_allowed,
            )
        long_values = long_values or length > limits.max_field_length
        if count_records and length and not text[start:end].isspace():
            records += 1
            if records > limits.max_records:
                raise nth_record_fault(limits, fmt, text, start)
        start = end + 1
    return long_values


def nth_record_fault(limits: Limits, fmt: int, text: str, offset: int) -> LimitError:
    """The error for a record past ``max_records``, starting at ``offset``."""
    return LimitError(
        "max_records",
        limits.max_records,
        f"more records than {limits.max_records:,}",
        fmt=fmt,
        text=text,
        offset=offset,
    )


def _texts(value: Any) -> Iterable[tuple[str, str]]:
    """(field name, text) of the text values of a reply, its rows and extra keys."""
    for name in getattr(value, "__struct_fields__", ()):
        field = getattr(value, name)
        if isinstance(field, str):
            yield name, field
        elif isinstance(field, tuple):
            for item in field:
                if isinstance(item, str):
                    yield name, item
                elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], str):
                    yield item[0], item[1]  # an unknown key's (key, value)
                elif isinstance(item, msgspec.Struct):
                    yield from _texts(item)  # a details row


def check_text_values(replies: Iterable[Any], limits: Limits, fmt: int, text: str, at: int) -> None:
    """Refuse a text value over ``max_field_length``; ``at`` is where the
    replies were read from, to look for the value's position."""
    maximum = limits.max_field_length
    for reply in replies:
        for name, value in _texts(reply):
            if len(value) > maximum:
                found = text.find(value[:64], at)
                raise LimitError(
                    "max_field_length",
                    maximum,
                    f"field {name!r} holds {len(value):,} characters",
                    fmt=fmt,
                    text=text,
                    offset=found if found >= 0 else at,
                )


#: a JSON string (skipped whole) or a bracket
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]')


def _json_openings(text: str) -> Iterator[tuple[int, int]]:
    """(offset, depth) of each ``[`` and ``{``, strings skipped; depth 1 is
    the outermost."""
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        char = token.group()[0]
        if char in "[{":
            depth += 1
            yield token.start(), depth
        elif char in "]}":
            depth -= 1


def json_depth_fault(text: str, max_depth: int) -> LimitError:
    """The error for JSON nested deeper than ``max_depth``, at the bracket
    that opens the first level too deep."""
    offset = next((at for at, depth in _json_openings(text) if depth > max_depth), len(text))
    return LimitError(
        "max_depth",
        max_depth,
        f"arrays and objects nested more than {max_depth} deep",
        fmt=3,
        text=text,
        offset=offset,
    )


def json_record_fault(text: str, limits: Limits, depth: int) -> LimitError:
    """The error for a JSON array of more than ``max_records`` records, at
    the first record past the limit; ``depth`` is the records' nesting (2: the
    answer's array, 3: the details array of the answer's object)."""
    records = (at for at, level in _json_openings(text) if level == depth)
    offset = next(itertools.islice(records, limits.max_records, None), len(text))
    return nth_record_fault(limits, 3, text, offset)
