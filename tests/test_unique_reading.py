"""The one-regex reading of a fmt=0 line agrees with the solver.

A fmt=0 layout with free texts is read by ``_Alternative.unique``: one
regex in which no free text holds a literal that ends a free text, and
which claims that its split is then the line's only one, however many
commas and `` = `` the texts hold (``LineCodec.read_unique`` builds the
reply from it on the fast path). ``_solver.LayoutSolver`` is the reference:
it finds the shortest and the longest split of any line. The properties
below draw lines of every such layout with texts holding ``, ``, `` = ``,
the layout's own ``, key = `` and unknown keys, and check that the regex
reads a line exactly when the solver finds one reading and no free text of
it holds such a literal, and then reads it the solver's way.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

import smsc_codec
from smsc_codec._matcher import line_codec
from smsc_codec._replies import record_requests
from smsc_codec._schema import Kind
from tests import strategies as S

pytestmark = pytest.mark.property

#: every fmt=0 alternative (registered or a spelling variant) with a
#: unique regex, by (rule, index), with its reply kind
_KINDS: dict[str, type[msgspec.Struct]] = {}
for _spec in record_requests().values():
    _KINDS.update((c.rule, c.cls) for c in _spec.candidates)
    if _spec.details is not None:
        _KINDS[_spec.details.candidate.rule] = _spec.details.candidate.cls
UNIQUE = {
    (rule, k): kind
    for rule, kind in sorted(_KINDS.items())
    for k, alt in enumerate(
        (*line_codec(0, rule, kind).alternatives, *line_codec(0, rule, kind).variants)
    )
    if alt.unique is not None
}


def _alternative(rule: str, k: int) -> Any:
    codec = line_codec(0, rule, UNIQUE[rule, k])
    return (*codec.alternatives, *codec.variants)[k]


def test_the_contact_and_status_layouts_have_one() -> None:
    """(the properties below would pass vacuously on no layout)"""
    rules = {rule for rule, _ in UNIQUE}
    assert {"contact", "status_sms_all2", "status_hlr_all2", "history_message"} <= rules


@st.composite
def texts(draw: st.DrawFn, alt: Any) -> str:
    """A free text: plain, hostile, or pieces of the layout's own literals,
    unknown keys, ``, `` and `` = ``."""
    literals = [lit for lit in alt.layout.literals if lit]
    pieces = st.sampled_from(
        [*literals, ", tz = 3", ", foo= x", ", ", " = ", ",", "=", "a", "Привет", " "]
    )
    return draw(st.one_of(S.free_text, st.lists(pieces, max_size=5).map("".join)), label="text")


@st.composite
def lines(draw: st.DrawFn, rule: str, k: int) -> str:
    """A line of the alternative: its literals around drawn values (now and
    then a text where a typed value stands: a line that may not fit)."""
    alt = _alternative(rule, k)
    out = [alt.layout.literals[0]]
    for spec, literal in zip(alt.specs, alt.layout.literals[1:], strict=True):
        if spec.kind.free or draw(st.integers(0, 19), label="misplaced") == 0:
            out.append(draw(texts(alt)))
        elif spec.kind is Kind.TOKEN:
            out.append(draw(S.token))
        else:
            value = draw(S.value_of(spec))
            out.append("" if value is None else spec.to_text(value))
        out.append(literal)
    return "".join(out)


def _solved(alt: Any, line: str) -> tuple[list[str] | None, bool]:
    """The solver's shortest reading and whether it is the only one."""
    run = alt.solver.run(line)
    shortest = None if run is None else run.spans(alt.prefer_shortest)
    if run is None or shortest is None:
        return None, False
    longest = run.spans(alt.prefer_longest)
    return [line[a:b] for a, b in shortest], shortest == longest


@pytest.mark.parametrize(("rule", "k"), sorted(UNIQUE))
@given(data=st.data())
def test_the_unique_regex_reads_as_the_solver(rule: str, k: int, data: st.DataObject) -> None:
    alt = _alternative(rule, k)
    line = data.draw(lines(rule, k))
    solved, only = _solved(alt, line)
    m = alt.unique.match(line)
    if m is not None:
        assert only, line
        assert list(m.groups()) == solved, line
    if only and solved is not None:
        free = [solved[i] for i in alt.free]
        holds = alt.free_ends is not None and any(alt.free_ends.search(t) for t in free)
        # (a line it does not read is one the lazy regex and the solver decide)
        assert (m is not None) == (not holds), line


@pytest.mark.parametrize(("rule", "k"), sorted(k for k in UNIQUE if k[1] == 0))
@given(data=st.data())
def test_the_unique_reader_builds_the_solvers_reading(
    rule: str, k: int, data: st.DataObject
) -> None:
    """``read_unique`` gives the reply of the solver's reading, or leaves
    the line to the general reader."""
    codec = line_codec(0, rule, UNIQUE[rule, k])
    alt = codec.alternatives[0]
    line = data.draw(lines(rule, k))
    if codec.read_unique is None:
        return  # (a split reader comes first: the general reader decides)
    got = codec.read_unique(line)
    solved, only = _solved(alt, line)
    if got is None:
        return
    assert only
    assert solved is not None
    assert got == alt.build(solved, ())


def test_an_unknown_key_after_a_free_text_is_more_of_that_text() -> None:
    """The key scanner's rule, on the fast path from the first line on: the
    comment takes `, tz = 3` (a key after a typed value would be kept in
    ``extra``), and no field is ambiguous."""
    request = "status.php?id=1&phone=79991234567&all=2&fmt=0"
    line = (
        "Status = 1, check_time = 28.06.2021 15:55:47, err = 0, send_date = 28.06.2021 "
        "15:55:40, phone = 79991234567, mccmnc = 25001, country = Россия, operator = МТС, "
        "operator_orig= МТС, region = Москва, cost = 1.40, sender_id = SMSC.RU, "
        "status_name = Доставлено, message = Hello, world = test, comment = коммент, "
        "tz = 3, type = 0"
    )
    decoder = smsc_codec.Decoder(request)
    for _ in range(2):
        reply = decoder.decode(line)
        assert isinstance(reply, smsc_codec.SmsStatus)
        assert reply.message == "Hello, world = test"
        assert reply.comment == "коммент, tz = 3"
        assert reply.extra == ()
        assert reply.ambiguous_fields == ()
    assert smsc_codec.decode(line, request, strict=True) == reply
