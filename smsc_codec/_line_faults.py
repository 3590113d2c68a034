"""Where a line leaves its layout: the error position, found without a parser.

A layout is ``L0 F1 L1 F2 ... Fn Ln`` (``_solver.py``). When no reading of a
line fits, the fault is placed where the furthest partial reading stops, as a
parser would place it, but in time linear in the line's length for each field:
the places where field ``i`` can start are carried forward as a set, a typed
field (number, date, token) is one anchored match from each of them, and a
free text can end before any later occurrence of the literal that closes it,
so its successors are those occurrences (found in C).

A general parser (Lark's Earley parser with explicit ambiguity) took seconds
and hundreds of megabytes to place the fault on a line of a few hundred commas,
five times longer for each doubling; this walk holds a few sets of offsets.

Faults are ranked: a typed value or a literal that does not fit comes before a
free text that runs to the end of the line (which every line with a free text
can do, so it says least). Among equals the furthest wins.
"""

from __future__ import annotations

import array
import bisect
import itertools
import operator
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

from ._solver import occurrences

__all__ = ["LayoutField", "locate_fault"]

#: how much of a bad value a reason quotes
_QUOTED = 40


class LayoutField(NamedTuple):
    """A field as the fault locator needs it."""

    name: str
    #: the value's pattern, not optional; None for free text
    pattern: re.Pattern[str] | None
    #: the grammar lets the value be empty
    optional: bool
    #: reads the value's text; raises ValueError with the reason it is refused
    check: Callable[[str], Any]


class _Fault(NamedTuple):
    rank: int  #: 1: a value or literal that does not fit; 0: a text running off the line
    offset: int
    reason: str


def _common_prefix(line: str, start: int, literal: str) -> int:
    """How many characters of ``literal`` stand in ``line`` at ``start``."""
    k = 0
    while k < len(literal) and start + k < len(line) and line[start + k] == literal[k]:
        k += 1
    return k


def _refusal(check: Callable[[str], Any], text: str) -> str | None:
    try:
        check(text)
    except ValueError as exc:
        return str(exc)
    return None


def _bad_value(line: str, start: int, end: int, literal: str, field: LayoutField) -> _Fault | None:
    """The fault of a typed value whose valid part ends at ``end``: the text up
    to the literal that should close it (quoted up to a bound), when its kind
    refuses that text."""
    stop = line.find(literal, start, start + _QUOTED) if literal else -1
    token = line[start : stop if stop >= 0 else start + _QUOTED]
    refusal = _refusal(field.check, token)
    if refusal is None:
        return None
    return _Fault(1, end, f"{refusal} in field {field.name!r}")


def _typed_options(
    line: str, start: int, literal: str, field: LayoutField
) -> tuple[list[int], _Fault | None]:
    """Where a typed value read from ``start`` can end, and the fault of text
    no value of the field's kind starts (None when one does, or the field is
    empty here)."""
    assert field.pattern is not None
    m = field.pattern.match(line, start)
    options = [m.end()] if m is not None else []
    opening = None
    empty_here = line.startswith(literal, start) if literal else start == len(line)
    if not options and not empty_here:
        # text stands here that no value of the field's kind starts (even
        # where the field may be empty, this is the telling fault)
        opening = _bad_value(line, start, start, literal, field) or _Fault(
            1, start, f"expected a value in field {field.name!r}"
        )
    if field.optional and start not in options:
        options.append(start)
    return options, opening


def _typed_faults(
    line: str, start: int, literal: str, field: LayoutField, ends: list[int]
) -> Iterator[_Fault]:
    """Where a typed value read from ``start`` can end (added to ``ends``), and
    the faults of the readings that fail."""
    options, opening = _typed_options(line, start, literal, field)
    if opening is not None:
        yield opening
    for end in options:
        refusal = _refusal(field.check, line[start:end]) if end > start else None
        if refusal is not None:
            yield _Fault(1, start, f"{refusal} in field {field.name!r}")
        elif line.startswith(literal, end):
            ends.append(end)
        elif end > start or len(options) == 1:
            # (an empty optional value says nothing where a value stands)
            yield _bad_value(line, start, end, literal, field) or _Fault(
                1,
                end + _common_prefix(line, end, literal),
                f"expected {literal!r} after field {field.name!r}",
            )


def locate_fault(line: str, literals: Sequence[str], fields: Sequence[LayoutField]) -> _Fault:
    """The furthest, most telling place where ``line`` leaves the layout."""
    first = literals[0]
    if not line.startswith(first):
        at = _common_prefix(line, 0, first)
        return _Fault(1, at, f"expected {first!r} at the start of the line")
    best = _Fault(-1, 0, "")
    starts: Sequence[int] = [len(first)]  # sorted, without repeats
    found_at: dict[str, Sequence[int]] = {}  # each literal's occurrences, found once
    last = len(fields) - 1
    for i, field in enumerate(fields):
        literal = literals[i + 1]
        ends: Sequence[int]
        if field.pattern is None:
            ends = _text_ends(line, literal, starts[0], i == last, found_at)
            # the text may also run on to the end of the line; told of the
            # last field it reaches
            if best.rank <= 0 and best.offset <= len(line):
                best = _Fault(
                    0,
                    len(line),
                    f"the line ends inside field {field.name!r}: expected {literal!r} after it",
                )
        else:
            ends, best = _typed_ends(line, starts, literal, field, best)
        if not ends:
            return best
        # (added in C: a text of many commas has as many places to end)
        starts = array.array("q", map(operator.add, ends, itertools.repeat(len(literal))))
    return _fault_at_end(line, starts[-1], fields[-1], best)


def _text_ends(
    line: str, literal: str, lowest: int, last: bool, found_at: dict[str, Sequence[int]]
) -> Sequence[int]:
    """Where a free text that starts at ``lowest`` or later can end: before
    each occurrence of the literal after it (``found_at`` keeps each
    literal's, found once), or, for the last field, before the line's end."""
    if last:
        tail = len(line) - len(literal)
        return [tail] if line.endswith(literal) and tail >= lowest else []
    found = found_at.get(literal)
    if found is None:
        found = found_at[literal] = occurrences(line, literal)
    return found[bisect.bisect_left(found, lowest) :]


def _typed_ends(
    line: str, starts: Sequence[int], literal: str, field: LayoutField, best: _Fault
) -> tuple[list[int], _Fault]:
    """Where a typed value read from any of ``starts`` can end (sorted,
    without repeats), and the most telling fault so far."""
    typed_ends: list[int] = []
    for start in starts:
        for fault in _typed_faults(line, start, literal, field, typed_ends):
            if fault[:2] > best[:2]:
                best = fault
    return sorted(set(typed_ends)), best


def _fault_at_end(line: str, end: int, field: LayoutField, best: _Fault) -> _Fault:
    """The fault of a line whose last field's furthest reading ends at ``end``."""
    if end == len(line):
        return best if best.rank >= 0 else _Fault(1, len(line), "the line does not fit its layout")
    trailing = _Fault(1, end, f"unexpected text after field {field.name!r}")
    return trailing if trailing[:2] > best[:2] else best
