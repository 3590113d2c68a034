"""Credentials taken out of what the tool writes.

A logged request may carry the account's password (``psw``), its API key
(``apikey``) and its ``login``. Unless ``--keep-credentials`` is given, their
values are replaced by ``***`` in every output row, converted log, reject
record and diagnostic: in request URLs (``psw=...``), in requests given as
JSON objects (``"psw": "..."``) and in the raw text of a rejected record.
``login`` is kept with ``--keep-login`` (an archive's logins tell accounts
apart).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["CREDENTIALS", "MASK", "Redactor"]

#: the parameters that are secrets; ``login`` names the account
CREDENTIALS = ("psw", "apikey", "login")
MASK = "***"


class Redactor:
    """Replaces the values of the parameters ``names`` (none: a no-op)."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = frozenset(names)
        if not names:
            self._query = self._json = None
            return
        alternation = "|".join(map(re.escape, names))
        # in a URL or form: `name=value`, up to the next parameter (or a
        # quote or white space around a URL written in JSON or CSV; a JSON
        # escape is part of the value)
        self._query = re.compile(rf'(?<![A-Za-z0-9_])((?:{alternation})=)(?:[^&#\s"\\]|\\.)*')
        # in JSON: `"name": value`, a string or a bare value
        self._json = re.compile(rf'("(?:{alternation})"\s*:\s*)("(?:[^"\\]|\\.)*"|[^,}}\]\s]+)')

    def text(self, text: str) -> str:
        """``text`` with every credential's value masked."""
        if self._query is None or self._json is None:
            return text
        text = self._query.sub(rf"\g<1>{MASK}", text)
        return self._json.sub(rf'\g<1>"{MASK}"', text)

    def raw(self, raw: bytes | str) -> bytes | str:
        """A record as read, masked (bytes stay bytes, with their other bytes as read)."""
        if self._query is None:
            return raw
        if isinstance(raw, str):
            return self.text(raw)
        return self.text(raw.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")

    def request(self, request: Any) -> Any:
        """A request (a URL, or a mapping of parameters), masked."""
        if self._query is None:
            return request
        if isinstance(request, str):
            return self.text(request)
        if isinstance(request, dict):
            return {
                key: MASK if key in self.names else self.request(value)
                for key, value in request.items()
            }
        return request
