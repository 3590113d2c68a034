"""fmt=0 and fmt=1 answers read column by column.

The answers of one layout are cut into lines and the lines into fields over
their bytes (``_columnar_fields``); each field's texts are checked against
the grammar of its kind and converted as a column (``_columnar_convert``).
A line is taken only where the per-answer decoder (``_matcher.LineCodec``)
reads it the same way:

* fmt=1: a line that has one layout alternative's shape (its count of
  commas, a space after each ``", "`` separator, and every typed value in
  its kind's form, checked by numpy over the lines' bytes), where no other
  alternative of that width is registered: then no free text holds a comma,
  and the split at its commas is the line's only reading, the one
  ``str.split`` takes;
* fmt=0: a line in which the literals of an alternative (``", err = "``,
  ...) occur exactly once each, in order: then that placement is its only
  reading (literals cannot overlap, which ``_columnar_fields.literal_set``
  checks), so the per-answer decoder reads it so and marks nothing
  ambiguous, if that alternative is the first that has a reading of the
  line: for a later alternative, each earlier one's pattern is matched
  against the line and must fail.

Everything else the per-answer decoder reads: bodies that may be an error or
``OK`` answer, hold a CR, a NUL, a byte-order mark or a blank line, or are
long enough for a limit to matter, and any line whose reading is ambiguous,
whose value breaks its kind's grammar or does not fit its column. An answer
is taken whole or sent back whole.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._columnar import Group, Parts
from ._columnar_convert import (
    LAST_SPACE,
    NO_TEXT,
    Ints,
    Mask,
    convert_field,
    empty_texts,
    filtered,
    mask,
    numbers_in_form,
    python_whitespace,
    string_buffers,
)
from ._columnar_fields import cut_fields, find_literals, literal_set, ordered_rows, spans_array
from ._columnar_groups import re2_literal, string_array
from ._columnar_pick import pick_candidates
from ._columnar_schema import INPUT_INDEX, ITEM, MONEY
from ._grammar import LineLayout, field_required, line_layouts
from ._replies import Candidate
from ._schema import KIND_PATTERNS, FieldSpec, Kind, plan_for

__all__ = ["LAST_SPACE", "read_line_group", "text_column"]

#: a body's bytes the per-answer decoder refuses or reads otherwise (a CR, a
#: NUL; a line break in a one-record answer)
_BANNED = (b"\r", b"\x00")


def text_column(
    bodies: Sequence[Any] | pa.Array, charset: str, max_bytes: int
) -> tuple[pa.Array, Ints]:
    """The bodies that are text, or bytes that decode as the per-answer
    decoder decodes them (``_body.body_text``), as a string array, with
    their positions; a byte-order mark, a body over ``max_bytes`` or text
    that is no Unicode (a lone surrogate) is left to the per-answer decoder."""
    if isinstance(bodies, pa.ChunkedArray):
        bodies = bodies.combine_chunks()
    if isinstance(bodies, pa.Array):
        if pa.types.is_string(bodies.type):
            return _valid_strings(bodies)
        bodies = bodies.to_pylist()
    if set(map(type, bodies)) == {str}:  # a log's bodies: text already
        array = string_array(bodies)
        if array is not None:
            return array, np.arange(len(bodies), dtype=np.int64)
    texts, positions = _decoded_texts(bodies, charset, max_bytes)
    return _unicode_column(texts, positions)


def _valid_strings(bodies: pa.Array) -> tuple[pa.Array, Ints]:
    """The non-null bodies of a string array, with their positions."""
    valid = np.flatnonzero(mask(bodies.is_valid()))
    if len(valid) == len(bodies):
        return bodies, valid
    return bodies.take(pa.array(valid)), valid


def _decoded_texts(
    bodies: Sequence[Any], charset: str, max_bytes: int
) -> tuple[list[str], list[int]]:
    """The bodies that are text or bytes decoding as ``_body.body_text``
    decodes them, as text, with their positions (see :func:`text_column`)."""
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
    return texts, positions


def _unicode_column(texts: list[str], positions: list[int]) -> tuple[pa.Array, Ints]:
    """``texts`` as a string array with their ``positions``, leaving out a
    text that is no Unicode (a lone surrogate)."""
    array = string_array(texts)
    if array is not None:
        return array, np.asarray(positions, dtype=np.int64)
    kept = [(text, at) for text, at in zip(texts, positions, strict=True) if _is_unicode(text)]
    array = string_array([text for text, _ in kept])
    if array is None:  # (too much text for one array: all of it per answer)
        return pa.array([], type=pa.string()), np.zeros(0, dtype=np.int64)
    return array, np.asarray([at for _, at in kept], dtype=np.int64)


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _holding(texts: pa.Array, banned: Sequence[bytes]) -> Mask:
    """The texts holding any of the ``banned`` bytes (searched for in the
    whole data buffer at once: most batches hold none)."""
    offsets, data = string_buffers(texts)
    low, high = int(offsets[0]), int(offsets[-1])
    found = np.zeros(len(texts), dtype=bool)
    raw = data[low:high]
    whole = raw.tobytes()
    for byte in banned:
        if byte not in whole:
            continue
        at = np.flatnonzero(raw == byte[0]) + low
        found[np.searchsorted(offsets, at, side="right") - 1] = True
    return found


def _usable(texts: pa.Array, group: Group) -> Mask:
    """The bodies a vectorised reading may take (see the module docstring)."""
    limits = group.limits
    # a body this short cannot pass a line, text or record limit (Decoder);
    # its bytes are at least its characters
    short = min(
        limits.max_line_length, limits.max_field_length, limits.max_records, limits.max_body_bytes
    )
    offsets, _ = string_buffers(texts)
    ok = offsets[1:] - offsets[:-1] <= short
    if not ok.all():
        ok |= mask(pc.less_equal(pc.utf8_length(texts), pa.scalar(short, type=pa.int64())))
    ok &= ~_refused_starts(texts, group)
    # anywhere: a CR, a NUL, and in a one-record answer a line break
    ok &= ~_holding(texts, _BANNED if group.spec.multi else (*_BANNED, b"\n"))
    return ok


@functools.cache
def refused_start_pattern(fmt: int, multi: bool) -> str:
    """A regex of the starts of the bodies the per-answer decoder reads
    otherwise: a byte-order mark; an OK or error answer
    (``_envelope.detect_text_envelope``: the first of the first 16
    characters after white space, or ``,-`` in the first 40 in fmt=1); a
    one-record answer starting with E or holding ``,-`` early
    (``Decoder._fast_line``)."""
    starts = [r"\x{feff}", f"{python_whitespace()}{{0,15}}[OE]"]
    if fmt == 1 or not multi:
        starts.append(f"(?s:.{{0,{_COMMA_MINUS_WITHIN}}}),-")
    if not multi:
        starts.append("E|$")
    return f"^(?:{'|'.join(starts)})"


#: ``,-`` refuses a body where at most this many characters come before it
_COMMA_MINUS_WITHIN = 38
#: the first bytes of a text that the pattern's first two alternatives may
#: match at: a byte-order mark's, white space's (ASCII, or the lead byte of
#: another character), ``O`` and ``E``
_MAY_START = np.asarray(
    [byte >= 0x80 or chr(byte).isspace() or chr(byte) in "OE" for byte in range(256)]
)


def _refused_starts(texts: pa.Array, group: Group) -> Mask:
    """The texts :func:`refused_start_pattern` matches. The regex runs only
    on the texts it may match: those that are empty, start with a byte of
    ``_MAY_START``, or hold ``,-`` within the bytes of its first characters
    (found over the whole data buffer at once)."""
    multi = group.spec.multi
    offsets, data = string_buffers(texts)
    count = len(texts)
    starts, ends = offsets[:-1], offsets[1:]
    maybe = ends == starts
    filled = np.flatnonzero(~maybe)
    maybe[filled] = _MAY_START[data[starts[filled]]]
    if group.fmt == 1 or not multi:
        low, high = int(offsets[0]), int(offsets[-1])
        raw = data[low:high]
        pairs = np.flatnonzero((raw[:-1] == ord(",")) & (raw[1:] == ord("-"))) + low
        owners = np.searchsorted(offsets, pairs, side="right") - 1
        # (a character is at most 4 bytes)
        early = pairs - starts[owners] <= 4 * _COMMA_MINUS_WITHIN
        maybe[owners[early]] = True
    found = np.zeros(count, dtype=bool)
    chosen = np.flatnonzero(maybe)
    if len(chosen):
        subset = texts if len(chosen) == count else texts.take(pa.array(chosen))
        pattern = refused_start_pattern(group.fmt, multi)
        found[chosen] = mask(pc.match_substring_regex(subset, pattern))
    return found


def _lines(texts: pa.Array, *, multi: bool) -> tuple[pa.Array, Ints, pa.Array, Mask]:
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
    offsets, data = string_buffers(texts)
    low, high = int(offsets[0]), int(offsets[-1])
    breaks = np.flatnonzero(data[low:high] == ord("\n")) + low
    body_starts, body_ends = offsets[:-1], offsets[1:].copy()
    # one final line break ends the last record (``_lines._fast_lines``)
    final = np.zeros(count, dtype=bool)
    if len(breaks):
        last = body_ends - 1
        final = (body_ends - body_starts > 1) & np.isin(last, breaks)
        body_ends[final] -= 1
        breaks = breaks[~np.isin(breaks, last[final])]
    owners_of_breaks = np.searchsorted(offsets, breaks, side="right") - 1
    bodies = np.arange(count, dtype=np.int64)
    # a line starts a body or follows a break, and ends at a break or the
    # body's end: both in text order (an empty line at a body's end comes
    # before the next body's first)
    starts = np.concatenate([body_starts, breaks + 1])
    start_owners = np.concatenate([bodies, owners_of_breaks])
    order = np.lexsort((start_owners, starts))
    starts, owners = starts[order], start_owners[order]
    ends = np.concatenate([breaks, body_ends])
    ends = ends[np.lexsort((np.concatenate([owners_of_breaks, bodies]), ends))]
    lines = spans_array(starts, ends, texts.buffers()[2])
    first_line = np.searchsorted(owners, np.arange(count), side="left")
    items = pa.array(np.arange(len(owners)) - first_line[owners], type=pa.int32())
    return lines, owners, items, ends > starts


def read_line_group(
    group: Group, bodies: Sequence[Any] | pa.Array, indices: Ints
) -> tuple[Parts, Ints]:
    """Read the bodies of one fmt=0/1 layout (``indices``: their input
    indices): the replies' value columns by kind, and the positions of the
    bodies read (the others go to the per-answer decoder)."""
    texts, positions = text_column(bodies, group.charset, group.limits.max_body_bytes)
    if not len(texts):
        return [], positions
    usable = _usable(texts, group)
    if not usable.all():
        texts = texts.filter(pa.array(usable))
        positions = positions[usable]
    count = len(texts)
    if not count:
        return [], positions
    lines, owners, items, line_ok = _lines(texts, multi=group.spec.multi)
    found, read = _read_candidates(group, lines)
    line_ok &= read
    body_ok = np.ones(count, dtype=bool)
    body_ok[owners[~line_ok]] = False
    line_kept = body_ok[owners]
    input_index = indices[positions]
    parts: Parts = []
    for cls, where, values in found:
        kept = line_kept[where]
        if not kept.any():
            continue
        part = filtered(values, kept)
        lines_kept = where[kept]
        part[INPUT_INDEX] = pa.array(input_index[owners[lines_kept]], type=pa.int64())
        part[ITEM] = items.take(pa.array(lines_kept))
        parts.append((cls, part))
    return parts, positions[body_ok]


def _read_candidates(
    group: Group, lines: pa.Array
) -> tuple[list[tuple[type[msgspec.Struct], Ints, dict[str, pa.Array]]], Mask]:
    """The lines read by the reply kind each is picked for: (kind, lines
    read, their value columns) per reading, and which lines were read."""
    candidates = group.spec.candidates
    picked = pick_candidates(group.spec, group.layout, group.fmt, lines)
    found: list[tuple[type[msgspec.Struct], Ints, dict[str, pa.Array]]] = []
    read = np.zeros(len(lines), dtype=bool)
    for number, candidate in enumerate(candidates):
        chosen = np.flatnonzero(picked == number) if len(candidates) > 1 else None
        subset = lines if chosen is None else lines.take(pa.array(chosen))
        if not len(subset):
            continue
        for taken, values in _read_candidate(group.fmt, candidate, subset):
            where = taken if chosen is None else chosen[taken]
            read[where] = True
            found.append((candidate.cls, where, values))
    return found, read


def _converted(
    fields: Sequence[str],
    texts: Sequence[pa.Array],
    specs: dict[str, FieldSpec],
    convert: Callable[[FieldSpec, pa.Array], tuple[Mask, pa.Array]],
    count: int,
) -> tuple[Mask, dict[str, pa.Array]]:
    """Each field's texts (``count`` rows) converted by ``convert``: the rows
    every field's conversion took, and the fields' values at those rows."""
    ok = np.ones(count, dtype=bool)
    values: dict[str, pa.Array] = {}
    for name, value in zip(fields, texts, strict=True):
        taken, values[name] = convert(specs[name], value)
        ok &= taken
    return ok, filtered(values, ok)


#: what a reader gives: the lines it read (positions in its lines) and their
#: value columns, per alternative
Reading = list[tuple[Ints, dict[str, pa.Array]]]


def _read_candidate(fmt: int, candidate: Candidate, lines: pa.Array) -> Reading:
    specs = plan_for(candidate.cls).by_name
    layouts = line_layouts(fmt, candidate.rule)
    if fmt == 1:
        return _read_split(layouts, specs, lines)
    return _read_literals(layouts, specs, lines)


# -- fmt=1 ----------------------------------------------------------------------------


def _read_split(
    layouts: Sequence[LineLayout], specs: dict[str, FieldSpec], lines: pa.Array
) -> Reading:
    """Lines of the one alternative of their width: its count of commas, a
    space after each ``", "`` separator, and numbers and money in their form
    (:func:`~smsc_codec._columnar_convert.numbers_in_form`; dates are held to
    theirs where they are converted), checked over the lines' bytes."""
    out: Reading = []
    offsets, data = string_buffers(lines)
    low, high = int(offsets[0]), int(offsets[-1])
    commas = np.flatnonzero(data[low:high] == ord(",")) + low
    for layout in _alone_in_width(layouts):
        rows, separators = _in_shape(layout, specs, (offsets, data), commas)
        if not len(rows):
            continue
        lengths = [len(literal) for literal in layout.literals[1:-1]]
        room, texts = cut_fields(lines, rows, separators, lengths, lead=0, trail=0)
        rows = rows[room]
        valid, values = _converted(layout.fields, texts, specs, _convert_shaped, len(rows))
        out.append((rows[valid], values))
    return out


def _alone_in_width(layouts: Sequence[LineLayout]) -> list[LineLayout]:
    """The splittable layouts that no other splittable layout shares a count
    of fields with (of two alternatives of one width, the per-answer decoder
    picks)."""
    widths: dict[int, list[LineLayout]] = {}
    for layout in layouts:
        if layout.splittable:
            widths.setdefault(len(layout.fields), []).append(layout)
    return [alike[0] for alike in widths.values() if len(alike) == 1]


def _in_shape(
    layout: LineLayout,
    specs: dict[str, FieldSpec],
    buffers: tuple[Ints, np.ndarray[Any, np.dtype[np.uint8]]],
    commas: Ints,
) -> tuple[Ints, Ints]:
    """The lines (of ``buffers``, their offsets and data) in the layout's
    shape, and where their separating commas are: its count of commas, a
    space after each ``", "``, numbers and money in their form."""
    offsets, data = buffers
    middle = layout.literals[1:-1]
    rows, separators = _separated(commas, offsets, len(layout.fields) - 1)
    if not len(rows):
        return rows, separators
    ends = offsets[rows + 1]
    ok = np.ones(len(rows), dtype=bool)
    for number, literal in enumerate(middle):
        if literal == ", ":
            after = separators[:, number] + 1
            ok &= after < ends
            ok &= data[np.minimum(after, len(data) - 1)] == ord(" ")
    for number, name in enumerate(layout.fields):
        spec = specs[name]
        if spec.kind is Kind.INT or spec.kind is Kind.DECIMAL:
            first = (
                offsets[rows] if not number else separators[:, number - 1] + len(middle[number - 1])
            )
            last = separators[:, number] if number < len(middle) else ends
            ok &= numbers_in_form(
                data, first, last, money=spec.kind is Kind.DECIMAL, absent=not spec.required
            )
    if not ok.all():
        rows, separators = rows[ok], separators[ok]
    return rows, separators


def _separated(commas: Ints, offsets: Ints, width: int) -> tuple[Ints, Ints]:
    """The lines (of ``offsets``) holding exactly ``width`` of the
    ``commas``, and where those are, ``width`` a line."""
    count = len(offsets) - 1
    if len(commas) == width * count:
        grid = commas.reshape(count, width)
        # every line's first and last comma its own: then all of them are
        if not width or ((grid[:, 0] >= offsets[:-1]) & (grid[:, -1] < offsets[1:])).all():
            return np.arange(count, dtype=np.int64), grid
    owner = np.searchsorted(offsets, commas, side="right") - 1
    holds = np.bincount(owner, minlength=count) == width
    rows = np.flatnonzero(holds)
    if not width:
        return rows, np.zeros((len(rows), 0), dtype=np.int64)
    return rows, commas[holds[owner]].reshape(-1, width)


def _convert_shaped(spec: FieldSpec, texts: pa.Array) -> tuple[Mask, pa.Array]:
    """:func:`convert_field` of fmt=1 values whose form :func:`_read_split`
    checked: numbers and money are cast at once (an empty one is absent)."""
    kind = spec.kind
    if kind is Kind.INT or kind is Kind.DECIMAL:
        target = pa.int64() if kind is Kind.INT else MONEY
        if not spec.required:
            empty = empty_texts(texts)
            if empty.any():
                texts = pc.if_else(pa.array(empty), NO_TEXT, texts)
        return np.ones(len(texts), dtype=bool), pc.cast(texts, target)
    return convert_field(spec, texts, fmt=1)


# -- fmt=0 ----------------------------------------------------------------------------


def _read_literals(
    layouts: Sequence[LineLayout], specs: dict[str, FieldSpec], lines: pa.Array
) -> Reading:
    """Lines read by the first of the registered ``layouts`` that has a
    reading of them, where that reading is the only one (see the module
    docstring). The per-answer decoder tries every registered layout before
    any variant of a separator's spelling, so a line no registered layout
    places here goes to it, variants and all."""
    out: Reading = []
    left = np.arange(len(lines), dtype=np.int64)
    for number, layout in enumerate(layouts):
        if not len(left):
            break
        subset = lines if len(left) == len(lines) else lines.take(pa.array(left))
        read = _read_layout(layout, specs, subset)
        if read is None:
            continue
        placed, taken, values = read
        if number and len(taken):
            # an earlier alternative with a reading of the line is the one
            # the per-answer decoder takes: those lines go per answer
            earlier = np.zeros(len(taken), dtype=bool)
            chosen = subset.take(pa.array(taken))
            for before in layouts[:number]:
                earlier |= mask(pc.match_substring_regex(chosen, _reading_pattern(before, specs)))
            if earlier.any():
                taken, values = taken[~earlier], filtered(values, ~earlier)
        if len(taken):
            out.append((left[taken], values))
        # a line whose literals this alternative placed is read by it or by
        # the per-answer decoder; the others, by a later alternative or by the
        # per-answer decoder
        left = left[~placed]
    return out


def _read_layout(
    layout: LineLayout, specs: dict[str, FieldSpec], lines: pa.Array
) -> tuple[Mask, Ints, dict[str, pa.Array]] | None:
    """(placed, taken, values): the lines in which the layout's literals
    occur in order, once each (placed); of those, the lines whose fields
    each kind takes, and their value columns. None when the layout cannot
    be placed this way (an empty literal between fields, literals that may
    overlap)."""
    literals = layout.literals
    middle = literals[1:-1]
    placing = _placed_literals(middle, lines)
    if placing is None:
        return None
    placed, separators = placing
    rows = np.flatnonzero(placed)
    lead, trail = literals[0], literals[-1]
    ends_kept = np.ones(len(rows), dtype=bool)
    if lead:
        ends_kept &= mask(pc.starts_with(lines, lead))[rows]
    if trail:
        ends_kept &= mask(pc.ends_with(lines, trail))[rows]
    if not ends_kept.all():
        placed[rows[~ends_kept]] = False
        rows, separators = rows[ends_kept], separators[ends_kept]
    lengths = [len(literal) for literal in middle]
    room, texts = cut_fields(lines, rows, separators, lengths, lead=len(lead), trail=len(trail))
    if not room.all():
        placed[rows[~room]] = False
        rows = rows[room]
    ok, values = _converted(layout.fields, texts, specs, _convert_read, len(rows))
    return placed, rows[ok], values


def _placed_literals(middle: Sequence[str], lines: pa.Array) -> tuple[Mask, Ints] | None:
    """The lines in which the literals between fields, ``middle``, occur in
    order and once each, and where they stand in those lines; None when
    they cannot be placed so (an empty literal, literals that may overlap)."""
    if any(not literal for literal in middle):
        return None
    count = len(lines)
    if not middle:
        return np.ones(count, dtype=bool), np.zeros((count, 0), dtype=np.int64)
    distinct = tuple(dict.fromkeys(middle))
    compiled = literal_set(distinct)
    if compiled is None:
        return None
    occurrences = find_literals(lines, compiled)
    sequence = [distinct.index(literal) for literal in middle]
    return ordered_rows(occurrences, count, sequence)


def _convert_read(spec: FieldSpec, texts: pa.Array) -> tuple[Mask, pa.Array]:
    """:func:`convert_field` of a fmt=0 value, and the grammar's TOKEN: one
    character or more where the grammar requires the field."""
    valid, column = convert_field(spec, texts, fmt=0)
    if spec.kind is Kind.TOKEN and field_required(spec.name) and not spec.required:
        valid &= ~empty_texts(texts)
    return valid, column


@functools.cache
def _reading_pattern_of(layout: LineLayout, shapes: tuple[str, ...]) -> str:
    parts = ["^", re2_literal(layout.literals[0])]
    for shape, literal in zip(shapes, layout.literals[1:], strict=True):
        parts.append(shape)
        parts.append(re2_literal(literal))
    return "".join(parts) + "$"


def _reading_pattern(layout: LineLayout, specs: dict[str, FieldSpec]) -> str:
    """A regex matching the lines the layout has a reading of, as the
    per-answer decoder's own regex (``_matcher._Alternative``) does."""
    shapes = []
    for name in layout.fields:
        spec = specs[name]
        pattern = KIND_PATTERNS[spec.kind]
        if spec.kind.free:
            shapes.append(f"(?:{pattern})")
        else:
            shapes.append(f"(?:{pattern})" if field_required(name) else f"(?:{pattern})?")
    return _reading_pattern_of(layout, tuple(shapes))
