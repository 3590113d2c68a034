"""fmt=3 answers read into columns.

Each body is decoded by msgspec into a *columnar twin* of its reply kind: the
model's fields under their wire keys, with the types the per-answer fast path
(``_json.fast_json``) reads them as, but money kept as the JSON string it is
and dates as text, unknown keys refused. The values are then gathered field
by field and checked and converted as columns (money and dates by the same
conversions as the line formats, ``_columnar_lines``).

A body is taken only where the per-answer decoder would take its fast path
and give the same reply: an object or array of known keys, money written as
a JSON string of a form that fits its column, dates that exist. Anything else
(an error answer, an unknown key, money as a JSON number, a value that does
not fit) goes to the per-answer decoder, whole.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Sequence
from typing import Annotated, Any

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._columnar import Group, Parts, Positions
from ._columnar_convert import filtered, json_column, mask, string_buffers
from ._columnar_groups import string_array
from ._columnar_keyed import read_keyed
from ._columnar_schema import INPUT_INDEX, ITEM
from ._json import TYPED_DEPTH
from ._replies import Candidate
from ._schema import Kind, plan_for
from ._twins import keys_within

__all__ = ["read_json_group"]


@functools.cache
def _int_scalar(value: int) -> pa.Scalar:
    return pa.scalar(value, type=pa.int64())


#: spaces after the last body (``_read_keyed``)
_PADDING = 256

_UNKNOWN_FIELD = re.compile(r"unknown field `([^`]*)`")


@functools.cache
def _twin(cls: type[msgspec.Struct], max_text: int) -> tuple[Any, Any]:
    """Decoders of one object and of an array of objects of ``cls``'s
    columnar twin (see the module docstring)."""
    plan = plan_for(cls)
    text = Annotated[str, msgspec.Meta(max_length=max_text)]
    fields: list[Any] = []
    rename: dict[str, str] = {}
    for info in msgspec.structs.fields(cls):
        spec = plan.by_name.get(info.name)
        if spec is None:
            continue  # not a wire key: a JSON key of that name is unknown
        rename[info.name] = spec.wire
        if spec.kind in (Kind.DATETIME, Kind.DATE):
            fields.append((info.name, text | None, None))
        elif spec.kind in (Kind.TEXT, Kind.TOKEN, Kind.LIST):
            fields.append((info.name, text) if spec.required else (info.name, text | None, None))
        elif spec.kind is Kind.DECIMAL:
            # (money is a text within the limit, as the per-answer decoder reads it)
            fields.append((info.name, text) if spec.required else (info.name, text | None, None))
        elif spec.required:
            fields.append((info.name, info.type))
        else:
            fields.append((info.name, info.type, info.default))
    twin = msgspec.defstruct(
        f"{cls.__name__}Columns",
        fields,
        kw_only=True,
        forbid_unknown_fields=True,
        rename=rename,
        gc=False,
    )
    return (
        msgspec.json.Decoder(twin, strict=False),
        msgspec.json.Decoder(list[twin], strict=False),  # type: ignore[valid-type]
    )


def _decode(body: str | bytes, group: Group) -> tuple[Candidate, list[Any], bool] | None:
    """(candidate, objects, a list?) as ``_json.fast_json`` reads the body,
    or None where it would not take it."""
    spec = group.spec
    head = body[:1]
    candidate = spec.candidates[0]
    max_text = group.limits.max_field_length
    for _attempt in range(2):
        one, many = _twin(candidate.cls, max_text)
        try:
            if head in ("[", b"["):
                if not spec.multi or candidate is not spec.candidates[0]:
                    return None
                objects = many.decode(body)
                if len(objects) > group.limits.max_records:
                    return None
                return candidate, objects, True
            return candidate, [one.decode(body)], spec.multi
        except msgspec.ValidationError as exc:
            unknown = _UNKNOWN_FIELD.search(str(exc))
            other = spec.pick_keys((unknown.group(1),)) if unknown else candidate
            if other is candidate:
                return None
            candidate = other
        except Exception:  # malformed, a lone surrogate, ...: the per-answer way says
            return None
    return None


def read_json_group(
    group: Group, bodies: Sequence[Any] | pa.Array, indices: Positions
) -> tuple[Parts, Positions]:
    """Read the fmt=3 bodies of one layout: the replies' value columns by
    kind, and the positions of the bodies read."""
    limits = group.limits
    max_text = limits.max_field_length
    if limits.max_depth < TYPED_DEPTH or not all(
        keys_within(c.cls, max_text) for c in group.spec.candidates
    ):
        return [], np.zeros(0, dtype=np.int64)  # (as _json.fast_json: the per-answer way)
    most = min(limits.max_body_bytes, 2 * limits.max_records)
    parts: Parts = []
    read: list[Positions] = []
    pool: Sequence[int] = range(len(bodies))
    if not group.spec.multi:
        keyed = _read_keyed(group, bodies, most)
        if keyed is not None:
            cls, taken, part = keyed
            if len(taken):
                part[INPUT_INDEX] = pa.array(np.asarray(indices, dtype=np.int64)[taken])
                part[ITEM] = pa.nulls(len(taken), type=pa.int32())
                parts.append((cls, part))
                read.append(taken)
            if len(taken) == len(bodies):
                return parts, taken
            pool = np.setdiff1d(np.arange(len(bodies)), taken).tolist()
    return _read_twins(group, bodies, indices, pool, (parts, read))


#: by kind: the decoded twins, the positions of their bodies, and their
#: items' numbers in a body's array (None: a body of one object)
_Found = dict[type[msgspec.Struct], tuple[list[Any], list[int], list[int | None]]]


def _read_twins(
    group: Group,
    bodies: Sequence[Any] | pa.Array,
    indices: Positions,
    pool: Sequence[int],
    done: tuple[Parts, list[Positions]],
) -> tuple[Parts, Positions]:
    """Read the bodies at ``pool`` through msgspec's twins, beside the parts
    read already (``done``)."""
    parts, read = done
    if isinstance(bodies, pa.Array):
        bodies = bodies.to_pylist()
    usable = _twin_bodies(group, bodies, pool)
    found: _Found = {}
    if not group.spec.multi:
        usable = _decode_alike(group, bodies, usable, found)
    _decode_each_body(group, bodies, usable, found)
    _add_twin_parts(found, indices, parts, read)
    return parts, np.concatenate(read) if read else np.zeros(0, dtype=np.int64)


def _twin_bodies(group: Group, bodies: Sequence[Any], pool: Sequence[int]) -> list[int]:
    """The positions in ``pool`` of the bodies the twins can take: text (bytes
    in UTF-8, or ASCII), an object or an array, no longer than the limits let
    a body be."""
    limits = group.limits
    most = min(limits.max_body_bytes, 2 * limits.max_records)
    utf8 = group.charset == "utf-8"
    return [
        position
        for position in pool
        if (
            type(body := bodies[position]) is str
            or (type(body) is bytes and (utf8 or body.isascii()))
        )
        and len(body) <= most
        and body[:1] in ("{", "[", b"{", b"[")
    ]


def _decode_alike(
    group: Group, bodies: Sequence[Any], usable: list[int], found: _Found
) -> list[int]:
    """The common case, one object of one kind a body: one call each, into
    ``found``. The positions left for the general loop: none, or all of
    them if one of the calls fails."""
    cls = group.spec.candidates[0].cls
    one = _twin(cls, group.limits.max_field_length)[0].decode
    try:
        if len(usable) == len(bodies):
            objects = list(map(one, bodies))
        else:
            objects = [one(bodies[position]) for position in usable]
    except Exception:
        return usable
    found[cls] = (objects, usable, [None] * len(usable))
    return []


def _decode_each_body(
    group: Group, bodies: Sequence[Any], usable: list[int], found: _Found
) -> None:
    """Decode the bodies at ``usable`` one by one as ``_json.fast_json``
    would, into ``found``; a body it would not take is left out."""
    for position in usable:
        decoded = _decode(bodies[position], group)
        if decoded is None:
            continue
        candidate, objects, listed = decoded
        objs, owners, items = found.setdefault(candidate.cls, ([], [], []))
        objs.extend(objects)
        owners.extend([position] * len(objects))
        items.extend(range(len(objects)) if listed else [None])


def _add_twin_parts(found: _Found, indices: Positions, parts: Parts, read: list[Positions]) -> None:
    """The value columns of the twins in ``found``, a part a kind, added to
    ``parts`` with their bodies' positions to ``read``; a body with a value
    the columns cannot take is left out whole."""
    bad: set[int] = set()
    columns = {cls: _columns(cls, objs, owners, bad) for cls, (objs, owners, _) in found.items()}
    bad_owners = np.fromiter(bad, dtype=np.int64, count=len(bad))
    for cls, (_, owners, items) in found.items():
        owner_array = np.asarray(owners, dtype=np.int64)
        keep = ~np.isin(owner_array, bad_owners) if bad else np.ones(len(owner_array), dtype=bool)
        if not keep.any():
            continue
        read.append(owner_array[keep])  # (a body of several objects: its position repeated)
        input_index = pa.array(np.asarray(indices, dtype=np.int64)[owner_array])
        part = {**columns[cls], INPUT_INDEX: input_index, ITEM: pa.array(items, type=pa.int32())}
        parts.append((cls, filtered(part, keep)))


def _read_keyed(
    group: Group, bodies: Sequence[Any] | pa.Array, most: int
) -> tuple[type[msgspec.Struct], Positions, dict[str, pa.Array]] | None:
    """The bodies of a one-object layout in the server's own form, read by
    where their keys stand (``_columnar_keyed``): (kind, positions read,
    value columns), or None where none is. Only text is read so: bytes go
    to the twins, which read them as the per-answer decoder does."""
    if isinstance(bodies, pa.Array):
        texts = string_array(bodies)
    elif set(map(type, bodies)) == {str}:
        # bytes after the last body, for the reader to look past it (``_columnar_keyed``)
        texts = string_array([*bodies, " " * _PADDING])
        texts = None if texts is None else texts.slice(0, len(bodies))
    else:
        return None
    if texts is None or not len(texts):
        return None
    # as the twins take a body: an object, no longer than ``most`` characters
    # (its bytes are at least its characters)
    usable = mask(pc.starts_with(texts, "{"))
    offsets, _ = string_buffers(texts)
    short = np.diff(offsets) <= most
    if not short.all():
        short |= mask(pc.less_equal(pc.utf8_length(texts), _int_scalar(most)))
    usable &= short
    positions = np.flatnonzero(usable)
    if len(positions) != len(texts):
        texts = texts.take(pa.array(positions))
    cls = group.spec.candidates[0].cls
    specs = plan_for(cls).fields
    max_text = group.limits.max_field_length
    keyed = read_keyed(texts, _twin(cls, max_text)[0].type, specs, max_text)
    if keyed is None:
        return None
    rows, values = keyed
    return cls, positions[rows], values


def _columns(
    cls: type[msgspec.Struct], objects: list[Any], owners: list[int], bad: set[int]
) -> dict[str, pa.Array]:
    """The value columns of decoded twins; the owners of rows whose values
    the per-answer decoder would not take (or no column can hold) are added
    to ``bad``."""
    values: dict[str, pa.Array] = {}
    specs = plan_for(cls).fields
    # the twins' fields are the wire fields, in the model's order (a field's
    # values gathered by one C-level map: no tuple a twin)
    names = type(objects[0]).__struct_fields__ if objects else ()
    by_field = [list(map(operator.attrgetter(name), objects)) for name in names]
    for spec, raw in zip(specs, by_field or [[]] * len(specs), strict=True):
        array = _array(raw, pa.int64() if spec.kind is Kind.INT else pa.string(), owners, bad)
        valid, values[spec.name] = json_column(spec, array)
        for row in np.flatnonzero(~valid):
            bad.add(owners[row])
    return values


def _array(values: Sequence[Any], type_: pa.DataType, owners: list[int], bad: set[int]) -> pa.Array:
    """``values`` as an array; a value that cannot be held sends its body per answer."""
    try:
        return pa.array(values, type=type_)
    except (pa.ArrowException, ValueError, TypeError, OverflowError, UnicodeError):
        pass
    kept = list(values)
    for row, value in enumerate(values):
        try:
            pa.array([value], type=type_)
        except (pa.ArrowException, ValueError, TypeError, OverflowError, UnicodeError):
            bad.add(owners[row])
            kept[row] = None
    return pa.array(kept, type=type_)
