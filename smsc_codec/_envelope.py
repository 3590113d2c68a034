"""Answers common to every script: the error envelope and the bare ``OK``.

Error layouts are in facts §1.2 and seed 003; the fmt=0/1 ones are grammar
rules (``api_error``). Some scripts answer ``OK`` or ``ERROR = N (...)`` in fmt=0
form whatever fmt was asked for (facts §9), so those two are recognised first,
in every format.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

from ._checks import replaced
from ._errors import DecodeError, EncodeError
from ._json import json_object_text
from ._limits import DEFAULT_LIMITS, Limits, check_text_values
from ._matcher import LineMismatch, line_codec
from ._model import ApiError, Ok
from ._replies import ERROR_KEYS
from ._xml import (
    attribute_fields,
    record_fields,
    reply_from_fields,
    start_tag,
    xml_element_text,
)

__all__ = ["detect_text_envelope", "encode_envelope", "xml_envelope"]

#: fmt=1 error: `0,-N`, or `<id>,-N` (facts §1.2, §5.8). A status row never has
#: exactly two columns with the second negative.
_FMT1_ERROR = re.compile(r"-?[0-9]+,-[0-9]+")


def _read_error_line(text: str, fmt: int, body_fmt: int, limits: Limits) -> ApiError:
    line = text.strip()
    start = text.find(line)
    codec = line_codec(fmt, "api_error", ApiError)
    try:
        reply = codec.read(line).reply
    except LineMismatch as exc:
        offset, reason = exc.offset, exc.reason
        if offset < 0:
            offset, reason = codec.fault(line)
        raise DecodeError(reason, fmt=body_fmt, text=text, offset=start + offset) from None
    assert isinstance(reply, ApiError)
    check_text_values([reply], limits, body_fmt, text, start)
    if fmt == 1 and reply.id == 0:
        reply = msgspec.structs.replace(reply, id=None)  # `0,-N`: no message id
    return reply


def detect_text_envelope(
    text: str, fmt: int, limits: Limits = DEFAULT_LIMITS
) -> ApiError | Ok | None:
    """An error or OK answer in fmt=0/1 text form, whatever fmt was requested;
    its description is held to ``limits.max_field_length``."""
    head = text[:16].lstrip()[:1]
    if head not in ("O", "E") and not (fmt == 1 and ",-" in text[:40]):
        return None  # the common case, decided without copying the body
    stripped = text.strip()
    if stripped == "OK":
        return Ok(bare=fmt >= 2)
    if stripped.startswith("ERROR = "):
        return _read_error_line(text, 0, 0, limits)
    if fmt == 1 and _FMT1_ERROR.fullmatch(stripped):
        return _read_error_line(text, 1, 1, limits)
    return None


def xml_envelope(
    root: Any, text: str, *, strict: bool, limits: Limits = DEFAULT_LIMITS
) -> ApiError | Ok | None:
    """The ``<result>`` answers: an error, or ``<result>OK</result>``."""
    if getattr(root, "tag", None) != "result":
        return None
    if len(root) == 0 and (root.text or "").strip() == "OK":
        if not root.attrib:
            return Ok()
        # attributes are kept as unknown keys (_xml.ATTRIBUTE), as on any record
        ok = reply_from_fields(attribute_fields(root), Ok, text, strict, limits)
        assert isinstance(ok, Ok)
        return ok
    if all(root.find(key) is None for key in ERROR_KEYS):
        return None  # a success answer in <result> (send.php, jobs.php)
    fields = record_fields(root, text)
    reply = reply_from_fields(fields, ApiError, text, strict, limits)
    assert isinstance(reply, ApiError)
    return reply


def encode_envelope(reply: ApiError | Ok, fmt: int, *, lossy: bool) -> str:
    """An error or OK answer in the server's layout for ``fmt``."""
    if isinstance(reply, Ok):
        if reply.bare:
            return "OK"
        if fmt == 2:  # (with the attributes of <result>, the only keys it keeps)
            return start_tag("result", reply.extra)[0] + "OK</result>"
        return {0: "OK", 1: "OK", 3: '{\n"result": "OK"\n}'}[fmt]
    if fmt in (0, 1):
        if fmt == 1:
            if reply.id == 0 and not lossy:
                raise EncodeError("id 0 reads back as no id in `0,-N`", field="id", fmt=1)
            reply = replaced(reply, id=reply.id or 0)
        if isinstance(reply.code, int) and reply.code < 0:  # (another type: the writer says)
            raise EncodeError("an error code is positive", field="code", fmt=fmt)
        return line_codec(fmt, "api_error", ApiError).write(reply, lossy=lossy)
    if fmt == 2:
        return xml_element_text(reply, "result", None)
    return json_object_text(reply, None)
