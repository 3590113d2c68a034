"""The built site's checks: run with ``python -m pytest docs/checks``.

They build the site into a scratch folder (warnings are errors), or check the
one ``--site FOLDER`` names, built by the documented command::

    python -m sphinx -W --keep-going -b html docs docs/_build/html
"""

from __future__ import annotations

from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--site", help="a site already built from docs/ (default: build one)")


@pytest.fixture(scope="session")
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = request.config.getoption("--site")
    if given:
        return Path(given).resolve()
    from sphinx.cmd.build import build_main  # noqa: PLC0415 - the docs extra

    out = tmp_path_factory.mktemp("site")
    status = build_main(["-W", "--keep-going", "-q", "-b", "html", str(DOCS), str(out)])
    assert status == 0, "the site does not build without warnings"
    return out
