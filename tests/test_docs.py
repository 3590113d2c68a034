"""The documentation's promises that need no Sphinx: every public name has a
docstring (the API reference is generated from them), and every source the code
cites has its anchor in ``docs/sources.md``."""

from __future__ import annotations

import doctest
import inspect
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

from citations import RETIRED, anchor_of, citations  # noqa: E402
from public_api import PublicName, own_doc, public_modules, public_names  # noqa: E402

PUBLIC = [entry for module in public_modules() for entry in public_names(module)]

#: Where the code and its data cite sources.
CITING = ["smsc_codec", "grammars", "tests", "benchmarks", "corpus", "examples", "fuzz"]


def test_the_public_modules_are_the_package_and_its_unprefixed_submodules() -> None:
    names = [module.__name__ for module in public_modules()]
    assert names[0] == "smsc_codec"
    assert {"smsc_codec.http", "smsc_codec.testing"} <= set(names)
    assert not [name for name in names if "._" in name]


@pytest.mark.parametrize("entry", PUBLIC, ids=[entry.qualified for entry in PUBLIC])
def test_every_public_name_has_its_own_docstring(entry: PublicName) -> None:
    assert own_doc(entry), f"{entry.qualified} has no docstring (or #: comment) of its own"


def _cited_texts() -> list[tuple[str, str]]:
    texts = [("README.md", (ROOT / "README.md").read_text(encoding="utf-8"))]
    for folder in CITING:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in {".py", ".lark", ".json", ".md"} and path.is_file():
                texts.append((str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")))
    return texts


def _anchors() -> set[str]:
    text = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\(([a-z0-9-]+)\)=$", text, re.MULTILINE))


def test_every_cited_source_has_an_anchor() -> None:
    anchors = _anchors()
    missing = {
        f"{name}: {cite.text} -> #{cite.anchor}"
        for name, text in _cited_texts()
        for cite in citations(text)
        if cite.anchor not in anchors
    }
    assert not missing, "\n".join(sorted(missing))


def test_no_citation_points_outside_the_repository() -> None:
    """Every citation points to docs/sources.md: none to the design notes its
    performance section was taken from."""
    stale = {
        f"{name}: {match.group()}"
        for name, text in _cited_texts()
        for match in RETIRED.finditer(text)
    }
    assert not stale, "\n".join(sorted(stale))


def test_the_code_does_cite_them() -> None:
    """The checks above are not vacuous: the keys the issue names are found."""
    cited = {cite.anchor for _, text in _cited_texts() for cite in citations(text)}
    assert {"facts-1-2", "facts-2-1", "facts-9", "seed-003", "seed-004"} <= cited
    assert {"performance-dates", "performance-import-time"} <= cited


@pytest.mark.parametrize(
    ("text", "anchors"),
    [
        ("facts §2.1-2.3", ["facts-2-1"]),
        ("(facts §1.2, §5.8)", ["facts-1-2", "facts-5-8"]),
        ("seeds 003 and 004", ["seed-003", "seed-004"]),
        ("Seed 003.", ["seed-003"]),
        ("(docs/sources.md#performance-import-time).", ["performance-import-time"]),
        ("facts §3.1.", ["facts-3-1"]),
    ],
)
def test_citations_are_found_in_their_spellings(text: str, anchors: list[str]) -> None:
    assert [cite.anchor for cite in citations(text)] == anchors
    assert anchor_of("§2.10") == "facts-2-10"


def _docstring_examples() -> list[doctest.DocTest]:
    """The doctests in the docstrings the API reference shows: each public
    module's, and each public name's with its members'."""
    finder = doctest.DocTestFinder(exclude_empty=True)
    found: dict[str, doctest.DocTest] = {}
    for module in public_modules():
        for test in doctest.DocTestFinder(recurse=False).find(module):
            found[test.name] = test
        for entry in public_names(module):
            if callable(entry.obj):
                home = inspect.getmodule(entry.obj)
                for test in finder.find(entry.obj, entry.qualified, module=home, globs={}):
                    found[test.name] = test
    package = str(ROOT / "smsc_codec")
    return [t for t in found.values() if t.examples and (t.filename or "").startswith(package)]


DOCSTRING_EXAMPLES = _docstring_examples()


@pytest.mark.parametrize("test", DOCSTRING_EXAMPLES, ids=[t.name for t in DOCSTRING_EXAMPLES])
def test_docstring_examples_run(test: doctest.DocTest) -> None:
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    output: list[str] = []
    result = runner.run(test, out=output.append)
    assert result.failed == 0, "".join(output)


def test_the_docstrings_have_examples() -> None:
    names = {test.name for test in DOCSTRING_EXAMPLES}
    assert {"smsc_codec", "smsc_codec.http", "smsc_codec.DecodeError"} <= names
