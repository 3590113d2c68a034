"""Decoding many answers into one Arrow table per reply kind.

The inputs are grouped by their request's layout (``_replies.url_layout_key``,
the key the per-answer decoder's cache uses). A group in a line format
(fmt=0/1), in JSON (fmt=3), or in XML of one plain record (fmt=2) is read
column by column (``_columnar_lines``, ``_columnar_json``,
``_columnar_xml``); every answer those readers cannot vouch for, and every
answer of another format or of a request they do not know, goes through the
per-answer decoder (one ``Decoder`` per layout group, as ``smsc_codec.decode``
keeps one per layout; ``decode_exchange`` for the answers of no group), and
its replies are turned into columns (``_columnar_build``). Both ways give
the same rows: the vectorised readers keep every check of the per-answer
decoder, and send back any answer where a check is not theirs to make
(``tests/test_columnar.py`` proves it against the per-answer decoder on the
corpus and on generated batches).

An answer is taken whole or rejected whole: a rejection carries the decoder's
error (reason, line and column), or says which value no column could hold.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, NamedTuple, TypeAlias

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._api import Decoder
from ._columnar_build import assemble, concat_values, reply_values
from ._columnar_schema import INPUT_INDEX, reply_kinds
from ._errors import DecodeError, RequestError
from ._exchange import decode_exchange, is_callback
from ._limits import DEFAULT_LIMITS, Limits
from ._replies import ReplySpec, layout_of, reply_spec, url_layout_key
from ._request import Request, parse_request

__all__ = ["Decoded", "Group", "decode_columns"]

#: positions of inputs (or of rows)
Positions = np.ndarray[Any, np.dtype[np.int64]]

#: what a vectorised reader hands back: (kind, value columns) parts, and the
#: positions (in the group) of the answers it read; the rest go per answer
Parts = list[tuple[type[msgspec.Struct], dict[str, pa.Array]]]


class Group(NamedTuple):
    """Answers to requests of one layout, as a vectorised reader sees them."""

    script: str
    fmt: int
    spec: ReplySpec
    layout: Request  #: what chooses the layout (``_replies.layout_of``)
    charset: str  #: the Python codec the bodies are in
    strict: bool
    limits: Limits


class Decoded(NamedTuple):
    """One table per reply kind (only kinds met), and the rejected inputs:
    input index -> the exception the decoder raised, or why a value could not
    be held."""

    tables: dict[type[msgspec.Struct], pa.Table]
    rejected: dict[int, Exception | str]
    #: the script and fmt of the requests of each layout group (their input
    #: indices); the other inputs' requests are not parsed here
    layouts: list[tuple[Positions, str, int]]


def _layout_key(request: Any) -> Hashable | None:
    if type(request) is str:
        if is_callback(request):
            return None
        key = url_layout_key(request)
        if key is not None:
            return key
    try:
        layout = layout_of(parse_request(request))
    except Exception:
        return None  # whatever it is, the per-answer decoder says it
    if layout.script == "callback":
        return None
    return layout.script, layout.params


def _group_of(request: Any, strict: bool, charset: str | None, limits: Limits) -> Group | None:
    """What a vectorised reader needs of a layout, or None: only the per-answer
    decoder reads it."""
    try:
        layout: Request = layout_of(parse_request(request))
        fmt = int(layout.fmt)
        spec = reply_spec(layout)
        codec = charset or layout.charset
    except (RequestError, ValueError, TypeError):
        return None
    return Group(layout.script, fmt, spec, layout, codec, strict, limits)


def _reason(exc: Exception | str) -> tuple[str, int | None, int | None]:
    if isinstance(exc, DecodeError):
        return exc.reason, exc.line, exc.column
    return str(exc), None, None


def rejection_rows(rejected: dict[int, Exception | str]) -> dict[str, list[Any]]:
    """The rejections as columns: input index, reason, line and column."""
    indices = sorted(rejected)
    reasons = [_reason(rejected[index]) for index in indices]
    return {
        INPUT_INDEX: indices,
        "reason": [reason for reason, _, _ in reasons],
        "line": [line for _, line, _ in reasons],
        "column": [column for _, _, column in reasons],
    }


#: inputs: a Python sequence or an Arrow array
Column: TypeAlias = "Sequence[Any] | pa.Array"


def _column(values: Sequence[Any] | pa.Array | pa.ChunkedArray) -> Column:
    """The inputs as a sequence or as an Arrow array of strings or bytes (the
    types the readers take apart); any other array as its Python values."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not isinstance(values, pa.Array):
        return values
    kind = values.type
    if pa.types.is_string_view(kind):
        return values.cast(pa.large_string())
    if pa.types.is_binary_view(kind):
        return values.cast(pa.large_binary())
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return values
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        return values
    return values.to_pylist()


def _subset(values: Column, positions: Positions) -> Column:
    """The values at ``positions``, in the input's own form."""
    if len(positions) == len(values) and np.array_equal(positions, np.arange(len(values))):
        return values  # (all of them, in order: a log of one layout)
    if isinstance(values, pa.Array):
        return values.take(pa.array(positions))
    return [values[position] for position in positions.tolist()]


def _python(values: Column, positions: Positions) -> list[Any]:
    """The values at ``positions`` as Python objects."""
    if isinstance(values, pa.Array):
        return values.take(pa.array(positions)).to_pylist()  # type: ignore[no-any-return]
    return [values[position] for position in positions.tolist()]


def decode_columns(
    requests: Sequence[Any] | pa.Array | pa.ChunkedArray,
    bodies: Sequence[Any] | pa.Array | pa.ChunkedArray,
    *,
    strict: bool = False,
    tz: str | None = None,
    charset: str | None = None,
    charsets: Sequence[str | None] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    columnar: bool = True,
) -> Decoded:
    """Decode ``bodies[i]`` as the answer to ``requests[i]``, every i.

    ``charsets`` gives each body its own charset (the command line's
    ``--charset auto``), overriding ``charset``. ``columnar=False`` decodes
    every answer with the per-answer decoder (the reference the vectorised
    readers are tested against).
    """
    requests = _column(requests)
    bodies = _column(bodies)
    if len(requests) != len(bodies):
        raise ValueError(f"{len(requests)} requests but {len(bodies)} bodies")
    parts: dict[type[msgspec.Struct], list[dict[str, pa.Array]]] = {}
    rejected: dict[int, Exception | str] = {}
    layouts: list[tuple[Positions, str, int]] = []
    if columnar and charsets is None:
        per_answer = _read_groups(
            requests, bodies, (strict, charset, limits), parts=parts, layouts=layouts
        )
    else:
        per_answer = [(np.arange(len(requests), dtype=np.int64), None)]
    for indices, group in per_answer:
        _decode_each(
            requests,
            bodies,
            indices,
            (strict, charset, limits),
            group=group,
            charsets=charsets,
            parts=parts,
            rejected=rejected,
        )
    tables = _kind_tables(parts, tz, rejected)
    if rejected:
        _drop_rejected(tables, rejected)
    return Decoded(tables, rejected, layouts)


def _kind_tables(
    parts: dict[type[msgspec.Struct], list[dict[str, pa.Array]]],
    tz: str | None,
    rejected: dict[int, Exception | str],
) -> dict[type[msgspec.Struct], pa.Table]:
    """One table per reply kind met, from its ``parts``; an answer with a
    value no column can hold is added to ``rejected``."""
    tables: dict[type[msgspec.Struct], pa.Table] = {}
    for cls in reply_kinds():
        kind_parts = parts.get(cls)
        if not kind_parts:
            continue
        values = concat_values(cls, kind_parts)
        bad: dict[int, str] = {}
        table = assemble(cls, values, len(values[INPUT_INDEX]), tz, bad)
        for position, reason in bad.items():
            index = values[INPUT_INDEX][position].as_py()
            rejected.setdefault(index, f"cannot be held in a table: {reason}")
        tables[cls] = table
    return tables


def _drop_rejected(
    tables: dict[type[msgspec.Struct], pa.Table], rejected: dict[int, Exception | str]
) -> None:
    """Drop every row of a rejected answer from ``tables`` (an answer is
    taken whole or not at all), and a table left with none."""
    dropped = pa.array(sorted(rejected), type=pa.int64())
    for cls, table in list(tables.items()):
        keep = pc.invert(pc.is_in(table[INPUT_INDEX], value_set=dropped))
        kept = table.filter(keep)
        if kept.num_rows:
            tables[cls] = kept
        else:
            del tables[cls]


#: the decoding options: strict, charset, limits
Options = tuple[bool, str | None, Limits]

#: what a vectorised reader may raise and its group then goes per answer
#: (the tests catch nothing here, so that a reader's fault shows)
READER_FAULTS: tuple[type[Exception], ...] = (Exception,)


def _read_groups(
    requests: Column,
    bodies: Column,
    options: Options,
    *,
    parts: dict[type[msgspec.Struct], list[dict[str, pa.Array]]],
    layouts: list[tuple[Positions, str, int]],
) -> list[tuple[Positions, Group | None]]:
    """Group the inputs by layout and read each group column by column where
    a reader can; return the inputs left to the per-answer decoder, with
    their layout's group where they have one."""
    strict, charset, limits = options
    from ._columnar_groups import group_requests  # noqa: PLC0415
    from ._columnar_json import read_json_group  # noqa: PLC0415 - (cycle-free order)
    from ._columnar_lines import read_line_group  # noqa: PLC0415
    from ._columnar_xml import read_xml_group  # noqa: PLC0415

    readers = {2: read_xml_group, 3: read_json_group}

    grouped, ungrouped = group_requests(requests)
    keyed, left = _group_by_key(requests, ungrouped)
    per_answer: list[tuple[Positions, Group | None]] = [(left, None)]
    for indices in [*grouped, *keyed]:
        (first,) = _python(requests, indices[:1])
        group = None if is_callback(first) else _group_of(first, strict, charset, limits)
        if group is not None:
            layouts.append((indices, group.script, group.fmt))
        if group is None or strict or group.spec.ok_only:
            per_answer.append((indices, group))
            continue
        reader = readers.get(group.fmt, read_line_group)
        unread = _read_group(reader, group, bodies, indices, parts)
        per_answer.append((unread, group))
    return per_answer


def _group_by_key(requests: Column, ungrouped: Positions) -> tuple[list[Positions], Positions]:
    """The requests at ``ungrouped`` grouped by their layout key
    (:func:`_layout_key`), and those with none."""
    members: dict[Hashable, list[int]] = {}
    left: list[int] = []
    for index, request in zip(ungrouped.tolist(), _python(requests, ungrouped), strict=True):
        key = _layout_key(request)
        if key is None:
            left.append(index)
        else:
            members.setdefault(key, []).append(index)
    groups = [np.asarray(indices, dtype=np.int64) for indices in members.values()]
    return groups, np.asarray(left, dtype=np.int64)


#: a vectorised reader: (group, its bodies, their input indices) -> (parts,
#: positions read)
Reader = Callable[[Group, Column, Positions], tuple[Parts, Positions]]


def _read_group(
    reader: Reader,
    group: Group,
    bodies: Column,
    indices: Positions,
    parts: dict[type[msgspec.Struct], list[dict[str, pa.Array]]],
) -> Positions:
    """Read the ``bodies`` at ``indices`` (one group's) by ``reader`` into
    ``parts``; the indices it leaves to the per-answer decoder (all of them
    where it fails)."""
    try:
        found, read = reader(group, _subset(bodies, indices), indices)
    except READER_FAULTS:  # (a reader's fault, never the answers': they go per answer)
        return indices
    for cls, values in found:
        parts.setdefault(cls, []).append(values)
    unread = np.ones(len(indices), dtype=bool)
    unread[np.asarray(read, dtype=np.int64)] = False
    return indices[unread]


def _decode_each(
    requests: Column,
    bodies: Column,
    indices: Positions,
    options: Options,
    *,
    group: Group | None,
    charsets: Sequence[str | None] | None,
    parts: dict[type[msgspec.Struct], list[dict[str, pa.Array]]],
    rejected: dict[int, Exception | str],
) -> None:
    """The per-answer decoder on each of ``indices``, its replies as columns:
    with ``group`` (the answers of one layout), one ``Decoder`` of that
    layout, as ``decode`` itself reuses one per layout; else each answer as
    its own request says."""
    if not len(indices):
        return
    strict, charset, limits = options
    rows: dict[type[msgspec.Struct], list[tuple[int, int | None, msgspec.Struct]]] = {}
    chosen = indices.tolist()
    if group is not None:
        decoder = Decoder(group.layout, strict=strict, charset=charset, limits=limits)
        # (``Decoder.decode`` reads what ``decode`` would read: the
        # answers' own requests say nothing more than their layout)
        answers: Iterable[tuple[int, Any, Any]] = zip(
            chosen, itertools.repeat(None), _python(bodies, indices)
        )
    else:
        answers = zip(chosen, _python(requests, indices), _python(bodies, indices), strict=True)
    for index, request, body in answers:
        try:
            if group is not None:
                value = decoder.decode(body)
            else:
                body_charset = charsets[index] if charsets is not None else charset
                value = decode_exchange(
                    body, request, strict=strict, charset=body_charset, limits=limits
                )
        except Exception as exc:  # whatever the decoder raises is that answer's rejection
            rejected[index] = exc
            continue
        if isinstance(value, list):
            for item, reply in enumerate(value):
                rows.setdefault(type(reply), []).append((index, item, reply))
        else:
            rows.setdefault(type(value), []).append((index, None, value))
    _add_reply_parts(rows, parts, rejected)


def _add_reply_parts(
    rows: dict[type[msgspec.Struct], list[tuple[int, int | None, msgspec.Struct]]],
    parts: dict[type[msgspec.Struct], list[dict[str, pa.Array]]],
    rejected: dict[int, Exception | str],
) -> None:
    """The value columns of decoded replies (``rows``: (input index, item,
    reply) by kind) added to ``parts``; an answer with a value no column
    can hold is added to ``rejected``."""
    for cls, kind_rows in rows.items():
        values, bad = reply_values(cls, kind_rows)
        parts.setdefault(cls, []).append(values)
        for index, reason in bad.items():
            rejected.setdefault(index, f"cannot be held in a table: {reason}")
