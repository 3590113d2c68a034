"""Splitting a line into fields when free text may hold the separators.

A layout is ``L0 F1 L1 F2 ... Fn Ln``: literals ``L`` and fields ``F``. A typed
field (number, date, token) has one possible extent where it starts; a
free-text field may end at any occurrence of the literal that follows it. A
backtracking regex explores those choices in exponential time on hostile
lines (many separators, no match), so this solver decides them in time linear
in the number of literal occurrences:

* backwards, ``latest_end[i]``: the last place free field ``i`` can end such
  that the rest of the line still fits (so it can start anywhere before it);
* forwards, each free field takes the shortest or the longest extent that
  still lets the rest fit.

All-shortest and all-longest are the two lexicographic extremes of the valid
splits: the line is unambiguous exactly when they agree.
"""

from __future__ import annotations

import array
import bisect
import itertools
import operator
import re
from collections.abc import Sequence

__all__ = ["LayoutSolver", "occurrences"]


class LayoutSolver:
    """Solves one layout: ``literals`` (n + 1) around ``patterns`` (n; None = free text)."""

    def __init__(self, literals: Sequence[str], patterns: Sequence[re.Pattern[str] | None]) -> None:
        if len(literals) != len(patterns) + 1:
            raise ValueError("a layout has one more literal than fields")
        for i, pattern in enumerate(patterns):
            if pattern is None and i + 1 < len(patterns) and not literals[i + 1]:
                raise ValueError("a free-text field must be followed by a literal")
        self.literals = tuple(literals)
        self.patterns = tuple(patterns)
        #: for a free text followed by a typed field: its closing literal where
        #: the typed value and its literal follow. The shortest extent is the
        #: first such place where the rest fits; the regex engine passes over
        #: the others (a text of thousands of commas before a date) in C.
        self.probes: dict[int, re.Pattern[str]] = {}
        for i in range(len(patterns) - 1):
            after = patterns[i + 1]
            closing = literals[i + 1]
            if patterns[i] is None and after is not None and not _overlaps_itself(closing):
                self.probes[i] = re.compile(
                    re.escape(closing) + f"(?=(?:{after.pattern}){re.escape(literals[i + 2])})"
                )

    def solve(self, line: str, longest: Sequence[bool]) -> list[tuple[int, int]] | None:
        """The (start, end) of every field, or None when the line does not fit.

        ``longest[i]`` says whether free field ``i`` takes its longest extent
        (otherwise its shortest); it is ignored for typed fields.
        """
        run = self.run(line)
        return None if run is None else run.spans(longest)

    def run(self, line: str) -> _Run | None:
        """The solver's work on ``line``, to ask for several extents
        (``run.spans(longest)``) without finding the literals again; None when
        the line cannot fit."""
        if "\r" in line or "\n" in line or not line.startswith(self.literals[0]):
            return None
        return _Run(self, line)


class _Run:
    """The solver's state for one line."""

    def __init__(self, solver: LayoutSolver, line: str) -> None:
        self.lits = solver.literals
        self.pats = solver.patterns
        self.probes = solver.probes
        self.n = len(self.pats)
        self.line = line
        self.ends: dict[int, Sequence[int]] = {}
        self.occurrences: dict[str, Sequence[int]] = {}  #: of each literal, found once
        self.typed_memo: dict[tuple[int, int], bool] = {}
        #: the last place each free field can end with the rest still fitting
        self.latest_end: dict[int, int] = {}
        for i in range(self.n - 1, -1, -1):
            if self.pats[i] is not None:
                continue
            step = len(self.lits[i + 1])
            options = self.candidate_ends(i)
            if i + 1 < self.n and self.pats[i + 1] is None:
                # a free text next: the rest fits from any start up to its
                # own latest end, so the last option before that is this one's
                k = bisect.bisect_right(options, self.latest_end.get(i + 1, -1) - step)
                if k:
                    self.latest_end[i] = options[k - 1]
                continue
            for end in reversed(options):
                if self.fits(i + 1, end + step):
                    self.latest_end[i] = end
                    break

    def candidate_ends(self, i: int) -> Sequence[int]:
        """Where free field i may end: before each occurrence of its literal."""
        found = self.ends.get(i)
        if found is None:
            line, lit = self.line, self.lits[i + 1]
            if i == self.n - 1:
                tail = len(line) - len(lit)
                found = [tail] if line.endswith(lit) and tail >= 0 else []
            else:
                found = self.occurrences.get(lit)
                if found is None:
                    found = self.occurrences[lit] = occurrences(line, lit)
            self.ends[i] = found
        return found

    def fits(self, i: int, start: int) -> bool:
        """Can fields i..n-1 take the line from ``start`` to its end?"""
        if i == self.n:
            return start == len(self.line)
        pattern = self.pats[i]
        if pattern is None:
            return start <= self.latest_end.get(i, -1)
        key = (i, start)
        known = self.typed_memo.get(key)
        if known is None:
            m = pattern.match(self.line, start)
            lit = self.lits[i + 1]
            known = bool(
                m and self.line.startswith(lit, m.end()) and self.fits(i + 1, m.end() + len(lit))
            )
            self.typed_memo[key] = known
        return known

    def spans(self, longest: Sequence[bool]) -> list[tuple[int, int]] | None:
        start = len(self.lits[0])
        if not self.fits(0, start):
            return None
        spans = []
        for i in range(self.n):
            pattern = self.pats[i]
            step = len(self.lits[i + 1])
            if pattern is not None:
                m = pattern.match(self.line, start)
                assert m is not None
                end = m.end()
            elif longest[i]:
                end = self.latest_end[i]
            elif i in self.probes:
                end = next(
                    m.start()
                    for m in self.probes[i].finditer(self.line, start)
                    if self.fits(i + 1, m.end())
                )
            else:
                options = self.candidate_ends(i)
                k = bisect.bisect_left(options, start)
                while not self.fits(i + 1, options[k] + step):
                    k += 1
                end = options[k]
            spans.append((start, end))
            start = end + step
        return spans


def _overlaps_itself(literal: str) -> bool:
    """Whether two occurrences of ``literal`` can overlap (``,,`` in ``,,,``)."""
    return any(literal.startswith(literal[k:]) for k in range(1, len(literal)))


#: characters split at a time: a line of a million commas is cut into this
#: many at once, so that its pieces never all exist together
_CHUNK = 1 << 16


def occurrences(line: str, literal: str) -> Sequence[int]:
    """Where ``literal`` starts in ``line``, overlapping occurrences included,
    as a compact array (8 bytes a place, not a Python int each)."""
    found = array.array("q")
    if _overlaps_itself(literal):
        # a literal that can overlap itself (`,,`): find each one
        at = line.find(literal)
        while at != -1:
            found.append(at)
            at = line.find(literal, at + 1)
        return found
    # Otherwise the pieces of a split tell the places, summed in C: a line of
    # a million commas costs no Python step per comma. The line is split a
    # chunk at a time (each chunk reaching into the next by the literal's
    # length, for an occurrence that straddles them).
    step = len(literal)
    for chunk in range(0, len(line), _CHUNK):
        window = line[chunk : chunk + _CHUNK + step - 1]
        pieces = window.split(literal)[:-1]
        steps = map(operator.add, map(len, pieces), itertools.repeat(step))
        places = array.array("q", itertools.accumulate(steps, initial=chunk - step))
        # (the first is the initial value; an occurrence that starts in the
        # next chunk is found there)
        found.extend(places[1 : bisect.bisect_left(places, chunk + _CHUNK)])
    return found
