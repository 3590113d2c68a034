"""The corpus as language-neutral test vectors (``smsc-codec export-vectors``).

A codec in another language checks itself against the same captured answers
as this one, with nothing but a JSON reader: ``index.json`` lists each case
with its request, the body file (bytes exactly as captured), the charset, and
either the reply the body must decode to, as the model serialises it (see
``schema.json``, :func:`~smsc_codec.json_schema`), or the rejection it must
meet, with the line and column of the fault. ``byte_exact`` says that
re-encoding the reply must give the body back byte for byte; ``strict`` that
strict decoding accepts it too. The vectors carry the version of the package
that wrote them and of their own layout.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import msgspec

from ._corpus import CorpusEntry, expected_value, load_corpus
from ._exchange import is_callback
from ._json_schema import json_schema
from ._request import parse_request
from ._version import __version__

__all__ = ["VECTORS_LAYOUT", "export_vectors"]

#: The layout of ``index.json``; raised when a key changes meaning.
VECTORS_LAYOUT = 1

#: Python's codec names as the charsets' registered (IANA) names.
_IANA = {"cp1251": "windows-1251", "utf-8": "utf-8", "koi8_r": "koi8-r"}


def _charset(request: str) -> str:
    """The charset the body is written in: the request's (the callback
    handler URL's), windows-1251 unless it names another (facts §1.1)."""
    parsed = parse_request(request)
    if is_callback(request):
        named = parsed.get("charset") or "windows-1251"
        return _IANA.get(named, named)
    return _IANA.get(parsed.charset, parsed.charset)


def _case(entry: CorpusEntry, body_path: str) -> dict[str, Any]:
    meta = entry.meta
    request = entry.request
    parsed = parse_request(request)
    case: dict[str, Any] = {
        "name": entry.name,
        "request": request,
        "script": parsed.script,
        "fmt": _callback_fmt(request) if is_callback(request) else int(parsed.fmt),
        "body": body_path,
        "charset": _charset(request),
    }
    if "error" in meta["expect"]:
        where = meta["expect"]["error"]
        case["expect"] = {"rejection": {"line": where.get("line"), "column": where.get("column")}}
    else:
        case["expect"] = {"reply": msgspec.to_builtins(expected_value(meta))}
    case["strict"] = bool(meta.get("strict"))
    case["byte_exact"] = bool(meta.get("byte_exact"))
    for key in ("provenance", "source", "note"):
        case[key] = meta.get(key, "")
    return case


def _callback_fmt(request: str) -> int | None:
    fmt = parse_request(request).get("fmt")
    return int(fmt) if fmt else None  # None: form fields


def export_vectors(corpus: Path, out: Path) -> int:
    """Write the entries of ``corpus`` as test vectors into ``out``; return
    the number of cases."""
    entries = load_corpus(corpus)
    bodies = out / "bodies"
    if bodies.exists():
        shutil.rmtree(bodies)  # (a case removed from the corpus must not linger)
    cases = []
    for entry in entries:
        relative = f"bodies/{entry.name}.body"
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(entry.body)
        cases.append(_case(entry, relative))
    _write_json(out / "schema.json", json_schema())
    _write_json(out / "wire-schema.json", json_schema(wire=True))
    index = {
        "vectors": "smsc-codec test vectors",
        "layout": VECTORS_LAYOUT,
        "codec_version": __version__,
        "schema": "schema.json",
        "wire_schema": "wire-schema.json",
        "description": (
            "Each case: decode the bytes of 'body' (in 'charset') as the answer to "
            "'request' (a script's URL tail, or 'callback' with the handler URL's fmt "
            "and charset). expect.reply is the value it must decode to, as "
            "schema.json describes it (dates ISO 8601 in the server's local time, "
            "money as decimal strings, codes as integers, list fields as their text, "
            "unknown keys in 'extra'); expect.rejection is the line and column "
            "(1-based; null: any) where decoding must fail. 'strict': strict decoding "
            "accepts the body too; 'byte_exact': encoding the reply again gives the "
            "body back byte for byte."
        ),
        "cases": cases,
    }
    _write_json(out / "index.json", index)
    return len(cases)


def _write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(value, ensure_ascii=False, indent=2) + "\n"
    path.write_text(text, encoding="utf-8")
