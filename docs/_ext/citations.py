"""The sources the code cites, and their anchors in ``docs/sources.md``.

Comments and docstrings cite the fact sheet (``facts §2.1``, ``§9``), SMSC's
pages (``seed 003``, ``seeds 003 and 004``) and the performance notes
(``docs/sources.md#performance-dates``), all of them sections of
``docs/sources.md``. Each cited key has an anchor there; :func:`citations`
finds them in a text, so that the site can link them and a test can check
that every one has its anchor. :data:`RETIRED` are citation forms of sources
the repository does not hold: none may remain.

Stdlib only: the test suite imports this module without Sphinx.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

__all__ = ["RETIRED", "Citation", "anchor_of", "citations", "linked_rst"]

#: ``facts §2.1``, a bare ``§9`` after another citation, ``seed 003``,
#: ``seeds 003 and 004``, ``docs/sources.md#performance-dates``.
_PATTERN = re.compile(
    r"(?P<facts>(?:facts )?§(?P<section>[0-9]+(?:\.[0-9]+)?))"
    r"|(?P<seeds>\b[Ss]eeds? (?P<numbers>00[0-9](?:(?:, | and )00[0-9])*))"
    r"|(?P<anchored>\bdocs/sources\.md#(?P<anchor>[a-z0-9]+(?:-[a-z0-9]+)*))"
)

#: Citations of files that are not in the repository (the design notes the
#: performance section of docs/sources.md was taken from).
RETIRED = re.compile(r"\bdesign/performance\.md\b|\bshared/design/")


class Citation(NamedTuple):
    start: int
    end: int
    text: str
    anchor: str


def anchor_of(key: str) -> str:
    """The anchor of a cited key: ``§2.1`` -> ``facts-2-1``, ``003`` -> ``seed-003``."""
    if key.startswith("§"):
        return "facts-" + key[1:].replace(".", "-")
    if key.isdigit():
        return f"seed-{key}"
    return key.removeprefix("docs/sources.md#")


def citations(text: str) -> Iterator[Citation]:
    """Every citation in ``text``, one per cited key (``seeds 003 and 004`` gives two)."""
    for match in _PATTERN.finditer(text):
        if match["facts"]:
            yield Citation(*match.span(), match[0], anchor_of("§" + match["section"]))
        elif match["seeds"]:
            for number in re.finditer(r"00[0-9]", match[0]):
                start = match.start() + number.start()
                # the first number carries the word "seed(s)" in its link text
                begin = match.start() if number.start() == match[0].find(number[0]) else start
                yield Citation(begin, start + 3, text[begin : start + 3], anchor_of(number[0]))
        else:
            yield Citation(*match.span(), match[0], match["anchor"])


def linked_rst(text: str) -> str:
    """``text`` (reStructuredText) with each citation made a link to its
    anchor; inline literals (````...````) are left as they are."""
    pieces = re.split(r"(``.+?``)", text)
    return "".join(piece if index % 2 else _linked(piece) for index, piece in enumerate(pieces))


def _linked(text: str) -> str:
    out, position = [], 0
    for cite in citations(text):
        out.append(text[position : cite.start])
        out.append(f":ref:`{cite.text} <{cite.anchor}>`")
        position = cite.end
    out.append(text[position:])
    return "".join(out)
