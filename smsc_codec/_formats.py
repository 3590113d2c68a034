"""The format table: one reader and one writer per format, keyed by ``Fmt``.

As h11 keeps its readers and writers in tables keyed by state, every format
has a reader and a writer with the same face (:class:`Reader`,
:class:`Writer`), and the entry points find them here: no ``if`` on ``fmt``
outside the format modules. Each format module reads and writes its own
envelope (errors and ``OK``), and none imports another.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any, Protocol

import msgspec

from ._codes import Fmt
from ._errors import RequestError
from ._json import JSON
from ._limits import Limits
from ._lines import CSV, TEXT
from ._model import ApiError, Ok
from ._replies import ReplySpec
from ._xml import XML

__all__ = ["READERS", "WRITERS", "Reader", "Writer"]


class Reader(Protocol):
    """What every format's reader does."""

    fmt: int

    def charset_of(
        self, body: Any, charset: str, *, request_named: str | None, strict: bool
    ) -> str:
        """The charset to read ``body`` in, given the request's (``charset``)
        and whether the request names one."""

    def entry(self, spec: ReplySpec, limits: Limits, charset: str) -> Callable[[Any], Any] | None:
        """A compiled reader of one answer's commonest body: the reply, or
        ``_build.MISS`` for a body it leaves to the other paths (None: the
        format has none for this answer). It is handed every body first,
        whatever its type (the bare OK, a bytearray, an int), and answers
        MISS for any it does not read, without raising."""

    def read_fast(self, body: Any, charset: str, spec: ReplySpec, limits: Limits) -> Any:
        """Lenient decoding of a well-formed success answer, or None."""

    def read(
        self, text: str, spec: ReplySpec | RequestError, *, strict: bool, limits: Limits
    ) -> Any:
        """A whole body: its error or OK answer, or a success answer of
        ``spec`` (a RequestError: the request has none; only an error or OK
        answer decodes). Raises DecodeError saying what is wrong, and where."""

    def read_record(
        self,
        text: str,
        kind_of_keys: Callable[[Collection[str]], type[msgspec.Struct]],
        *,
        strict: bool,
        limits: Limits,
    ) -> msgspec.Struct:
        """One record standing alone (a callback), its kind told by its keys."""


class Writer(Protocol):
    """What every format's writer does."""

    fmt: int
    #: whether the format writes a list of its own (a list of one record
    #: differs from the record)
    lists: bool

    def write(
        self, replies: Sequence[msgspec.Struct], spec: ReplySpec, *, as_list: bool, lossy: bool
    ) -> str:
        """Success replies of ``spec``, one record each (``as_list``: as a list)."""

    def fast_writer(self, spec: ReplySpec) -> Callable[[Any], str | None]:
        """What ``write`` writes of a reply (or a list of them) on the
        common path, by writers generated for ``spec``'s layouts; None where
        ``write`` must decide (it checks everything and explains a refusal)."""

    def write_envelope(self, reply: ApiError | Ok, *, lossy: bool) -> str:
        """An error or OK answer."""

    def write_record(self, reply: msgspec.Struct, root: str) -> str:
        """One record standing alone (a callback; ``root``: its XML element)."""


_FORMATS: dict[Fmt, tuple[Reader, Writer]] = {
    Fmt.TEXT: TEXT,
    Fmt.CSV: CSV,
    Fmt.XML: XML,
    Fmt.JSON: JSON,
}

#: The reader of each format (keyed by ``Fmt``, an int: ``READERS[3]``)
READERS: dict[int, Reader] = {fmt: reader for fmt, (reader, _) in _FORMATS.items()}
#: The writer of each format
WRITERS: dict[int, Writer] = {fmt: writer for fmt, (_, writer) in _FORMATS.items()}
