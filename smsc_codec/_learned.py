"""Learned line shapes: fmt=0 lines in an order, subset or spelling the
grammar does not hold, read on the fast path from the second on.

Lenient decoding reads a fmt=0 line that leaves its layout by key
(``_lines.scan_keys``): keys in another order, optional keys left out, an
unknown key, ``operator_orig = `` spaced. Real traffic repeats such a shape
line after line, so the first time one is read the shape is compiled as the
grammar's layouts are (``_matcher``): one anchored regular expression of its
keys as written and a generated constructor, unknown keys going into
``extra``. Each layout keeps a bounded number of shapes.

A shape reads a line exactly as the key scanner would, or not at all:

* a value that is not free text holds no ``, key = `` of any key (the
  scanner would start a pair there), and a typed value is matched by its
  kind's pattern (a value its kind refuses is left to the scanner, which
  says what is wrong);
* a free text holds no ``, key = `` of a key the layout knows: the scanner
  would end the text there, or mark it ambiguous (an unknown key inside a
  free text is part of the text, as the scanner reads it).

Anything else falls back to the scanner (``tests/test_learned.py`` checks
both readings agree). The layout's own alternatives come first, as they
always do; but a shape that none of them could read a line of (no
alternative's keys embed in the shape's) is tried first once it has read a
line, so that a stream of such lines costs one match each.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Any

import msgspec

from ._checks import unchecked
from ._schema import SRE_KIND_PATTERNS, FieldSpec, Kind, StructPlan, optional

__all__ = ["PAIR_START", "LearnedShapes", "Shape"]

#: Where a `key = value` pair may start in a fmt=0 line. Seed 003 prints one
#: key as `operator_orig= `, hence the optional space.
PAIR_START = re.compile(r"(?:^|, )([A-Za-z_][A-Za-z0-9_]*) ?= ")

#: a value that holds no `, key = ` (the key scanner would start a pair
#: there): commas only where no key follows
_NO_PAIR = r"[^,\r\n]*(?:,(?! [A-Za-z_][A-Za-z0-9_]* ?= )[^,\r\n]*)*"

#: a key as the scanner reads it: `key = ` or `key= ` (the first), or the
#: same after `, `
_KEY_LITERAL = re.compile(r"(?:, )?[A-Za-z_][A-Za-z0-9_]* ?= ")

#: shapes kept per layout (a flood of made-up shapes is read by the scanner)
MAX_SHAPES = 16
#: keys a shape may have: no reply has 30 fields; a line of more keys is
#: made up, and a regex of thousands of groups costs time in
#: proportion to their number at every step (quadratic in the line), so the
#: scanner reads it
MAX_SHAPE_KEYS = 64


class Shape:
    """One learned shape: its keys as written and the field each fills
    (None: an unknown key, kept in ``extra``)."""

    __slots__ = ("build", "exclusive", "literals", "match", "names")

    def __init__(
        self,
        literals: tuple[str, ...],
        names: tuple[str | None, ...],
        plan: StructPlan,
        *,
        known: str,
        exclusive: bool,
    ) -> None:
        self.literals = literals
        self.names = names
        #: no layout alternative tried before shapes can read its lines
        self.exclusive = exclusive
        specs = [None if name is None else plan.by_name[name] for name in names]
        parts = []
        for literal, spec in zip(literals, specs, strict=True):
            parts.append(re.escape(literal))
            parts.append(f"({_value_pattern(spec, known)})")
        self.match = re.compile("".join(parts) + r"\Z").match
        self.build = _make_builder(plan, literals, specs)

    def read(self, line: str) -> msgspec.Struct | None:
        """The reply of ``line``, or None when the shape does not read it as
        the key scanner would."""
        m = self.match(line)
        if m is None:
            return None
        try:
            reply: msgspec.Struct = self.build(m.groups())
        except ValueError:
            return None  # (a date that is no date: the scanner says where)
        return reply


def _value_pattern(spec: FieldSpec | None, known: str) -> str:
    """A value's pattern; ``known`` matches what follows the comma of a
    known key's ``, key = ``."""
    if spec is None or spec.kind is Kind.TOKEN:
        return _NO_PAIR  # (the scanner reads a token as any text up to the next pair)
    if spec.kind.free:
        # Every character up to the first known key, kept (possessive): the
        # scanner ends a free text at a known key, or marks it ambiguous when
        # the key is met again, and the key after a free text in a shape is a
        # known one (an unknown key there is more of the text). So the text
        # has this one extent or the shape does not read the line as the
        # scanner would; and the regex never tries another (linear time).
        return rf"[^,\r\n]*+(?:,(?!{known})[^,\r\n]*+)*+"
    pattern = SRE_KIND_PATTERNS[spec.kind]
    return pattern if spec.required else optional(pattern)


def _make_builder(
    plan: StructPlan, literals: tuple[str, ...], specs: Sequence[FieldSpec | None]
) -> Any:
    """Generate ``build(values) -> Struct``: the typed values converted (an
    empty one absent), texts as they are, unknown keys into ``extra``."""
    env: dict[str, Any] = {"cls": unchecked(plan.cls)}
    args = []
    extra = []
    for i, (literal, spec) in enumerate(zip(literals, specs, strict=True)):
        if spec is None:
            key = _KEY_LITERAL.fullmatch(literal)
            assert key is not None
            extra.append(f"({literal.removeprefix(', ').rstrip('= ').rstrip()!r}, v[{i}])")
        elif spec.kind.textual:
            args.append(f"{spec.name}=v[{i}]")
        else:
            env[f"c{i}"] = spec.from_valid_text
            value = f"c{i}(v[{i}])"
            args.append(f"{spec.name}={value if spec.required else f'{value} if v[{i}] else None'}")
    if extra:
        args.append(f"extra=({', '.join(extra)},)")
    source = "def build(v):\n    return cls(" + ", ".join(args) + ")\n"
    # a generated constructor, as in _matcher._make_builder
    exec(compile(source, f"<smsc_codec learned {plan.cls.__name__}>", "exec"), env)
    return env["build"]


class LearnedShapes:
    """The shapes learned for one fmt=0 layout.

    ``known`` are the keys the layout knows (its own spellings, the model's
    wire keys and their variants); ``earlier`` the layouts tried before the
    shapes, as (literals, which fields are free text), against which a
    shape's exclusivity is decided.
    """

    def __init__(
        self,
        plan: StructPlan,
        known: Collection[str],
        earlier: Sequence[tuple[Sequence[str], Sequence[bool]]],
    ) -> None:
        self.plan = plan
        self.earlier = earlier
        #: a known key after its comma (the scanner would end a text there)
        self.known = (
            " (?:" + "|".join(map(re.escape, sorted(known, key=len, reverse=True))) + ") ?= "
        )
        self.shapes: dict[tuple[str, ...], Shape] = {}
        #: the shape that read the last line, tried first (an exclusive one)
        self.first: Shape | None = None

    def read_first(self, line: str) -> msgspec.Struct | None:
        """The line read by the shape that read the last one, if it can;
        a miss forgets that shape (the next line takes the usual order)."""
        first = self.first
        if first is None:
            return None
        found = first.read(line)
        if found is None:
            self.first = None
        return found

    def read(self, line: str) -> msgspec.Struct | None:
        """The line read by a learned shape (in the order learned), or None."""
        for shape in self.shapes.values():
            found = shape.read(line)
            if found is not None:
                if shape.exclusive:
                    self.first = shape
                return found
        return None

    def learn(self, literals: tuple[str, ...], names: tuple[str | None, ...]) -> None:
        """Compile the shape of a line the scanner (or a spelling variant)
        has read: its keys as written and the fields they fill."""
        known = self.shapes.get(literals)
        if known is not None:
            if known.exclusive:
                self.first = known
            return
        if len(literals) > MAX_SHAPE_KEYS or not all(map(_KEY_LITERAL.fullmatch, literals)):
            return
        if len(self.shapes) >= MAX_SHAPES:
            self.shapes.pop(next(iter(self.shapes)))  # the oldest
        exclusive = not any(_embeds(lits, free, literals) for lits, free in self.earlier)
        shape = self.shapes[literals] = Shape(
            literals, names, self.plan, known=self.known, exclusive=exclusive
        )
        if exclusive:
            self.first = shape

    def learn_layout(self, literals: Sequence[str], fields: tuple[str, ...]) -> None:
        """Learn the shape of a layout alternative (its literals as the
        grammar's: one more than its fields, the last empty)."""
        if literals and literals[-1] == "":
            self.learn(tuple(literals[:-1]), fields)


def _embeds(layout: Sequence[str], free: Sequence[bool], literals: Sequence[str]) -> bool:
    """Whether a layout (``layout`` its literals, ``free`` which of its fields
    are free text) could read a line that a shape of keys ``literals`` reads,
    another way.

    In such a line, a known key stands only where the shape has it. So the
    layout reads it only if its keys are the shape's (the same way: then the
    readings agree), or the shape's with more keys inside the layout's free
    texts, which would take them in. A layout that does not end where its
    last value does cannot be told apart here: it counts as embedding.
    """
    if not layout or layout[0] != literals[0]:
        return False
    if layout[-1] != "":
        return True
    at = 1
    extra = False
    for i, literal in enumerate(layout[1:-1], start=1):
        try:
            found = literals.index(literal, at)
        except ValueError:
            return False
        if found > at:
            if not free[i - 1]:
                return False  # a typed value cannot take a key in
            extra = True
        at = found + 1
    if at < len(literals):
        if not free[-1]:
            return False
        extra = True
    return extra
