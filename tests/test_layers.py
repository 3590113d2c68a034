"""The package's layers: no module imports from a layer below its own, and
no format module imports another.

The layers are the numbered list of ``smsc_codec/__init__.py``'s docstring;
every module of the package must stand in one. Imports are read with
``ast`` from the source (those made only for type checking and those inside
functions included), so a dependency cannot hide from the check.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import smsc_codec

PACKAGE = Path(smsc_codec.__file__).parent
#: the layer that holds the formats: its modules must not import each other
FORMATS_LAYER = "the formats"


def _layers() -> dict[str, tuple[int, str]]:
    """module -> (layer number, layer title), from the package docstring."""
    found: dict[str, tuple[int, str]] = {}
    for number, title, names in re.findall(
        r"^(\d+)\. ([^:\n]+): ([\w, ]+)$", smsc_codec.__doc__ or "", re.MULTILINE
    ):
        for name in names.split(", "):
            found[name.strip()] = (int(number), title)
    return found


LAYERS = _layers()


def _modules() -> dict[str, Path]:
    """Every module of the package by its name under ``smsc_codec`` (a
    subpackage counts as one module: its files are checked as it)."""
    modules: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[0] in ("__init__", "__main__"):
            continue  # the package's face imports every layer
        modules[str(path.relative_to(PACKAGE))] = path
    return modules


def _owner(relative: str) -> str:
    """The top-level module a file belongs to (``_cli/_work.py``: ``_cli``)."""
    return Path(relative).with_suffix("").parts[0]


def _imported(path: Path) -> set[str]:
    """The package's top-level modules a file imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    depth = len(path.relative_to(PACKAGE).parts) - 1  # 1 inside a subpackage
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names |= _imported_from(node, depth)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("smsc_codec."):
                    names.add(alias.name.split(".")[1])
    return names


def _imported_from(node: ast.ImportFrom, depth: int) -> set[str]:
    """The package's top-level modules a ``from … import`` names, in a file
    ``depth`` subpackages down."""
    if node.level == 0:
        module = node.module or ""
        if module == "smsc_codec":
            return {alias.name for alias in node.names}
        return {module.split(".")[1]} if module.startswith("smsc_codec.") else set()
    if node.level == depth + 1:  # relative to the package itself
        if node.module:
            return {node.module.split(".")[0]}
        return {alias.name for alias in node.names}
    return set()  # (a deeper relative import stays inside its subpackage)


def test_the_docstring_lists_the_layers() -> None:
    titles = {title for _, title in LAYERS.values()}
    assert len(titles) >= 8
    assert FORMATS_LAYER in {title.split(",")[0] for title in titles}


@pytest.mark.parametrize("relative", sorted(_modules()))
def test_every_module_stands_in_a_layer(relative: str) -> None:
    assert _owner(relative) in LAYERS, f"{relative}: add it to a layer in smsc_codec/__init__.py"


@pytest.mark.parametrize("relative", sorted(_modules()))
def test_no_import_runs_up_a_layer_or_across_formats(relative: str) -> None:
    owner = _owner(relative)
    level, title = LAYERS[owner]
    for name in sorted(_imported(_modules()[relative]) - {owner}):
        assert name in LAYERS, f"{relative} imports {name}, which stands in no layer"
        other_level, _ = LAYERS[name]
        assert other_level <= level, (
            f"{relative} (layer {level}) imports {name} (layer {other_level})"
        )
        if title.startswith(FORMATS_LAYER):
            assert other_level < level, f"{relative}: a format module imports {name}"


def test_the_check_sees_imports() -> None:
    """Not vacuous: the reader finds the imports of a module that has them,
    relative, absolute and inside functions alike."""
    found = _imported(PACKAGE / "_api.py")
    assert {"_formats", "_replies", "_request"} <= found
    assert "_model" in _imported(PACKAGE / "_grammar.py")  # imported inside a function
    assert "_exchange" in _imported(PACKAGE / "_cli" / "_work.py")
