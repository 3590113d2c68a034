"""Typed values read from text columns, with the per-answer decoder's checks.

A field's texts (one Arrow string array) become its column: numbers and
money cast by Arrow where their text has the kind's form and fits the column,
dates checked byte by byte against their form (``KIND_PATTERNS``, read as
fixed places of digits and literal characters) and computed from their
digits by numpy where they exist. Each conversion
returns which texts it took; a text it does not take sends its answer to the
per-answer decoder, which says what it makes of it (a later layout, a
rejection, or a value no column holds). So a check here may be stricter than
the per-answer decoder's, never looser: ``tests/test_columnar_convert.py``
holds the conversions to ``_schema``'s readers on the edges of every form.

Also the pieces every columnar reader shares: a string array's buffers as
numpy arrays, masks, and value columns cut to the rows a mask keeps.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._columnar_schema import MONEY, TEXTS, list_items, timestamp_type
from ._schema import KIND_PATTERNS, FieldSpec, Kind

__all__ = [
    "LAST_SPACE",
    "NO_TEXT",
    "Mask",
    "byte_rows",
    "convert_field",
    "convert_text",
    "date_column",
    "date_spans",
    "date_width",
    "empty_texts",
    "filtered",
    "json_column",
    "mask",
    "money_spans",
    "numbers_in_form",
    "python_whitespace",
    "rows_all",
    "string_buffers",
    "string_from_buffers",
]

Mask = np.ndarray[Any, np.dtype[np.bool_]]
Ints = np.ndarray[Any, np.dtype[np.int64]]

#: values that fit their column for sure (longer ones go per answer, where
#: the exact check is made): 18 digits in int64, money's 12.6 digits
INT_FORM = r"-?[0-9]{1,18}"
MONEY_FORM = r"-?[0-9]{1,12}(?:\.[0-9]{1,6})?"
#: the digits the forms allow: before money's point (or an integer's all),
#: and after it
_INT_DIGITS = (18, 0)
_MONEY_DIGITS = (12, 6)

#: Unicode's last white-space character is U+3000 (IDEOGRAPHIC SPACE);
#: ``tests/test_columnar.py`` checks that none lies past it
LAST_SPACE = 0x3000

# Arrow scalars made once: a Python value handed to ``pyarrow.compute`` is
# made a scalar on every call, which costs more than the call itself on a
# column of thousands (pyarrow looks for an optional module, ``dateutil``,
# each time, where that is not installed)
#: a null text
NO_TEXT = pa.scalar(None, type=pa.string())
_NO_LENGTH = pa.scalar(0, type=pa.int32())
_FALSE = pa.scalar(False)
_EMPTY_TEXT = pa.scalar("", type=pa.string())


@functools.cache
def python_whitespace() -> str:
    """A character class of what ``str.isspace`` holds (RE2's ``\\s`` is ASCII)."""
    spaces = "".join(chr(c) for c in range(LAST_SPACE + 1) if chr(c).isspace())
    return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in spaces) + "]"


def mask(array: pa.Array) -> Mask:
    """A boolean array as numpy (null is false)."""
    if not array.null_count:
        return np.asarray(array.to_numpy(zero_copy_only=False), dtype=bool)
    return np.asarray(pc.fill_null(array, _FALSE).to_numpy(zero_copy_only=False), dtype=bool)


def filtered(columns: dict[str, pa.Array], keep: Mask) -> dict[str, pa.Array]:
    """The rows ``keep`` keeps of every column (``columns`` itself where it
    keeps them all: a log's rows mostly are)."""
    if keep.all():
        return columns
    chosen = pa.array(keep)
    return {name: array.filter(chosen) for name, array in columns.items()}


def rows_all(matrix: Mask) -> Mask:
    """Whether each row of a boolean matrix is all true: the whole matrix
    asked first (numpy's reduction along rows is slow, and a log's rows are
    mostly all true)."""
    if matrix.all():
        return np.ones(len(matrix), dtype=bool)
    return np.asarray(matrix.all(axis=1), dtype=bool)


def empty_texts(texts: pa.Array) -> Mask:
    """The texts of no characters (a null is none of them)."""
    return mask(pc.equal(pc.binary_length(texts), _NO_LENGTH))


def string_buffers(texts: pa.Array) -> tuple[Ints, np.ndarray[Any, np.dtype[np.uint8]]]:
    """A string array's value offsets (``len + 1``, into the data) and its
    data buffer, as numpy arrays, without a copy."""
    _, offsets_buffer, data_buffer = texts.buffers()
    count = len(texts)
    offsets = np.frombuffer(
        offsets_buffer, dtype=np.int32, count=count + 1, offset=4 * texts.offset
    )
    if data_buffer is None:
        return offsets.astype(np.int64), np.zeros(0, dtype=np.uint8)
    return offsets.astype(np.int64), np.frombuffer(data_buffer, dtype=np.uint8)


def string_from_buffers(
    offsets: np.ndarray[Any, np.dtype[np.int32 | np.int64]],
    data: pa.Buffer | np.ndarray[Any, Any] | None,
) -> pa.Array:
    """A string array of the values between consecutive ``offsets`` in
    ``data`` (the caller cuts only between UTF-8 characters)."""
    if data is None:
        data = pa.py_buffer(b"")
    buffer = data if isinstance(data, pa.Buffer) else pa.py_buffer(data)
    return pa.Array.from_buffers(
        pa.string(),
        len(offsets) - 1,
        [None, pa.py_buffer(offsets.astype(np.int32, copy=False)), buffer],
    )


def numbers_in_form(
    data: np.ndarray[Any, np.dtype[np.uint8]],
    starts: Ints,
    ends: Ints,
    *,
    money: bool,
    absent: bool,
) -> Mask:
    """Whether each text ``data[starts[i]:ends[i]]`` is written in
    ``INT_FORM`` (``MONEY_FORM`` with ``money``), or is empty where the value
    may be ``absent``: the texts' bytes read by numpy, a row each as wide as
    the longest text, rather than a regex run over each text."""
    whole, fraction = _MONEY_DIGITS if money else _INT_DIGITS
    lengths = ends - starts
    # a sign, the digits, a point and the digits after it
    widest = 1 + whole + (1 + fraction if fraction else 0)
    if len(lengths):
        shortest, longest = int(lengths.min()), int(lengths.max())
        uniform = 0 < shortest == longest <= widest  # (a log's numbers: mostly of one width)
        if uniform and _uniform_in_form(byte_rows(data, starts, longest), whole, fraction):
            return np.ones(len(lengths), dtype=bool)
    ok = (lengths <= widest) & ((lengths > 0) | absent)
    rows = np.flatnonzero(ok & (lengths > 0))
    if not len(rows):
        return ok
    length = lengths[rows]
    places = np.arange(int(length.max()), dtype=np.int64)
    matrix = data[np.minimum(starts[rows, None] + places, len(data) - 1)]
    inside = places < length[:, None]
    digits = (((matrix - ord("0")) < 10) & inside).sum(axis=1)
    sign = (matrix[:, 0] == ord("-")).astype(np.int64)
    point = (matrix == ord(".")) & inside
    points = point.sum(axis=1) if fraction else np.zeros(len(rows), dtype=np.int64)
    # where the digits before the point end: the point, or the end
    at = np.where(points > 0, point.argmax(axis=1), length)
    before, after = at - sign, length - at - 1
    good = digits + sign + points == length  # (no other byte)
    good &= (points <= 1) & (before >= 1) & (before <= whole)
    good &= (points == 0) | ((after >= 1) & (after <= fraction))
    ok[rows[~good]] = False
    return ok


def money_spans(
    data: np.ndarray[Any, np.dtype[np.uint8]], starts: Ints, ends: Ints
) -> tuple[Mask, pa.Array]:
    """(valid, column) of money written ``data[starts[i]:ends[i]]`` (with
    ``MONEY_FORM``'s widest text's bytes readable after every start): valid
    where the text is in ``MONEY_FORM``, the column's decimal there (as
    ``convert_text`` casts it) and null elsewhere."""
    valid = numbers_in_form(data, starts, ends, money=True, absent=False)
    rows = np.flatnonzero(valid)
    scaled = np.zeros(len(valid), dtype=np.int64)
    if len(rows):
        sign = data[starts[rows]] == ord("-")
        begins = starts[rows] + sign
        lengths = ends[rows] - begins
        width = int(lengths.max())
        # a row a place (numpy is slow along short rows)
        places = np.arange(width)
        matrix = np.ascontiguousarray(byte_rows(data, begins, width).T)
        digits = (matrix - np.uint8(ord("0"))).astype(np.int64)
        point = matrix == ord(".")
        # where the whole part ends: a digit before it is worth ten times
        # more than its place from the end says
        first = int(np.argmax(point[:, 0])) if point[:, 0].any() else width
        same = not point.any() if first == width else bool(point[first].all())
        if same and int(lengths.min()) == width:
            # (a log's money: one width, the point in one place)
            exponents = MONEY.scale + first - places - (places < first)
            worth = np.where(places == first, 0, _POWERS[np.clip(exponents, 0, len(_POWERS) - 1)])
            amounts = worth @ digits
        else:
            inside = places[:, None] < lengths
            point &= inside
            at = np.where(point.any(axis=0), point.argmax(axis=0), lengths)
            exponents = MONEY.scale + at - places[:, None] - (places[:, None] < at)
            worth = _POWERS[np.clip(exponents, 0, len(_POWERS) - 1)] * ((digits <= 9) & inside)
            amounts = (digits * worth).sum(axis=0)
        scaled[rows] = np.where(sign, -amounts, amounts)
    # a decimal128: the scaled integer's 128 bits, little-endian
    halves = np.stack([scaled, scaled >> 63], axis=1)
    nulls = None if valid.all() else pa.array(valid).buffers()[1]
    return valid, pa.Array.from_buffers(MONEY, len(valid), [nulls, pa.py_buffer(halves)])


#: powers of ten a scaled amount of money's digits are worth
_POWERS = 10 ** np.arange(sum(_MONEY_DIGITS), dtype=np.int64)


def _uniform_in_form(
    matrix: np.ndarray[Any, np.dtype[np.uint8]], whole: int, fraction: int
) -> bool:
    """Whether every row of ``matrix`` (texts of one width, not empty) is in
    the form for sure: all digits, or all digits but a point at one place in
    every row. False says nothing (the caller checks row by row)."""
    width = int(matrix.shape[1])
    digit = (matrix - ord("0")) < 10
    if bool(digit.all()):
        return width <= whole
    at = int(np.argmax(matrix[0] == ord(".")))  # (the first row's point, if any)
    return bool(
        fraction > 0
        and 1 <= at <= whole
        and 1 <= width - at - 1 <= fraction
        and bool((matrix[:, at] == ord(".")).all())
        and bool(digit[:, :at].all())
        and bool(digit[:, at + 1 :].all())
    )


def convert_field(spec: FieldSpec, texts: pa.Array, *, fmt: int) -> tuple[Mask, pa.Array]:
    """(valid, column) of a field's texts from a line: valid where the
    per-answer reader takes the text, and the column's values there."""
    kind = spec.kind
    if kind is Kind.TEXT:
        return np.ones(len(texts), dtype=bool), texts
    if kind is Kind.TOKEN:
        valid = np.ones(len(texts), dtype=bool)
        if fmt == 0:
            # the grammar's TOKEN (no comma), and a required one is not empty
            # (the split reader of fmt=1 takes any part as it is)
            valid &= ~mask(pc.match_substring(texts, ","))
            if spec.required:
                valid &= ~empty_texts(texts)
        return valid, texts
    if kind is Kind.LIST:
        items = [list_items(text) for text in texts.to_pylist()]
        return np.ones(len(texts), dtype=bool), pa.array(items, type=TEXTS)
    if spec.required:
        return convert_text(kind, texts, None)
    return convert_text(kind, texts, empty_texts(texts))


def json_column(spec: FieldSpec, raw: pa.Array) -> tuple[Mask, pa.Array]:
    """(valid, column) of one field's values as JSON gives them: numbers as
    int64 (codes are IntEnum members: ints to Arrow), everything else as
    text, null where absent; valid where the value fits its column."""
    kind = spec.kind
    if kind is Kind.LIST:
        items = [None if text is None else list_items(text) for text in raw.to_pylist()]
        return np.ones(len(raw), dtype=bool), pa.array(items, type=TEXTS)
    if kind in (Kind.TEXT, Kind.TOKEN, Kind.INT):
        return np.ones(len(raw), dtype=bool), raw
    texts = raw
    if kind in (Kind.DATETIME, Kind.DATE):
        # an empty date is no date (``_json.wire_twin``)
        texts = pc.if_else(pc.equal(texts, _EMPTY_TEXT), NO_TEXT, texts)
    absent = np.asarray(texts.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    return convert_text(kind, texts, absent)


def convert_text(kind: Kind, texts: pa.Array, absent: Mask | None) -> tuple[Mask, pa.Array]:
    """(valid, column) of numbers, money or dates written as text: valid
    where the text has its kind's form and fits the column (or is absent:
    ``absent``, null in the column), converted there and null elsewhere."""
    if kind is Kind.DATETIME or kind is Kind.DATE:
        return _convert_date(kind, texts, absent)
    form, target = (INT_FORM, pa.int64()) if kind is Kind.INT else (MONEY_FORM, MONEY)
    valid = mask(pc.match_substring_regex(texts, f"^{form}$"))
    if valid.all():
        return valid, pc.cast(texts, target)
    column = pc.cast(pc.if_else(pa.array(valid), texts, pa.scalar(None, type=texts.type)), target)
    return valid if absent is None else valid | absent, column


#: (position, digits) of day, month, year, hour, minute, second in
#: ``DD.MM.YYYY hh:mm:ss`` (a date is the first three)
_DATE_PARTS = ((0, 2), (3, 2), (6, 4), (11, 2), (14, 2), (17, 2))
_MS_PER_DAY = 86_400_000


#: a piece of a date's form: digits, or one literal character
_FORM_PIECE = re.compile(r"\[0-9\]\{(\d+)\}|\\([^0-9A-Za-z])|([^0-9A-Za-z\\\[\](){}?*+|^$.])")


@functools.cache
def _date_template(kind: Kind) -> tuple[bytes, bytes] | None:
    """The kind's form (``KIND_PATTERNS``) as its width in bytes: the
    literal byte each place holds (0 where a digit goes), and where the
    digits go (1 there); None for a form of anything but digits and literal
    characters (then the regex engine checks it)."""
    form = KIND_PATTERNS[kind]
    literal, digits = bytearray(), bytearray()
    end = 0
    for piece in _FORM_PIECE.finditer(form):
        if piece.start() != end:
            return None
        end = piece.end()
        count, escaped, plain = piece.groups()
        if count:
            literal += bytes(int(count))
            digits += b"\x01" * int(count)
        else:
            character = (escaped or plain).encode()
            if len(character) != 1:
                return None
            literal += character
            digits += b"\x00"
    if end != len(form):
        return None
    return bytes(literal), bytes(digits)


def _date_digits(kind: Kind, texts: pa.Array) -> tuple[Mask, np.ndarray[Any, np.dtype[np.uint8]]]:
    """Which texts have the kind's form, and their bytes (a row a place, a
    column each for those texts): a fixed-width form is checked byte by
    byte by numpy."""
    offsets, data = string_buffers(texts)
    if _date_template(kind) is None:
        valid = mask(pc.match_substring_regex(texts, f"^{KIND_PATTERNS[kind]}$"))
        rows = np.flatnonzero(valid)
        width = max(at + digits for at, digits in _DATE_PARTS[: 6 if kind is Kind.DATETIME else 3])
        return valid, data[offsets[rows] + np.arange(width)[:, None]]
    valid = (offsets[1:] - offsets[:-1]) == date_width(kind)
    if texts.null_count:  # (a null's offsets may span anything)
        valid &= mask(texts.is_valid())
    return _fixed_date_digits(kind, data, offsets[:-1], valid)


def date_width(kind: Kind) -> int | None:
    """The width in bytes of a date kind's form where it is fixed (digits
    and literal characters only), else None."""
    template = _date_template(kind)
    return None if template is None else len(template[0])


def _fixed_date_digits(
    kind: Kind, data: np.ndarray[Any, np.dtype[np.uint8]], starts: Ints, valid: Mask
) -> tuple[Mask, np.ndarray[Any, np.dtype[np.uint8]]]:
    """Which of the dates at ``starts`` (``valid``: those of the form's width)
    have the kind's fixed-width form, and their bytes (a row a place, a
    column each for those dates: numpy is slow along short rows)."""
    lowest, spread = _date_bounds(kind)
    rows = np.flatnonzero(valid)
    matrix = np.ascontiguousarray(byte_rows(data, starts[rows], len(lowest)).T)
    inside = matrix - lowest[:, None] <= spread[:, None]  # (a byte below the lowest wraps past it)
    if inside.all():  # (a log's dates: all of the form)
        return valid, matrix
    ok = inside.all(axis=0)
    valid[rows[~ok]] = False
    return valid, matrix[:, ok]


@functools.cache
def _date_bounds(kind: Kind) -> tuple[np.ndarray[Any, np.dtype[np.uint8]], ...]:
    """The lowest byte each place of a fixed-width date form holds ("0"
    where a digit goes, the literal byte elsewhere), and how far above it
    the byte may be (9 and 0)."""
    template = _date_template(kind)
    assert template is not None
    literal = np.frombuffer(template[0], dtype=np.uint8)
    digit = np.frombuffer(template[1], dtype=np.uint8).astype(bool)
    return (
        np.where(digit, ord("0"), literal).astype(np.uint8),
        np.where(digit, 9, 0).astype(np.uint8),
    )


def byte_rows(
    data: np.ndarray[Any, np.dtype[np.uint8]], starts: Ints, width: int
) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """The ``width`` bytes from each of ``starts`` (each within ``data``), a
    row each: the items of a view with an item of ``width`` bytes at every
    byte, taken at once (numpy takes such an item at half the cost of a row
    of a strided view of bytes)."""
    if width <= 0:
        return np.zeros((len(starts), 0), dtype=np.uint8)
    items: np.ndarray[Any, Any] = np.ndarray(
        (max(len(data) - width + 1, 0),),
        dtype=np.dtype((np.void, width)),
        buffer=data,
        offset=0,
        strides=(1,),
    )
    return items[starts].view(np.uint8).reshape(-1, width)


def _convert_date(kind: Kind, texts: pa.Array, absent: Mask | None) -> tuple[Mask, pa.Array]:
    """Dates of the kind's form that exist, as ``datetime.fromisoformat``
    reads them (:func:`_date_numbers`)."""
    valid, values = _date_numbers(kind, *_date_digits(kind, texts))
    column = date_column(kind, values, valid)
    return valid if absent is None else valid | absent, column


def date_spans(
    kind: Kind, data: np.ndarray[Any, np.dtype[np.uint8]], starts: Ints, lengths: Ints
) -> tuple[Mask, Ints]:
    """(valid, values) of the dates ``data[starts[i]:starts[i] + lengths[i]]``
    of a fixed-width form (:func:`date_width`): valid where the date has the
    form and exists, and its value there (:func:`date_column`)."""
    valid = lengths == date_width(kind)
    return _date_numbers(kind, *_fixed_date_digits(kind, data, starts, valid))


def date_column(kind: Kind, values: Ints, valid: Mask) -> pa.Array:
    """A date column of values (days or milliseconds since the epoch), null
    where not ``valid``."""
    missing = None if valid.all() else ~valid
    if kind is Kind.DATE:
        return pa.array(values.astype(np.int32), type=pa.int32(), mask=missing).cast(pa.date32())
    return pa.array(values, type=pa.int64(), mask=missing).cast(timestamp_type(None))


def _date_numbers(
    kind: Kind, valid: Mask, matrix: np.ndarray[Any, np.dtype[np.uint8]]
) -> tuple[Mask, Ints]:
    """(valid, values) of the dates whose bytes are the columns of
    ``matrix`` (one for each of ``valid``), as ``datetime.fromisoformat``
    reads them: year 1-9999, a day of that month, hour 0-23, minute and
    second 0-59; days since the epoch for a date, milliseconds for a date
    and time."""
    count = len(valid)
    rows = np.flatnonzero(valid)
    parts = _DATE_PARTS if kind is Kind.DATETIME else _DATE_PARTS[:3]
    # (int16 holds a year) each part's digits times their place values, summed
    digits = matrix.astype(np.int16) - np.int16(ord("0"))
    day, month, year, *time = (
        sum(digits[at + place] * np.int16(10 ** (width - 1 - place)) for place in range(width))
        for at, width in parts
    )
    # (no division: numpy's integer division is slow; a table by year and month)
    firsts, lengths = _calendar()
    month_of_year = year.astype(np.int32) * 16 + np.minimum(month, 15)
    ok = (day >= 1) & (day <= lengths[month_of_year])
    values = firsts[month_of_year] + (day - 1).astype(np.int64)
    if kind is Kind.DATETIME:
        hour, minute, second = (part.astype(np.int64) for part in time)
        ok &= (hour <= 23) & (minute <= 59) & (second <= 59)
        values = values * _MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000
    valid[rows[~ok]] = False
    full = np.zeros(count, dtype=np.int64)
    full[rows] = values
    return valid, full


@functools.cache
def _calendar() -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """By year * 16 + month (years 0-9999, months 0-15): the days from
    1970-01-01 to the month's first day, and the days of the month (none
    where there is no such month: month 0 or past 12, year 0)."""
    years = np.arange(10_000)[:, None]
    months = np.arange(16)
    real = (years >= 1) & (months >= 1) & (months <= 12)
    starts = ((years - 1970) * 12 + np.clip(months, 1, 12) - 1).astype("datetime64[M]")
    firsts = starts.astype("datetime64[D]").astype(np.int64)
    # (a month as a unit of its own: numpy 2.5 deprecates adding a bare integer)
    lengths = (starts + np.timedelta64(1, "M")).astype("datetime64[D]").astype(np.int64) - firsts
    return (
        np.where(real, firsts, 0).astype(np.int32).reshape(-1),
        np.where(real, lengths, 0).astype(np.int8).reshape(-1),
    )
