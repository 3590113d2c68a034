"""URL shapes: a log's requests differ in their values, seldom in their shape.

A URL's shape is its part before ``?`` and its parameter names in order, with
the values that choose the layout written out (``fmt=3``, ``all=2``, the
commands), of ``id`` and ``phone`` only whether they list several, and any
text in place of every other value (ids, numbers, credentials, the message).
Every URL of a shape has the layout of the URL the shape was learned from:
the full parse (``layout_of(parse_request(url))``) reads nothing a shape
leaves open. So once a shape is learned, one regex call over a new URL finds
what was kept for its layout (a decoder), where the parameters would each
cost a search (``url_layout_key``).

The learned shapes are one regex, a trie of alternations whose branches end
in an empty group: its number tells which shape matched. Compiling it costs
a few hundred decodes (0.4–0.7 ms), so a shape is learned only when its
layout misses again, ever more seldom (:meth:`ShapeTable.learn`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from typing import Generic, NamedTuple, TypeVar

from ._replies import layout_parameters
from ._request import script_of_path
from ._schema import optional

__all__ = ["KINDS", "Field", "ShapeTable", "UrlShapes", "url_fields", "url_shape"]

_T = TypeVar("_T")

#: shapes kept at once (the oldest goes first)
MAX_SHAPES = 16
#: layout keys whose misses are counted (a flood of made-up ones is not kept)
MAX_KEYS = 1024

#: a parameter name a shape writes out (one written escaped, ``f%6Dt``, is
#: read by the full parse alone)
_NAME = re.compile(r"[A-Za-z0-9_]+").fullmatch

#: The classes of values, each as Python's regex (possessive) and as RE2's
#: (Arrow's engine, which grouping a column of URLs uses): of ``id`` and
#: ``phone`` only whether they list several (``_replies._several``),
#: anything for the values that do not choose the layout. A ``#`` starts a
#: fragment, which the full parse drops with all that follows: RE2's classes
#: refuse it; before Python's match it is looked for alone (in every class it
#: would cost a third of the match).
KINDS: dict[str, tuple[str, str]] = {
    # anything but the next field
    "any": ("[^&]*+", "[^&#]*"),
    # one id: digits (ids are numbers; any other id without a comma, written
    # or escaped as ``%2C``, is one too, but a class of digits costs a tenth
    # of the match less than one of all but those)
    "one id": ("[0-9]*+", "[0-9]*"),
    # several ids: a comma written
    "several ids": ("[^&,]*+,[^&]*+", "[^&,#]*,[^&#]*"),
    # one number: digits after an optional ``+`` (written, escaped or as the
    # space ``+`` reads as)
    "one phone": (optional(r"\+|%2[Bb]") + "[0-9]*+", r"(?:\+|%2[Bb])?[0-9]*"),
    # several numbers: digits, a separator, a digit, and anything after (which
    # cannot make fewer than two numbers of them)
    "several phones": (
        "[0-9]++(?:,|;|%2[Cc]|%3[Bb])[0-9][^&]*+",
        "[0-9]+(?:,|;|%2[Cc]|%3[Bb])[0-9][^&#]*",
    ),
}
#: the kinds a value of ``id`` or ``phone`` may be of
_COUNTED = {"id": ("one id", "several ids"), "phone": ("one phone", "several phones")}


class Field(NamedTuple):
    """A field of a URL's query as its shape holds it."""

    name: str
    #: ``=``, or nothing for a bare name (which the full parse reads as empty)
    equals: str
    value: str
    #: whether the parameter chooses the layout (``layout_of`` keeps it)
    chooses: bool
    #: the class of the values that read as this one (:data:`KINDS`), None
    #: when the value is written out
    kind: str | None


def url_fields(url: str) -> tuple[str, tuple[Field, ...]] | None:
    """The part of ``url`` up to its query (``?`` included) and its fields,
    None when a shape cannot spell how the full parse reads it: no script in
    the path, a fragment, surrounding spaces, or a field of no shape
    (:func:`_field_of`)."""
    head, question, query = url.partition("?")
    script = script_of_path(head)
    if not script or "#" in url or url != url.strip():
        return None
    names, commands = layout_parameters(script)
    layout = frozenset(names) | frozenset(commands)
    fields = []
    for text in query.split("&") if query else ():
        field = _field_of(text, layout)
        if field is None:
            return None
        fields.append(field)
    return head + question, tuple(fields)


def _field_of(text: str, layout: frozenset[str]) -> Field | None:
    """The field ``name=value`` (or a bare name) of a query whose layout
    parameters are ``layout``; None for one a shape cannot spell: an empty
    field, a name that is not plain (escaped, spaced), an ``id`` or
    ``phone`` of no class."""
    name, equals, value = text.partition("=")
    if _NAME(name) is None:
        return None
    chooses = name in layout
    if not equals:  # (a bare name reads as empty: written out)
        return Field(name, equals, value, chooses, None)
    if not chooses:
        return Field(name, equals, value, chooses, "any")
    if name not in _COUNTED:
        return Field(name, equals, value, chooses, None)
    kind = next((k for k in _COUNTED[name] if re.fullmatch(KINDS[k][0], value)), None)
    return None if kind is None else Field(name, equals, value, chooses, kind)


def url_shape(
    url: str, escape: Callable[[str], str] = re.escape, engine: int = 0
) -> tuple[str, ...] | None:
    """The regex of ``url``'s shape as its pieces: the head, then each
    field; None when it has none (:func:`url_fields`). Python's regex by
    default; ``escape`` and ``engine`` (the place of a class's spelling in
    :data:`KINDS`) spell it for another engine."""
    found = url_fields(url)
    if found is None:
        return None
    lead, fields = found
    pieces = [escape(lead)]
    for at, field in enumerate(fields):
        value = escape(field.value) if field.kind is None else KINDS[field.kind][engine]
        pieces.append(f"{'&' if at else ''}{escape(field.name + field.equals)}{value}")
    return tuple(pieces)


#: a trie of shapes: each piece leads on; None marks where a shape ends
_Trie = dict[str | None, "_Trie | int"]


def _regex_of(trie: _Trie, order: list[int]) -> str:
    """The alternation of the shapes under ``trie``, each ending in an empty
    group; ``order`` gets the shapes' positions in the groups' order."""
    branches = []
    for piece, below in trie.items():
        if piece is None:
            assert isinstance(below, int)
            order.append(below)
            branches.append("()")
        else:
            assert isinstance(below, dict)
            branches.append(piece + _regex_of(below, order))
    return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"


def _never(url: str) -> None:
    """The match of a table that has learned nothing."""


class UrlShapes(Generic[_T]):
    """Shapes, each with what was kept for it, and the regex that tells
    which one a URL has; a value, never changed (a reader in another thread
    holds a consistent one).

    ``fullmatch(url)`` is None for a URL of no shape here; otherwise the
    match's ``lastindex`` is the position of its value in ``values``. A
    ``#`` must be refused before (``"#" in url``). Shapes that begin alike
    share their first pieces in the regex, which reads each piece of a URL
    once.
    """

    __slots__ = ("fullmatch", "shapes", "values")

    fullmatch: Callable[[str], re.Match[str] | None]

    def __init__(self, shapes: tuple[tuple[tuple[str, ...], _T], ...] = ()) -> None:
        self.shapes = shapes
        trie: _Trie = {}
        for position, (pieces, _) in enumerate(shapes):
            node = trie
            for piece in pieces:
                below = node.setdefault(piece, {})
                assert isinstance(below, dict)
                node = below
            node[None] = position
        order: list[int] = []
        self.fullmatch = re.compile(_regex_of(trie, order)).fullmatch if shapes else _never
        #: the value of the shape whose group is N at position N (0 unused)
        self.values: tuple[_T | None, ...] = (None, *(shapes[at][1] for at in order))


class ShapeTable(Generic[_T]):
    """The shapes learned so far (``current``), and when to learn more."""

    __slots__ = ("_misses", "current")

    def __init__(self) -> None:
        self.current: UrlShapes[_T] = UrlShapes()
        #: how often each layout key's URLs had no shape learned
        self._misses: dict[Hashable, int] = {}

    def find(self, url: str) -> _T | None:
        """What was kept for ``url``'s shape, None when it has none learned."""
        shapes = self.current
        found = shapes.fullmatch(url)
        if found is None or "#" in url:
            return None
        return shapes.values[found.lastindex or 0]

    def learn(self, url: str, key: Hashable, value: _T) -> None:
        """Note that ``url`` (of layout ``key``, kept as ``value``) had no
        shape learned, and learn its shape on the key's 2nd, 4th, 8th… miss.

        A shape is learned once its layout comes back (a one-off decode
        compiles nothing); the doubling bounds the compiles where a layout's
        URLs come in ever new shapes (parameters in a random order, say) to
        one per doubling of its misses. The oldest shape goes when the
        table is full.
        """
        misses = self._misses
        if len(misses) >= MAX_KEYS:
            misses.clear()
        count = misses[key] = misses.get(key, 0) + 1
        if count < 2 or count & (count - 1):
            return
        pieces = url_shape(url)
        if pieces is not None:
            kept = self.current.shapes[1 - MAX_SHAPES :]
            self.current = UrlShapes((*kept, (pieces, value)))
