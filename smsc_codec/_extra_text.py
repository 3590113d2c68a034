"""Unknown keys' values as text, for tables and rows."""

from __future__ import annotations

from typing import Any

import msgspec

from ._model import JsonText

__all__ = ["extra_text"]

_json = msgspec.json.Encoder()


def extra_text(value: Any) -> str:
    """An unknown key's value as text: itself (fmt=0/1/2 keep the text), or,
    for a fmt=3 value that is not text, its JSON text."""
    if isinstance(value, str):
        return value
    if isinstance(value, JsonText):  # an object or array, kept as its JSON text
        return value.json
    return _json.encode(value).decode()
