"""Where the fields of many lines stand, found by numpy over their bytes.

A line layout is literal text between fields (``_grammar.LineLayout``). The
lines of one layout are one Arrow string array: one data buffer. Every
occurrence of every literal in it is found at once (:func:`find_literals`):
the positions of the literals' first bytes, then the eight bytes from each
such position read as one 64-bit word and compared with the literals' own
words. A line whose literals occur exactly once each, in the layout's order,
has one reading and no other (see ``_columnar_lines``); its fields are the
bytes between them, cut out of the same buffer (:func:`cut_fields`).

Literals are ASCII, so every cut falls between UTF-8 characters.

``_columnar_keyed`` compares the keys of JSON lines by the same words
(:func:`literal_words`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa

from ._columnar_convert import Ints, Mask, rows_all, string_buffers, string_from_buffers

__all__ = [
    "LiteralSet",
    "Occurrences",
    "Words",
    "cut_fields",
    "find_literals",
    "literal_set",
    "literal_words",
    "ordered_rows",
    "spans_array",
    "word",
]

_WORD = 8
_FULL = np.uint64(0xFFFF_FFFF_FFFF_FFFF)


def word(piece: bytes) -> tuple[np.uint64, np.uint64]:
    """A piece of at most eight bytes as a little-endian word, and the mask
    of its bytes."""
    value = int.from_bytes(piece.ljust(_WORD, b"\0"), "little")
    return np.uint64(value), np.uint64((1 << (8 * len(piece))) - 1)


#: little-endian words of bytes (:func:`word`), or the masks of their bytes
Words = np.ndarray[Any, np.dtype[np.uint64]]


class LiteralSet:
    """Literals compiled for :func:`find_literals`: each one's words."""

    def __init__(self, literals: tuple[str, ...]) -> None:
        encoded = [literal.encode("ascii") for literal in literals]
        if not encoded or any(not piece for piece in encoded):
            raise ValueError("literals are not empty")
        self.literals = literals
        self.lengths = np.asarray([len(piece) for piece in encoded], dtype=np.int64)
        self.firsts = sorted({piece[0] for piece in encoded})
        self.words = max(-(-len(piece) // _WORD) for piece in encoded)
        #: [word][literal]: value and mask (no bytes: a mask of 0, always equal)
        self.values, self.masks = literal_words(encoded, self.words)
        #: the literals by their first word (several may share one)
        self.by_first = _by_first_word(self.values, self.masks)


def literal_words(encoded: Sequence[bytes], words: int) -> tuple[Words, Words]:
    """The values and masks, [word][literal], of the first ``words`` words
    of each literal (no bytes: a mask of 0, always equal)."""
    values = np.zeros((words, len(encoded)), dtype=np.uint64)
    masks = np.zeros((words, len(encoded)), dtype=np.uint64)
    for number, piece in enumerate(encoded):
        for place in range(words):
            value, bits = word(piece[place * _WORD : (place + 1) * _WORD])
            values[place, number] = value
            masks[place, number] = bits if place * _WORD < len(piece) else 0
    return values, masks


def _by_first_word(values: Words, masks: Words) -> list[tuple[tuple[int, int], list[int]]]:
    """The literals (their numbers) by their first word's (mask, value)."""
    firsts: dict[tuple[int, int], list[int]] = {}
    for number in range(values.shape[1]):
        firsts.setdefault((int(masks[0, number]), int(values[0, number])), []).append(number)
    return list(firsts.items())


@functools.lru_cache(maxsize=256)
def literal_set(literals: tuple[str, ...]) -> LiteralSet | None:
    """The literals compiled, or None where their occurrences could overlap
    or nest (one a prefix, a part or an overlapping end of another): then the
    occurrences found need not be those of a reading."""
    for first in literals:
        if not first.isascii() or not first:
            return None
        for second in literals:
            if first != second and second in first:
                return None
            # a proper end of `first` that starts `second`
            if any(second.startswith(first[cut:]) for cut in range(1, len(first))):
                return None
    return LiteralSet(literals)


class Occurrences(NamedTuple):
    """Every occurrence of the literals within the lines, in text order."""

    row: Ints  #: the line it is in
    at: Ints  #: its first byte, as an offset into the data buffer
    literal: Ints  #: which literal (its position in the set)


def find_literals(lines: pa.Array, literals: LiteralSet) -> Occurrences:
    """Every occurrence of ``literals`` inside a line of ``lines`` (one that
    would run past its line's end is none)."""
    offsets, data = string_buffers(lines)
    low, high = int(offsets[0]), int(offsets[-1])
    padded = np.zeros(high - low + _WORD * (literals.words + 1), dtype=np.uint8)
    padded[: high - low] = data[low:high]
    # the eight bytes from every position, as one (unaligned) word each
    words = np.ndarray((len(padded) - _WORD + 1,), dtype="<u8", buffer=padded, strides=(1,))
    text = padded[: high - low]
    if len(literals.firsts) == 1:
        starts = np.flatnonzero(text == literals.firsts[0])
    else:
        starts = np.flatnonzero(np.isin(text, literals.firsts))
    first_words = words[starts]
    # which literal starts at each of ``starts`` (-1: none), filled in place,
    # so that the occurrences come out in text order without a sort (no two
    # start at one place: ``literal_set`` refuses a literal part of another)
    found = np.full(len(starts), -1, dtype=np.int64)
    for (bits, value), members in literals.by_first:
        keyed = first_words if bits == int(_FULL) else first_words & np.uint64(bits)
        pending = np.flatnonzero(keyed == np.uint64(value))
        for number in members:  # (literals sharing a first word: tried in turn)
            if not len(pending):
                break
            places = starts[pending]
            hit = np.ones(len(pending), dtype=bool)
            for word in range(1, literals.words):
                bits_at = literals.masks[word, number]
                if bits_at:
                    hit &= (words[places + word * _WORD] & bits_at) == literals.values[word, number]
            found[pending[hit]] = number
            pending = pending[~hit]
    kept = np.flatnonzero(found >= 0)
    at, literal = starts[kept], found[kept]
    relative = offsets - low
    # each occurrence's line: the lines' starts placed among the (sorted)
    # occurrences, each line's count repeated (linear, where placing every
    # occurrence among the lines' starts is a binary search each)
    counts = np.diff(np.searchsorted(at, relative))
    row = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    inside = at + literals.lengths[literal] <= relative[row + 1]
    if not inside.all():
        at, literal, row = at[inside], literal[inside], row[inside]
    return Occurrences(row, at + low, literal)


def ordered_rows(
    occurrences: Occurrences, count: int, sequence: Sequence[int]
) -> tuple[Mask, Ints]:
    """The lines (of ``count``) whose occurrences are exactly ``sequence``
    (literal numbers, in text order), and for those lines the offsets of
    their occurrences, one row of ``len(sequence)`` a line."""
    per_line = np.bincount(occurrences.row, minlength=count)
    width = len(sequence)
    ok = per_line == width
    if not width:
        return ok, np.zeros((int(ok.sum()), 0), dtype=np.int64)
    chosen = ok[occurrences.row]
    literal = occurrences.literal[chosen].reshape(-1, width)
    at = occurrences.at[chosen].reshape(-1, width)
    in_order = rows_all(literal == np.asarray(sequence, dtype=np.int64))
    rows = np.flatnonzero(ok)
    ok[rows[~in_order]] = False
    return ok, at[in_order]


def cut_fields(
    lines: pa.Array,
    rows: Ints,
    separators: Ints,
    lengths: Sequence[int],
    *,
    lead: int,
    trail: int,
) -> tuple[Mask, list[pa.Array]]:
    """The fields of the lines ``rows``: between ``lead`` bytes at the start
    of the line, the separators (``separators[i]``: where the separators of
    the line ``rows[i]`` start, ``lengths`` bytes each) and ``trail`` bytes at
    its end. Returns which of ``rows`` have room for them (a separator that
    starts inside the lead, or a trail inside the last separator, leaves
    none; those lines get no fields) and a column per field."""
    offsets, _ = string_buffers(lines)
    data = lines.buffers()[2]
    starts = offsets[rows]
    ends = offsets[rows + 1]
    width = separators.shape[1]
    ok = np.ones(len(rows), dtype=bool)
    if width:
        ok &= separators[:, 0] >= starts + lead
        ok &= separators[:, -1] + lengths[-1] <= ends - trail
    else:
        ok &= starts + lead <= ends - trail
    if not ok.all():
        starts, ends, separators = starts[ok], ends[ok], separators[ok]
    count = len(starts)
    if not count:
        return ok, [pa.array([], type=pa.string()) for _ in range(width + 1)]
    # each line: lead | field | separator | field | ... | field | trail | the
    # gap to the next line taken (all of them values of one array over the
    # same buffer); field j of line i is value i * (2 * width + 4) + 2 * j + 1
    per_line = 2 * width + 4
    bounds = np.empty((count, per_line), dtype=np.int64)
    bounds[:, 0] = starts
    bounds[:, 1] = starts + lead
    if width:
        bounds[:, 2 : 2 * width + 1 : 2] = separators
        bounds[:, 3 : 2 * width + 2 : 2] = separators + np.asarray(lengths, dtype=np.int64)
    bounds[:, 2 * width + 2] = ends - trail
    bounds[:, 2 * width + 3] = ends
    flat = bounds.reshape(-1)
    values = string_from_buffers(flat, data)
    fields = [
        values.take(pa.array(np.arange(2 * field + 1, len(flat) - 1, per_line, dtype=np.int64)))
        for field in range(width + 1)
    ]
    return ok, fields


def spans_array(starts: Ints, ends: Ints, data: pa.Buffer) -> pa.Array:
    """The texts ``data[starts[i]:ends[i]]`` (in increasing order, not
    overlapping) as one string array: the spans and the gaps between them
    are the values of one array over ``data``, and the spans are taken out
    of it."""
    if not len(starts):
        return pa.array([], type=pa.string())
    bounds = np.empty(2 * len(starts), dtype=np.int64)
    bounds[0::2] = starts
    bounds[1::2] = ends
    values = string_from_buffers(bounds, data)
    return values.take(pa.array(np.arange(0, len(bounds) - 1, 2, dtype=np.int64)))
