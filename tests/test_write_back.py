"""What is read is written back: a body of the server's layout with some of
its optional keys left out decodes, and encodes again to the very same bytes
(fmt 0, 2 and 3 name their keys: an absent field is an absent key).

The cases come from the registry (``record_requests``), every registered
layout in each format that names its keys. The bodies are the layouts'
(written by the encoder from a record with every field set), and the keys are
taken out of their text, not out of the record: the encoder is checked
against bodies it did not write that way.
"""

from __future__ import annotations

import re
import string
from typing import Any

import msgspec
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

import smsc_codec
from smsc_codec import EncodeError
from smsc_codec._grammar import LineLayout, line_layouts
from smsc_codec._replies import Candidate, record_requests, reply_spec
from smsc_codec._request import parse_request
from smsc_codec._schema import FieldSpec, Kind, plan_for
from tests import strategies as S

pytestmark = pytest.mark.property

CASES = [(query, fmt) for query in record_requests() for fmt in (0, 2, 3)]

#: plain text: no separator of any format, so that a key's text is found by
#: its literal alone
_PLAIN = st.text(string.ascii_letters + string.digits, min_size=1, max_size=12)
#: a fmt=0 literal that is a pair's separator and key (the others, such as
#: send.php's `, ID - `, are positional: the server writes them always)
_PAIR = re.compile(r", [A-Za-z_]\w* ?= ")


def _droppable(spec: FieldSpec, every_key: bool) -> bool:
    """An optional field whose key a body may leave out and have written
    back as absent (a layout that writes every key writes an absent date
    empty, seed 004: an absent date key comes back empty)."""
    return not spec.required and not (every_key and spec.kind is Kind.DATE)


def _full_record(data: st.DataObject, candidate: Candidate, fields: tuple[str, ...] | None) -> Any:
    plan = plan_for(candidate.cls)
    values = {
        spec.name: data.draw(S.value_of(spec, text=_PLAIN))
        for spec in plan.fields
        if fields is None or spec.name in fields
    }
    return candidate.cls(**values)


def _drop_pairs(line: str, layout: LineLayout, dropped: set[str]) -> str:
    """``line`` (written in ``layout``) without the pairs of ``dropped``."""
    starts = []
    at = 0
    for literal in layout.literals[1:-1]:
        at = line.index(literal, at)
        starts.append(at)
        at += len(literal)
    bounds = [*starts, len(line)]
    out = line[: bounds[0]]
    for i, name in enumerate(layout.fields[1:]):
        if name not in dropped:
            out += line[bounds[i] : bounds[i + 1]]
    return out


def _drop_members(text: str, fmt: int, keys: set[str]) -> str:
    """A fmt=2 or fmt=3 body without the members (one a line) named ``keys``."""
    if fmt == 2:
        lines = text.split("\n")
        kept = [ln for ln in lines if not any(re.fullmatch(f"<{k}>.*</{k}>", ln) for k in keys)]
        return "\n".join(kept)
    head, tail = ("[{\n", "\n}]") if text.startswith("[") else ("{\n", "\n}")
    members = text[len(head) : -len(tail)].split(",\n")
    kept = [m for m in members if not any(m.startswith(f'"{k}": ') for k in keys)]
    return head + ",\n".join(kept) + tail


@pytest.mark.parametrize(("query", "fmt"), CASES)
@given(data=st.data())
def test_absent_keys_are_written_back_absent(query: str, fmt: int, data: st.DataObject) -> None:
    request = f"{query}&fmt={fmt}"
    spec = reply_spec(parse_request(request))
    candidate = data.draw(st.sampled_from(spec.candidates))
    plan = plan_for(candidate.cls)
    layout = None
    if fmt == 0:
        layouts = line_layouts(0, candidate.rule)
        layout = max(layouts, key=lambda lay: len(lay.fields))
        record = _full_record(data, candidate, layout.fields)
    else:
        record = _full_record(data, candidate, None)
    if spec.details is not None:  # (the per-number rows are their own records)
        record = msgspec.structs.replace(record, **{spec.details.field: None})
    try:
        body = smsc_codec.encode([record] if spec.multi else record, request).decode("cp1251")
    except EncodeError as exc:
        event(f"the full record is refused: {exc.field}")  # (a text a layout cannot hold)
        return
    if layout is not None:
        optional = [
            name
            for name, literal in zip(layout.fields[1:], layout.literals[1:-1], strict=True)
            if _PAIR.fullmatch(literal) and _droppable(plan.by_name[name], plan.every_key)
        ]
    else:
        optional = [s.name for s in plan.fields if _droppable(s, plan.every_key)]
    dropped = (
        set(data.draw(st.lists(st.sampled_from(optional), unique=True))) if optional else set()
    )
    if layout is not None:
        without = _drop_pairs(body, layout, dropped)
    else:
        without = _drop_members(body, fmt, {plan.by_name[name].wire for name in dropped})
    reply: Any = smsc_codec.decode(without.encode("cp1251"), request)
    kept = {spec_.wire for spec_ in plan.fields if spec_.name not in dropped}
    if fmt == 2 and kept == {spec.xml_value_root}:
        # a record of the one field is written as it is documented alone:
        # `<balance>…</balance>` (facts §2.5), not inside `<result>`
        event("the one field's own form")
        return
    if type(reply if not spec.multi else reply[0]) is not candidate.cls:
        # (the keys left out are those that tell the kind: an HLR status
        # without its HLR keys is an SMS status, which has no place for some)
        event("another kind of record")
        return
    event(f"{len(dropped)} keys left out")
    assert smsc_codec.encode(reply, request).decode("cp1251") == without
