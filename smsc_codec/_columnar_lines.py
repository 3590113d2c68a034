"""fmt=0 and fmt=1 answers read column by column.

The answers of one layout are split into lines, the lines into fields, and
each field is checked against the grammar of its kind
(``_schema.KIND_PATTERNS``) and converted as a column by Arrow. A line is
taken only where the per-answer decoder (``_matcher.LineCodec``) reads it the
same way:

* fmt=1: split by Arrow at its commas, when the line has as many fields as
  one layout alternative that ``str.split`` reads (and no other alternative
  of that width): then no free text holds a comma, the split is the line's
  only reading, and it is the one the per-answer split reader takes;
* fmt=0: read by the compiled layout itself (the first alternative that has
  a reading, with the matcher's own check that the reading is the only one),
  its field texts gathered into columns: what is left to Arrow is the
  checking and converting of the values and building the Struct-free rows.

Everything else the per-answer decoder reads: bodies that may be an error or
``OK`` answer, hold a CR, a NUL, a byte-order mark or a blank line, or are
long enough for a limit to matter, and any line whose reading is ambiguous,
whose value breaks its kind's grammar or does not fit its column. An answer
is taken whole or sent back whole.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from typing import Any

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._columnar import Group, Parts
from ._columnar_schema import INPUT_INDEX, ITEM, MONEY, TEXTS, list_items, timestamp_type
from ._grammar import LineLayout, line_layouts
from ._matcher import LineCodec, line_codec
from ._replies import Candidate
from ._schema import KIND_PATTERNS, FieldSpec, Kind, plan_for

__all__ = ["convert_text", "read_line_group", "text_column"]

#: values that fit their column for sure (longer ones go per answer, where
#: the exact check is made): 18 digits in int64, money's 12.6 digits
_INT = r"^-?[0-9]{1,18}$"
_MONEY = r"^-?[0-9]{1,12}(?:\.[0-9]{1,6})?$"
_DATETIME_ISO = (r"^([0-9]{2})\.([0-9]{2})\.([0-9]{4}) (.*)$", r"\3-\2-\1 \4", "%Y-%m-%d %H:%M:%S")
_DATE_ISO = (r"^([0-9]{2})\.([0-9]{2})\.([0-9]{4})$", r"\3-\2-\1", "%Y-%m-%d")


#: Unicode's last white-space character is U+3000 (IDEOGRAPHIC SPACE);
#: ``tests/test_columnar.py`` checks that none lies past it
LAST_SPACE = 0x3000


@functools.cache
def python_whitespace() -> str:
    """A character class of what ``str.isspace`` holds (RE2's ``\\s`` is ASCII)."""
    spaces = "".join(chr(c) for c in range(LAST_SPACE + 1) if chr(c).isspace())
    return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in spaces) + "]"


def text_column(bodies: Sequence[Any], charset: str, max_bytes: int) -> tuple[pa.Array, list[int]]:
    """The bodies that are text, or bytes that decode as the per-answer
    decoder decodes them (``_body.body_text``), as a string array, with
    their positions; a byte-order mark, a body over ``max_bytes`` or text
    that is no Unicode (a lone surrogate) is left to the per-answer decoder."""
    if all(type(body) is str for body in bodies):  # a log's bodies: text already
        try:
            return pa.array(bodies, type=pa.string()), list(range(len(bodies)))
        except (pa.ArrowException, UnicodeError):
            pass
    texts: list[str] = []
    positions: list[int] = []
    for position, body in enumerate(bodies):
        kind = type(body)
        if kind is str:
            text = body
        elif kind is bytes:
            if len(body) > max_bytes:
                continue
            if body.isascii():
                text = body.decode("ascii")
            elif body.startswith(b"\xef\xbb\xbf") or charset == "auto":
                continue
            else:
                try:
                    text = body.decode(charset)
                except (UnicodeDecodeError, LookupError):
                    continue
        else:
            continue
        texts.append(text)
        positions.append(position)
    try:
        return pa.array(texts, type=pa.string()), positions
    except (pa.ArrowException, UnicodeError):
        pass
    kept = [(text, at) for text, at in zip(texts, positions, strict=True) if _is_unicode(text)]
    return pa.array([text for text, _ in kept], type=pa.string()), [at for _, at in kept]


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _mask(array: pa.Array) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """A boolean array as numpy (null is false)."""
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)


def _usable(texts: pa.Array, group: Group) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """The bodies a vectorised reading may take (see the module docstring)."""
    limits = group.limits
    # a body this short cannot pass a line, text or record limit (Decoder)
    short = min(
        limits.max_line_length, limits.max_field_length, limits.max_records, limits.max_body_bytes
    )
    ok = _mask(pc.less_equal(pc.utf8_length(texts), short))
    # at the start: a byte-order mark; an OK or error answer
    # (``_envelope.detect_text_envelope``: the first of the first 16
    # characters after white space, or ``,-`` in the first 40 in fmt=1); a
    # one-record answer starting with E or holding ``,-`` early
    # (``Decoder._fast_line``); anywhere: a CR, a NUL, and in a one-record
    # answer a line break (one pass of the regex engine for all of them)
    starts = [r"\x{feff}", f"{python_whitespace()}{{0,15}}[OE]"]
    if group.fmt == 1 or not group.spec.multi:
        starts.append("(?s:.{0,38}),-")
    if not group.spec.multi:
        starts.append("E|$")
    banned = r"[\r\x00]" if group.spec.multi else r"[\r\x00\n]"
    ok &= ~_mask(pc.match_substring_regex(texts, f"^(?:{'|'.join(starts)})|{banned}"))
    return ok


def _lines(
    texts: pa.Array, *, multi: bool
) -> tuple[pa.Array, np.ndarray[Any, Any], pa.Array, np.ndarray[Any, np.dtype[np.bool_]]]:
    """The bodies' lines: the lines, the body of each, its position in its
    body (null for a one-record answer), and whether it may be read (a blank
    line goes per answer)."""
    count = len(texts)
    if not multi:
        return (
            texts,
            np.arange(count, dtype=np.int64),
            pa.nulls(count, type=pa.int32()),
            np.ones(count, dtype=bool),
        )
    # one final line break ends the last record (``_lines._fast_lines``)
    ends = _mask(pc.ends_with(texts, "\n")) & _mask(pc.greater(pc.utf8_length(texts), 1))
    trimmed = pc.if_else(pa.array(ends), pc.utf8_slice_codeunits(texts, 0, -1), texts)
    split = pc.split_pattern(trimmed, "\n")
    lines = split.flatten()
    owners = np.asarray(pc.list_parent_indices(split).to_numpy(), dtype=np.int64)
    offsets = np.asarray(split.offsets.to_numpy(), dtype=np.int64)
    items = pa.array(np.arange(len(lines)) - offsets[owners], type=pa.int32())
    return lines, owners, items, _mask(pc.greater(pc.utf8_length(lines), 0))


def read_line_group(
    group: Group, bodies: Sequence[Any], indices: Sequence[int]
) -> tuple[Parts, list[int]]:
    """Read the bodies of one fmt=0/1 layout (``indices``: their input
    indices): the replies' value columns by kind, and the positions of the
    bodies read (the others go to the per-answer decoder)."""
    texts, positions = text_column(bodies, group.charset, group.limits.max_body_bytes)
    usable = _usable(texts, group)
    if not usable.all():
        texts = texts.filter(pa.array(usable))
        positions = [p for p, ok in zip(positions, usable, strict=True) if ok]
    count = len(texts)
    if not count:
        return [], []
    lines, owners, items, line_ok = _lines(texts, multi=group.spec.multi)
    candidates = group.spec.candidates
    if len(candidates) == 1:
        picked = np.zeros(len(lines), dtype=np.int64)
    else:
        # the registry picks each line's kind (one call a line, in a C-level map)
        pick = functools.partial(group.spec.pick_line, group.fmt)
        order = {id(candidate): number for number, candidate in enumerate(candidates)}
        # (-1, read by no candidate here: a pick that is not one of the
        # spec's own candidates goes per answer)
        picked = np.fromiter(
            map(order.get, map(id, map(pick, lines.to_pylist())), itertools.repeat(-1)),
            dtype=np.int64,
            count=len(lines),
        )
    found: list[tuple[type[msgspec.Struct], np.ndarray[Any, Any], dict[str, pa.Array]]] = []
    read = np.zeros(len(lines), dtype=bool)
    for number, candidate in enumerate(candidates):
        chosen = np.flatnonzero(picked == number)
        if not len(chosen):
            continue
        for taken, values in _read_candidate(group.fmt, candidate, lines.take(pa.array(chosen))):
            where = chosen[taken]
            read[where] = True
            found.append((candidate.cls, where, values))
    line_ok &= read
    bad_bodies = np.unique(owners[~line_ok])
    body_ok = np.ones(count, dtype=bool)
    body_ok[bad_bodies] = False
    line_kept = body_ok[owners]
    input_index = np.asarray(indices, dtype=np.int64)[np.asarray(positions, dtype=np.int64)]
    parts: Parts = []
    for cls, where, values in found:
        kept = line_kept[where]
        if not kept.any():
            continue
        part = _filtered(values, kept)
        lines_kept = where[kept]
        part[INPUT_INDEX] = pa.array(input_index[owners[lines_kept]], type=pa.int64())
        part[ITEM] = items.take(pa.array(lines_kept))
        parts.append((cls, part))
    return parts, [positions[body] for body in np.flatnonzero(body_ok)]


def _filtered(
    values: dict[str, pa.Array], keep: np.ndarray[Any, np.dtype[np.bool_]]
) -> dict[str, pa.Array]:
    """The rows of ``keep`` of every column."""
    if keep.all():
        return values
    mask = pa.array(keep)
    return {name: array.filter(mask) for name, array in values.items()}


def _read_candidate(
    fmt: int, candidate: Candidate, lines: pa.Array
) -> list[tuple[np.ndarray[Any, Any], dict[str, pa.Array]]]:
    """The lines of one candidate each alternative reads: (positions, value
    columns of those lines) per alternative."""
    plan = plan_for(candidate.cls)
    layouts = line_layouts(fmt, candidate.rule)
    if fmt == 1:
        return _read_split(layouts, plan.by_name, lines)
    return _read_by_codec(line_codec(fmt, candidate.rule, candidate.cls), plan.by_name, lines)


def _splittable(layout: LineLayout) -> bool:
    """``str.split(",")`` reads the layout (``_matcher._Alternative.splittable``)."""
    lits = layout.literals
    return lits[0] == "" and lits[-1] == "" and all(lit in (",", ", ") for lit in lits[1:-1])


def _read_split(
    layouts: Sequence[LineLayout], specs: dict[str, FieldSpec], lines: pa.Array
) -> list[tuple[np.ndarray[Any, Any], dict[str, pa.Array]]]:
    by_count: dict[int, list[LineLayout]] = {}
    for layout in layouts:
        if _splittable(layout):
            by_count.setdefault(len(layout.fields), []).append(layout)
    counts = np.asarray(pc.count_substring(lines, ",").to_numpy(zero_copy_only=False)) + 1
    out = []
    for fields, alike in by_count.items():
        if len(alike) != 1:
            continue  # two alternatives of one width: the per-answer decoder picks
        (layout,) = alike
        chosen = np.flatnonzero(counts == fields)
        if not len(chosen):
            continue
        subset = lines.take(pa.array(chosen))
        # one pass checks the shape of every field (and the spaces after ", ")
        shaped = _mask(pc.match_substring_regex(subset, _line_pattern(layout, specs)))
        if not shaped.all():
            chosen, subset = chosen[shaped], subset.filter(pa.array(shaped))
        split = pc.split_pattern(subset, ",").flatten()
        ok = np.ones(len(chosen), dtype=bool)
        values: dict[str, pa.Array] = {}
        for at, name in enumerate(layout.fields):
            value = split.take(pa.array(np.arange(at, len(split), fields)))
            if layout.literals[at] == ", ":  # (its space, checked by the pattern)
                value = pc.utf8_slice_codeunits(value, 1)
            valid, values[name] = _convert_shaped(specs[name], value)
            ok &= valid
        out.append((chosen[ok], _filtered(values, ok)))
    return out


_SHAPES = {
    Kind.INT: _INT[1:-1],
    Kind.DECIMAL: _MONEY[1:-1],
    Kind.DATETIME: KIND_PATTERNS[Kind.DATETIME],
    Kind.DATE: KIND_PATTERNS[Kind.DATE],
}


@functools.cache
def _line_pattern_of(layout: LineLayout, shapes: tuple[tuple[str, bool], ...]) -> str:
    parts = ["^"]
    for literal, (shape, optional) in zip(layout.literals, shapes, strict=False):
        parts.append(literal)
        parts.append(f"(?:{shape})?" if optional else f"(?:{shape})")
    return "".join(parts) + "$"


def _line_pattern(layout: LineLayout, specs: dict[str, FieldSpec]) -> str:
    """A fmt=1 line of the layout, each typed value in its kind's form (the
    form that fits its column) or absent where the field may be, texts
    without a comma."""
    shapes = []
    for name in layout.fields:
        spec = specs[name]
        shape = _SHAPES.get(spec.kind)
        shapes.append(("[^,]*", False) if shape is None else (shape, not spec.required))
    return _line_pattern_of(layout, tuple(shapes))


def _convert_shaped(spec: FieldSpec, texts: pa.Array) -> tuple[np.ndarray[Any, Any], pa.Array]:
    """:func:`_convert` of fmt=1 values whose form :func:`_line_pattern`
    checked: numbers and money are cast at once (an empty one is absent)."""
    kind = spec.kind
    if kind is Kind.INT or kind is Kind.DECIMAL:
        target = pa.int64() if kind is Kind.INT else MONEY
        present = texts if spec.required else pc.if_else(pc.equal(texts, ""), None, texts)
        return np.ones(len(texts), dtype=bool), pc.cast(present, target)
    return _convert(spec, texts, fmt=1)


def _read_by_codec(
    codec: LineCodec, specs: dict[str, FieldSpec], lines: pa.Array
) -> list[tuple[np.ndarray[Any, Any], dict[str, pa.Array]]]:
    """fmt=0 lines read as the per-answer decoder reads them: the first
    alternative of the rule that has a reading of the line
    (``_matcher``'s compiled regex, with its check that the reading is the
    only one), its field texts gathered into columns. A line whose reading
    is ambiguous, or that no alternative reads, goes per answer."""
    alternatives = codec.alternatives
    chosen: list[list[int]] = [[] for _ in alternatives]
    texts: list[list[Sequence[str]]] = [[] for _ in alternatives]
    for row, line in enumerate(lines.to_pylist()):
        for number, alternative in enumerate(alternatives):
            found = alternative.reading(line)
            if found is None:
                continue
            if not found[1]:  # not ambiguous
                chosen[number].append(row)
                texts[number].append(found[0])
            break
    out = []
    for alternative, rows, values in zip(alternatives, chosen, texts, strict=True):
        if not rows:
            continue
        ok = np.ones(len(rows), dtype=bool)
        columns: dict[str, pa.Array] = {}
        for name, column in zip(alternative.fields, zip(*values, strict=True), strict=True):
            valid, columns[name] = _convert(specs[name], pa.array(column, type=pa.string()), fmt=0)
            ok &= valid
        out.append((np.asarray(rows, dtype=np.int64)[ok], _filtered(columns, ok)))
    return out


def _convert(
    spec: FieldSpec, texts: pa.Array, *, fmt: int
) -> tuple[np.ndarray[Any, Any], pa.Array]:
    """(valid, column) of a field's texts: valid where the per-answer reader
    takes the text, and the column's values there (null elsewhere)."""
    kind = spec.kind
    empty = _mask(pc.equal(texts, ""))
    if kind is Kind.TEXT or kind is Kind.TOKEN:
        valid = np.ones(len(texts), dtype=bool)
        if fmt == 0 and kind is Kind.TOKEN:
            # the grammar's TOKEN, and a required one is not empty (the
            # split reader of fmt=1 takes any part as it is)
            valid &= ~_mask(pc.match_substring(texts, ","))
            if spec.required:
                valid &= ~empty
        return valid, texts
    if kind is Kind.LIST:
        items = [list_items(text) for text in texts.to_pylist()]
        return np.ones(len(texts), dtype=bool), pa.array(items, type=TEXTS)
    absent_ok = empty if not spec.required else np.zeros(len(texts), dtype=bool)
    return convert_text(kind, texts, absent_ok)


def convert_text(
    kind: Kind, texts: pa.Array, absent_ok: np.ndarray[Any, Any]
) -> tuple[np.ndarray[Any, Any], pa.Array]:
    """(valid, column) of numbers, money or dates written as text: valid
    where the text has its kind's form and fits the column (or is absent,
    where ``absent_ok``), converted there and null elsewhere."""
    if kind is Kind.INT:
        valid = _mask(pc.match_substring_regex(texts, _INT))
        target: pa.DataType = pa.int64()
    elif kind is Kind.DECIMAL:
        valid = _mask(pc.match_substring_regex(texts, _MONEY))
        target = MONEY
    else:
        return _convert_date(kind, texts, absent_ok)
    column = pc.cast(pc.if_else(pa.array(valid), texts, None), target)
    return valid | absent_ok, column


def _convert_date(
    kind: Kind, texts: pa.Array, absent_ok: np.ndarray[Any, Any]
) -> tuple[np.ndarray[Any, Any], pa.Array]:
    """Dates: the kind's pattern, a year Python knows (1-9999), and a date
    that exists (Arrow's parser rolls 30.02 over to March: a value that does
    not format back to itself is refused)."""
    pattern, iso, layout = _DATETIME_ISO if kind is Kind.DATETIME else _DATE_ISO
    shaped = _mask(pc.match_substring_regex(texts, f"^{KIND_PATTERNS[kind]}$"))
    shaped &= ~_mask(pc.match_substring_regex(texts, r"^[0-9]{2}\.[0-9]{2}\.0000"))
    as_iso = pc.replace_substring_regex(pc.if_else(pa.array(shaped), texts, None), pattern, iso)
    parsed = pc.strptime(as_iso, format=layout, unit="s", error_is_null=True)
    if kind is Kind.DATE:
        parsed = pc.cast(parsed, pa.date32())
    # (a cast to text writes the ISO form the value was read from)
    same = _mask(pc.equal(pc.cast(parsed, pa.string()), as_iso))
    valid = shaped & same
    column = pc.if_else(pa.array(valid), parsed, None)
    if kind is Kind.DATETIME:
        column = column.cast(timestamp_type(None))
    return valid | absent_ok, column
