"""Grouping request URLs by their answer's layout, column by column.

A log's URLs differ in ids, numbers, texts and credentials, and share a few
layouts. ``_replies.layout_of`` reduces one request to what chooses its
layout; here a whole column of URLs is reduced at once: each URL is cut into
its head (before ``?``) and its parameters, and only the parameters
``layout_of`` keeps are joined into a key, with their values as written
(``id`` reduced to whether it lists several, ``phone`` to "one number" when
it is digits only, as ``layout_of`` reduces them). Which parameters it keeps
is asked of ``layout_of`` itself, once per script and parameter name met.
URLs with equal keys have equal layouts (equal heads and equal values of
every parameter that matters), so one request of each group tells the
group's layout.

URLs this cannot vouch for are handed back: those with an escape (``%``: a
name may hide behind it) or a fragment (``#``), a head naming no script, and
anything that is not a string.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._errors import RequestError
from ._replies import layout_of
from ._request import parse_request

__all__ = ["group_requests"]


@functools.lru_cache(maxsize=4096)
def _keeps(head: str, name: str) -> bool | None:
    """Whether ``layout_of`` keeps parameter ``name`` of a request to
    ``head``; None when the head names no script of its own."""
    try:
        script = parse_request(head + "?").script
        kept = layout_of(parse_request(f"{head}?{name}=1"))
    except (RequestError, ValueError):
        return None
    if kept.script != script:
        return None
    return any(key == name for key, _ in kept.params)


def _mask(array: pa.Array) -> np.ndarray[Any, np.dtype[np.bool_]]:
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)


def _shape(url: str) -> str:
    """A URL with every parameter's value taken out."""
    return _VALUES.sub("=", url)


_VALUES = re.compile("=[^&]*")
#: the start of every key (a URL that starts with it is left unkeyed)
_MARK = "\x01"


def _key_pattern(shape: str) -> tuple[str, str] | None:
    """For URLs of one shape (their text with every value taken out), a
    regex and its replacement that leave the layout key: the head and the
    parameters layout_of keeps, ``id`` reduced to its comma (several ids or
    one) and ``phone`` to nothing when it is digits only. None when the head
    names no script, or when the head or a name holds an escape or a fragment
    (``f%6Dt`` is ``fmt`` once unescaped: only the full parse can tell)."""
    if "%" in shape or "#" in shape:
        return None
    head, _, query = shape.partition("?")
    parts = [re.escape(head) + (r"\?" if "?" in shape else "")]
    replacement = [head.replace("\\", "\\\\") + "?"]
    group = 0
    for number, param in enumerate(query.split("&") if query else []):
        name, equals, _ = param.partition("=")
        keeps = _keeps(head, name)
        if keeps is None:
            return None
        separator = "&" if number else ""
        if not equals:
            parts.append(separator + re.escape(name))
            if keeps:
                replacement.append(f"&{name}")
            continue
        if not keeps:
            parts.append(separator + re.escape(name) + "=[^&%#]*")
        elif name == "id":
            group += 1
            parts.append(separator + "id=[^&,%#]*(,?)[^&%#]*")
            replacement.append(f"&id=\\{group}")
        elif name == "phone":
            group += 1
            parts.append(separator + "phone=(?:[0-9]+|([^&%#]*))")
            replacement.append(f"&phone=\\{group}")
        else:
            group += 1
            parts.append(separator + re.escape(name) + "=([^&%#]*)")
            replacement.append(f"&{name}=\\{group}")
    return "^" + "".join(parts) + "$", "".join(replacement)


#: shapes tried one after another (each a pass over the URLs left); the URLs
#: of a log share a few: past this many, each URL's shape is computed
_SHAPES_TRIED = 8


def group_requests(requests: Sequence[Any]) -> tuple[list[list[int]], list[int]]:
    """Groups of request positions with one layout each (the first position
    of a group is its representative), and the positions this cannot group."""
    strings = [at for at, request in enumerate(requests) if type(request) is str]
    others: list[int] = []
    if len(strings) != len(requests):
        strings_set = set(strings)
        others = [at for at in range(len(requests)) if at not in strings_set]
    if not strings:
        return [], others
    try:
        urls = pa.array([requests[at] for at in strings], type=pa.string())
    except (pa.ArrowException, UnicodeError):
        return [], list(range(len(requests)))
    positions = np.asarray(strings, dtype=np.int64)
    # an escape or a fragment: no key pattern matches it (values exclude them)
    unsure = np.zeros(len(urls), dtype=bool)
    left = np.arange(len(urls))
    keys: list[pa.Array] = []
    members: list[np.ndarray[Any, Any]] = []

    def take(chosen: np.ndarray[Any, Any], shape: str) -> np.ndarray[Any, Any]:
        """Key the URLs ``chosen`` of one shape; return those that are not of it."""
        found = _key_pattern(shape)
        if found is None:
            matched = _mask(
                pc.equal(
                    pc.replace_substring_regex(urls.take(pa.array(chosen)), "=[^&]*", "="), shape
                )
            )
            unsure[chosen[matched]] = True
            rest: np.ndarray[Any, Any] = chosen[~matched]
            return rest
        pattern, replacement = found
        subset = urls if len(chosen) == len(urls) else urls.take(pa.array(chosen))
        # a key starts with a mark no URL starts with: unmarked, not this shape
        replaced = pc.replace_substring_regex(subset, pattern, _MARK + replacement)
        matched = _mask(pc.starts_with(replaced, _MARK)) & ~_mask(pc.starts_with(subset, _MARK))
        if matched.any():
            keys.append(replaced if matched.all() else replaced.filter(pa.array(matched)))
            members.append(positions[chosen[matched]])
        left_over: np.ndarray[Any, Any] = chosen[~matched]
        return left_over

    for _ in range(_SHAPES_TRIED):
        if not len(left):
            break
        left = take(left, _shape(urls[int(left[0])].as_py()))
    if len(left):
        shapes = pc.dictionary_encode(
            pc.replace_substring_regex(urls.take(pa.array(left)), "=[^&]*", "=")
        )
        shape_ids = np.asarray(shapes.indices.to_numpy(), dtype=np.int64)
        for number, shape in enumerate(shapes.dictionary.to_pylist()):
            rest = take(left[shape_ids == number], shape)
            unsure[rest] = True  # (a URL always has its own shape)
    others += positions[unsure].tolist()
    others.sort()
    if not keys:
        return [], others
    codes = np.asarray(pc.dictionary_encode(pa.concat_arrays(keys)).indices.to_numpy())
    ordered = np.concatenate(members)
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    groups = [ordered[chunk].tolist() for chunk in np.split(order, bounds) if len(chunk)]
    return groups, others
