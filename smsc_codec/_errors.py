"""The library's exceptions.

::

    SmscCodecError
    ├── DecodeError     a body does not match the layout its request implies
    │   └── LimitError  a body goes over one of the decoder's Limits
    ├── EncodeError     a value cannot be written faithfully in the target format
    └── RequestError    the request (URL, query or mapping) does not say enough

Every error raised while decoding a body is a :class:`DecodeError`; the wrapped
parsers' own exceptions (lark, expat, msgspec, codecs) never escape.

Errors are values: two errors of the same class that say the same thing (the
same message and attributes) are equal, and every error pickles to an equal
one, so that a pool of processes hands them back like results.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "DecodeError",
    "EncodeError",
    "LimitError",
    "RequestError",
    "SmscCodecError",
    "position_of",
    "show_with_caret",
]


class SmscCodecError(Exception):
    """Root of every exception this library raises."""

    def __reduce__(self) -> tuple[Any, ...]:
        # The subclasses' constructors take keyword-only arguments, which the
        # default (``cls(*args)``) cannot pass: rebuild from the state instead.
        return (_restore, (type(self), self.args, dict(vars(self))))

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, SmscCodecError)
        return self.args == other.args and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash((type(self), self.args))


def _restore(cls: type[SmscCodecError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    error = cls.__new__(cls, *args)
    error.args = args
    vars(error).update(state)
    return error


class RequestError(SmscCodecError, ValueError):
    """The request does not tell which script answered or is otherwise unusable."""


class EncodeError(SmscCodecError, ValueError):
    """A reply cannot be written in the target format without changing its meaning.

    ``field`` names the offending field when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None, fmt: int | None = None) -> None:
        self.field = field
        self.fmt = fmt
        where = []
        if fmt is not None:
            where.append(f"fmt={fmt}")
        if field is not None:
            where.append(f"field {field!r}")
        prefix = f"{', '.join(where)}: " if where else ""
        super().__init__(prefix + message)


def position_of(text: str, offset: int) -> tuple[int, int]:
    """Return the 1-based (line, column) of ``offset`` in ``text``."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    line_start = text.rfind("\n", 0, offset) + 1
    return line, offset - line_start + 1


_CONTROL_PICTURES = {code: 0x2400 + code for code in range(0x20)}


class DecodeError(SmscCodecError, ValueError):
    """A body could not be decoded.

    Carries the ``fmt`` it was read as, the 1-based ``line`` and ``column`` of the
    fault, the text of that line and a short ``reason``; ``str()`` shows all of
    them with a caret under the fault:

    >>> import smsc_codec
    >>> try:
    ...     smsc_codec.decode("1,x,0", "status.php?id=5&phone=79990000000&fmt=1")
    ... except smsc_codec.DecodeError as fault:
    ...     print(fault)
    fmt=1, line 1, column 3: expected an integer, got 'x' in field 'last_timestamp'
      1,x,0
        ^
    """

    def __init__(
        self,
        reason: str,
        *,
        fmt: int | None,
        text: str = "",
        offset: int = 0,
        line: int | None = None,
        column: int | None = None,
        source_line: str | None = None,
    ) -> None:
        if source_line is not None and line is not None and column is not None:
            pass  # the caller read the line itself (a body too big to decode whole)
        elif line is None or column is None:
            line, column = position_of(text, offset)
            start = max(0, min(offset, len(text))) - (column - 1)
            end = text.find("\n", start)
            source_line = text[start:] if end < 0 else text[start:end]
        else:
            source_line = _nth_line(text, line)
        self.reason = reason
        self.fmt = fmt
        self.line = line
        self.column = column
        self.source_line = source_line.removesuffix("\r")
        super().__init__(self._render())

    def _render(self) -> str:
        fmt = "fmt=?" if self.fmt is None else f"fmt={self.fmt}"
        where = f"{fmt}, line {self.line}, column {self.column}: {self.reason}"
        return f"{where}\n{show_with_caret(self.source_line, self.column)}"


class LimitError(DecodeError):
    """A body goes over one of the decoder's :class:`Limits`.

    ``limit`` names the bound (``"max_depth"``) and ``maximum`` is its value;
    the position is the first character past the limit.
    """

    def __init__(self, limit: str, maximum: int, found: str, **where: Any) -> None:
        """``found`` says what went over; ``where`` is DecodeError's position
        keywords (``fmt``, ``text``, ``offset`` or ``line``/``column``)."""
        self.limit = limit
        self.maximum = maximum
        super().__init__(f"{found}, over the limit {limit}={maximum:,}", **where)


def _nth_line(text: str, line: int) -> str:
    """The 1-based ``line`` of ``text`` (found without splitting the whole text)."""
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
        if not start:
            return ""
    end = text.find("\n", start)
    return text[start:] if end < 0 else text[start:end]


def show_with_caret(line: str, column: int) -> str:
    """``line`` indented, and a caret under ``column`` (1-based) on the next line."""
    shown = line
    # Keep the caret readable on huge lines: show a window around the fault.
    if len(shown) > 120:
        start = max(0, column - 60)
        shown = ("…" if start else "") + shown[start : start + 120] + "…"
        column = column - start + (1 if start else 0)
    # control characters as their Unicode pictures (a CR or a tab would
    # move the terminal's cursor and put the caret under the wrong place)
    shown = shown.translate(_CONTROL_PICTURES)
    caret = " " * (column - 1) + "^"
    return f"  {shown}\n  {caret}"
