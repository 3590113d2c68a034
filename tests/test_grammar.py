"""The grammars and the matchers compiled from them agree.

Lark's Earley parser (with explicit ambiguity) is the reference reading of the
fmt=0/1 layouts; ``_matcher`` is the fast reading compiled from the same
rules. On every corpus line and on generated and mutated lines both must accept
or reject together, read the same field texts, and find the same lines
ambiguous.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import smsc_codec
from smsc_codec import ApiError, EncodeError, RequestError, SmsStatus
from smsc_codec._body import iter_lines
from smsc_codec._corpus import CorpusEntry
from smsc_codec._grammar import lark_layouts, layout_rules, line_layouts, parse_line
from smsc_codec._matcher import line_codec
from smsc_codec._replies import record_requests, reply_spec
from smsc_codec._request import parse_request
from smsc_codec._schema import KIND_PATTERNS, SRE_KIND_PATTERNS, Kind, optional
from tests import strategies as S
from tests.conftest import corpus_entries

#: every layout rule with the reply kind the registry reads it as
_RULE_KINDS: dict[str, type[msgspec.Struct]] = {"api_error": ApiError}
for _spec in record_requests().values():
    _RULE_KINDS.update((c.rule, c.cls) for c in _spec.candidates)
    if _spec.details is not None:
        _RULE_KINDS[_spec.details.candidate.rule] = _spec.details.candidate.cls
RULES = [
    (fmt, rule, kind)
    for fmt in (0, 1)
    for rule, kind in sorted(_RULE_KINDS.items())
    if rule in layout_rules(fmt)
]


def matcher_reading(
    fmt: int, rule: str, kind: type[msgspec.Struct], line: str
) -> tuple[dict[str, str], bool] | None:
    """The compiled matcher's syntax-level reading: field texts and ambiguity."""
    for alt in line_codec(fmt, rule, kind).alternatives:
        found = alt.values(line)
        if found is not None:
            values, ambiguous = found
            return dict(zip(alt.fields, values, strict=True)), bool(ambiguous)
    return None


def assert_agree(fmt: int, rule: str, kind: type[msgspec.Struct], line: str) -> None:
    lark = parse_line(fmt, rule, line)
    mine = matcher_reading(fmt, rule, kind, line)
    assert lark.ok == (mine is not None), (line, lark, mine)
    if mine is None:
        return
    values, ambiguous = mine
    assert lark.ambiguous == ambiguous, line
    if not ambiguous:
        assert lark.values == values, line


def test_every_layout_rule_is_covered() -> None:
    assert {rule for _, rule, _ in RULES} == layout_rules(0) | layout_rules(1)


@pytest.mark.parametrize(("fmt", "rule"), [(fmt, rule) for fmt, rule, _ in RULES])
def test_the_layout_reader_agrees_with_lark(fmt: int, rule: str) -> None:
    """Decoding reads the grammar files without lark (a process's first decode
    would pay for its import and parser); Lark's reading is the reference."""
    assert line_layouts(fmt, rule) == lark_layouts(fmt, rule)


def _corpus_lines() -> list[tuple[int, str, type[msgspec.Struct], str]]:
    out = []
    for entry in corpus_entries():
        request = parse_request(entry.request)
        fmt = int(request.fmt)
        if fmt not in (0, 1):
            continue
        text = entry.body.decode(request.charset, errors="replace")
        if text.startswith(("ERROR", "OK")) or "error" in entry.meta["expect"]:
            continue
        try:
            spec = reply_spec(request)
        except RequestError:
            continue  # a script whose success answers are not modelled (an error entry)
        if spec.ok_only:
            continue
        for line in iter_lines(text):
            if line.text:
                candidate = spec.pick_line(fmt, line.text)
                out.append((fmt, candidate.rule, candidate.cls, line.text))
    return out


@pytest.mark.parametrize(("fmt", "rule", "kind", "line"), _corpus_lines())
def test_corpus_lines_agree(fmt: int, rule: str, kind: type[msgspec.Struct], line: str) -> None:
    assert_agree(fmt, rule, kind, line)


def _mutate(line: str, edits: Sequence[tuple[int, int, str]]) -> str:
    for position, delete, piece in edits:
        at = position % (len(line) + 1)
        line = line[:at] + piece + line[at + delete :]
    return line


EDITS = st.lists(
    st.tuples(
        st.integers(0, 400),
        st.integers(0, 2),
        st.sampled_from([",", ", ", " = ", "x", "1", "-", ")", ""]),
    ),
    max_size=3,
)


@pytest.mark.parametrize(("fmt", "rule", "kind"), RULES)
@settings(max_examples=15)
@given(data=st.data(), edits=EDITS)
def test_generated_lines_agree(
    fmt: int,
    rule: str,
    kind: type[msgspec.Struct],
    data: st.DataObject,
    edits: list[tuple[int, int, str]],
) -> None:
    layout = data.draw(st.sampled_from(line_layouts(fmt, rule)))
    reply = data.draw(S.replies(kind, layout.fields, text_formats=True))
    codec = line_codec(fmt, rule, kind)
    try:
        line = codec.write(reply, lossy=True)
    except EncodeError:
        line = data.draw(st.text(max_size=60))
    assert_agree(fmt, rule, kind, _mutate(line, edits))


@pytest.mark.parametrize(
    ("fmt", "rule", "line", "column"),
    [
        (1, "status_sms_all0", "1,x,0", 3),
        (1, "status_sms_all0", "1,1286524541,0,", 15),
        (0, "status_sms_all0", "Status = 1, check_time = 10.10.2010 10:10:1", 26),
        (0, "status_sms_all0", "Status = one", 10),
        (0, "api_error", "ERROR = x (y)", 9),
        (1, "api_error", "0,-", 4),
    ],
)
def test_errors_are_positioned(fmt: int, rule: str, line: str, column: int) -> None:
    """Lark places the fault where a reader would: under the first bad character."""
    parsed = parse_line(fmt, rule, line)
    assert not parsed.ok
    assert parsed.column == column


DOCUMENTED = [
    # seed 003, the parameter-table examples and the layouts with values filled in
    (0, "status_sms_all0", "Status = 1, check_time = 10.10.2010 10:10:10"),
    (1, "status_sms_all0", "1,1286524541"),
    (1, "status_sms_all0", "1,1286524541,0"),
    (0, "status_sms_all0", "Status = -3"),
    (0, "api_error", "ERROR = 9 (duplicate request, wait a minute)"),
    (0, "api_error", "ERROR = 3 (no money), ID - 275"),
    (1, "api_error", "0,-9"),
    (1, "api_error", "275,-3"),
    (
        1,
        "status_hlr_all0",
        "1,1286524541,0,250023012345678,79232510066,250,02,Россия,МегаФон,,",
    ),
]


@pytest.mark.parametrize(("fmt", "rule", "line"), DOCUMENTED)
def test_documented_lines_parse(fmt: int, rule: str, line: str) -> None:
    parsed = parse_line(fmt, rule, line)
    assert parsed.ok
    assert not parsed.ambiguous
    request = {
        "script": "status" if rule.startswith("status") else "send",
        "fmt": fmt,
        "id": 1,
        "phone": 2,
    }
    smsc_codec.decode(line, request, strict=True)


def test_ambiguity_is_reported_by_both() -> None:
    line = "1,1286524541,0,1286524540,79990000000,1.40,SMSC,Delivered,a, b, c, 0"
    assert parse_line(1, "status_sms_all1", line).ambiguous
    reading = matcher_reading(1, "status_sms_all1", SmsStatus, line)
    assert reading is not None
    assert reading[1]


def test_corpus_has_text_format_lines() -> None:
    entries: list[CorpusEntry] = corpus_entries()
    assert entries


# -- the kinds' Python regexes --------------------------------------------------


def _kind_texts(kind: Kind) -> st.SearchStrategy[str]:
    """Texts of the kind's form, and texts near it."""
    return st.one_of(
        st.from_regex(KIND_PATTERNS[kind], fullmatch=True),
        st.text(alphabet="-0123456789.,: x\r\n", max_size=12),
    )


@pytest.mark.parametrize("kind", list(Kind))
@given(data=st.data())
def test_a_kinds_python_regex_reads_the_texts_of_its_pattern(
    kind: Kind, data: st.DataObject
) -> None:
    """``SRE_KIND_PATTERNS`` (optional groups spelled by ``optional``) reads
    the same texts as ``KIND_PATTERNS``, alone and made optional."""
    text = data.draw(_kind_texts(kind))
    usual = KIND_PATTERNS[kind]
    spelled = SRE_KIND_PATTERNS[kind]
    assert bool(re.fullmatch(spelled, text)) == bool(re.fullmatch(usual, text))
    assert bool(re.fullmatch(optional(spelled), text)) == bool(re.fullmatch(f"(?:{usual})?", text))
    found = re.fullmatch(f"({optional(spelled)}),?(.*)", text, re.DOTALL)
    expected = re.fullmatch(f"((?:{usual})?),?(.*)", text, re.DOTALL)
    assert (found and found.groups()) == (expected and expected.groups())


@pytest.mark.parametrize("kind", list(Kind))
def test_a_kinds_python_regex_has_no_optional_group(kind: Kind) -> None:
    """sre runs ``(?:...)?`` through its general repeat; the line regexes
    spell an optional group as an alternative with nothing."""
    assert re.search(r"\)[?*]", SRE_KIND_PATTERNS[kind]) is None
    assert re.search(r"\)[?*]", optional(SRE_KIND_PATTERNS[kind])) is None
