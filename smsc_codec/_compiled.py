"""Writers generated per layout, as the readers are (``_matcher``).

A writer of one layout alternative (fmt 0/1) or one record kind (fmt 2/3) is
Python source made from the model's field specs: each field read once, its
type checked by class, converted by the fastest exact conversion (an int by
``int.__repr__``, money by ``str`` where that has no exponent, a datetime by
slicing its ``isoformat``), and the record's text joined in one expression.
It returns None for anything off its path (an unknown key, a mark of
ambiguity, a value of another type, a text that would need the read-back),
and the general writer, which checks everything and explains what it
refuses, takes over: the generated writer never decides a refusal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import msgspec

from ._replies import Candidate, ReplySpec
from ._schema import FieldSpec, Kind, StructPlan, plan_for

__all__ = [
    "PresentKeys",
    "RecordWriter",
    "compile_writer",
    "field_text",
    "keyed_fast_writer",
    "keyed_writer",
    "literal_pattern",
    "untouched",
]

#: a generated writer: the record's text, or None (the general writer decides)
RecordWriter = Callable[[Any], str | None]


def field_text(spec: FieldSpec, i: int, env: dict[str, Any], indent: str, *, line: bool) -> str:
    """Source that sets ``t{i}`` to the wire text of ``v{i}`` (not None), or
    returns None from the writer; ``line``: a comma-separated format, where a
    token holds no comma and a required one is not empty."""
    v, t = f"v{i}", f"t{i}"
    kind = spec.kind
    if kind is Kind.INT:
        classes = f"{v}.__class__ is int"
        if spec.py_type is not int:  # a code enum or the flags
            env[f"E{i}"] = spec.py_type
            classes += f" or {v}.__class__ is E{i}"
        body = [f"if not ({classes}):", "    return None", f"{t} = int_repr({v})"]
    elif kind is Kind.DECIMAL:
        # str() writes an exponent where format(v, "f") would expand one,
        # and NaN or Infinity: the general writer refuses or expands those
        body = [
            f"if {v}.__class__ is not Decimal:",
            "    return None",
            f"{t} = str({v})",
            f'if "E" in {t} or "n" in {t} or "N" in {t}:',
            "    return None",
        ]
    elif kind is Kind.DATETIME:
        # (19 characters: whole seconds, no time zone)
        body = [
            f"if {v}.__class__ is not datetime:",
            "    return None",
            f"s = {v}.isoformat()",
            "if len(s) != 19:",
            "    return None",
            f't{i} = s[8:10] + "." + s[5:7] + "." + s[:4] + " " + s[11:]',
        ]
    elif kind is Kind.DATE:
        body = [
            f"if {v}.__class__ is not date:",
            "    return None",
            f"s = {v}.isoformat()",
            f't{i} = s[8:10] + "." + s[5:7] + "." + s[:4]',
        ]
    else:  # text, a token, a list's text
        body = [f"if {v}.__class__ is not str:", "    return None", f"{t} = {v}"]
        if kind is Kind.TOKEN and line:
            empty = f" or not {t}" if spec.required else ""
            body += [f'if "," in {t}{empty}:', "    return None"]
    return "".join(f"{indent}{statement}\n" for statement in body)


def compile_writer(name: str, lines: list[str], env: dict[str, Any]) -> RecordWriter:
    """The function ``write(r)`` of ``lines`` (its body), compiled."""
    env.update(int_repr=int.__repr__, Decimal=Decimal, datetime=datetime, date=date)
    # (an integer past CPython's digit limit, a text JSON cannot encode: the
    # general writer says what is wrong)
    body = "".join(f"    {line}\n" for line in "".join(lines).splitlines())
    source = (
        f"def write(r):\n    try:\n{body}    except (ValueError, TypeError):\n        return None\n"
    )
    # a generated writer (see the module docstring)
    exec(compile(source, f"<smsc_codec write {name}>", "exec"), env)
    writer: RecordWriter = env["write"]
    return writer


def untouched(plan: StructPlan, written: Collection[str], also: Collection[str] = ()) -> str:
    """Source that returns None unless the fields not ``written`` (and the
    attributes ``also``) are None, and the reply has no unknown key and no
    mark of ambiguity (the general writer weighs those)."""
    names = [s.name for s in plan.fields if s.name not in written] + list(also)
    # (`!= ()`: a value of another type, None included, is the general
    # writer's to refuse)
    checks = ["r.extra != ()", "r.ambiguous_fields != ()", *(f"r.{n} is not None" for n in names)]
    lines = []
    for at in range(0, len(checks), 8):
        lines += [f"    if {' or '.join(checks[at : at + 8])}:\n", "        return None\n"]
    return "".join(lines)


def literal_pattern(literals: Collection[str]) -> re.Pattern[str] | None:
    """A search for any of ``literals`` (the empty one aside)."""
    found = sorted({lit for lit in literals if lit}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, found))) if found else None


class PresentKeys(Collection[str]):
    """The wire keys a reply has a value for, as ``ReplySpec.pick_keys``
    asks of them (``in``), without listing them."""

    __slots__ = ("plan", "reply")

    def __init__(self, reply: msgspec.Struct, plan: StructPlan) -> None:
        self.reply = reply
        self.plan = plan

    def __contains__(self, key: object) -> bool:
        spec = self.plan.by_wire.get(key) if isinstance(key, str) else None
        return spec is not None and getattr(self.reply, spec.name) is not None

    def __iter__(self) -> Iterator[str]:
        return (s.wire for s in self.plan.fields if getattr(self.reply, s.name) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def keyed_writer(
    plan: StructPlan,
    specs: list[FieldSpec],
    member: Callable[[FieldSpec, str], str],
    ends: tuple[str, str, str],
    *,
    env: dict[str, Any],
    text: Callable[[str], str] | None = None,
) -> RecordWriter:
    """The generated writer of a record whose keys name its fields (fmt 2/3):
    ``specs`` in the order written, an absent one left out (a date of a
    layout that writes every key written empty); ``member(spec, value)`` the
    source of one member from its value's source; ``ends`` the record's
    opening, the members' separator and its closing; ``text`` the source
    that writes a text value (escaped or quoted)."""
    lines = [untouched(plan, [s.name for s in specs]), "    parts = []\n", "    a = parts.append\n"]
    for i, spec in enumerate(specs):
        lines.append(f"    v{i} = r.{spec.name}\n")
        if spec.required:
            lines += [f"    if v{i} is None:\n", "        return None\n"]
        lines.append(f"    if v{i} is not None:\n")
        lines.append(field_text(spec, i, env, "        ", line=False))
        value = f"t{i}"
        if spec.kind.textual and text is not None:
            value = text(value)
        lines.append(f"        a({member(spec, value)})\n")
        if plan.every_key and spec.kind is Kind.DATE:
            lines += ["    else:\n", f"        a({member(spec, repr(''))})\n"]
    opening, separator, closing = ends
    lines += ["    if not parts:\n", "        return None\n"]
    lines.append(f"    return {opening!r} + {separator!r}.join(parts) + {closing!r}\n")
    return compile_writer(plan.cls.__name__, lines, env)


def keyed_fast_writer(
    spec: ReplySpec,
    record_writer: Callable[[Candidate], RecordWriter],
    as_list: Callable[[list[str]], str],
    *,
    single: bool = True,
) -> Callable[[Any], str | None]:
    """``encode_text``'s body in a format whose keys name the fields: each
    record by its kind's generated writer, a list joined by ``as_list``; None
    where the general writer decides (a kind its keys would not read as, a
    details list; a record alone where ``single`` is False)."""
    kinds = {c.cls: (c, record_writer(c), plan_for(c.cls)) for c in spec.candidates}
    pick = spec.pick_keys if len(spec.candidates) > 1 else None
    multi = spec.multi
    details = spec.details.field if spec.details is not None else None

    def write(value: Any) -> str | None:
        listed = value.__class__ is list
        rows = value if listed else (value,)
        if not rows or not (single or listed or multi):
            return None
        texts = []
        for reply in rows:
            found = kinds.get(reply.__class__)
            if found is None or (details and getattr(reply, details) is not None):
                return None
            candidate, writer, plan = found
            if pick is not None and pick(PresentKeys(reply, plan)) is not candidate:
                return None
            text = writer(reply)
            if text is None:
                return None
            texts.append(text)
        return as_list(texts) if listed or multi else texts[0]

    return write
