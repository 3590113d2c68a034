"""The built site: every public name has an entry in the API reference, every
registered layout a section in the layout reference, and every internal link
leads to a page and an anchor that exist."""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from sphinx.util.inventory import InventoryFile

DOCS = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(DOCS / "_ext"))

from public_api import public_modules, public_names  # noqa: E402
from smsc_layouts import FORMATS, registered_answers  # noqa: E402

from .pages import PAGES  # noqa: E402


class _Page(HTMLParser):
    """The ids and the link targets of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")


def _pages(site: Path) -> dict[Path, _Page]:
    pages = {}
    for path in sorted(site.rglob("*.html")):
        page = _Page()
        page.feed(path.read_text(encoding="utf-8"))
        pages[path] = page
    return pages


def test_every_public_name_has_an_entry_in_the_api_reference(site: Path) -> None:
    with (site / "objects.inv").open("rb") as stream:
        inventory = InventoryFile.load(stream, "", lambda base, uri: uri)
    entries = {
        name: str(item[2] if isinstance(item, tuple) else item.uri)
        for kind, items in inventory.items()
        if kind.startswith("py:")
        for name, item in items.items()
    }
    missing = []
    for module in public_modules():
        for entry in public_names(module):
            where = entries.get(entry.qualified)
            if where is None or not where.startswith("api.html#"):
                missing.append(entry.qualified)
    assert not missing, f"no entry in the API reference: {missing}"


def test_every_internal_link_leads_to_a_page_and_an_anchor(site: Path) -> None:
    pages = _pages(site)
    broken = []
    for path, page in pages.items():
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("mailto:"):
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{path.name}: {link} (no such page)")
            elif (
                parts.fragment
                and target.suffix == ".html"
                and unquote(parts.fragment) not in pages[target].ids
            ):
                broken.append(f"{path.name}: {link} (no such anchor)")
    assert not broken, "\n".join(broken)
    assert sum(len(page.links) for page in pages.values()) > 1000  # the check saw the links


def test_the_layout_reference_shows_every_registered_answer(site: Path) -> None:
    page = (site / "layouts.html").read_text(encoding="utf-8")
    answers = registered_answers()
    examples = sum(len(answer.candidates) for answer in answers) * len(FORMATS)
    assert page.count("Example: ") >= examples
    for answer in answers:
        assert answer.requests[0].replace("&", "&amp;") in page
        for candidate in answer.candidates:
            assert f"smsc_codec.{candidate.cls.__name__}" in page


@pytest.mark.parametrize("page", PAGES)
def test_every_page_is_built(site: Path, page: str) -> None:
    assert (site / f"{page}.html").is_file()
