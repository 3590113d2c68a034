"""The pages of the site: every source file under ``docs/`` that is built."""

from __future__ import annotations

from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent

#: Sources that are not pages of their own.
_NOT_PAGES = {"changelog"} if not (DOCS.parent / "CHANGELOG.md").exists() else set()

PAGES = sorted(
    path.relative_to(DOCS).with_suffix("").as_posix()
    for path in [*DOCS.rglob("*.md"), *DOCS.rglob("*.rst")]
    if not {"_build", "checks", "_ext", "_static"} & set(path.relative_to(DOCS).parts)
    and path.relative_to(DOCS).with_suffix("").as_posix() not in _NOT_PAGES
)
