"""The ``smsc-api`` directive: the API reference, generated at build time.

For the package and every public submodule (:func:`public_api.public_modules`)
it writes the module's docstring and one autodoc entry per name of the
module's ``__all__``, grouped by what the name is: functions, classes, each
public union alias (``Reply``, ``Callback``) with the classes it stands for,
code tables, exceptions and values. Nothing here names a public name.

A cross-reference to a private module's path (``smsc_codec._model.SmsStatus``,
as type hints spell it) resolves to the public name it is exported as.
"""

from __future__ import annotations

import re
import sys
from typing import Any, TypeVar

from citations import linked_rst
from docutils import nodes
from docutils.statemachine import StringList
from public_api import PublicName, own_doc, public_modules, public_names, union_members
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

#: Section titles by kind, in the order the sections are written.
_SECTIONS = (
    ("function", "Functions"),
    ("class", "Classes"),
    ("union", None),  # one section per public union alias, titled by the alias
    ("enum", "Code tables"),
    ("exception", "Exceptions"),
    ("data", "Values"),
)


def _entry(entry: PublicName) -> list[str]:
    """The directive documenting one public name."""
    kind = entry.kind
    if kind == "function":
        return [f".. autofunction:: {entry.qualified}", ""]
    if kind == "exception":
        return [
            f".. autoexception:: {entry.qualified}",
            "   :members:",
            "   :show-inheritance:",
            "",
        ]
    if kind == "enum":
        return [
            f".. autoclass:: {entry.qualified}",
            "   :members:",
            "   :undoc-members:",
            "   :member-order: bysource",
            "",
        ]
    if kind == "class":
        return [f".. autoclass:: {entry.qualified}", "   :members:", ""]
    doc = own_doc(entry) or ""
    lines = [f".. py:data:: {entry.name}", f"   :module: {entry.module}"]
    members = union_members(entry.obj)
    if not members:
        lines.append(f"   :value: {entry.obj!r}")
    lines += ["", f"   {doc}", ""]
    if members:
        names = ", ".join(f":class:`~{cls.__module__}.{cls.__qualname__}`" for cls in members)
        lines += [f"   Any of {names}.", ""]
    return lines


def module_reference(module: Any) -> list[str]:
    """reStructuredText for one public module's section of the reference."""
    entries = public_names(module)
    aliases = [e for e in entries if union_members(e.obj)]
    in_alias = {id(cls) for alias in aliases for cls in union_members(alias.obj)}
    title = f"``{module.__name__}``"
    lines = [title, "=" * len(title), "", f".. automodule:: {module.__name__}", ""]
    for kind, heading in _SECTIONS:
        if kind == "union":
            for alias in aliases:
                members = [e for e in entries if any(e.obj is c for c in union_members(alias.obj))]
                lines += _section(f"``{alias.name}``", [alias, *members])
            continue
        chosen = [
            e for e in entries if e.kind == kind and id(e.obj) not in in_alias and e not in aliases
        ]
        if chosen and heading:
            lines += _section(heading, chosen)
    return lines


def _section(heading: str, entries: list[PublicName]) -> list[str]:
    lines = [heading, "-" * len(heading), ""]
    for entry in entries:
        lines += _entry(entry)
    return lines


class ApiReference(SphinxDirective):
    """``.. smsc-api::``: the whole reference, one section per public module."""

    def run(self) -> list[nodes.Node]:
        lines: list[str] = []
        for module in public_modules():
            lines += module_reference(module)
        container = nodes.section()
        nested_parse_with_titles(self.state, StringList(lines, "<smsc-api>"), container)
        return list(container.children)


def _public_target(
    app: Sphinx, env: Any, node: Any, contnode: nodes.Element
) -> nodes.Element | None:
    """Resolve ``smsc_codec._private.Name`` to the public ``Name`` it is exported
    as; a private type variable (``_R`` of a generic function) stays plain text."""
    target = node.get("reftarget", "")
    if node.get("refdomain") != "py" or not target.startswith("smsc_codec._"):
        return None
    module_name, _, name = target.rpartition(".")
    for module in public_modules():
        if name in module.__all__:
            node["reftarget"] = f"{module.__name__}.{name}"
            resolved: nodes.Element | None = env.get_domain("py").resolve_xref(
                env,
                node["refdoc"],
                app.builder,
                node["reftype"],
                node["reftarget"],
                node,
                contnode,
            )
            return resolved
    private = sys.modules.get(module_name)
    if isinstance(getattr(private, name, None), TypeVar):
        return contnode
    return None


_ANNOTATED = re.compile(r"~?[\w.]*\bAnnotated\[")


def strip_annotated(text: str) -> str:
    """``Annotated[T, msgspec.Meta(...)]`` as ``T``: the metadata is how the
    codec reads and writes a field (free text, a quoted number), not its type."""
    while match := _ANNOTATED.search(text):
        depth, comma, end = 0, None, None
        for index in range(match.end(), len(text)):
            char = text[index]
            if char in "[(":
                depth += 1
            elif char in "])":
                if depth == 0:
                    end = index
                    break
                depth -= 1
            elif char == "," and depth == 0 and comma is None:
                comma = index
        if end is None or comma is None:
            break
        text = text[: match.start()] + text[match.end() : comma] + text[end + 1 :]
    return text


def _plain_signature(  # noqa: PLR0917 - Sphinx's event signature
    app: Sphinx,
    what: str,
    name: str,
    obj: Any,
    options: Any,
    signature: str | None,
    return_annotation: str | None,
) -> tuple[str | None, str | None]:
    return (
        signature and strip_annotated(signature),
        return_annotation and strip_annotated(return_annotation),
    )


def _linked_citations(  # noqa: PLR0917 - Sphinx's event signature
    app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    """Link the docstrings' citations (``facts §2.1``, ``seed 003``) to their
    anchors on the sources page; examples and literal text are left alone."""
    literal_below: int | None = None  # the indent of the line that ended with ``::``
    for index, line in enumerate(lines):
        indent = len(line) - len(line.lstrip())
        if literal_below is not None and (not line.strip() or indent > literal_below):
            continue
        literal_below = indent if line.rstrip().endswith("::") else None
        if not line.lstrip().startswith((">>>", "...")):
            lines[index] = linked_rst(line)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("smsc-api", ApiReference)
    app.connect("autodoc-process-signature", _plain_signature)
    app.connect("autodoc-process-docstring", _linked_citations)
    app.connect("missing-reference", _public_target)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
