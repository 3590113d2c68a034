"""Fast readers and writers for fmt=0 and fmt=1 lines, compiled from the grammar.

Lark's Earley parser reads a 20-field line in milliseconds; the documented
layouts are simple enough to be read by one ``str.split`` (fmt=1) or one
anchored regular expression (fmt=0) when they are compiled from the same rules.
:class:`LineCodec` does that compilation for one layout rule and one reply
Struct: it builds, per alternative of the rule,

* a regex whose groups are the fields (free text lazy, so a match is the
  leftmost split), and its twin with free text greedy (the rightmost split): a
  line is unambiguous exactly when both agree (the two are the lexicographic
  extremes of all valid splits);
* for a fmt=0 layout of ``, key = `` pairs, a regex in which no free text
  holds a literal that ends a free text: it tries one extent per field (in
  linear time, however many commas the texts hold), and a line it matches
  has that one reading (``_Alternative._unique_regex``), so most lines with
  commas in their texts need neither the lazy regex nor the solver;
* a constructor generated as Python source, so a match becomes a Struct with
  one call per field and no loop.

Lark stays the reference: ``tests/test_grammar.py`` proves on every corpus
and fuzz line that both readings agree. When a line does not match, the fault
is placed by ``_line_faults.locate_fault`` (linear), not by Lark's parser.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

import msgspec

from ._checks import unchecked
from ._compiled import RecordWriter, compile_writer, field_text, literal_pattern, untouched
from ._errors import EncodeError
from ._grammar import LineLayout, field_required, line_layouts
from ._line_faults import LayoutField, locate_fault
from ._schema import (
    SRE_KIND_PATTERNS,
    FieldSpec,
    Kind,
    StructPlan,
    optional,
    parse_valid_int,
    plan_for,
)
from ._solver import LayoutSolver

__all__ = [
    "LineCodec",
    "LineMismatch",
    "LineRead",
    "WrittenLine",
    "builder_arguments",
    "line_codec",
]

#: When free text makes a line ambiguous, lenient decoding lets this field take
#: every extra separator (it is the one most likely to hold commas: the
#: message's text), or the last free-text field of the line when there is no
#: message. Every field that could have been split differently is named in the
#: reply's ``ambiguous_fields``.
ABSORBING_FIELD = "message"

#: A line whose commas are all the layout's own is read by one regex in which
#: no free text crosses a comma (then no reading can put one in it). With more
#: commas, each is one more place where a free text may end, and a failing
#: regex tries every combination, scanning the line again for each: the lazy
#: regex is used only while the combinations stay this few (a failing line
#: then costs at most this many scans of it); past that,
#: ``_solver.LayoutSolver`` decides in linear time.
_REGEX_MAX_COMBINATIONS = 32

_KEY_OF_LITERAL = re.compile(r"(?:, )?([A-Za-z_][A-Za-z0-9_]*) ?= $")
#: a fmt=0 literal that is one pair's separator and key: an absent optional
#: field's key may be left out with it (facts §1.3)
_PAIR_LITERAL = re.compile(r", [A-Za-z_][A-Za-z0-9_]* ?= ")


class LineMismatch(Exception):
    """Internal: a line does not fit; carries the offset and reason of the fault."""

    def __init__(self, reason: str, offset: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.offset = offset


class LineRead(NamedTuple):
    """A line read by a compiled alternative."""

    reply: msgspec.Struct
    values: Sequence[str]  #: raw field texts, in layout order
    ambiguous: tuple[str, ...]  #: fields whose extent had to be chosen
    #: the variant spelling the line follows (None: the registered layout)
    variant: str | None = None
    #: the alternative's literals and fields (its layout)
    literals: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()


#: Separators the documentation prints irregularly, per format: (as printed,
#: the other spelling, what the other is). The printed form is the registered
#: layout, which the encoders write; lenient decoding also reads the other on
#: the fast path, and strict decoding names it.
LITERAL_VARIANTS: dict[int, tuple[tuple[str, str, str], ...]] = {
    # Seed 003 prints `,<message>, <comment>, <type>` and `,<rnet>, <send_timestamp>`
    # with a space no other column has.
    1: ((", ", ",", "`,` without the space seed 003 prints"),),
    # Seed 003 prints `operator_orig= ` without the space every other key has.
    0: ((", operator_orig= ", ", operator_orig = ", "`operator_orig = ` with a space"),),
}


class _Alternative:
    """One alternative of a layout rule, compiled; ``variant`` names the
    spelling it reads when it is not the registered layout's."""

    def __init__(self, layout: LineLayout, plan: StructPlan, variant: str | None = None) -> None:
        self.variant = variant
        self.layout = layout
        self.fields = layout.fields
        self.specs = _layout_specs(layout, plan)
        self.free = tuple(i for i, s in enumerate(self.specs) if s.kind.free)
        self.commas = sum(lit.count(",") for lit in layout.literals)
        self.lazy = self._regex()
        self.exact = self._regex(free=r"[^,\r\n]*")
        #: the most extra commas the lazy regex reads (see _REGEX_MAX_COMBINATIONS)
        self.regex_extra = _regex_extra_commas(len(self.free))
        self.solver = self._solver()
        absorbing = self._absorbing()
        self.prefer_shortest = [False] * len(self.fields)
        self.prefer_longest = [True] * len(self.fields)
        self.prefer_resolved = [i == absorbing for i in range(len(self.fields))]
        lits = layout.literals
        self.splittable = layout.splittable
        self.spaced = tuple(i + 1 for i, lit in enumerate(lits[1:-1]) if lit == ", ")
        self.build_checked = _make_builder(plan, self.specs, trusted=False)
        self.split_reader = (
            _make_split_reader(plan, self.specs, self.spaced) if self.splittable else None
        )
        self.build = _make_builder(plan, self.specs, trusted=True)
        #: any literal that ends a free text, and a getter of the free texts
        ends = self._free_ends()
        self.free_ends = re.compile("|".join(map(re.escape, ends))) if ends else None
        # (each index twice, so that one free text still comes as a tuple)
        self.free_texts = operator.itemgetter(*self.free, *self.free) if self.free else None
        self.unique = self._unique_regex(ends)
        #: the fields as the fault locator reads them (built when a line fails)
        self._fault_fields: tuple[LayoutField, ...] | None = None
        #: fmt=0: the fields whose key the writer leaves out when they are
        #: absent, as the server does (set by LineCodec)
        self.omissible: frozenset[int] = frozenset()

    def _solver(self) -> LayoutSolver:
        """The linear-time reader of the layout: the typed fields' patterns
        (None for a free text, which takes what the literals leave)."""
        return LayoutSolver(
            self.layout.literals,
            [None if s.kind.free else re.compile(self._value_pattern(s)) for s in self.specs],
        )

    def _free_ends(self) -> list[str]:
        """The literals that end a free text, sorted."""
        literals = self.layout.literals
        return sorted({literals[i + 1] for i in self.free if literals[i + 1]})

    def read_as(
        self, reply: msgspec.Struct, values: Sequence[str], ambiguous: tuple[str, ...]
    ) -> LineRead:
        """What this alternative read."""
        layout = self.layout
        return LineRead(reply, values, ambiguous, self.variant, layout.literals, layout.fields)

    def fault(self, line: str) -> tuple[int, int, str]:
        """(rank, offset, reason) of where ``line`` leaves this alternative
        (``_line_faults.locate_fault``)."""
        fields = self._fault_fields
        if fields is None:
            fields = self._fault_fields = tuple(
                LayoutField(
                    s.name,
                    None if s.kind.free else re.compile(SRE_KIND_PATTERNS[s.kind]),
                    not field_required(s.name),
                    s.from_text,
                )
                for s in self.specs
            )
        return locate_fault(line, self.layout.literals, fields)

    @staticmethod
    def _value_pattern(spec: FieldSpec) -> str:
        if spec.kind.free:
            return SRE_KIND_PATTERNS[spec.kind] + "?"  # lazy: the leftmost split
        pattern = SRE_KIND_PATTERNS[spec.kind]
        # The syntax is the grammar's, whose field rule is optional when any
        # reply kind has the field optional; the builder rejects a missing
        # required value.
        return pattern if field_required(spec.name) else optional(pattern)

    def _regex(self, *, free: str | None = None) -> re.Pattern[str]:
        """The layout as one regex; ``free`` replaces the free texts' pattern."""
        return self._joined(
            free if free is not None and spec.kind.free else self._value_pattern(spec)
            for spec in self.specs
        )

    def _joined(self, values: Iterable[str]) -> re.Pattern[str]:
        """The layout's literals with a group of each field's pattern
        (``values``, in layout order) between them, to the line's end."""
        literals = self.layout.literals
        parts = [re.escape(literals[0])]
        for i, value in enumerate(values):
            parts.append(f"({value})")
            parts.append(re.escape(literals[i + 1]))
        return re.compile("".join(parts) + r"\Z")

    def _unique_regex(self, ends: Sequence[str]) -> re.Pattern[str] | None:
        """The layout as one regex that matches a line exactly when its
        reading is the only one and no free text holds a literal that ends
        a free text (``ends``); None where that cannot be written so.

        Each free text takes every character up to the first comma that
        starts one of ``ends`` (possessively: it never gives one back), so
        the regex tries one extent per field and runs in time linear in the
        line, however many commas the texts hold. The split it finds is the
        shortest one (a free text ends at the first place its literal
        stands), and it is the only one: another would end some free text
        at a later occurrence of its literal, which stands in no typed value
        (they hold no comma), in no free text (the regex refused those), and
        at no later literal of the layout (its literals are distinct
        ``, key = `` pairs, none the start of another). So a match is the
        reading ``LayoutSolver`` finds, unambiguous; a line it does not
        match is left to the lazy regex and the solver, which decide.
        """
        if not self.free or not _distinct_pairs(self.layout.literals):
            return None
        free = _free_text_before(ends)
        # (a typed value holds no comma: its one extent, kept atomic)
        return self._joined(
            free if spec.kind.free else f"(?>{self._value_pattern(spec)})" for spec in self.specs
        )

    def _absorbing(self) -> int:
        for i in self.free:
            if self.fields[i] == ABSORBING_FIELD:
                return i
        return self.free[-1] if self.free else -1

    def from_parts(self, parts: list[str]) -> list[str] | None:
        """The fields from a line's ``split(",")`` (one part per field).

        When every part is one field no free text holds a comma, so this split
        is the only one. The parts are shared between alternatives: copied
        before the ", " separators' spaces are taken off.
        """
        if not self.spaced:
            return parts
        fields = list(parts)
        for i in self.spaced:
            if fields[i][:1] != " ":
                return None
            fields[i] = fields[i][1:]
        return fields

    def values(self, line: str) -> tuple[Sequence[str], tuple[str, ...]] | None:
        """The raw field texts of ``line`` (checked by the patterns) and the ambiguous fields."""
        found = self.reading(line)
        return None if found is None else (found[0], found[1])

    def reading(self, line: str) -> tuple[Sequence[str], tuple[str, ...], Starts] | None:
        """:meth:`values`, and where the fields stand (for an error position,
        without solving the line again: see :func:`_field_starts`)."""
        unique = self.unique
        if unique is not None:
            m = unique.match(line)
            if m is not None:
                return m.groups(), (), m
        extra_commas = line.count(",") - self.commas
        if extra_commas < 0:
            return None  # every literal comma must be there; values only add commas
        if not self.free or not extra_commas:
            # every comma is a literal's: no free text holds one, one reading
            m = self.exact.match(line)
            return None if m is None else (m.groups(), (), m)
        if extra_commas <= self.regex_extra:
            m = self.lazy.match(line)
            if m is None:
                return None
            groups = m.groups()
            # A free text could be longer only if the literal that ends it
            # occurs again further on, that is inside a later value (a literal
            # cannot straddle a value and the literal after it: every literal
            # starts with its only comma). Typed values hold no commas, so when
            # no free text holds such a literal, this split is the only one.
            # (A free text that ends the line has one extent: no literal ends it.)
            assert self.free_texts is not None
            ends = self.free_ends
            if ends is None or ends.search("\n".join(self.free_texts(groups))) is None:
                return groups, (), m
        run = self.solver.run(line)  # one search of the line for three extents
        shortest = None if run is None else run.spans(self.prefer_shortest)
        if run is None or shortest is None:
            return None
        longest = run.spans(self.prefer_longest)
        assert longest is not None
        if longest == shortest:
            return [line[a:b] for a, b in shortest], (), shortest
        ambiguous = tuple(
            self.fields[i]
            for i, (a, b) in enumerate(shortest)
            if line[a:b] != line[longest[i][0] : longest[i][1]]
        )
        resolved = run.spans(self.prefer_resolved)
        assert resolved is not None
        return [line[a:b] for a, b in resolved], ambiguous, resolved

    def spans(self, line: str) -> list[int] | None:
        """Start offsets of the fields in ``line`` (for error positions)."""
        found = self.solver.solve(line, self.prefer_shortest)
        return None if found is None else [a for a, _ in found]


def _layout_specs(layout: LineLayout, plan: StructPlan) -> tuple[FieldSpec, ...]:
    """The field specs of the layout's fields, in layout order; TypeError
    when the reply Struct lacks one."""
    missing = [f for f in layout.fields if f not in plan.by_name]
    if missing:
        raise TypeError(f"{layout.rule}: {plan.cls.__name__} has no field {missing}")
    return tuple(plan.by_name[f] for f in layout.fields)


def _regex_extra_commas(free: int) -> int:
    """The most extra commas a layout with ``free`` free texts leaves to its
    lazy regex: while their combinations stay within _REGEX_MAX_COMBINATIONS."""
    return max(
        (e for e in range(1, 9) if math.comb(e + free, e) <= _REGEX_MAX_COMBINATIONS),
        default=0,
    )


def _distinct_pairs(literals: tuple[str, ...]) -> bool:
    """Whether a layout's literals are distinct ``, key = `` pairs between a
    start without a comma and an empty end (``_Alternative._unique_regex``)."""
    return (
        "," not in literals[0]
        and literals[-1] == ""
        and len(set(literals)) == len(literals)
        and all(_PAIR_LITERAL.fullmatch(lit) for lit in literals[1:-1])
    )


def _free_text_before(ends: Sequence[str]) -> str:
    """A free text's possessive pattern: every character up to the first
    comma that starts one of ``ends`` (to the line's end when there are none)."""
    if not ends:
        return r"[^\r\n]*+"
    # (every literal in ends starts with its only comma)
    rest = "|".join(re.escape(lit[1:]) for lit in sorted(ends, key=len, reverse=True))
    return rf"[^,\r\n]*+(?:,(?!{rest})[^,\r\n]*+)*+"


#: where the fields stand: the regex match, or the solver's (start, end) spans
Starts = re.Match[str] | list[tuple[int, int]]


def _field_starts(found: Starts) -> list[int]:
    """The start of each field (for an error position)."""
    if isinstance(found, list):
        return [a for a, _ in found]
    return [found.start(i) for i in range(1, (found.re.groups or 0) + 1)]


def _make_split_reader(
    plan: StructPlan, specs: tuple[FieldSpec, ...], spaced: tuple[int, ...]
) -> Callable[[str], msgspec.Struct | None]:
    """Generate ``read(line) -> Struct | None`` for a layout ``str.split`` reads.

    One split, the ", " separators' spaces, the checking converters and the
    constructor in one function: the fmt=1 hot path. None when the line has
    another number of fields or a missing space (the general reader decides);
    a bad value raises ValueError.
    """
    env: dict[str, Any] = {"cls": unchecked(plan.cls)}  # (typed values: _checks.py)
    lines = [
        "def read(line):",
        "    p = line.split(',')",
        f"    if len(p) != {len(specs)}:",
        "        return None",
    ]
    for i in spaced:
        lines += [
            f"    v = p[{i}]",
            "    if v[:1] != ' ':",
            "        return None",
            f"    p[{i}] = v[1:]",
        ]
    args = []
    for i, spec in enumerate(specs):
        if spec.kind.textual:  # a part holds no comma; a list is kept as its text
            args.append(f"{spec.name}=p[{i}]")
            continue
        env[f"c{i}"] = spec.from_text
        expr = f"c{i}(p[{i}])" if spec.required else f"(c{i}(p[{i}]) if p[{i}] else None)"
        args.append(f"{spec.name}={expr}")
    lines.append("    return cls(" + ", ".join(args) + ")")
    # a generated reader (see the module docstring)
    exec(compile("\n".join(lines) + "\n", f"<smsc_codec split {plan.cls.__name__}>", "exec"), env)
    reader: Callable[[str], msgspec.Struct | None] = env["read"]
    return reader


def builder_arguments(
    specs: Sequence[FieldSpec],
    env: dict[str, Any],
    *,
    trusted: bool,
    prefix: str = "c",
    raw: bool = False,
) -> list[str]:
    """The constructor's ``name=value`` arguments (source) from the field
    texts ``v[i]``, their converters put in ``env`` as ``<prefix><i>``.

    ``raw``: money and integers a regex has checked are read by ``Decimal``
    and ``int`` themselves, for a caller that takes any exception as a miss
    (an empty amount raises InvalidOperation there, not the ValueError
    ``_parse_valid_decimal`` words) and holds texts to ``MAX_INT_DIGITS``
    characters (``parse_valid_int`` words what is longer)."""
    return [
        f"{spec.name}={_argument(spec, i, env, f'{prefix}{i}', trusted=trusted, raw=raw)}"
        for i, spec in enumerate(specs)
    ]


def _argument(
    spec: FieldSpec, i: int, env: dict[str, Any], c: str, *, trusted: bool, raw: bool
) -> str:
    """:func:`builder_arguments`'s value of field ``i`` (source), its
    converter, if any, put in ``env`` as ``c``."""
    if spec.kind is Kind.TOKEN and spec.required:
        # (the grammar's TOKEN is one character or more: an empty
        # required token is a cut or shifted line, not a value)
        env[c] = _check_required_token
        return f"{c}(v[{i}])"
    if spec.kind.free or (spec.kind is Kind.TOKEN and trusted):
        return f"v[{i}]"  # (a list is kept as its text)
    if spec.kind is Kind.TOKEN:
        env[c] = _check_token
        return f"{c}(v[{i}])"
    env[c] = _converter(spec, trusted=trusted, raw=raw)
    return f"{c}(v[{i}])" if spec.required else f"({c}(v[{i}]) if v[{i}] else None)"


def _converter(spec: FieldSpec, *, trusted: bool, raw: bool) -> Callable[[str], Any]:
    """The function that reads a typed field's text (see :func:`builder_arguments`)."""
    converter = spec.from_valid_text if trusted else spec.from_text
    if raw and spec.kind is Kind.DECIMAL:
        return Decimal
    if raw and converter is parse_valid_int:
        return int
    return converter


def _make_builder(
    plan: StructPlan, specs: tuple[FieldSpec, ...], *, trusted: bool
) -> Callable[[Sequence[str], tuple[str, ...]], msgspec.Struct]:
    """Generate ``build(values, ambiguous) -> Struct`` for one alternative.

    ``trusted`` builders read values a compiled regex has already checked.
    """
    env: dict[str, Any] = {"cls": unchecked(plan.cls)}  # (typed values: _checks.py)
    args = builder_arguments(specs, env, trusted=trusted)
    args.append("ambiguous_fields=ambiguous")
    source = "def build(v, ambiguous):\n    return cls(" + ", ".join(args) + ")\n"
    # a generated constructor (see the module docstring)
    exec(compile(source, f"<smsc_codec build {plan.cls.__name__}>", "exec"), env)
    builder: Callable[[Sequence[str], tuple[str, ...]], msgspec.Struct] = env["build"]
    return builder


def _make_unique_reader(
    plan: StructPlan, alt: _Alternative
) -> Callable[[str], msgspec.Struct | None]:
    """Generate ``read(line) -> Struct | None``: :meth:`LineCodec.read`'s
    reply where ``alt`` comes first and its unique regex matches (then its
    reading is the line's only one); None otherwise, or for a value its kind
    refuses (``read`` says which)."""
    assert alt.unique is not None
    env: dict[str, Any] = {"cls": unchecked(plan.cls), "match": alt.unique.match}
    args = builder_arguments(alt.specs, env, trusted=True)
    args.append("ambiguous_fields=()")
    source = (
        "def read(line):\n"
        "    m = match(line)\n"
        "    if m is None:\n"
        "        return None\n"
        "    v = m.groups()\n"
        "    try:\n"
        f"        return cls({', '.join(args)})\n"
        "    except ValueError:\n"
        "        return None\n"
    )
    # a generated reader (see the module docstring)
    exec(compile(source, f"<smsc_codec unique {plan.cls.__name__}>", "exec"), env)
    reader: Callable[[str], msgspec.Struct | None] = env["read"]
    return reader


class WrittenLine(NamedTuple):
    """A reply written as a line, in pieces: the line's start with the first
    field, then each literal with the field after it, then the end literal."""

    alternative: _Alternative
    pieces: list[str]
    names: tuple[str, ...]  #: the field of each piece but the end
    #: fmt=0: keys of absent fields left out, or fields written by key where
    #: the layout has none: the line is read by key (``_lines.scan_keys``)
    by_key: bool

    @property
    def text(self) -> str:
        return "".join(self.pieces)


class LineCodec:
    """Reads and writes the lines of one layout rule as one reply Struct."""

    def __init__(self, fmt: int, rule: str, cls: type[msgspec.Struct]) -> None:
        self.fmt = fmt
        self.rule = rule
        self.plan = plan_for(cls)
        layouts = line_layouts(fmt, rule)
        #: the registered layout's alternatives: the encoders write these
        self.alternatives = tuple(_Alternative(lay, self.plan) for lay in layouts)
        #: the same with a separator spelled as the documentation does not
        #: print it (LITERAL_VARIANTS): read after the registered ones
        self.variants = _variant_alternatives(fmt, layouts, self.plan)
        #: the alternatives str.split can read, by their number of fields
        self.split_by_count: dict[int, list[_Alternative]] = {}
        self.split_readers: dict[int, list[Callable[[str], msgspec.Struct | None]]] = {}
        for alt in (*self.alternatives, *self.variants):
            if alt.split_reader is not None:
                self.split_by_count.setdefault(len(alt.fields), []).append(alt)
                self.split_readers.setdefault(len(alt.fields), []).append(alt.split_reader)
        #: fmt=0: the reply of a line the first alternative reads as its
        #: only reading (``_Alternative.unique``), in one generated call, or
        #: None (``read`` decides); where no split reader comes first
        first = self.alternatives[0]
        self.read_unique: Callable[[str], msgspec.Struct | None] | None = (
            _make_unique_reader(self.plan, first)
            if fmt == 0 and first.unique is not None and not self.split_by_count
            else None
        )
        #: the shapes learned of lines by key (``_learned``, fmt=0), and the
        #: keys the layout knows (``_lines.known_keys``), made on first use
        self.learned: Any = None
        self.known_keys: dict[str, str] | None = None
        #: the generated writers (``compiled_writers``), made on first use
        self._compiled: tuple[RecordWriter, ...] | None = None
        if fmt == 0:
            for alt in self.alternatives:
                alt.omissible = self._omissible(alt)
        #: fmt=0 key text -> field name, from the layout literals
        self.keys = _literal_keys(self.alternatives)

    def _omissible(self, alt: _Alternative) -> frozenset[int]:
        """fmt=0: the fields of ``alt`` whose key (a pair's literal, never
        the line's first) is left out when they are absent."""
        return frozenset(
            i
            for i, spec in enumerate(alt.specs)
            if i
            and not spec.required
            and _PAIR_LITERAL.fullmatch(alt.layout.literals[i])
            # a layout that writes every key writes an absent date
            # empty (seed 004); it reads back as absent
            and not (self.plan.every_key and spec.kind is Kind.DATE)
        )

    def describe(self) -> str:
        """The layout as documentation prints it, for error messages."""
        alt = self.alternatives[0]
        out = [alt.layout.literals[0]]
        for name, lit in zip(alt.fields, alt.layout.literals[1:], strict=True):
            out.append(f"<{name}>{lit}")
        return "".join(out)

    def fault(self, line: str) -> tuple[int, str]:
        """(offset, reason) of the fault of a line no alternative reads: the
        most telling one over all alternatives (``_line_faults``)."""
        rank, offset, reason = max(
            (alt.fault(line) for alt in self.alternatives), key=lambda f: (f[0], f[1])
        )
        if rank < 0:
            return len(line), f"expected the layout {self.rule}: {self.describe()}"
        return offset, reason

    def read_reply(self, line: str) -> msgspec.Struct:
        """The reply of a line: ``read(line).reply``, by the split reader when it can."""
        reply = self.read_split(line)
        return reply if reply is not None else self.read(line).reply

    def read_split(self, line: str) -> msgspec.Struct | None:
        """The reply of a line a generated split reader reads, or None
        (``read`` decides, and finds a faulty field)."""
        # (a CR is no text character: the general reader refuses it)
        readers = () if "\r" in line else self.split_readers.get(line.count(",") + 1, ())
        for reader in readers:
            try:
                reply = reader(line)
            except ValueError:
                return None
            if reply is not None:
                return reply
        return None

    def read(self, line: str) -> LineRead:
        """Read a line in one of the rule's layouts, the registered one first,
        then its variants (``LineRead.variant``); raise LineMismatch otherwise."""
        first_fault: LineMismatch | None = None
        for alternatives in (self.alternatives, self.variants):
            found, fault = self._read_with(alternatives, line)
            if found is not None:
                return found
            first_fault = first_fault or fault
        if first_fault is not None:
            raise first_fault
        raise LineMismatch(f"expected the layout {self.rule}: {self.describe()}", -1)

    def _read_with(
        self, alternatives: tuple[_Alternative, ...], line: str
    ) -> tuple[LineRead | None, LineMismatch | None]:
        """The line read by one of ``alternatives``, or the fault of a value."""
        split_fault: LineMismatch | None = None
        splits = (
            self.split_by_count.get(line.count(",") + 1, ())
            if self.split_by_count and "\r" not in line
            else ()
        )
        if splits:
            parts = line.split(",")
            for alt in splits:
                if alt not in alternatives:
                    continue
                fields = alt.from_parts(parts)
                if fields is not None:
                    try:
                        reply = alt.build_checked(fields, ())
                    except ValueError:
                        # With one part per field no free text holds a comma,
                        # so this split is the line's only one: a value that
                        # fails is the fault, unless another layout reads it.
                        split_fault = split_fault or _split_fault(alt, parts, fields)
                    else:
                        return alt.read_as(reply, fields, ()), None
        fault: LineMismatch | None = None
        for alt in alternatives:
            found = alt.reading(line)
            if found is None:
                continue
            values, ambiguous, starts = found
            try:
                return alt.read_as(alt.build(values, ambiguous), values, ambiguous), None
            except ValueError as exc:
                spans = _field_starts(starts)
                index = next(
                    (i for i, s in enumerate(alt.specs) if _refusal(s, values[i]) is not None),
                    0,
                )
                fault = fault or LineMismatch(f"{exc} in field {alt.fields[index]!r}", spans[index])
        return None, fault or split_fault

    def compiled_writers(self) -> tuple[RecordWriter, ...]:
        """Writers generated per registered alternative (``_compiled``), in
        the order the general writer prefers them: each writes a reply whose
        fields are exactly its alternative's, or returns None."""
        writers = self._compiled
        if writers is None:
            # (the general writer prefers, of the alternatives that carry
            # every field given, the one with the fewest fields)
            compiled = [
                (len(alt.fields), writer)
                for k, alt in enumerate(self.alternatives)
                if (writer := self._compile(alt, self.alternatives[:k])) is not None
            ]
            compiled.sort(key=lambda pair: pair[0])
            writers = self._compiled = tuple(writer for _, writer in compiled)
        return writers

    def _compile(self, alt: _Alternative, earlier: tuple[_Alternative, ...]) -> RecordWriter | None:
        """The generated writer of ``alt``, or None where the reader could
        take its line for an earlier alternative's whatever the texts (an
        earlier one with free text; in fmt=1 one with as many commas)."""
        if any(a.free for a in earlier) or (
            self.fmt == 1 and any(a.commas == alt.commas for a in earlier)
        ):
            return None
        env: dict[str, Any] = {}
        literals = alt.layout.literals
        env.update((f"L{i}", lit) for i, lit in enumerate(literals))
        lines = [untouched(self.plan, alt.fields)]
        joined = ["{L0}"] if literals[0] else []
        for i, spec in enumerate(alt.specs):
            lines += self._field_text_lines(spec, i, env)
            joined.append(f"{{t{i}}}")
            if literals[i + 1]:
                joined.append(f"{{L{i + 1}}}")
        lines.append(f'    line = f"{"".join(joined)}"\n')
        lines += self._refusal_lines(alt, earlier, env)
        lines.append("    return line\n")
        return compile_writer(f"{self.rule} fmt={self.fmt}", lines, env)

    def _field_text_lines(self, spec: FieldSpec, i: int, env: dict[str, Any]) -> list[str]:
        """A generated writer's lines that put field ``i``'s text in ``t<i>``
        (``''`` for an absent value the line holds empty), or return None
        where the general writer must weigh an absent value."""
        lines = [f"    v{i} = r.{spec.name}\n"]
        if spec.required or self.fmt == 0 or spec.kind.textual:
            # (fmt=0 leaves an absent key out, and a text is never absent
            # in a line: the general writer weighs both)
            lines += [f"    if v{i} is None:\n", "        return None\n"]
            lines.append(field_text(spec, i, env, "    ", line=True))
        else:
            lines += [f"    if v{i} is None:\n", f"        t{i} = ''\n", "    else:\n"]
            lines.append(field_text(spec, i, env, "        ", line=True))
        return lines

    def _refusal_lines(
        self, alt: _Alternative, earlier: tuple[_Alternative, ...], env: dict[str, Any]
    ) -> list[str]:
        """A generated writer's lines that return None for a written ``line``
        the reader would not read back as ``alt``'s (the general writer then
        decides): a line break or NUL in a text, a free text that could end
        elsewhere, or as many commas as an ``earlier`` alternative's."""
        lines = []
        if any(s.kind.textual for s in alt.specs):
            lines += [
                '    if "\\n" in line or "\\r" in line or "\\0" in line:\n',
                "        return None\n",
            ]
        free = [f"t{i}" for i in alt.free]
        if free and self.fmt == 1:
            # a comma in a free text is one more place the line may split
            commas = " or ".join(f"',' in {t}" for t in free)
            lines += [f"    if {commas}:\n", "        return None\n"]
        elif free:
            # a free text holding a literal of the layout could end there
            env["held"] = literal_pattern(alt.layout.literals[1:])
            lines += [
                f"    if held is not None and held.search('\\n'.join(({', '.join(free)},))):\n",
                "        return None\n",
            ]
        if earlier:
            env["earlier"] = frozenset(a.commas for a in earlier)
            lines += ['    if line.count(",") in earlier:\n', "        return None\n"]
        return lines

    def write(self, reply: msgspec.Struct, *, lossy: bool) -> str:
        """Write one reply as a line of the registered layout, as printed;
        raise EncodeError when that would change it (fmt=0 records go
        through :meth:`write_line`, which may leave keys out, and are read
        back by ``_lines``, which reads lines by key)."""
        written = self.write_line(reply, lossy=lossy, by_key=False)
        self.check_written(written, reply, lossy=lossy)
        return written.text

    def write_line(self, reply: msgspec.Struct, *, lossy: bool, by_key: bool = True) -> WrittenLine:
        """One reply as the pieces of a line, unchecked.

        The alternative chosen is the one that carries the most of the reply.
        In fmt=0, whose keys name the fields, an absent optional field is an
        absent key, as the server leaves keys out (``Written.by_key``), and
        a field the layout has no place for is written by its key where the
        model declares it (without ``lossy``): such a line is read by key.
        ``by_key`` False writes the layout's line as it is printed: every key,
        empty when absent, and no other.
        """
        plan = self.plan
        present = {spec.name for spec in plan.fields if getattr(reply, spec.name) is not None}
        best: tuple[int, _Alternative, list[str]] | None = None
        for alt in self.alternatives:
            dropped = present.difference(alt.fields)
            # a None text field would come back as "", not None
            emptied = [
                s.name
                for i, s in enumerate(alt.specs)
                if s.kind.textual and s.name not in present and not (by_key and i in alt.omissible)
            ]
            cost = 2 * len(dropped) + len(emptied)
            key = (cost, len(alt.fields))
            if best is None or key < (best[0], len(best[1].fields)):
                best = (cost, alt, sorted(dropped) + emptied)
        assert best is not None
        cost, alt, lost = best
        keyed = [n for n in lost if n not in alt.fields and by_key and self.fmt == 0]
        if cost and not lossy and len(keyed) < len(lost):
            raise EncodeError(
                f"the layout {self.rule} has no place for {', '.join(lost)} "
                "(pass lossy=True to drop or empty them)",
                field=lost[0],
                fmt=self.fmt,
            )
        literals = alt.layout.literals
        pieces = []
        names = []
        left_out = False
        for i, spec in enumerate(alt.specs):
            value = getattr(reply, spec.name)
            if value is None and by_key and i in alt.omissible:
                left_out = True
                continue
            text = "" if value is None else _to_text(spec, value, self.fmt)
            pieces.append(literals[i] + text)
            names.append(spec.name)
        if keyed and not lossy:
            for name in keyed:
                # after the field the model declares before it (or first)
                spec = plan.by_name[name]
                at = self._keyed_position(names, name)
                pieces.insert(at, f", {spec.wire} = {_to_text(spec, getattr(reply, name), 0)}")
                names.insert(at, name)
            left_out = True
        pieces.append(literals[-1])
        return WrittenLine(alt, pieces, tuple(names), left_out)

    def _keyed_position(self, names: list[str], name: str) -> int:
        """Where a field the layout has no place for is written by key: after
        the last written field the model declares before it (never first:
        the line's first key says what it is)."""
        order = [spec.name for spec in self.plan.fields]
        before = set(order[: order.index(name)])
        return max((i + 1 for i, n in enumerate(names) if n in before), default=1)

    def check_written(self, written: WrittenLine, reply: msgspec.Struct, *, lossy: bool) -> None:
        """Refuse a line of the layout that would read back as something else."""
        alt = written.alternative
        # (a layout without free text or tokens reads back as written, but a
        # mark of ambiguity would not come back with it)
        marked = getattr(reply, "ambiguous_fields", ())
        if alt.free or marked or any(s.kind is Kind.TOKEN for s in alt.specs):
            self._check_round_trip(written.text, alt, reply, lossy=lossy)

    def _check_round_trip(
        self, line: str, alt: _Alternative, reply: msgspec.Struct, *, lossy: bool
    ) -> None:
        """Refuse a line that would read back as something else (facts §5.1).

        An ambiguous line reads back with ``ambiguous_fields`` set, so it is
        written only for a reply that says so itself (one read from such a
        line: the server writes them) or with ``lossy=True``.
        """
        try:
            back = self.read(line)
        except LineMismatch as exc:
            raise EncodeError(
                f"the written line would not read back: {exc.reason}", fmt=self.fmt
            ) from None
        if back.ambiguous != getattr(reply, "ambiguous_fields", ()):
            if lossy:
                return
            raise self._ambiguity_error(back.ambiguous, alt, reply)
        for spec in alt.specs:
            mine = getattr(reply, spec.name)
            theirs = getattr(back.reply, spec.name)
            if spec.kind is Kind.LIST and mine is not None:
                mine = spec.to_text(mine)  # (the list's text, as written)
            if mine is not None and mine != theirs:
                raise EncodeError(
                    f"{mine!r} would read back as {theirs!r}", field=spec.name, fmt=self.fmt
                )

    def _ambiguity_error(
        self, ambiguous: tuple[str, ...], alt: _Alternative, reply: msgspec.Struct
    ) -> EncodeError:
        """Why a written line would not read back with the reply's own mark
        of ambiguity: ``ambiguous`` is the fields it reads back ambiguous."""
        if not ambiguous:
            # marked ambiguous (read by key from a line in another order),
            # but the line written in the layout's order is not: the mark
            # would not come back
            return EncodeError(
                "marked ambiguous, but the written line is not (pass lossy=True to drop the mark)",
                field=reply.ambiguous_fields[0],  # type: ignore[attr-defined]
                fmt=self.fmt,
            )
        # blame a field whose own text holds a comma, when there is one
        culprit = next(
            (f for f in ambiguous if _holds_comma(alt, f, getattr(reply, f))),
            ambiguous[0],
        )
        return EncodeError(
            "its text makes the line ambiguous (a reader cannot tell where it ends)",
            field=culprit,
            fmt=self.fmt,
        )


def _variant_alternatives(
    fmt: int, layouts: tuple[LineLayout, ...], plan: StructPlan
) -> tuple[_Alternative, ...]:
    """Each layout that prints a separator of LITERAL_VARIANTS, compiled
    with the separator's other spelling."""
    return tuple(
        _Alternative(LineLayout(lay.rule, literals, lay.fields), plan, variant)
        for lay in layouts
        for printed, other, variant in LITERAL_VARIANTS.get(fmt, ())
        if any(printed in lit for lit in lay.literals)
        for literals in [tuple(lit.replace(printed, other) for lit in lay.literals)]
    )


def _literal_keys(alternatives: Sequence[_Alternative]) -> dict[str, str]:
    """fmt=0 key text -> field name, from the literals that end in a key
    (the first alternative to name a key decides)."""
    keys: dict[str, str] = {}
    for alt in alternatives:
        for lit, name in zip(alt.layout.literals, alt.fields, strict=False):
            m = _KEY_OF_LITERAL.search(lit)
            if m:
                keys.setdefault(m.group(1), name)
    return keys


def _holds_comma(alt: _Alternative, name: str, value: Any) -> bool:
    """Whether a field's written text holds a comma."""
    if value is None:
        return False
    try:
        return "," in alt.specs[alt.fields.index(name)].to_text(value)
    except (ValueError, TypeError, AttributeError):
        return False


def _split_fault(alt: _Alternative, parts: list[str], fields: list[str]) -> LineMismatch:
    """The first field of a one-part-per-field split that its kind refuses."""
    offset = 0
    for i, spec in enumerate(alt.specs):
        offset += len(parts[i]) - len(fields[i])  # the space of a ", " separator
        refusal = _refusal(spec, fields[i])
        if refusal is not None:
            # under the first character past the longest valid start, if any
            valid_start = re.match(SRE_KIND_PATTERNS[spec.kind], fields[i])
            at = offset + (valid_start.end() if valid_start else 0)
            return LineMismatch(f"{refusal} in field {spec.name!r}", at)
        offset += len(fields[i]) + 1
    return LineMismatch(f"expected the layout {alt.layout.rule}", -1)


def _check_token(text: str) -> str:
    """A token of a line format: no comma (grammar TOKEN)."""
    if "," in text:
        raise ValueError(f"a comma in {text!r}")
    return text


def _check_required_token(text: str) -> str:
    """A token that must be there: not empty, no comma."""
    if not text:
        raise ValueError("an empty value")
    return _check_token(text)


def _refusal(spec: FieldSpec, text: str) -> ValueError | None:
    """Why the field's kind refuses ``text`` (an absent optional value is fine)."""
    if not text and not spec.required:
        return None
    try:
        spec.from_text(text)
    except ValueError as exc:
        return exc
    return None


def _to_text(spec: FieldSpec, value: Any, fmt: int) -> str:
    try:
        text = spec.to_text(value)
    except (ValueError, TypeError, AttributeError) as exc:
        raise EncodeError(str(exc), field=spec.name, fmt=fmt) from None
    if "\n" in text or "\r" in text:
        raise EncodeError(
            "a line break cannot be written in a line format", field=spec.name, fmt=fmt
        )
    if "\0" in text:  # a decoder refuses a NUL in a body (_body.body_text)
        raise EncodeError("a NUL character cannot be written", field=spec.name, fmt=fmt)
    if spec.kind is Kind.TOKEN and ("," in text or (not text and spec.required)):
        raise EncodeError(
            f"{text!r} cannot stand in a comma-separated token", field=spec.name, fmt=fmt
        )
    if not spec.kind.textual:
        try:
            spec.from_text(text)
        except ValueError:
            raise EncodeError(f"{value!r} has no wire form", field=spec.name, fmt=fmt) from None
    return text


_CODECS: dict[tuple[int, str, type], LineCodec] = {}


def line_codec(fmt: int, rule: str, cls: type[msgspec.Struct]) -> LineCodec:
    """The compiled codec of ``rule`` for ``cls``, built once."""
    key = (fmt, rule, cls)
    codec = _CODECS.get(key)
    if codec is None:
        codec = _CODECS[key] = LineCodec(fmt, rule, cls)
    return codec
