"""The built pages open in headless Chromium with their navigation, code blocks
and tables rendered.

Chromium is the system's (Debian's ``chromium`` package; ``SMSC_DOCS_CHROMIUM``
names another binary), driven by Playwright without a browser download of its
own. The site is served over HTTP on the loopback address, as a reader's
browser would get it. A page that logs an error, fails a request, or leaves
any of these unrendered fails.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, sync_playwright

from .pages import PAGES

#: Chromium's flags for a machine without a display or outside network.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def base_url(site: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = os.environ.get("SMSC_DOCS_CHROMIUM") or shutil.which("chromium")
    assert executable, "no Chromium: apt-get install chromium, or set SMSC_DOCS_CHROMIUM"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    opened = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    opened.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.on(
        "requestfailed",
        lambda request: (
            problems.append(f"failed: {request.url} ({request.failure})")
            # (a load the page's own navigation cancels is no fault of the site)
            if request.failure != "net::ERR_ABORTED"
            else None
        ),
    )
    opened.on(
        "response",
        lambda response: (
            problems.append(f"{response.status}: {response.url}")
            if response.status >= 400
            else None
        ),
    )
    opened.on(
        "request",
        lambda request: (
            problems.append(f"left the site: {request.url}")
            if not request.url.startswith((base_url, "data:"))
            else None
        ),
    )
    yield opened
    opened.close()
    assert not problems, problems


@pytest.mark.parametrize("name", PAGES)
def test_a_page_opens_with_its_title_and_navigation(page: Page, base_url: str, name: str) -> None:
    page.goto(f"{base_url}{name}.html")
    assert page.locator("h1").first.is_visible()
    assert page.locator("h1").first.inner_text().strip()
    navigation = page.locator(".sidebar-tree a.reference")
    targets = {link.rstrip("#") for link in navigation.evaluate_all("(a) => a.map(x => x.href)")}
    for other in PAGES:
        if other != "index":
            assert any(target.endswith(f"/{other}.html") for target in targets), other
    current = page.locator(".sidebar-tree .current-page > a")
    if name != "index":
        assert current.count() == 1
        assert current.is_visible()


def test_the_navigation_leads_from_page_to_page(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}index.html")
    page.locator(".sidebar-tree a.reference", has_text="Layout reference").click()
    page.wait_for_url("**/layouts.html")
    assert page.locator("h1").first.inner_text().strip().startswith("Layout reference")
    page.locator("a.next-page").click()
    page.wait_for_url("**/security.html")
    page.go_back()
    page.wait_for_url("**/layouts.html")


@pytest.mark.parametrize("name", ["quickstart", "sdk/decoding", "analysts", "layouts", "api"])
def test_code_blocks_are_rendered(page: Page, base_url: str, name: str) -> None:
    for block in _every(page, f"{base_url}{name}.html", "div.highlight pre"):
        _assert_drawn(block, width=100, height=10)
        font = block.evaluate("(e) => getComputedStyle(e).fontFamily")
        assert "mono" in font.lower(), font


def test_doctests_are_highlighted_as_sessions(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}sdk/decoding.html")
    prompt = page.locator("div.highlight pre .gp").first  # the >>> prompt
    assert prompt.inner_text().strip() == ">>>"
    assert page.locator("div.highlight pre .go").count() > 0  # outputs read as outputs
    keyword = page.locator("div.highlight pre .kn").first  # `import`
    color = "(e) => getComputedStyle(e).color"
    assert keyword.evaluate(color) != page.locator("div.highlight pre").first.evaluate(color)


@pytest.mark.parametrize("name", ["security", "sources", "layouts"])
def test_tables_are_rendered(page: Page, base_url: str, name: str) -> None:
    for table in _every(page, f"{base_url}{name}.html", "article table"):
        assert table.evaluate("(e) => getComputedStyle(e).display") == "table"
        rows = table.locator("tr")
        assert rows.count() >= 2
        _assert_drawn(table.locator("td").first, width=10, height=10)


def test_search_finds_the_api(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}search.html?q=decode_response")
    results = page.locator("#search-results li a")
    results.first.wait_for(timeout=15_000)
    assert any(
        "api.html" in (link or "") for link in results.evaluate_all("(a) => a.map(x => x.href)")
    )


def _assert_drawn(element: Locator, *, width: float, height: float) -> None:
    """The element, scrolled into view, takes room on the page and shows text."""
    element.scroll_into_view_if_needed()
    assert element.is_visible()
    box = element.bounding_box()
    assert box is not None
    assert box["width"] > width
    assert box["height"] > height
    assert element.inner_text().strip()


def _every(page: Page, url: str, selector: str) -> list[Locator]:
    """The elements ``selector`` finds on the page at ``url``; there must be some."""
    page.goto(url)
    found = page.locator(selector)
    assert found.count() > 0, f"no {selector} on {url}"
    return [found.nth(index) for index in range(found.count())]
