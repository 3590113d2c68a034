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

import functools
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
    "check_json_records",
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

    The scans run in the regex engine, not a Python step per line: a body of
    a record and tens of millions of blank lines costs no more than its size.
    """
    size = len(text)
    count_records = size > limits.max_records and text.count("\n") >= limits.max_records
    if size <= limits.max_field_length and size <= limits.max_line_length and not count_records:
        return False
    if size > limits.max_line_length:
        _refuse_long_lines(text, fmt, limits.max_line_length)
    if count_records:
        _refuse_records_past(text, fmt, limits)
    # (lines have been held to max_line_length: when a field may be as long,
    # none is longer, and the scan is not run twice)
    return (
        size > limits.max_field_length
        and limits.max_field_length < limits.max_line_length
        and _line_longer_than(limits.max_field_length).search(text) is not None
    )


def _refuse_long_lines(text: str, fmt: int, longest_allowed: int) -> None:
    """Raise LimitError at the first line over ``longest_allowed``."""
    too_long = _line_longer_than(longest_allowed).search(text)
    if too_long is None:
        return
    start = too_long.start()
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    length = end - start - (text[end - 1] == "\r")
    raise LimitError(
        "max_line_length",
        longest_allowed,
        f"a line of {length:,} characters",
        fmt=fmt,
        text=text,
        offset=start + longest_allowed,
    )


def _refuse_records_past(text: str, fmt: int, limits: Limits) -> None:
    """Raise LimitError at the first record past ``max_records``."""
    # (islice stops the scan there)
    past = next(itertools.islice(_RECORD_LINE.finditer(text), limits.max_records, None), None)
    if past is not None:
        raise nth_record_fault(limits, fmt, text, past.start())


#: the start of a line that holds a record: not whitespace only
_RECORD_LINE = re.compile(r"^(?=[^\S\n]*\S)", re.MULTILINE)


@functools.lru_cache(maxsize=16)
def _line_longer_than(length: int) -> re.Pattern[str]:
    """A line start followed by more than ``length`` characters, its CR
    (of a CRLF) not counted. Anchored at line starts, each line is scanned
    once."""
    return re.compile(rf"^[^\n]{{{length}}}(?:[^\n\r]|\r(?!\n|\Z))", re.MULTILINE)


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


#: everything up to the next bracket outside a string, and that bracket: one
#: match per bracket, strings and values skipped in the regex engine (each
#: piece a single character class or an unrolled loop: no backtracking stack)
_JSON_TO_BRACKET = re.compile(r'[^"\[\]{}]*(?:"[^"\\]*(?:\\.[^"\\]*)*"[^"\[\]{}]*)*([\[\]{}])')


def _json_openings(text: str) -> Iterator[tuple[int, int]]:
    """(offset, depth) of each ``[`` and ``{``, strings skipped; depth 1 is
    the outermost. Matched from where the last one ended (a search would try
    every later start after a malformed string: quadratic)."""
    depth = 0
    at = 0
    match = _JSON_TO_BRACKET.match
    while (found := match(text, at)) is not None:
        at = found.end()
        if found.group(1) in "[{":
            depth += 1
            yield at - 1, depth
        else:
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


def check_json_records(text: str, limits: Limits) -> None:
    """Refuse a JSON body of more than ``max_records`` records before it is
    parsed, at the first record past the limit.

    Only a body with more opening braces than the limit can hold that many
    records (counted in C); only then are its records counted: the objects of
    the answer's array, or of the details array of the answer's object.
    """
    if len(text) <= 2 * limits.max_records or text.count("{") <= limits.max_records:
        return
    head = text.lstrip()[:1]
    depth = 2 if head == "[" else 3
    records = (at for at, level in _json_openings(text) if level == depth)
    past = next(itertools.islice(records, limits.max_records, None), None)
    if past is not None:
        raise nth_record_fault(limits, 3, text, past)


def json_record_fault(text: str, limits: Limits, depth: int) -> LimitError:
    """The error for a JSON array of more than ``max_records`` records, at
    the first record past the limit; ``depth`` is the records' nesting (2: the
    answer's array, 3: the details array of the answer's object)."""
    records = (at for at, level in _json_openings(text) if level == depth)
    offset = next(itertools.islice(records, limits.max_records, None), len(text))
    return nth_record_fault(limits, 3, text, offset)
