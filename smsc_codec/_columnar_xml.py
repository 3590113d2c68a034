"""fmt=2 answers of one record read column by column.

The per-answer decoder reads a one-record answer in its plainest form (the
record element and flat field elements, nothing else: ``_xml``'s
``plain_record_entry``) by one anchored regex, and converts the fields'
texts in one call into the reply's wire twin. This reader takes those same
bodies, and only them:

* a body must match the entry's regex less its one back-reference (each
  field's end tag names the field), spelled for RE2: the record element,
  field elements of the entry's tag names and text, the entry's white
  space between them, and nothing else;
* the field tags of the first such body are read by the entry's own regex
  (:func:`~smsc_codec._xml.plain_record_fields`): a *template*, which must
  make a record the entry converts as it is converted here (each tag once,
  none an error key (``ERROR_KEYS``) or the nested records' list, every tag
  a field of the kind the tags pick, every field the kind requires among
  them); the bodies of that template are those whose every tag, found at
  its ``<``, is the template's, start and end tag alike (then the end tag
  names its field, as the back-reference asks); the next template is read
  from the first body left, a few times at most;
* each field's texts, between its tags, are converted as in a line format
  (``_columnar_convert``), which takes only values in their kind's form:
  those the wire twin reads to the same value.

Everything else the per-answer decoder reads: bytes that are not ASCII (it
decodes those by their charset or declaration, and reads them by expat), a
body too long for the entry, any body of another shape, any value out of
its form. An answer is taken whole or sent back whole.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._columnar import Group, Parts
from ._columnar_convert import (
    Ints,
    Mask,
    byte_rows,
    convert_field,
    filtered,
    mask,
    rows_all,
    string_buffers,
)
from ._columnar_fields import spans_array
from ._columnar_groups import re2_literal
from ._columnar_lines import text_column
from ._columnar_schema import INPUT_INDEX, ITEM
from ._replies import ERROR_KEYS, ReplySpec
from ._schema import plan_for
from ._xml import PLAIN_NAME, PLAIN_SPACE, PLAIN_TEXT_RE2, plain_record_fields

__all__ = ["read_xml_group"]


def read_xml_group(
    group: Group, bodies: Sequence[Any] | pa.Array, indices: Ints
) -> tuple[Parts, Ints]:
    """Read the plain one-record bodies of one fmt=2 layout (``indices``:
    their input indices): the replies' value columns by kind, and the
    positions of the bodies read (the others go to the per-answer decoder)."""
    nothing = np.zeros(0, dtype=np.int64)
    if not _has_plain_entry(group):
        return [], nothing
    texts, positions = _plain_texts(group, bodies)
    if not len(texts):
        return [], nothing
    parts, read = _read_templates(group.spec, texts, positions, indices)
    return parts, np.concatenate(read) if read else nothing


def _has_plain_entry(group: Group) -> bool:
    """Whether the decoder reads the layout's one-record answers by the
    plain record entry, as this reader does."""
    spec, limits = group.spec, group.limits
    if spec.multi or spec.ok_only or limits.max_depth < 2 or limits.max_records < 1:
        return False  # (the decoder has no entry for it)
    # (a body of the value alone is the entry's to leave, one of the list
    # element a list: neither is read here)
    return spec.xml_item not in (spec.xml_value_root, spec.xml_list)


def _plain_texts(group: Group, bodies: Sequence[Any] | pa.Array) -> tuple[pa.Array, Ints]:
    """The bodies the entry's regex takes (:func:`_plain_pattern`), as text,
    with their positions."""
    limits = group.limits
    # text, or ASCII bytes (the same in every charset): as the entry takes them
    texts, positions = text_column(bodies, "ascii", limits.max_body_bytes)
    if not len(texts):
        return texts, positions
    longest = min(limits.max_body_bytes, limits.max_field_length)
    plain = mask(pc.match_substring_regex(texts, _plain_pattern(group.spec.xml_item)))
    if not plain.all():
        texts, positions = texts.filter(pa.array(plain)), positions[plain]
    if len(texts) and int(pc.max(pc.utf8_length(texts)).as_py()) > longest:
        short = mask(pc.less_equal(pc.utf8_length(texts), pa.scalar(longest, type=pa.int64())))
        texts, positions = texts.filter(pa.array(short)), positions[short]
    return texts, positions


def _read_templates(
    spec: ReplySpec, texts: pa.Array, positions: Ints, indices: Ints
) -> tuple[Parts, list[Ints]]:
    """The value columns of the bodies of each template (read from the first
    body left, ``_MAX_TEMPLATES`` times at most), and the positions of the
    bodies read."""
    offsets, data = string_buffers(texts)
    # every ``<`` of the bodies: each body's tags start at its own
    opening = np.flatnonzero(data[int(offsets[0]) : int(offsets[-1])] == ord("<"))
    opening += int(offsets[0])
    first = np.searchsorted(opening, offsets[:-1])
    counts = np.searchsorted(opening, offsets[1:]) - first
    parts: Parts = []
    read: list[Ints] = []
    left = np.ones(len(texts), dtype=bool)
    for _ in range(_MAX_TEMPLATES):
        rest = np.flatnonzero(left)
        if not len(rest):
            break
        sample = texts[int(rest[0])].as_py()
        left[rest[0]] = False  # (its own template, whatever it is)
        fields = plain_record_fields(spec.xml_item, sample)
        if fields is None:
            continue  # (an end tag naming another element)
        tags = tuple(tag for tag, _ in fields)
        rows = rest[counts[rest] == 2 * len(tags) + 2]
        tag_starts = opening[first[rows, None] + np.arange(2 * len(tags) + 2)]
        alike = _tags_are(data, tag_starts, spec.xml_item, tags)
        rows, tag_starts = rows[alike], tag_starts[alike]
        left[rows] = False
        if _template_taken(spec, tags):
            taken, values = _read_fields(spec, tags, texts, tag_starts)
            rows = rows[taken]
            values[INPUT_INDEX] = pa.array(indices[positions[rows]], type=pa.int64())
            values[ITEM] = pa.nulls(len(rows), type=pa.int32())
            parts.append((spec.pick_keys(tags).cls, values))
            read.append(positions[rows])
    return parts, read


#: the most templates read from one batch (a log's answers have a handful;
#: the bodies of any other go per answer)
_MAX_TEMPLATES = 8


@functools.cache
def _plain_pattern(item: str) -> str:
    """``_xml.plain_record_entry``'s regex less its back-reference, for RE2."""
    item, name, space, text = re2_literal(item), PLAIN_NAME, PLAIN_SPACE, PLAIN_TEXT_RE2
    return f"^<{item}>{space}(?:<{name}>{text}</{name}>{space})*</{item}>{space}$"


def _tag_texts(item: str, tags: tuple[str, ...]) -> list[bytes]:
    """Each tag of a record of ``tags``, in the order they stand."""
    out = [f"<{item}>".encode()]
    for tag in tags:
        out += [f"<{tag}>".encode(), f"</{tag}>".encode()]
    return [*out, f"</{item}>".encode()]


def _tags_are(
    data: np.ndarray[Any, np.dtype[np.uint8]], tag_starts: Ints, item: str, tags: tuple[str, ...]
) -> Mask:
    """Whether the tags starting at each row of ``tag_starts`` are those of a
    record of ``tags`` (each compared whole, its ``>`` included)."""
    alike = np.ones(len(tag_starts), dtype=bool)
    for number, tag in enumerate(_tag_texts(item, tags)):
        starts = tag_starts[:, number]
        # (a tag that would run past the data is not this one: its bytes are
        # read from where they fit, and the row is false anyway)
        inside = starts <= len(data) - len(tag)
        found = byte_rows(data, np.minimum(starts, len(data) - len(tag)), len(tag))
        alike &= inside & rows_all(found == np.frombuffer(tag, dtype=np.uint8))
    return alike


def _template_taken(spec: ReplySpec, tags: tuple[str, ...]) -> bool:
    """Whether the entry converts a record of ``tags`` as this reader does
    (see the module docstring)."""
    if len(set(tags)) != len(tags) or any(tag in ERROR_KEYS for tag in tags):
        return False  # (a field twice, an error: the general path's)
    details = spec.details
    if details is not None and details.xml_list in tags:
        return False  # (nested records: the general path takes them out first)
    plan = plan_for(spec.pick_keys(tags).cls)
    if not set(tags) <= plan.by_wire.keys():
        return False  # (an unknown key: the field-by-field walk keeps it)
    present = {plan.by_wire[tag].name for tag in tags}
    return not any(field.required and field.name not in present for field in plan.fields)


def _read_fields(
    spec: ReplySpec, tags: tuple[str, ...], texts: pa.Array, tag_starts: Ints
) -> tuple[Ints, dict[str, pa.Array]]:
    """The rows (of ``tag_starts``) whose every value each kind takes, and
    their value columns: each field's text runs from its start tag's end
    to its end tag."""
    by_wire = plan_for(spec.pick_keys(tags).cls).by_wire
    data = texts.buffers()[2]
    ok = np.ones(len(tag_starts), dtype=bool)
    values: dict[str, pa.Array] = {}
    for number, tag in enumerate(tags):
        starts = tag_starts[:, 2 * number + 1] + len(tag) + 2
        field = by_wire[tag]
        column = spans_array(starts, tag_starts[:, 2 * number + 2], data)
        taken, values[field.name] = convert_field(field, column, fmt=2)
        ok &= taken
    return np.flatnonzero(ok), filtered(values, ok)
