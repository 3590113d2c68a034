"""Grouping request URLs by their answer's layout, column by column.

A log's URLs differ in ids, numbers, texts and credentials, and share a few
layouts. ``_replies.layout_of`` reduces one request to what chooses its
layout; here a whole column of URLs is grouped at once. One URL (the first
not grouped yet) is turned into a pattern that matches exactly the URLs of
its layout *and of its shape* (``_url_shapes``, the shapes ``decode`` learns,
spelled for Arrow's regex engine): its head and parameter names as written,
in its order, the values of the parameters ``layout_of`` keeps as written
(``id`` and ``phone`` reduced to whether they list several), any value of
the others. One pass of Arrow's regex engine (a match, no captures: its
fastest form) picks the group out of the URLs left; a log's URLs fall into a
few groups, so a few passes group them all. Past ``_SHAPES_TRIED`` groups,
the URLs left are grouped by their shape (the URL with its values taken out)
and each shape is keyed by a regex replacement.

URLs with equal keys have equal layouts (equal heads and equal values of
every parameter that matters), so one request of each group tells the
group's layout. URLs this cannot vouch for are handed back: those with an
escaped name (``f%6Dt`` is ``fmt`` once unescaped) or a fragment (``#``), a
head naming no script, and anything that is not a string.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._url_shapes import KINDS, url_fields, url_shape

__all__ = ["group_requests", "re2_literal", "string_array"]

Positions = np.ndarray[Any, np.dtype[np.int64]]


def re2_literal(text: str) -> str:
    """``text`` as a literal of Arrow's regex engine (RE2): letters, digits
    and ``_`` as they are, every other character by its code point (no
    escape of RE2's left to chance: ``\\x{..}`` is one for any character)."""
    return "".join(
        c if (c.isalnum() and c.isascii()) or c == "_" else f"\\x{{{ord(c):x}}}" for c in text
    )


def _mask(array: pa.Array) -> np.ndarray[Any, np.dtype[np.bool_]]:
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)


#: the start of every key (a URL that starts with it is left unkeyed)
_MARK = "\x01"


@functools.lru_cache(maxsize=256)
def _group_pattern(url: str) -> str | None:
    """A regex (RE2's) matching exactly the URLs of ``url``'s shape whose
    layout parameters read as ``url``'s (``_url_shapes``); None when ``url``
    has no shape."""
    pieces = url_shape(url, re2_literal, engine=1)
    return None if pieces is None else "^" + "".join(pieces) + "$"


def _key_pattern(shape: str) -> tuple[str, str] | None:
    """For URLs of one shape (their text with every value taken out), a
    regex and its replacement that leave the layout key: the head and the
    parameters layout_of keeps, ``id`` reduced to its comma (several ids or
    one, no escape let through) and ``phone`` to nothing when it is digits
    only. None when the shape has none (:func:`_url_shapes.url_fields`)."""
    found = url_fields(shape)
    if found is None:
        return None
    lead, fields = found
    parts = [re.escape(lead)]
    replacement = [lead.replace("\\", "\\\\")]
    group = 0
    for at, field in enumerate(fields):
        name = ("&" if at else "") + re.escape(field.name)
        if not field.equals:
            parts.append(name)
            if field.chooses:
                replacement.append(f"&{field.name}")
            continue
        if not field.chooses:
            parts.append(name + "=" + KINDS["any"][1])
            continue
        group += 1
        if field.name == "id":
            parts.append(name + "=[^&,%#]*(,?)[^&%#]*")
        elif field.name == "phone":
            parts.append(name + "=(?:[0-9]+|([^&#]*))")
        else:
            parts.append(name + "=([^&#]*)")
        replacement.append(f"&{field.name}=\\{group}")
    return "^" + "".join(parts) + "$", "".join(replacement)


#: URLs picked out one group after another (each a pass over the URLs
#: left); past this many groups, the rest are grouped by shape
_SHAPES_TRIED = 8


def string_array(values: Sequence[Any] | pa.Array) -> pa.Array | None:
    """``values`` (all ``str``, or an Arrow string array) as one Arrow string
    array; None when that cannot be (a lone surrogate, another type, more
    than 2 GiB of text)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    try:
        if isinstance(values, pa.Array):
            if pa.types.is_large_string(values.type) or pa.types.is_string_view(values.type):
                return values.cast(pa.string())  # (past 2 GiB of text it cannot be)
            return values if pa.types.is_string(values.type) else None
        array = pa.array(values, type=pa.string())
    except (pa.ArrowException, UnicodeError, TypeError):
        return None
    return array if isinstance(array, pa.Array) else None  # (not one array past 2 GiB)


def group_requests(requests: Sequence[Any] | pa.Array) -> tuple[list[Positions], Positions]:
    """Groups of request positions with one layout each (the first position
    of a group is its representative), and the positions this cannot group."""
    column = _url_column(requests)
    if column is None:
        return [], np.arange(len(requests), dtype=np.int64)
    urls, positions, others = column
    groups: list[Positions] = []
    left = np.flatnonzero(_mask(urls.is_valid())) if urls.null_count else np.arange(len(urls))
    left = _group_by_pattern(urls, left, positions, (groups, others))
    if len(left):
        keyed, unsure = _group_by_shape(urls, left)
        groups += [positions[members] for members in keyed]
        others += positions[unsure].tolist()
    others.sort()
    return groups, np.asarray(others, dtype=np.int64)


def _url_column(requests: Sequence[Any] | pa.Array) -> tuple[pa.Array, Positions, list[int]] | None:
    """The requests that are strings as one string array (nulls where they
    are), the positions of its items, and the positions of the requests
    that are no URL (not a string, or null); None when no string array can
    hold them."""
    count = len(requests)
    urls = string_array(requests)
    if urls is not None:
        others: list[int] = (
            np.flatnonzero(_mask(urls.is_null())).tolist() if urls.null_count else []
        )
        return urls, np.arange(count, dtype=np.int64), others
    strings = [at for at, request in enumerate(requests) if type(request) is str]
    others = sorted(set(range(count)).difference(strings))
    urls = string_array([requests[at] for at in strings]) if strings else None
    if urls is None:
        return None
    return urls, np.asarray(strings, dtype=np.int64), others


def _group_by_pattern(
    urls: pa.Array,
    left: Positions,
    positions: Positions,
    found: tuple[list[Positions], list[int]],
) -> Positions:
    """Pick the group of the first URL ``left`` out of the URLs left by its
    pattern (:func:`_group_pattern`), ``_SHAPES_TRIED`` times at most, into
    ``found``'s groups (as ``positions``), a URL with no shape into its
    ungrouped positions; the URLs left after that."""
    groups, others = found
    for _ in range(_SHAPES_TRIED):
        if not len(left):
            break
        first = int(left[0])
        pattern = _group_pattern(urls[first].as_py())
        subset = urls if len(left) == len(urls) else urls.take(pa.array(left))
        matched = None if pattern is None else _mask(pc.match_substring_regex(subset, pattern))
        if matched is None or not matched[0]:  # (a URL always matches its own pattern)
            others.append(int(positions[first]))
            left = left[1:]
            continue
        groups.append(positions[left[matched]])
        left = left[~matched]
    return left


def _group_by_shape(urls: pa.Array, left: Positions) -> tuple[list[Positions], Positions]:
    """The URLs ``left`` grouped by their shape, then by their layout key (a
    regex replacement per shape), and those no key vouches for."""
    unsure = np.zeros(len(urls), dtype=bool)
    keys: list[pa.Array] = []
    members: list[Positions] = []
    shapes = pc.dictionary_encode(
        pc.replace_substring_regex(urls.take(pa.array(left)), "=[^&]*", "=")
    )
    shape_ids = np.asarray(shapes.indices.to_numpy(), dtype=np.int64)
    for number, shape in enumerate(shapes.dictionary.to_pylist()):
        chosen = left[shape_ids == number]
        found = _key_pattern(shape)
        if found is None:
            unsure[chosen] = True
            continue
        pattern, replacement = found
        subset = urls.take(pa.array(chosen))
        # a key starts with a mark no URL starts with: unmarked, not this shape
        replaced = pc.replace_substring_regex(subset, pattern, _MARK + replacement)
        matched = _mask(pc.starts_with(replaced, _MARK)) & ~_mask(pc.starts_with(subset, _MARK))
        unsure[chosen[~matched]] = True  # (a URL always has its own shape)
        if matched.any():
            keys.append(replaced.filter(pa.array(matched)))
            members.append(chosen[matched])
    if not keys:
        return [], np.flatnonzero(unsure)
    codes = np.asarray(pc.dictionary_encode(pa.concat_arrays(keys)).indices.to_numpy())
    ordered = np.concatenate(members)
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    groups = [ordered[chunk] for chunk in np.split(order, bounds) if len(chunk)]
    return groups, np.flatnonzero(unsure)
