"""The ``smsc-layouts`` directive: the layout reference, generated at build time.

For every request shape the registry knows, every reply kind it may answer
with and every format, the page shows the layout (the grammar rule's text for
fmt 0/1, the record elements for fmt 2/3), its provenance as the registry's
table states it (recorded, documented, derived or unverified), an example
body written by the encoder from a reply built from the model, the notes the
code keeps about where the layout comes from (the grammar's comments, the
registry's), and the corpus entries that check it. Nothing is typed by hand,
so the page follows the code.

The registry's table (``smsc_codec._replies.LAYOUTS``) is read in one place,
the section "the registry" below (:func:`registered_answers`,
:func:`shape_of`, :func:`registry_note`): when the table changes shape,
those three functions are the one place to adapt.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import msgspec
from citations import citations, linked_rst
from docutils import nodes
from docutils.statemachine import StringList
from public_api import comment_above
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

import smsc_codec
from smsc_codec import AddressList, MessageFlags
from smsc_codec._corpus import CorpusEntry, load_corpus
from smsc_codec._grammar import grammar_text, line_layouts

REPOSITORY = Path(__file__).resolve().parents[2]
FORMATS = (0, 1, 2, 3)
GRAMMAR_FILES = {0: "fmt0.lark", 1: "fmt1.lark"}


# -- the registry: the one place that knows how requests map to layouts --------------


class Candidate(NamedTuple):
    """One reply kind an answer may be, with its fmt=0/1 layout rule."""

    cls: type[msgspec.Struct]
    rule: str


class Answer(NamedTuple):
    """The success answers of one request shape."""

    requests: tuple[str, ...]  #: the requests answered so; the first is the example's
    candidates: tuple[Candidate, ...]  #: empty: answered with ``OK``
    multi: bool  #: a list of records
    xml_item: str  #: the fmt=2 element of a record
    xml_list: str  #: the fmt=2 element around several records
    details: tuple[str, Candidate] | None  #: (attribute, kind) of records after the main one
    note: str | None  #: what the registry says of the answer's source
    key: object  #: identifies the shape (requests with equal keys share it)
    #: the provenance of the layout in fmt 0, 1, 2 and 3, as the table states it
    provenance: tuple[str, ...]


def registered_answers() -> list[Answer]:
    """Every request shape of the registry's table, OK-only commands
    included: its rows grouped by answer and provenance, each with the
    example request of every command that asks for it."""
    from smsc_codec._replies import LAYOUTS, example_request  # noqa: PLC0415

    grouped: dict[object, list[str]] = {}
    rows: dict[object, Any] = {}
    for row in LAYOUTS:
        key = (row.answer, row.provenance)
        rows.setdefault(key, row)
        requests = grouped.setdefault(key, [])
        for command in row.commands or (None,):
            request = example_request(row, command)
            if request not in requests:
                requests.append(request)
    answers = []
    for shape, requests in grouped.items():
        spec = rows[shape].answer
        details = spec.details
        answers.append(
            Answer(
                requests=tuple(requests),
                candidates=tuple(Candidate(c.cls, c.rule) for c in spec.candidates),
                multi=spec.multi,
                xml_item=spec.xml_item,
                xml_list=spec.xml_list,
                details=details
                and (details.field, Candidate(details.candidate.cls, details.candidate.rule)),
                note=registry_note(spec),
                key=shape,
                provenance=rows[shape].provenance,
            )
        )
    return answers


def shape_of(request: smsc_codec.Request) -> object:
    """What identifies the answers of ``request``: requests with the same shape
    are answered alike, with layouts of the same provenance (raises
    RequestError for a request no row answers)."""
    from smsc_codec._replies import layout_of, layout_row  # noqa: PLC0415

    row = layout_row(layout_of(request))
    return (row.answer, row.provenance)


def registry_note(spec: object) -> str | None:
    """The ``#:`` comment above the registry constant that holds ``spec``."""
    from smsc_codec import _replies  # noqa: PLC0415

    for name, value in vars(_replies).items():
        if value is spec:
            return comment_above(Path(_replies.__file__), name)
    return None


# -- grammar notes -----------------------------------------------------------------------


def grammar_note(fmt: int, rule: str) -> str:
    """The comments the grammar keeps about ``rule``: its section's opening
    comment and the comment right above the rule (or above the rule it extends)."""
    lines = grammar_text(GRAMMAR_FILES[fmt]).splitlines()
    start = next(
        (i for i, line in enumerate(lines) if re.match(rf"{re.escape(rule)}\s*:", line)), None
    )
    if start is None:
        return ""
    above = _block(lines, start)
    header = next(
        (i for i in range(start, -1, -1) if re.match(r"//\s*-{3,}.*-{3}\s*$", lines[i])), None
    )
    section = _block(lines, _block_end(lines, header + 1)) if header is not None else []
    parts = section + [line for line in above if line not in section]
    return " ".join(parts)


def _block_end(lines: list[str], index: int) -> int:
    """The index after the comment block that starts at ``index``."""
    while index < len(lines) and lines[index].startswith("//"):
        index += 1
    return index


def _block(lines: list[str], end: int) -> list[str]:
    """The comment lines right above ``lines[end]``, without the ``//``."""
    block: list[str] = []
    for line in reversed(lines[:end]):
        if not line.startswith("//") or re.match(r"//\s*-{3,}", line):
            break
        block.insert(0, line[2:].strip())
    return block


# -- example replies, built from the model ------------------------------------------------

#: Example values by field name; any other field gets a value of its type.
SAMPLES: dict[str, Any] = {
    "status": 1,
    "err": 0,
    "last_date": datetime(2021, 6, 28, 15, 55, 47),
    "last_timestamp": 1624884947,
    "send_date": datetime(2021, 6, 28, 15, 55, 40),
    "send_timestamp": 1624884940,
    "received": datetime(2018, 9, 29, 15, 7, 39),
    "sent": datetime(2018, 9, 29, 15, 7, 37),
    "phone": "79991234567",
    "to_phone": "79037676877",
    "cost": Decimal("1.40"),
    "balance": Decimal("250.80"),
    "credit": Decimal("14.00"),
    "debit": Decimal("100.00"),
    "sender_id": "SMSC.RU",
    "sender": "SMSC.RU",
    "status_name": "Доставлено",
    "message": "Ваш код 4821",
    "comment": "заказ 15",
    "mccmnc": "25001",
    "country": "Россия",
    "operator": "МТС",
    "operator_orig": "МТС",
    "region": "Москва",
    "imsi": "250011234567890",
    "msc": "79168999100",
    "mcc": "250",
    "mnc": "01",
    "cn": "Россия",
    "net": "МТС",
    "rcn": "",
    "rnet": "",
    "id": 101,
    "cnt": 1,
    "sms_cnt": 1,
    "int_id": 4821901,
    "crc": 3054,
    "currency": "RUB",
    "name": "Иванов",
    "first_name": "Иван",
    "last_name": "Иванов",
    "middle_name": "Петрович",
    "birthday": date(1980, 5, 17),
    "client_id": "c-17",
    "comments": "звонить утром",
    "tags": "vip",
    "phones": "79991234567; 79997654321",
    "other_phones": "79990000003",
    "groups": "5922",
    "number": 2,
    "login": "demo",
    "zone": "1",
    "tz": "3",
    "code": 3,
    "description": "no money",
}

#: Values that depend on the kind: an HLR row's type is 4 (seed 003: "for HLR,
#: it is equal to 4"), which is also how fmt=1 rows tell HLR from SMS.
KIND_SAMPLES: dict[str, dict[str, Any]] = {"HlrStatus": {"type": 4}}


def sample_reply(cls: type[msgspec.Struct], names: Iterable[str]) -> msgspec.Struct:
    """A reply of ``cls`` with the fields ``names`` set to example values."""
    info = msgspec.inspect.type_info(cls)
    assert isinstance(info, msgspec.inspect.StructType)
    types = {f.name: f.type for f in info.fields}
    values = {}
    for name in names:
        raw = KIND_SAMPLES.get(cls.__name__, {}).get(name, SAMPLES.get(name))
        values[name] = _typed(types[name], raw)
    return cls(**values)


def _typed(info: msgspec.inspect.Type, raw: Any) -> Any:
    """``raw`` (or a default of the field's type, when None) as the field's type."""
    info = _unwrapped(info)
    if isinstance(info, msgspec.inspect.EnumType):
        members = list(info.cls)
        return info.cls(raw) if raw is not None else members[0]
    if isinstance(info, msgspec.inspect.CustomType):
        if issubclass(info.cls, AddressList):
            return AddressList.parse(raw if raw is not None else "79991234567")
        if issubclass(info.cls, MessageFlags):
            return MessageFlags(raw or 0)
    if isinstance(info, msgspec.inspect.IntType):
        return int(raw) if raw is not None else 1
    if isinstance(info, msgspec.inspect.DecimalType):
        return Decimal(raw) if raw is not None else Decimal("1.00")
    if isinstance(info, msgspec.inspect.DateTimeType):
        return raw or datetime(2021, 6, 28, 15, 55, 47)
    if isinstance(info, msgspec.inspect.DateType):
        return raw or date(1980, 5, 17)
    return raw if raw is not None else "text"


def _unwrapped(info: msgspec.inspect.Type) -> msgspec.inspect.Type:
    """A field's type without its metadata and its ``None`` alternative."""
    while isinstance(info, (msgspec.inspect.UnionType, msgspec.inspect.Metadata)):
        if isinstance(info, msgspec.inspect.Metadata):
            info = info.type
        else:
            info = next(t for t in info.types if not isinstance(t, msgspec.inspect.NoneType))
    return info


def layout_fields(fmt: int, rule: str) -> tuple[str, ...]:
    """The fields of the rule's fullest alternative."""
    return line_layouts(fmt, rule)[0].fields


def example(answer: Answer, candidate: Candidate, fmt: int) -> tuple[str, str]:
    """(request, body): the answer to the answer's first request in ``fmt``,
    written by the encoder, checked to decode back to the reply it was written from."""
    names = (
        layout_fields(fmt, candidate.rule)
        if fmt in GRAMMAR_FILES
        else dict.fromkeys(layout_fields(0, candidate.rule) + layout_fields(1, candidate.rule))
    )
    reply = sample_reply(candidate.cls, names)
    value: Any = reply
    if answer.details:
        field, detail = answer.details
        rows = [
            sample_reply(
                detail.cls,
                layout_fields(fmt if fmt in GRAMMAR_FILES else 0, detail.rule),
            )
        ]
        value = msgspec.structs.replace(reply, **{field: tuple(rows)})
    if answer.multi:
        second = (
            msgspec.structs.replace(reply, id=reply.id + 1)  # type: ignore[attr-defined]
            if isinstance(getattr(reply, "id", None), int)
            else reply
        )
        value = [reply, second]
    request = f"{answer.requests[0]}&fmt={fmt}"
    if answer.details:
        request += "&op=1"
    body = smsc_codec.encode_text(value, request)
    decoded = smsc_codec.decode(body, request, strict=True)
    if decoded != value:
        raise ValueError(
            f"the example of {candidate.cls.__name__} for {request} reads back as "
            f"{decoded!r}, not {value!r}: adjust SAMPLES or KIND_SAMPLES"
        )
    return request, body


def envelope_examples() -> Iterator[tuple[str, int, str, str]]:
    """(title, fmt, request, body) for the answers every script may give."""
    for fmt in FORMATS:
        names = (
            layout_fields(fmt, "api_error")
            if fmt in GRAMMAR_FILES
            else dict.fromkeys(layout_fields(0, "api_error") + layout_fields(1, "api_error"))
        )
        error = sample_reply(smsc_codec.ApiError, names)
        request = f"send.php?fmt={fmt}"
        yield "an error", fmt, request, smsc_codec.encode_text(error, request)
    for fmt in FORMATS:
        request = f"phones.php?del=1&fmt={fmt}"
        yield "OK", fmt, request, smsc_codec.encode_text(smsc_codec.Ok(), request)


# -- the corpus: what checks each layout ---------------------------------------------------


@functools.cache
def corpus() -> tuple[CorpusEntry, ...]:
    return tuple(load_corpus(REPOSITORY / "corpus"))


def evidence(answer: Answer, cls: type[msgspec.Struct], fmt: int) -> list[CorpusEntry]:
    """The corpus entries answering a request of this shape in ``fmt`` with ``cls``."""
    found = []
    for entry in corpus():
        expect = entry.meta.get("expect", {})
        kinds = [expect.get("kind")] + [item.get("kind") for item in expect.get("list", [])]
        if cls.__name__ not in kinds:
            continue
        try:
            request = smsc_codec.parse_request(entry.request)
            same = shape_of(request) == answer.key
        except smsc_codec.RequestError:
            continue
        if same and int(request.fmt) == fmt:
            found.append(entry)
    return found


# -- the page ------------------------------------------------------------------------------


def _label(query: str) -> str:
    """A request shape in short: the script and the parameters that choose the
    layout, without the example's ids and numbers."""
    request = smsc_codec.parse_request(query)
    params = [f"{k}={v}" for k, v in request.params if k not in ("id", "phone")]
    label = f"{request.script}.php" + ("?" + "&".join(params) if params else "")
    if request.multi:
        label += ", several ids"
    elif "," in (request.get("phone") or ""):
        label += ", several numbers"
    return label


def _anchor(answer: Answer) -> str:
    return "layout-" + re.sub(r"[^a-z0-9]+", "-", answer.requests[0].lower()).strip("-")


def _literal(text: str) -> list[str]:
    return ["::", "", *(f"   {line}" for line in text.splitlines() or [""]), ""]


def _layout_text(fmt: int, rule: str) -> str:
    return "\n".join(
        "".join(
            literal + (f"<{field}>" if i < len(layout.fields) else "")
            for i, (literal, field) in enumerate(
                zip(layout.literals, (*layout.fields, ""), strict=True)
            )
        )
        for layout in line_layouts(fmt, rule)
    )


def _kind(cls: type) -> str:
    return f":class:`~smsc_codec.{cls.__name__}`"


def _tag_text(found: list[str]) -> str:
    return ", ".join(f"**{tag}**" for tag in found) or "no source"


def _candidate_rows(answer: Answer, candidate: Candidate) -> Iterator[tuple[int, list[str]]]:
    """Each format with the provenance the registry's table states."""
    for fmt in FORMATS:
        yield fmt, [answer.provenance[fmt]]


def answer_section(answer: Answer) -> list[str]:
    title = _label(answer.requests[0])
    lines = [f".. _{_anchor(answer)}:", "", title, "-" * len(title), ""]
    if len(answer.requests) > 1:
        others = ", ".join(f"``{r}``" for r in answer.requests[1:])
        lines += [f"The same answers: {others}.", ""]
    if not answer.candidates:
        tags = ", ".join(dict.fromkeys(f"**{tag}**" for tag in answer.provenance))
        lines += [f"Answered with ``OK`` or an error (see :ref:`layout-envelope`): {tags}.", ""]
        return lines
    shape = (
        f"a list of records: fmt=0/1 one line each, fmt=2 ``<{answer.xml_item}>`` elements "
        f"in ``<{answer.xml_list}>``, fmt=3 an array of objects"
        if answer.multi
        else f"one record: fmt=2 ``<{answer.xml_item}>``, fmt=3 an object"
    )
    kinds = ", ".join(f"{_kind(c.cls)} (rule ``{c.rule}``)" for c in answer.candidates)
    lines += [f"Replies: {kinds}; {shape}.", ""]
    if answer.details:
        field, detail = answer.details
        lines += [
            f"With ``op=1`` or ``err=1``, {_kind(detail.cls)} records (rule ``{detail.rule}``) "
            f"follow, kept in ``{field}``.",
            "",
        ]
    for candidate in answer.candidates:
        lines += _candidate_section(answer, candidate)
    return lines


def _candidate_section(answer: Answer, candidate: Candidate) -> list[str]:
    """A reply kind's part of an answer's section: per format its layout,
    an example and the corpus entries that hold it, then its sources."""
    heading = candidate.cls.__name__
    lines = [heading, "~" * len(heading), ""]
    for fmt, found in _candidate_rows(answer, candidate):
        lines += _format_rows(answer, candidate, fmt, found)
    lines += ["Sources", ""]
    for fmt, grammar in GRAMMAR_FILES.items():
        lines += _note(f"fmt={fmt}, grammars/{grammar}", grammar_note(fmt, candidate.rule))
    if answer.note:
        lines += _note("fmt=2/3, the registry", answer.note)
    return lines + _model_note_lines(candidate.cls)


def _format_rows(answer: Answer, candidate: Candidate, fmt: int, found: list[str]) -> list[str]:
    """A reply kind in one format: its layout (fmt=0/1), an example, and the
    corpus entries that hold it."""
    request, body = example(answer, candidate, fmt)
    lines = [f"**fmt={fmt}** — {_tag_text(found)}", ""]
    if fmt in GRAMMAR_FILES:
        lines += ["Layout", *_indent(_literal(_layout_text(fmt, candidate.rule)))]
        if answer.details:
            lines += _indent(_literal(_layout_text(fmt, answer.details[1].rule)))
    lines += [f"Example: ``{request}``", *_indent(_literal(body))]
    entries = evidence(answer, candidate.cls, fmt)
    if entries:
        names = ", ".join(f"``{e.name}`` ({e.meta.get('provenance')})" for e in entries)
        lines += [f"Corpus: {names}.", ""]
    return lines


def _model_note_lines(cls: type) -> list[str]:
    """The first paragraph of the model's docstring (reStructuredText), citations linked."""
    return [f"**the model, {cls.__name__}**: {linked_rst(_model_note(cls))}", ""]


def _model_note(cls: type) -> str:
    return " ".join((cls.__doc__ or "").split("\n\n")[0].split())


def _note(label: str, text: str) -> list[str]:
    return [f".. smsc-note:: {label}", "", f"   {text or 'no note'}", ""]


def _indent(lines: list[str]) -> list[str]:
    return [f"   {line}" if line else "" for line in lines]


def summary_table(answers: list[Answer]) -> list[str]:
    lines = [
        ".. list-table:: Every registered answer: the tags of each format",
        "   :header-rows: 1",
        "",
        "   * - request",
        "     - reply",
        *(f"     - fmt={fmt}" for fmt in FORMATS),
    ]
    for answer in answers:
        for candidate in answer.candidates:
            lines += [
                f"   * - :ref:`{_label(answer.requests[0])} <{_anchor(answer)}>`",
                f"     - {_kind(candidate.cls)}",
                *(
                    f"     - {', '.join(found) or '—'}"
                    for _, found in _candidate_rows(answer, candidate)
                ),
            ]
    return [*lines, ""]


def envelope_section() -> list[str]:
    lines = [
        ".. _layout-envelope:",
        "",
        "Every script: errors and OK",
        "----------------------------",
        "",
        "Any script may answer with an error (:class:`~smsc_codec.ApiError`) and the "
        "commands that change or delete answer a bare ``OK`` (:class:`~smsc_codec.Ok`), "
        "whatever their other answers; both are recognised before the registry is "
        "consulted.",
        "",
        "Layout",
        *_indent(
            _literal("\n".join(f"fmt={fmt}: {_layout_text(fmt, 'api_error')}" for fmt in (0, 1)))
        ),
    ]
    for title, fmt, request, body in envelope_examples():
        lines += [f"{title}, fmt={fmt}: ``{request}``", *_indent(_literal(body))]
    lines += ["Sources", ""]
    for fmt, grammar in GRAMMAR_FILES.items():
        lines += _note(f"fmt={fmt}, grammars/{grammar}", grammar_note(fmt, "api_error"))
    for cls in (smsc_codec.ApiError, smsc_codec.Ok):
        lines += _model_note_lines(cls)
    return lines


def layout_reference() -> list[str]:
    answers = registered_answers()
    lines = [".. py:currentmodule:: smsc_codec", ""]
    lines += summary_table([a for a in answers if a.candidates])
    lines += envelope_section()
    for answer in answers:
        lines += answer_section(answer)
    return lines


class SourceNote(SphinxDirective):
    """``.. smsc-note:: LABEL``: a note the code keeps, its `code` spans as
    literals and its citations linked to their anchors in the sources page."""

    required_arguments = 1
    final_argument_whitespace = True
    has_content = True

    def run(self) -> list[nodes.Node]:
        paragraph = nodes.paragraph()
        paragraph += nodes.strong(text=self.arguments[0])
        paragraph += nodes.Text(": ")
        text = " ".join(self.content)
        for piece in re.split(r"(`[^`]+`)", text):
            if piece.startswith("`") and piece.endswith("`") and len(piece) > 1:
                paragraph += nodes.literal(text=piece[1:-1])
                continue
            position = 0
            for cite in citations(piece):
                paragraph += nodes.Text(piece[position : cite.start])
                link = pending_xref(
                    "",
                    refdomain="std",
                    reftype="ref",
                    reftarget=cite.anchor,
                    refexplicit=True,
                    refwarn=True,
                    refdoc=self.env.docname,
                )
                link += nodes.inline(text=cite.text)
                paragraph += link
                position = cite.end
            paragraph += nodes.Text(piece[position:])
        return [paragraph]


class LayoutReference(SphinxDirective):
    """``.. smsc-layouts::``: every registered layout, in every format."""

    def run(self) -> list[nodes.Node]:
        container = nodes.section()
        nested_parse_with_titles(
            self.state, StringList(layout_reference(), "<smsc-layouts>"), container
        )
        # the page follows the code, the grammars and the corpus: rebuild it
        # when any of them changes
        for folder, pattern in (("smsc_codec", "*.py"), ("grammars", "*.lark"), ("corpus", "*")):
            for path in (REPOSITORY / folder).rglob(pattern):
                self.env.note_dependency(str(path))
        return list(container.children)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("smsc-layouts", LayoutReference)
    app.add_directive("smsc-note", SourceNote)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
