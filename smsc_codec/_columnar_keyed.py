"""fmt=3 bodies in the server's own layout, read by where their keys stand.

The server writes a JSON answer one key a line (``{⏎"status": 1,⏎
"last_date": "28.06.2021 15:55:47",⏎...⏎}``, ⏎ a line feed: the recorded
captures), and the answers of one layout mostly carry the same keys in the
same order: those of the first bodies whose keys are all the reply's wire
keys, required ones included. A body in that layout is read over the bytes
of all bodies at once, by numpy: its line feeds (one more than its keys),
``{`` and ``}`` on lines of their own, and on each line between them the key
(``"status": ``, compared as 64-bit words), a value and the comma that ends
every line but the last.

A body is taken only where it is plain JSON that msgspec's twin of its kind
(``_columnar_json``, as the per-answer fast path reads it) reads to the same
values, value by value:

* a number: ``-?(0|[1-9][0-9]{0,17})`` (JSON's integer form, within int64:
  its length and first digit checked here, the digits after it by Arrow's
  cast, which takes nothing else of that length and first digit), or the
  same in quotes, which msgspec's lax mode reads as that number;
* a text (money and dates included): a JSON string without an escape, a
  quote or a control character (RFC 8259, section 7): the body holds no
  backslash, no control character but its line feeds, and no quote but
  those around its keys and texts. It is no longer than the twin's limit on
  a text (``max_field_length``, money's too);
* ``null`` where the twin's field takes None.

Such a body is exactly that JSON object: each key once, no unknown key,
nothing before or after it. Every other body (an error answer, other keys,
order or spacing, an escape, a number in another form, a null where none is
taken) is left to the twins, whole.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Sequence
from typing import Any

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._columnar_convert import (
    NO_TEXT,
    Ints,
    Mask,
    mask,
    rows_all,
    string_buffers,
    string_from_buffers,
)
from ._schema import FieldSpec, Kind

__all__ = ["NO_TEXT", "read_keyed"]

_WORD = 8
_LINE_FEED, _QUOTE, _BACKSLASH, _COMMA = b"\n"[0], b'"'[0], b"\\"[0], b","[0]
_MINUS, _ZERO, _NINE = b"-"[0], b"0"[0], b"9"[0]
#: the digits an int64 surely holds
_DIGITS = 18
#: how many bodies may be tried for the keys (an error answer first, ...)
_KEY_TRIES = 8


def _takes_none(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return type(None) in typing.get_args(annotation)
    return False


def _keys(text: str, by_wire: dict[str, FieldSpec], required: set[str]) -> list[str] | None:
    """The keys of one body, where they are all wire keys of the kind and
    hold its required ones; else None."""
    try:
        value = msgspec.json.decode(text)
    except (msgspec.DecodeError, UnicodeError):
        return None
    if type(value) is not dict or not value:
        return None
    keys = list(value)
    if any(key not in by_wire for key in keys) or not required <= set(keys):
        return None
    return keys


def _words(piece: bytes) -> list[tuple[int, np.uint64, np.uint64]]:
    """``piece`` as (offset, little-endian word, mask of its bytes) per eight bytes."""
    out = []
    for at in range(0, len(piece), _WORD):
        chunk = piece[at : at + _WORD]
        value = int.from_bytes(chunk.ljust(_WORD, b"\0"), "little")
        out.append((at, np.uint64(value), np.uint64((1 << (8 * len(chunk))) - 1)))
    return out


_NULL = _words(b"null")[0]


class _Bytes:
    """The bodies' bytes (from the first body's) with ``padding`` bytes
    after them (the array's own, where its buffer holds them, else a
    copy's), and the eight bytes from every position as one (unaligned) word."""

    def __init__(self, texts: pa.Array, padding: int) -> None:
        offsets, data = string_buffers(texts)
        self.low = int(offsets[0])
        high = int(offsets[-1])
        self.offsets = offsets - self.low
        if len(data) >= high + padding + _WORD:
            padded = data[self.low : high + padding + _WORD]
        else:
            padded = np.zeros(high - self.low + padding + _WORD, dtype=np.uint8)
            padded[: high - self.low] = data[self.low : high]
        self.padded = padded
        self.text = padded[: high - self.low]
        self.words = np.ndarray(
            (len(padded) - _WORD + 1,), dtype="<u8", buffer=padded, strides=(1,)
        )

    def per_body(self, positions: Ints) -> Ints:
        """How many of ``positions`` (sorted) each body holds."""
        return np.diff(np.searchsorted(positions, self.offsets))

    def holding(self, byte: int) -> Ints:
        """How many times each body holds ``byte``."""
        return self.per_body(np.flatnonzero(self.text == byte))

    def equal(self, at: Ints, piece: list[tuple[int, np.uint64, np.uint64]]) -> Mask:
        """Whether the bytes from each of ``at`` are ``piece`` (``_words``)."""
        ok = np.ones(len(at), dtype=bool)
        for offset, value, bits in piece:
            ok &= (self.words[at + offset] & bits) == value
        return ok


@functools.cache
def _fields_of(twin: type[msgspec.Struct]) -> dict[str, msgspec.structs.FieldInfo]:
    """A twin's fields by name (msgspec reads its annotations each time)."""
    return {info.name: info for info in msgspec.structs.fields(twin)}


def read_keyed(
    texts: pa.Array,
    twin: type[msgspec.Struct],
    specs: Sequence[FieldSpec],
    max_text: int,
) -> tuple[Ints, dict[str, pa.Array]] | None:
    """(rows, values): the bodies of ``texts`` read by the places of their
    keys (see the module docstring), and each field's values there (int64
    for numbers, text for the rest, null where absent), in the order of
    ``specs`` (``twin``'s fields, under their wire keys); None where no body
    gives the keys."""
    by_wire = {spec.wire: spec for spec in specs}
    fields = _fields_of(twin)
    required = {spec.wire for spec in specs if fields[spec.name].required}
    keys = None
    for text in texts[:_KEY_TRIES].to_pylist():
        keys = None if text is None else _keys(text, by_wire, required)
        if keys is not None:
            break
    if keys is None:
        return None
    rows, values = _read(texts, [by_wire[key] for key in keys], fields, max_text)
    absent = {Kind.INT: pa.int64()}
    columns = {
        spec.name: values[spec.name]
        if spec.name in values
        else pa.nulls(len(rows), type=absent.get(spec.kind, pa.string()))
        for spec in specs
    }
    return rows, columns


def _read(
    texts: pa.Array,
    keyed: list[FieldSpec],
    fields: dict[str, msgspec.structs.FieldInfo],
    max_text: int,
) -> tuple[Ints, dict[str, pa.Array]]:
    """:func:`read_keyed` of the bodies with the keys of ``keyed``, in order:
    every line of every body at once, as (bodies x keys) matrices."""
    width = len(keyed)
    layout = _Layout(keyed, fields)
    body = _Bytes(texts, _padding(keyed))
    text, padded, offsets = body.text, body.padded, body.offsets
    # the lines: exactly one line feed more than keys, a body's own ("{"
    # and "}" alone on the first and last line)
    # (the control characters found in one pass: most are the line feeds)
    controls = np.flatnonzero(text < 0x20).astype(np.int32)
    feed = text[controls] == _LINE_FEED
    breaks = controls if feed.all() else controls[feed]
    first = np.searchsorted(breaks, offsets)
    rows = np.flatnonzero(np.diff(first) == width + 1)
    if len(rows) == len(texts) and len(breaks) == len(rows) * (width + 1):
        feeds = breaks.reshape(len(rows), width + 1)
    else:
        feeds = breaks[first[rows, None] + np.arange(width + 1, dtype=np.int32)]
    starts, ends = offsets[rows], offsets[rows + 1]
    ok = (text[starts] == b"{"[0]) & (feeds[:, 0] == starts + 1)
    ok &= (feeds[:, -1] == ends - 2) & (text[ends - 1] == b"}"[0])
    # each line: its key, a value, and a comma but on the last
    ok &= rows_all(text[feeds[:, 1:-1] - 1] == _COMMA)
    line_starts = feeds[:, :-1] + 1
    for at, (columns, word, bits) in enumerate(layout.words):
        places = line_starts if columns is None else line_starts[:, columns]
        ok &= rows_all((body.words[places + at * _WORD] & bits) == word)
    value_starts = line_starts + layout.prefixes
    value_ends = feeds[:, 1:] - layout.commas
    lengths = value_ends - value_starts
    quoted = (padded[value_starts] == _QUOTE) & (padded[value_ends - 1] == _QUOTE)
    quoted &= lengths >= 2
    inner_starts, inner_ends = value_starts + quoted, value_ends - quoted
    present = quoted.copy()
    numbers = layout.numbers
    if len(numbers):
        present[:, numbers] = _number_form(padded, inner_starts[:, numbers], inner_ends[:, numbers])
    limited = layout.limited
    if len(limited):
        long = np.nonzero(present[:, limited] & (lengths[:, limited] - 2 > max_text))
        for row, column in zip(*long, strict=True):
            at = limited[column]
            piece = text[inner_starts[row, at] : inner_ends[row, at]]
            # characters: the bytes that do not continue a UTF-8 sequence
            present[row, at] = np.count_nonzero((piece & 0xC0) != 0x80) <= max_text
    if present.all():
        spans = (inner_starts, inner_ends)
    else:
        null = (lengths == 4) & ((body.words[value_starts] & _NULL[2]) == _NULL[1])
        ok &= rows_all(present | (null & layout.nullable))
        # an absent value: an empty span at its line's start (spans stay in order)
        spans = (
            np.where(present, inner_starts, line_starts),
            np.where(present, inner_ends, line_starts),
        )
    ok &= _plain(body, rows, controls[~feed], 2 * width + 2 * quoted.sum(axis=1), shaped=ok)
    kept = np.flatnonzero(ok)
    values, digits = _values(texts, body.low, spans, kept=kept, keyed=keyed, present=present)
    if not digits.all():
        chosen = pa.array(digits)
        values = {name: column.filter(chosen) for name, column in values.items()}
        kept = kept[digits]
    return rows[kept], values


class _Layout:
    """What the lines of one key order hold, as arrays over the keys."""

    def __init__(
        self, keyed: list[FieldSpec], fields: dict[str, msgspec.structs.FieldInfo]
    ) -> None:
        prefixes = [f'"{spec.wire}": '.encode() for spec in keyed]
        pieces = [_words(prefix) for prefix in prefixes]
        #: per word of the keys' lines (``"status": ``): the keys that have
        #: it (None: all), and their values and masks
        self.words: list[tuple[Ints | None, Any, Any]] = []
        for at in range(max(map(len, pieces))):
            having = [number for number, piece in enumerate(pieces) if at < len(piece)]
            self.words.append(
                (
                    None if len(having) == len(pieces) else np.asarray(having, dtype=np.int64),
                    np.asarray([pieces[number][at][1] for number in having], dtype=np.uint64),
                    np.asarray([pieces[number][at][2] for number in having], dtype=np.uint64),
                )
            )
        self.prefixes = np.asarray([len(prefix) for prefix in prefixes], dtype=np.int32)
        #: every line but the last ends with a comma
        self.commas = np.asarray([1] * (len(keyed) - 1) + [0], dtype=np.int32)
        self.numbers = np.flatnonzero([spec.kind is Kind.INT for spec in keyed])
        #: the texts (money included), each within the twin's length limit
        self.limited = np.flatnonzero([spec.kind is not Kind.INT for spec in keyed])
        self.nullable = np.asarray([_takes_none(fields[spec.name].type) for spec in keyed])


def _plain(body: _Bytes, rows: Ints, controls: Ints, quotes: Ints, *, shaped: Mask) -> Mask:
    """Which of the bodies ``rows`` hold no quote but ``quotes`` (those
    around their keys and quoted values), no escape and no control
    character but their line feeds (``controls``: the others, in all
    bodies). Most batches are clean, which one count over all their bytes
    shows where every body is ``shaped`` (keys and quoted values in place:
    each holds at least its ``quotes``, so a total of quotes as expected
    leaves none over in any)."""
    text = body.text
    ok = np.ones(len(rows), dtype=bool)
    every = len(rows) == len(body.offsets) - 1 and shaped.all()
    if not every or np.count_nonzero(text == _QUOTE) != quotes.sum():
        ok &= body.holding(_QUOTE)[rows] == quotes
    if (text == _BACKSLASH).any():
        ok &= body.holding(_BACKSLASH)[rows] == 0
    if len(controls):
        ok &= body.per_body(controls)[rows] == 0
    return ok


def _padding(keyed: Sequence[FieldSpec]) -> int:
    """How many bytes past the bodies' end the reading of the keys' lines
    may look at (the eight bytes of the last word of a key, the first of a
    value)."""
    return 2 * _WORD + max(len(spec.wire) for spec in keyed) + len('"": ')


def _number_form(text: np.ndarray[Any, Any], starts: Ints, ends: Ints) -> Mask:
    """Where the spans may have JSON's integer form within 18 digits: a
    digit first (after a sign), no more digits, and no leading zero (which
    Arrow's cast would read, as it reads ``0x1f``). That the rest are digits
    the cast proves (``_numbers``)."""
    limit = max(len(text) - 1, 0)
    sign = text[np.minimum(starts, limit)] == _MINUS
    lead = text[np.minimum(starts + sign, limit)]
    digits = ends - starts - sign
    form = (digits <= _DIGITS) & (lead >= _ZERO) & (lead <= _NINE)
    form &= (lead != _ZERO) | (digits == 1)
    return np.asarray(form, dtype=bool)


def _values(
    texts: pa.Array,
    low: int,
    spans: tuple[Ints, Ints],
    *,
    kept: Ints,
    keyed: list[FieldSpec],
    present: Mask,
) -> tuple[dict[str, pa.Array], Mask]:
    """The values of the rows ``kept``: every span an array value over the
    bodies' own buffer (the gaps between them too), taken out by key; and
    which of those rows hold nothing but digits where a number stands."""
    width = len(keyed)
    starts, ends = spans
    if len(kept) != len(starts):
        starts, ends, present = starts[kept], ends[kept], present[kept]
    count = len(starts)
    # (int32: the offsets of a string array)
    flat = np.empty(2 * width * count + 1, dtype=np.int32)
    flat[:-1:2] = starts.reshape(-1)
    flat[1:-1:2] = ends.reshape(-1)
    flat[-1] = flat[-2] if count else 0
    if low:
        flat += low
    spanned = string_from_buffers(flat, texts.buffers()[2])
    # the values key by key (every key's in one take)
    order = np.arange(0, len(flat) - 1, 2, dtype=np.int32).reshape(count, width).T.reshape(-1)
    by_key = spanned.take(pa.array(order))
    shown = np.asarray(present.all(axis=0), dtype=bool)
    values: dict[str, pa.Array] = {}
    digits = np.ones(count, dtype=bool)
    for number, spec in enumerate(keyed):
        column = by_key.slice(number * count, count)
        if not shown[number]:
            column = pc.if_else(pa.array(present[:, number]), column, NO_TEXT)
        if spec.kind is Kind.INT:
            values[spec.name], read = _numbers(column)
            digits &= read
        else:
            values[spec.name] = column
    return values, digits


def _numbers(texts: pa.Array) -> tuple[pa.Array, Mask]:
    """The texts (a sign and digits in the form checked) as int64, and
    where they are digits: Arrow's cast refuses anything else, and then
    each text is looked at."""
    try:
        return pc.cast(texts, pa.int64()), np.ones(len(texts), dtype=bool)
    except pa.ArrowInvalid:
        read = mask(pc.or_kleene(pc.match_substring_regex(texts, "^-?[0-9]+$"), texts.is_null()))
        return pc.cast(pc.if_else(pa.array(read), texts, NO_TEXT), pa.int64()), read
