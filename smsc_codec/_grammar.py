"""Loading the Lark grammars and compiling their layout rules.

The grammars in ``grammars/`` are the single source of the fmt=0 and fmt=1 line
layouts. This module reads them in two ways:

* :func:`line_layouts` flattens a layout rule into literal text and field names,
  which ``_matcher.py`` compiles into fast matchers and writers; it reads the
  files itself (the subset the layout rules use), without lark;
* :func:`parse_line` runs Lark's Earley parser on a line, for the differential
  tests that prove both readings agree (never on a body being decoded: its
  worst case is not linear).

Lark is imported on first use only: importing ``smsc_codec`` stays cheap for the
JSON and XML paths (docs/sources.md#performance-import-time).
"""

from __future__ import annotations

import functools
import importlib.resources
import re
import typing
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ._schema import Kind, plan_for

if TYPE_CHECKING:
    from importlib.abc import Traversable

    import lark
    import msgspec

__all__ = [
    "GrammarParse",
    "LineLayout",
    "field_required",
    "grammar_text",
    "lark_layouts",
    "line_layouts",
    "parse_line",
]

_FILES = {0: "fmt0.lark", 1: "fmt1.lark"}

#: The grammar terminal (or rule) each value kind is read with.
_KIND_SYMBOLS = {
    Kind.INT: "INT",
    Kind.DECIMAL: "DECIMAL",
    Kind.DATETIME: "DATETIME",
    Kind.DATE: "DATE",
    Kind.TOKEN: "TOKEN",
    Kind.TEXT: "text",
    Kind.LIST: "text",
}


class LineLayout(NamedTuple):
    """One alternative of a layout rule, flattened.

    ``literals[0]`` precedes the first field, ``literals[i]`` follows field
    ``i - 1``; there is always one more literal than there are fields.
    """

    rule: str
    literals: tuple[str, ...]
    fields: tuple[str, ...]

    @property
    def splittable(self) -> bool:
        """Whether ``str.split(",")`` reads the layout: every separator is
        "," or ", " (then, when no free text holds a comma, the split is the
        only one)."""
        lits = self.literals
        return lits[0] == "" and lits[-1] == "" and all(lit in (",", ", ") for lit in lits[1:-1])


def _grammar_dir() -> Traversable | Path:
    """The grammars shipped in the wheel, or the repository's when run from a checkout."""
    shipped = importlib.resources.files("smsc_codec") / "grammars"
    if shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parent.parent / "grammars"


@functools.cache
def grammar_text(name: str) -> str:
    """The text of ``grammars/<name>``."""
    return (_grammar_dir() / name).read_text(encoding="utf-8")


def _reply_classes() -> tuple[type[msgspec.Struct], ...]:
    from ._model import Reply  # noqa: PLC0415 - the model imports nothing from here

    return typing.get_args(Reply)


@functools.cache
def _field_kinds() -> dict[str, tuple[Kind, bool]]:
    """Every wire field of the model with its kind and whether it is required.

    A name used by several reply kinds must have the same shape in all of them:
    the grammar has one rule per name.
    """
    kinds: dict[str, tuple[Kind, bool]] = {}
    for cls in _reply_classes():
        for spec in plan_for(cls).fields:
            seen = kinds.get(spec.name)
            if seen is not None and seen[0] is not spec.kind:
                raise TypeError(f"field {spec.name!r} has two shapes: {seen[0]} and {spec.kind}")
            # A free text may always be empty on a line (`text?`): an empty
            # list or text is a value, and the key's presence is what counts.
            required = spec.required and not spec.kind.free and (seen is None or seen[1])
            kinds[spec.name] = (spec.kind, required)
    return kinds


def field_required(name: str) -> bool:
    """Whether the grammar's rule for field ``name`` requires a value."""
    return _field_kinds()[name][1]


def _field_rules() -> str:
    lines = ["", "// ---- generated from smsc_codec/_model.py ----"]
    for name, (kind, required) in sorted(_field_kinds().items()):
        optional = "" if required else "?"
        lines.append(f"{name}: {_KIND_SYMBOLS[kind]}{optional}")
    return "\n".join(lines) + "\n"


def _layout_rule_names(text: str) -> list[str]:
    names = []
    for raw in text.splitlines():
        line = raw.strip()
        head, sep, _ = line.partition(":")
        if sep and head and head[0].islower() and head.replace("_", "").isalnum():
            names.append(head)
    return names


@functools.cache
def _parser(fmt: int) -> lark.Lark:
    import lark  # noqa: PLC0415 - deferred: see the module docstring

    text = grammar_text(_FILES[fmt])
    directory = _grammar_dir()
    common = grammar_text("common.lark")
    # The layout files %import from common.lark; hand Lark its text through a
    # loader so that it is found in a wheel as well as in a checkout.

    def load_common(base_path: Any, grammar_path: str) -> tuple[str, str]:
        if grammar_path != "common.lark":
            raise OSError(grammar_path)
        return str(directory), common

    return lark.Lark(
        text + _field_rules(),
        start=_layout_rule_names(text),
        parser="earley",
        lexer="dynamic",
        ambiguity="explicit",
        propagate_positions=True,
        import_paths=[load_common],
    )


@functools.cache
def layout_rules(fmt: int) -> frozenset[str]:
    """The names of the layout rules the fmt's grammar defines (not the
    ``_name`` pieces they are made of)."""
    return frozenset(name for name in _grammar_rules(fmt) if not name.startswith("_"))


#: an alternative of a layout rule: (is_field, literal text or field name) items
_Sequence = list[tuple[bool, str]]


def _to_layouts(rule: str, sequences: list[_Sequence]) -> tuple[LineLayout, ...]:
    """Flattened alternatives, most fields first (ties in textual order)."""
    layouts = []
    for seq in sequences:
        literals = [""]
        names: list[str] = []
        for is_field, value in seq:
            if is_field:
                names.append(value)
                literals.append("")
            else:
                literals[-1] += value
        if len(set(names)) != len(names):
            raise ValueError(f"{rule}: a field stands twice in one layout")
        layouts.append(LineLayout(rule, tuple(literals), tuple(names)))
    layouts.sort(key=lambda lay: (-len(lay.fields), lay.literals, lay.fields))
    return tuple(layouts)


# ------------------------------------------------- reading the grammars ---
# Decoding needs the layouts only, not a parser: the grammar files are read
# here by a reader of the subset they use (rules of quoted literals, names and
# optional groups), so that neither lark's import (≈40 ms) nor the building of
# its parser (≈50 ms) is paid on a process's first decode. Lark reads the same
# files as the reference: tests/test_grammar.py proves both give every rule the
# same layouts.

_TOKEN = re.compile(
    r'\s+|//[^\n]*|"(?P<literal>(?:[^"\\\n]|\\.)*)"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)'
    r"|(?P<punct>[():|?])|(?P<other>\S)"
)


#: a rule's name (terminals are upper-case; ``_name`` rules Lark inlines)
_RULE_NAME = re.compile(r"_?[a-z][a-z0-9_]*")


@functools.cache
def _grammar_rules(fmt: int) -> dict[str, list[list[Any]]]:
    """The fmt's layout rules: name -> alternatives, each a list of items: a
    literal ``("lit", text)``, a name ``("name", rule or field)``, or an optional
    group ``("opt", alternatives)``."""
    rules: dict[str, list[list[Any]]] = {}
    for definition in _definitions(grammar_text(_FILES[fmt])):
        name, tokens = definition
        alternatives, rest = _alternatives(tokens, 0, name)
        if rest != len(tokens):
            raise ValueError(f"{_FILES[fmt]}: unexpected {tokens[rest]!r} in rule {name!r}")
        rules[name] = alternatives
    return rules


def _definitions(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each lower-case rule with its tokens; a rule goes on over the lines
    that start with whitespace. Terminals and directives are left to Lark."""
    out: list[tuple[str, list[tuple[str, str]]]] = []
    current: list[tuple[str, str]] | None = None
    for raw in text.splitlines():
        if raw[:1].isspace() and current is not None:
            current.extend(_tokens(raw))
            continue
        current = None
        head, sep, body = raw.partition(":")
        if sep and _RULE_NAME.fullmatch(head):
            current = _tokens(body)
            out.append((head, current))
    return out


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind is None:
            continue  # whitespace, a comment
        if kind == "other":
            raise ValueError(f"a layout rule takes literals, names and groups, not {m.group()!r}")
        value = m.group(kind)
        if kind == "literal":
            value = re.sub(r"\\(.)", r"\1", value)
        tokens.append((kind, value))
    return tokens


#: a token that is an item as it stands: its kind as an item
_ITEM_KINDS = {"literal": "lit", "name": "name"}


def _alternatives(tokens: list[tuple[str, str]], at: int, rule: str) -> tuple[list[list[Any]], int]:
    """Parse ``item* ("|" item*)*`` from ``at``; stop before ``)`` or the end."""
    alternatives: list[list[Any]] = [[]]
    while at < len(tokens):
        token = tokens[at]
        if token == ("punct", ")"):
            break
        at += 1
        kind, value = token
        if token == ("punct", "|"):
            alternatives.append([])
        elif kind in _ITEM_KINDS:
            alternatives[-1].append((_ITEM_KINDS[kind], value))
        elif token == ("punct", "("):
            group, at = _optional_group(tokens, at, rule)
            alternatives[-1].append(group)
        else:
            raise ValueError(f"{rule}: unexpected {value!r}")
    return alternatives, at


def _optional_group(tokens: list[tuple[str, str]], at: int, rule: str) -> tuple[Any, int]:
    """Parse ``alternatives ")?"`` from ``at`` (just past a group's ``(``)
    as the item ``("opt", alternatives)``, and where it ends."""
    inner, at = _alternatives(tokens, at, rule)
    if tokens[at : at + 2] != [("punct", ")"), ("punct", "?")]:
        raise ValueError(f"{rule}: a group is written `( ... )?` in a layout")
    return ("opt", inner), at + 2


@functools.cache
def line_layouts(fmt: int, rule: str) -> tuple[LineLayout, ...]:
    """The alternatives of ``rule`` in the fmt's grammar, most fields first."""
    rules = _grammar_rules(fmt)
    fields = _field_kinds()

    def expand_items(items: list[Any]) -> list[_Sequence]:
        seqs: list[_Sequence] = [[]]
        for kind, value in items:
            if kind == "lit":
                seqs = [[*s, (False, value)] for s in seqs]
            elif kind == "opt":
                options: list[_Sequence] = [[]]
                for inner in value:
                    options.extend(expand_items(inner))
                seqs = [s + o for s in seqs for o in options]
            elif value in fields:
                seqs = [[*s, (True, value)] for s in seqs]
            else:
                seqs = [s + t for s in seqs for t in expand(value)]
        return seqs

    def expand(name: str) -> list[_Sequence]:
        if name not in rules:
            raise KeyError(f"no rule {name!r} in {_FILES[fmt]}")
        return [seq for items in rules[name] for seq in expand_items(items)]

    return _to_layouts(rule, expand(rule))


def lark_layouts(fmt: int, rule: str) -> tuple[LineLayout, ...]:
    """The alternatives of ``rule`` as Lark's parser reads the grammar (the
    reference :func:`line_layouts` is checked against, in the tests)."""
    parser = _parser(fmt)
    fields = _field_kinds()
    by_origin: dict[str, list[Any]] = {}
    for r in parser.rules:
        by_origin.setdefault(r.origin.name, []).append(r.expansion)
    literal_of = {t.name: t.pattern for t in parser.terminals}

    def expand(name: str) -> list[_Sequence]:
        """Each alternative as a list of (is_field, text-or-field-name)."""
        if name not in by_origin:
            raise KeyError(f"no rule {name!r} in {_FILES[fmt]}")
        out: list[_Sequence] = []
        for expansion in by_origin[name]:
            seqs: list[_Sequence] = [[]]
            for sym in expansion:
                if sym.is_term:
                    pattern = literal_of[sym.name]
                    if pattern.type != "str":
                        raise ValueError(f"{name}: layouts take literal text, not {sym.name}")
                    seqs = [[*s, (False, pattern.value)] for s in seqs]
                elif sym.name in fields:
                    seqs = [[*s, (True, sym.name)] for s in seqs]
                else:
                    seqs = [s + t for s in seqs for t in expand(sym.name)]
            out.extend(seqs)
        return out

    return _to_layouts(rule, expand(rule))


class GrammarParse(NamedTuple):
    """What Lark's parser made of a line."""

    ok: bool
    values: dict[str, str]  #: field name -> raw text (first derivation)
    ambiguous: bool
    column: int  #: 1-based column of the fault when not ok


def parse_line(fmt: int, rule: str, line: str) -> GrammarParse:
    """Parse one line with the grammar's ``rule``."""
    import lark  # noqa: PLC0415

    parser = _parser(fmt)
    try:
        tree = parser.parse(line, start=rule)
    except lark.exceptions.UnexpectedInput as exc:
        column = getattr(exc, "column", None)
        if not isinstance(column, int) or column < 1:
            column = len(line) + 1
        return GrammarParse(ok=False, values={}, ambiguous=False, column=column)
    ambiguous = any(True for _ in tree.find_data("_ambig"))
    fields = _field_kinds()
    values: dict[str, str] = {}
    # Walk the first derivation only: under an `_ambig` node take child 0.
    stack: list[Any] = [tree]
    while stack:
        node = stack.pop()
        if not isinstance(node, lark.Tree):
            continue
        if node.data == "_ambig":
            stack.append(node.children[0])
        elif node.data in fields:
            meta = node.meta
            values[str(node.data)] = "" if meta.empty else line[meta.start_pos : meta.end_pos]
        else:
            stack.extend(reversed(node.children))
    return GrammarParse(ok=True, values=values, ambiguous=ambiguous, column=0)
