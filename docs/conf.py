"""Sphinx configuration of the smsc-codec documentation.

Build: ``python -m sphinx -W --keep-going -b html docs docs/_build/html``
(warnings are errors; every cross-reference must resolve).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(HERE.parent))

import smsc_codec  # noqa: E402  (after the path is set)

project = "smsc-codec"
author = "smsc-codec developers"
copyright = "smsc-codec developers"
release = smsc_codec.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "smsc_api",
    "smsc_layouts",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "checks", "README.md"]
# The changelog page includes CHANGELOG.md; in a checkout without one the
# page and its entry in the index are left out (see setup below).
HAS_CHANGELOG = (HERE.parent / "CHANGELOG.md").exists()
if not HAS_CHANGELOG:
    exclude_patterns.append("changelog.md")

# Every reference must resolve: a name that moved or was renamed fails the build.
nitpicky = True
# References to other projects' objects (datetime, Decimal, msgspec.Struct,
# httpx) are not checked: the build has no network for their inventories.
nitpick_ignore_regex = [(r"py:.*", r"(?!smsc_codec\b).*")]

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
highlight_language = "text"

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_typehints_format = "short"
python_use_unqualified_type_names = True
add_module_names = False

html_theme = "furo"
html_title = f"smsc-codec {release}"
html_show_sourcelink = False
html_static_path = ["_static"]
html_favicon = "_static/favicon.svg"


def _without_changelog(app: object, docname: str, source: list[str]) -> None:
    """Drop the index's toctree entry of the changelog page when it is left out."""
    if docname == "index" and not HAS_CHANGELOG:
        source[0] = source[0].replace("\nchangelog\n", "\n")


def setup(app: object) -> None:
    app.connect("source-read", _without_changelog)  # type: ignore[attr-defined]
