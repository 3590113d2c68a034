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

* a number: ``-?(0|[1-9][0-9]{0,17})`` (JSON's integer form, within int64),
  its digits read by numpy, or the same in quotes, which msgspec's lax mode
  reads as that number;
* a text: a JSON string no longer than the twin's limit on a text
  (``max_field_length``, money's and dates' too); money and dates in their
  form (``_columnar_convert``, byte by byte), other texts without an
  escape, a quote or a control character (RFC 8259, section 7), which one
  look over the bytes of those texts shows;
* ``null`` where the twin's field takes None.

Every other byte of such a body is checked where it stands (the braces,
line feeds, keys and commas, and the numbers, money and dates), so no
quote, escape or control character hides outside its texts, and the body
is exactly that JSON object: each key once, no unknown key, nothing before
or after it. Every other body (an error answer, other keys, order or
spacing, an escape, a number in another form, a null where none is taken)
is left to the twins, whole.
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
    byte_rows,
    date_column,
    date_spans,
    date_width,
    filtered,
    json_column,
    money_spans,
    rows_all,
    string_buffers,
    string_from_buffers,
)
from ._columnar_fields import Words, literal_words, word
from ._schema import FieldSpec, Kind

__all__ = ["read_keyed"]

_WORD = 8
_LINE_FEED, _QUOTE, _BACKSLASH, _COMMA = b"\n"[0], b'"'[0], b"\\"[0], b","[0]
_OPEN, _CLOSE = b"{"[0], b"}"[0]
_MINUS, _ZERO = b"-"[0], b"0"[0]
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


#: ``null`` as a word and the mask of its bytes
_NULL = word(b"null")


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

    def blocks(self, size: int) -> np.ndarray[Any, Any]:
        """The ``size`` bytes from every position as one (unaligned) item
        (``size`` at most the padding)."""
        count = len(self.padded) - size + 1
        void = np.dtype((np.void, size))
        view: np.ndarray[Any, Any] = np.ndarray(
            (count,), dtype=void, buffer=self.padded, strides=(1,)
        )
        return view


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
    """(rows, columns): the bodies of ``texts`` read by the places of their
    keys (see the module docstring), and each field's column there as a
    table holds it (``json_column``'s conversions, null where absent), in
    the order of ``specs`` (``twin``'s fields, under their wire keys); None
    where no body gives the keys. A body whose value a conversion does not
    take is not read."""
    by_wire = {spec.wire: spec for spec in specs}
    fields = _fields_of(twin)
    required = {spec.wire for spec in specs if fields[spec.name].required}
    keys = _first_keys(texts, by_wire, required)
    if keys is None:
        return None
    rows, values = _read(texts, _layout(twin, tuple(by_wire[key] for key in keys)), max_text)
    return rows, _in_order(specs, values, len(rows))


def _first_keys(
    texts: pa.Array, by_wire: dict[str, FieldSpec], required: set[str]
) -> list[str] | None:
    """The keys (:func:`_keys`) of the first of the first ``_KEY_TRIES``
    bodies that gives them, or None."""
    for text in texts[:_KEY_TRIES].to_pylist():
        keys = None if text is None else _keys(text, by_wire, required)
        if keys is not None:
            return keys
    return None


def _in_order(
    specs: Sequence[FieldSpec], values: dict[str, pa.Array], count: int
) -> dict[str, pa.Array]:
    """The columns of ``values`` in the order of ``specs``; a field whose key
    these bodies leave out, a column of ``count`` nulls as a table holds it."""
    columns = {}
    for spec in specs:
        column = values.get(spec.name)
        if column is None:  # (a key these bodies leave out: null)
            raw = pa.nulls(count, type=pa.int64() if spec.kind is Kind.INT else pa.string())
            column = json_column(spec, raw)[1]
        columns[spec.name] = column
    return columns


def _read(texts: pa.Array, layout: _Layout, max_text: int) -> tuple[Ints, dict[str, pa.Array]]:
    """:func:`read_keyed` of the bodies with the keys of ``layout``, in
    order: every line of every body at once, as (bodies x keys) matrices."""
    body = _Bytes(texts, _padding(layout.keyed))
    text, padded = body.text, body.padded
    rows, feeds, ok = _lines(body, layout)
    line_starts = feeds[:, :-1] + 1
    value_starts = line_starts + layout.prefixes
    # (every line but the last ends with a comma)
    value_ends = feeds[:, 1:] - 1
    value_ends[:, -1] += 1
    lengths = value_ends - value_starts
    quoted = (padded[value_starts] == _QUOTE) & (padded[value_ends - 1] == _QUOTE)
    quoted &= lengths >= 2
    inner_starts, inner_ends = value_starts + quoted, value_ends - quoted
    present = quoted.copy()
    numbers = layout.numbers
    integers = np.zeros((len(rows), len(numbers)), dtype=np.int64)
    if len(numbers):
        present[:, numbers], integers = _integers(
            padded, inner_starts[:, numbers], inner_ends[:, numbers]
        )
    if len(rows) and int(lengths.max()) - 2 > max_text:  # (texts are short: one look says)
        long = np.nonzero(present & layout.limited & (lengths - 2 > max_text))
        for row, at in zip(*long, strict=True):
            piece = text[inner_starts[row, at] : inner_ends[row, at]]
            # characters: the bytes that do not continue a UTF-8 sequence
            present[row, at] = np.count_nonzero((piece & 0xC0) != 0x80) <= max_text
    if not present.all():
        null = (lengths == 4) & ((body.words[value_starts] & _NULL[1]) == _NULL[0])
        ok &= rows_all(present | (null & layout.nullable))
    kept = np.flatnonzero(ok)
    spans = (inner_starts, inner_ends, line_starts)
    if len(kept) != len(rows):
        spans = (inner_starts[kept], inner_ends[kept], line_starts[kept])
        present, integers = present[kept], integers[kept]
    values, valid = _values(texts, body, layout, spans, present=present, integers=integers)
    return rows[kept[valid]], filtered(values, valid)


def _lines(body: _Bytes, layout: _Layout) -> tuple[Ints, Ints, Mask]:
    """(rows, feeds, ok): the bodies with one line feed more than keys, the
    places of their line feeds (a row each), and which of those bodies hold
    "{" and "}" alone on their first and last line and each key in place,
    with a comma ending every line of a key but the last."""
    width = len(layout.keyed)
    text, offsets = body.text, body.offsets
    # (any other control character is in a text or breaks a check where it stands)
    breaks = np.flatnonzero(text == _LINE_FEED)
    first = np.searchsorted(breaks, offsets)
    rows = np.flatnonzero(np.diff(first) == width + 1)
    if len(rows) == len(offsets) - 1 and len(breaks) == len(rows) * (width + 1):
        feeds = breaks.reshape(len(rows), width + 1)
    else:
        feeds = breaks[first[rows, None] + np.arange(width + 1)]
    starts, ends = offsets[rows], offsets[rows + 1]
    ok = (text[starts] == _OPEN) & (feeds[:, 0] == starts + 1)
    ok &= (feeds[:, -1] == ends - 2) & (text[ends - 1] == _CLOSE)
    ok &= rows_all(text[feeds[:, 1:-1] - 1] == _COMMA)
    # (every line's key read in one take, as the words of a block of bytes;
    # a line starts past its line feed)
    blocks = body.blocks(layout.block)[feeds[:, :-1] + 1].view("<u8")
    blocks = blocks.reshape(len(rows), *layout.words.shape[1:])
    # (the bits that differ from the keys', in place: a batch's blocks are
    # as many bytes as its bodies)
    np.bitwise_xor(blocks, layout.words, out=blocks)
    np.bitwise_and(blocks, layout.bits, out=blocks)
    if blocks.any():
        ok &= ~blocks.reshape(len(rows), layout.words.size).any(axis=1)
    return rows, feeds, ok


class _Layout:
    """What the lines of one key order hold, as arrays over the keys."""

    def __init__(self, keyed: tuple[FieldSpec, ...], nullable: Sequence[bool]) -> None:
        self.keyed = keyed
        prefixes = [f'"{spec.wire}": '.encode() for spec in keyed]
        #: the bytes read from each line's start for its key (``block``), and
        #: each line's words there as its key writes them (``words``) with
        #: the mask of the key's bytes in each (``bits``)
        self.block, self.words, self.bits = _key_words(prefixes)
        self.prefixes = np.asarray([len(prefix) for prefix in prefixes], dtype=np.int64)
        kinds = [spec.kind for spec in keyed]
        self.numbers = np.flatnonzero([kind is Kind.INT for kind in kinds])
        #: the dates of a fixed-width form, by kind: read from the bytes
        self.dates = _fixed_width_dates(kinds)
        #: money, read from the bytes
        self.money = np.flatnonzero([kind is Kind.DECIMAL for kind in kinds])
        #: the values read as text (lists split from it)
        self.texts = _read_as_text(kinds, self.dates, self.money)
        #: the texts (money and dates included), each within the twin's length limit
        self.limited = np.asarray([kind is not Kind.INT for kind in kinds], dtype=bool)
        self.nullable = np.asarray(nullable, dtype=bool)


def _key_words(prefixes: Sequence[bytes]) -> tuple[int, Words, Words]:
    """(block, words, bits) of the keys' ``prefixes``, a line each: the
    bytes read from a line's start, the longest key's in whole words (numpy
    takes a block of bytes at about the cost of one word); the words there
    as its key writes them; and the mask of the key's bytes in each (a key's
    words past its end: 0 and a mask of 0, always equal). Both (1, keys,
    words a key): a batch's blocks, a row a body, compared with them at once."""
    block = _WORD * -(-max(map(len, prefixes)) // _WORD)
    values, masks = literal_words(prefixes, block // _WORD)
    # (in C order, as the blocks are: numpy compares them in place at half
    # the cost of a transposed view)
    return block, np.ascontiguousarray(values.T[None]), np.ascontiguousarray(masks.T[None])


def _read_as_text(kinds: Sequence[Kind], dates: list[tuple[Kind, Ints]], money: Ints) -> Ints:
    """The places among ``kinds`` of the values read as text: neither
    numbers nor the ``dates`` and ``money`` read from the bytes."""
    apart = {int(at) for _, columns in dates for at in columns}
    apart.update(money.tolist())
    return np.asarray(
        [at for at, kind in enumerate(kinds) if kind is not Kind.INT and at not in apart],
        dtype=np.int64,
    )


def _fixed_width_dates(kinds: Sequence[Kind]) -> list[tuple[Kind, Ints]]:
    """The places among ``kinds`` of the dates of a fixed-width form, by kind."""
    return [
        (kind, at)
        for kind in (Kind.DATETIME, Kind.DATE)
        if date_width(kind) is not None
        and len(at := np.flatnonzero([other is kind for other in kinds]))
    ]


@functools.lru_cache(maxsize=64)
def _layout(twin: type[msgspec.Struct], keyed: tuple[FieldSpec, ...]) -> _Layout:
    """The layout of one key order of a twin's keys (a log has few; bodies
    of ever other orders keep no more than the last few)."""
    fields = _fields_of(twin)
    return _Layout(keyed, [_takes_none(fields[spec.name].type) for spec in keyed])


def _plain(texts: pa.Array, count: int) -> Mask:
    """Which of ``count`` bodies hold no quote, backslash or control
    character in their ``texts`` (an array of their values key by key, as
    ``_values`` takes them out): one look over the texts' bytes, and the
    texts found in their offsets where it sees one."""
    offsets, data = string_buffers(texts)
    data = data[offsets[0] : offsets[-1]]
    found = data < 0x20
    found |= data == _QUOTE
    found |= data == _BACKSLASH
    ok = np.ones(count, dtype=bool)
    if found.any():
        values = np.searchsorted(offsets, np.flatnonzero(found) + offsets[0], side="right") - 1
        ok[values % count] = False
    return ok


def _padding(keyed: Sequence[FieldSpec]) -> int:
    """How many bytes past the bodies' end the reading of the keys' lines
    may look at (the eight bytes of the last word of a key, the first of a
    value)."""
    return 2 * _WORD + max(len(spec.wire) for spec in keyed) + len('"": ')


def _integers(
    data: np.ndarray[Any, np.dtype[np.uint8]], starts: Ints, ends: Ints
) -> tuple[Mask, Ints]:
    """(fine, values) of the spans (a row a body, a column a key): fine
    where one is in JSON's integer form within 18 digits (a sign, then a
    digit, no leading zero), and its value there. Numbers of one count of
    digits are read together: a key's at once where all have one count (a
    code, a time stamp), else each count's in turn."""
    sign = data[starts] == _MINUS
    signed = bool(sign.any())
    begins = starts + sign if signed else starts
    digits = ends - begins
    fine = np.zeros(starts.shape, dtype=bool)
    numbers = np.zeros(starts.shape, dtype=np.int64)
    if starts.size:
        lowest, highest = digits.min(axis=0), digits.max(axis=0)
        for width in np.unique(lowest[(lowest == highest) & (lowest >= 1) & (lowest <= _DIGITS)]):
            keys = np.flatnonzero((lowest == width) & (highest == width))
            fine[:, keys], numbers[:, keys] = _digits(data, begins[:, keys], int(width))
        mixed = np.flatnonzero(lowest != highest)
        counts = digits[:, mixed]
        for width in np.unique(counts[(counts >= 1) & (counts <= _DIGITS)]):
            at = np.nonzero(counts == width)
            places = (at[0], mixed[at[1]])
            fine[places], numbers[places] = _digits(data, begins[places], int(width))
    return fine, np.where(sign, -numbers, numbers) if signed else numbers


def _digits(
    data: np.ndarray[Any, np.dtype[np.uint8]], begins: Ints, width: int
) -> tuple[Mask, Ints]:
    """(fine, value) of the ``width`` bytes from each of ``begins`` (of any
    shape): whether they are digits with no leading zero (but a lone one),
    and the number they write."""
    if width == 1:
        units = data[begins] - np.uint8(_ZERO)  # (every other byte wraps past 9)
        return units <= 9, units.astype(np.int64)
    # (a row a place: numpy is slow along short rows)
    matrix = np.ascontiguousarray(byte_rows(data, begins.reshape(-1), width).T)
    matrix -= np.uint8(_ZERO)
    fine = (matrix <= 9).all(axis=0) & (matrix[0] != 0)
    places = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    # (integers: numpy's own product, where floats would go to a threaded BLAS)
    values = places @ matrix.astype(np.int64)
    return fine.reshape(begins.shape), values.reshape(begins.shape)


def _values(
    texts: pa.Array,
    body: _Bytes,
    layout: _Layout,
    spans: tuple[Ints, Ints, Ints],
    *,
    present: Mask,
    integers: Ints,
) -> tuple[dict[str, pa.Array], Mask]:
    """The columns of the bodies whose values start and end at ``spans``
    (and whose lines start at its third), and which of them every
    conversion and check took: numbers (``integers``, read already), dates
    and money from the bytes; the texts as array values over the bodies' own
    buffer (the gaps between them too), taken out by key and looked over
    for a quote, escape or control character."""
    starts, ends, _ = spans
    keyed = layout.keyed
    values: dict[str, pa.Array] = {}
    for number, at in enumerate(layout.numbers):
        shown = present[:, at]
        missing = None if shown.all() else ~shown
        values[keyed[at].name] = pa.array(integers[:, number], type=pa.int64(), mask=missing)
    valid = _add_dates(values, body, layout, (starts, ends), present)
    for at in layout.money:
        # (an absent value is a null, which is no money: null in the column)
        fine, values[keyed[at].name] = money_spans(body.padded, starts[:, at], ends[:, at])
        valid &= fine | ~present[:, at]
    if len(layout.texts):
        valid &= _add_texts(values, texts, body, layout, spans, present=present)
    return values, valid


def _add_dates(
    values: dict[str, pa.Array],
    body: _Bytes,
    layout: _Layout,
    spans: tuple[Ints, Ints],
    present: Mask,
) -> Mask:
    """The date columns of :func:`_values`, added to ``values``; which
    bodies' dates are all fine or absent."""
    starts, ends = spans
    count = len(starts)
    valid = np.ones(count, dtype=bool)
    for kind, columns in layout.dates:
        date_starts = starts[:, columns].T.reshape(-1)
        date_lengths = ends[:, columns].T.reshape(-1) - date_starts
        # an empty date is no date (``_json.wire_twin``), as null is none
        absent = ~present[:, columns].T.reshape(-1) | (date_lengths == 0)
        fine, dates = date_spans(kind, body.padded, date_starts, date_lengths)
        valid &= (fine | absent).reshape(len(columns), count).all(axis=0)
        for number, at in enumerate(columns):
            piece = slice(number * count, (number + 1) * count)
            values[layout.keyed[at].name] = date_column(kind, dates[piece], fine[piece])
    return valid


def _add_texts(
    values: dict[str, pa.Array],
    texts: pa.Array,
    body: _Bytes,
    layout: _Layout,
    spans: tuple[Ints, Ints, Ints],
    *,
    present: Mask,
) -> Mask:
    """The text columns of :func:`_values` (lists split from theirs), added
    to ``values``; which bodies' texts are plain and every conversion took."""
    columns = layout.texts
    count = len(spans[0])
    shown = present[:, columns]
    by_key = _texts_by_key(texts, body, columns, spans, shown)
    valid = _plain(by_key, count)
    every = np.asarray(shown.all(axis=0), dtype=bool)
    for number, at in enumerate(columns):
        column = by_key.slice(number * count, count)
        if not every[number]:
            column = pc.if_else(pa.array(shown[:, number]), column, NO_TEXT)
        spec = layout.keyed[at]
        if spec.kind in (Kind.TEXT, Kind.TOKEN):
            values[spec.name] = column
        else:
            took, values[spec.name] = json_column(spec, column)
            valid &= took
    return valid


def _texts_by_key(
    texts: pa.Array, body: _Bytes, columns: Ints, spans: tuple[Ints, Ints, Ints], shown: Mask
) -> pa.Array:
    """The texts of the keys at ``columns``, key by key (every key's in one
    take), as array values over the bodies' own buffer (the gaps between
    them too); an absent one empty."""
    starts, ends, line_starts = spans
    count = len(starts)
    text_starts, text_ends = starts[:, columns], ends[:, columns]
    if not shown.all():
        # an absent value: an empty span at its line's start (spans stay in order)
        text_starts = np.where(shown, text_starts, line_starts[:, columns])
        text_ends = np.where(shown, text_ends, line_starts[:, columns])
    width = len(columns)
    # (int32: the offsets of a string array)
    flat = np.empty(2 * width * count + 1, dtype=np.int32)
    flat[:-1:2] = text_starts.reshape(-1)
    flat[1:-1:2] = text_ends.reshape(-1)
    flat[-1] = flat[-2] if count else 0
    if body.low:
        flat += body.low
    spanned = string_from_buffers(flat, texts.buffers()[2])
    order = np.arange(0, len(flat) - 1, 2, dtype=np.int32).reshape(count, width).T.reshape(-1)
    return spanned.take(pa.array(order))
