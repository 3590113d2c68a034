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
        # in a URL or form: `name=value`, up to the next parameter (or a quote
        # or white space around a URL written in JSON or CSV; a JSON escape
        # is part of the value); in JSON: `"name": value`, a string or a bare
        # value. One pattern per name, replaced by fixed text (no template to
        # expand: a log's every line holds them).
        self._query = [
            (
                re.compile(rf'(?<![A-Za-z0-9_]){re.escape(name)}=(?:[^&#\s"\\]|\\.)*'),
                f"{name}={MASK}",
            )
            for name in names
        ]
        self._json = [
            (
                re.compile(rf'"{re.escape(name)}"(\s*):(\s*)(?:"(?:[^"\\]|\\.)*"|[^,}}\]\s]+)'),
                rf'"{name}"\1:\2"{MASK}"',
            )
            for name in names
        ]

    def text(self, text: str) -> str:
        """``text`` with every credential's value masked."""
        for pattern, masked in self._query:
            text = pattern.sub(masked, text)
        if '"' in text:
            for pattern, masked in self._json:
                text = pattern.sub(masked, text)
        return text

    def column(self, texts: Any) -> Any:
        """An Arrow column of request texts, masked (the same patterns, run
        by Arrow's regex engine over the whole column at once)."""
        import pyarrow.compute as pc  # noqa: PLC0415 - only the Parquet output calls this

        if not self.names:
            return texts
        names = "|".join(map(re.escape, sorted(self.names)))
        value = r'(?:[^&#\s"\\]|\\.)*'
        texts = pc.replace_substring_regex(
            texts, rf"(^|[^A-Za-z0-9_])({names})={value}", rf"\1\2={MASK}"
        )
        if pc.any(pc.match_substring(texts, '"')).as_py():  # requests given as JSON objects
            texts = pc.replace_substring_regex(
                texts,
                rf'"({names})"(\s*):(\s*)(?:"(?:[^"\\]|\\.)*"|[^,}}\]\s]+)',
                rf'"\1"\2:\3"{MASK}"',
            )
        return texts

    def raw(self, raw: bytes | str) -> bytes | str:
        """A record as read, masked (bytes stay bytes, with their other bytes as read)."""
        if not self.names:
            return raw
        if isinstance(raw, str):
            return self.text(raw)
        return self.text(raw.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")

    def request(self, request: Any) -> Any:
        """A request (a URL, or a mapping of parameters), masked."""
        if not self.names:
            return request
        if isinstance(request, str):
            return self.text(request)
        if isinstance(request, dict):
            return {
                key: MASK if key in self.names else self.request(value)
                for key, value in request.items()
            }
        return request
