"""Callbacks from a web framework: decode_callback with the request's
Content-Type, and the guide's WSGI and ASGI handlers run for real (wsgiref
over a socket; the ASGI callable with a real scope, receive and send)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import anyio
import pytest
import requests

from smsc_codec import (
    Callback,
    CallCallback,
    DecodeError,
    DeliveryError,
    IncomingCallback,
    MessageStatus,
    StatusCallback,
    decode_callback,
    encode_callback,
)
from smsc_codec.testing import serve_wsgi

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "sdk" / "callbacks.md"

STATUS = StatusCallback(
    id=5, phone="79990000001", status=MessageStatus.DELIVERED, err=DeliveryError.NO_ERROR
)
INCOMING = IncomingCallback(id=7, phone="79990000002", mes="Привет, мир & всё", to="79160000000")
CALL = CallCallback(phone="79990000003", extra=(("code", "1234"),))

#: (callback, fmt, charset, the Content-Type the body is posted with)
POSTED: list[tuple[Callback, int | None, str, str]] = [
    (STATUS, None, "windows-1251", "application/x-www-form-urlencoded"),
    (INCOMING, None, "windows-1251", "application/x-www-form-urlencoded"),
    (INCOMING, None, "utf-8", "application/x-www-form-urlencoded; charset=utf-8"),
    (INCOMING, None, "koi8-r", "application/x-www-form-urlencoded; charset=KOI8-R"),
    (INCOMING, 2, "utf-8", "text/xml; charset=utf-8"),
    (INCOMING, 2, "windows-1251", "application/xml"),
    (INCOMING, 3, "utf-8", "application/json; charset=utf-8"),
    (STATUS, 3, "windows-1251", 'application/json; charset="windows-1251"'),
    (CALL, None, "utf-8", "application/x-www-form-urlencoded; charset=utf-8"),
]


@pytest.mark.parametrize(("callback", "fmt", "charset", "content_type"), POSTED)
def test_the_content_type_says_how_to_read_the_body(
    callback: Any, fmt: int | None, charset: str, content_type: str
) -> None:
    body = encode_callback(callback, fmt=fmt, charset=charset)
    assert decode_callback(body, content_type=content_type) == callback


def test_without_the_content_type_utf8_would_be_misread() -> None:
    """The issue's case: a UTF-8 JSON or XML callback read as windows-1251."""
    for fmt in (2, 3):
        body = encode_callback(INCOMING, fmt=fmt, charset="utf-8")
        misread = decode_callback(body)
        assert isinstance(misread, IncomingCallback)
        assert misread.mes != INCOMING.mes  # mojibake, silently
        media = "application/json" if fmt == 3 else "text/xml"
        assert decode_callback(body, content_type=f"{media}; charset=utf-8") == INCOMING


def test_explicit_arguments_win_over_the_content_type() -> None:
    body = encode_callback(INCOMING, fmt=3, charset="windows-1251")
    assert (
        decode_callback(body, content_type="application/json; charset=utf-8", charset="cp1251")
        == INCOMING
    )
    with pytest.raises(DecodeError, match="not valid utf-8"):
        decode_callback(body, content_type="application/json; charset=utf-8")
    # the handler URL said fmt=3, whatever the Content-Type
    assert decode_callback(body, content_type="text/plain", fmt=3) == INCOMING
    # a form media type is read as form fields even if it looks like JSON
    as_form = decode_callback(b'{"id": 1}', content_type="application/x-www-form-urlencoded")
    assert as_form == CallCallback(extra=(('{"id": 1}', ""),))
    assert decode_callback(b'{"id": 1}') == CallCallback(id=1)  # sniffed: JSON


def test_a_frameworks_parsed_form() -> None:
    assert decode_callback({"id": "5", "phone": "79990000001", "status": "1", "err": "0"}) == STATUS
    with pytest.raises(TypeError, match="body must be bytes, str or a mapping"):
        decode_callback(5)  # type: ignore[arg-type]


# -- the guide's handlers ----------------------------------------------------------------


def _guide_handlers() -> dict[str, Any]:
    """Run the handlers of the callbacks guide (its ``python`` blocks that are
    not doctests); their names."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("## A WSGI handler", 1)[1]
    blocks = [
        block
        for block in re.findall(r"```python\n(.*?)```", section, re.S)
        if not block.startswith(">>>")
    ]
    assert len(blocks) == 2, "a WSGI and an ASGI handler"
    namespace: dict[str, Any] = {}
    for block in blocks:
        exec(compile(block, str(GUIDE), "exec"), namespace)
    return namespace


def test_the_guide_wsgi_handler_under_wsgiref() -> None:
    handlers = _guide_handlers()
    with serve_wsgi(handlers["smsc_callback"]) as base_url, requests.Session() as session:
        for callback, fmt, charset, content_type in POSTED:
            body = encode_callback(callback, fmt=fmt, charset=charset)
            answer = session.post(base_url, data=body, headers={"Content-Type": content_type})
            assert (answer.status_code, answer.text) == (200, "OK")
        broken = session.post(base_url, data=b"<sms><id>", headers={"Content-Type": "text/xml"})
        assert broken.status_code == 400
    assert handlers["received"] == [callback for callback, *_ in POSTED]


def test_the_guide_asgi_handler_with_a_real_scope() -> None:
    handlers = _guide_handlers()
    app = handlers["smsc_callback_asgi"]

    async def post(body: bytes, content_type: str) -> list[dict[str, Any]]:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "https",
            "path": "/smsc/callback",
            "raw_path": b"/smsc/callback",
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", b"example.com"),
                (b"content-type", content_type.encode("latin-1")),
                (b"content-length", str(len(body)).encode()),
            ],
            "client": ("203.0.113.5", 40000),
            "server": ("example.com", 443),
        }
        # the body in two chunks, as a server may deliver it
        chunks = [
            {"type": "http.request", "body": body[:3], "more_body": True},
            {"type": "http.request", "body": body[3:], "more_body": False},
        ]
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return chunks.pop(0)

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await app(scope, receive, send)
        return sent

    for callback, fmt, charset, content_type in POSTED:
        sent = anyio.run(post, encode_callback(callback, fmt=fmt, charset=charset), content_type)
        assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
        assert (sent[0]["status"], sent[1]["body"]) == (200, b"OK")
    assert handlers["received"] == [callback for callback, *_ in POSTED]
    sent = anyio.run(post, b'{"id": ', "application/json")
    assert sent[0]["status"] == 400
