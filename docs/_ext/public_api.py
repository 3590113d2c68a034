"""What the package exports, and the documentation each exported name carries.

The API reference (``smsc_api.py``) and the test that every public name is
documented (``tests/test_docs_public_api.py``) both walk this, so a name added to
``smsc_codec.__all__`` or to a public submodule's ``__all__`` gets an entry
without a documentation edit, and a name without a docstring fails a test.

Stdlib only: the test suite imports this module without Sphinx.
"""

from __future__ import annotations

import enum
import functools
import importlib
import inspect
import re
import sys
import types
import typing
from pathlib import Path
from typing import Any, NamedTuple

__all__ = [
    "PublicName",
    "attribute_doc",
    "comment_above",
    "own_doc",
    "public_modules",
    "public_names",
    "union_members",
]

PACKAGE = "smsc_codec"


class PublicName(NamedTuple):
    """One exported name: the module that exports it, its name and its value."""

    module: str
    name: str
    obj: Any

    @property
    def qualified(self) -> str:
        return f"{self.module}.{self.name}"

    @property
    def kind(self) -> str:
        """What the name is, for the reference's sections and its directive."""
        obj = self.obj
        if inspect.isclass(obj):
            if issubclass(obj, BaseException):
                return "exception"
            if issubclass(obj, enum.Enum):
                return "enum"
            return "class"
        if inspect.isroutine(obj):
            return "function"
        return "data"


def public_modules() -> list[types.ModuleType]:
    """The package and each submodule whose name does not start with ``_``.

    The package's folder is read directly: the package keeps its submodules
    out of pkgutil's listings (so that ``help()`` shows the public API only).
    """
    package = importlib.import_module(PACKAGE)
    modules = [package]
    for folder in package.__path__:
        for path in sorted(Path(folder).iterdir()):
            name = path.stem if path.suffix == ".py" else path.name
            module = path.suffix == ".py" or (path / "__init__.py").is_file()
            if module and not name.startswith("_"):
                modules.append(importlib.import_module(f"{PACKAGE}.{name}"))
    return modules


def public_names(module: types.ModuleType) -> list[PublicName]:
    """The names ``module.__all__`` exports, in its order."""
    return [PublicName(module.__name__, name, getattr(module, name)) for name in module.__all__]


def union_members(obj: Any) -> tuple[type, ...]:
    """The classes a public alias such as ``Reply = A | B`` stands for (empty otherwise)."""
    if isinstance(obj, types.UnionType) or typing.get_origin(obj) is typing.Union:
        return tuple(arg for arg in typing.get_args(obj) if inspect.isclass(arg))
    return ()


def own_doc(entry: PublicName) -> str | None:
    """The docstring a class or function declares itself (not one it inherits),
    or the ``#:`` comment above a module-level value; None when there is none."""
    obj = entry.obj
    if inspect.isclass(obj):
        doc = obj.__dict__.get("__doc__")
    elif inspect.isroutine(obj):
        doc = obj.__doc__
    else:
        doc = attribute_doc(entry.name, obj)
    return inspect.cleandoc(doc) if isinstance(doc, str) and doc.strip() else None


def attribute_doc(name: str, value: Any) -> str | None:
    """The ``#:`` comment above the assignment of ``name`` in the package module
    that binds it to ``value`` (the convention Sphinx reads for module data)."""
    for module_name, module in sorted(sys.modules.items()):
        if not (module_name == PACKAGE or module_name.startswith(PACKAGE + ".")):
            continue
        if getattr(module, name, _MISSING) is not value or not getattr(module, "__file__", None):
            continue
        doc = comment_above(Path(module.__file__), name)  # type: ignore[arg-type]
        if doc:
            return doc
    return None


_MISSING = object()


@functools.cache
def _source_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def comment_above(path: Path, name: str) -> str | None:
    """The ``#:`` comment lines right above the assignment of ``name`` in ``path``."""
    assignment = re.compile(rf"^{re.escape(name)}\s*(:[^=]*)?=")
    lines = _source_lines(path)
    for index, line in enumerate(lines):
        if assignment.match(line):
            comment: list[str] = []
            for above in reversed(lines[:index]):
                if not above.startswith("#:"):
                    break
                comment.insert(0, above[2:].strip())
            if comment:
                return " ".join(comment)
    return None
