"""The answers every script may give in any format as text: ``OK`` and
``ERROR = N (...)``.

Error layouts are in facts §1.2 and seed 003; the fmt=0/1 ones are grammar
rules (``api_error``). Some scripts answer ``OK`` or ``ERROR = N (...)`` in
fmt=0 form whatever fmt was asked for (facts §9), so every reader looks for
those two first. The XML and JSON envelopes (``<result>``, ``{"error": …}``)
are their readers' own (``_xml``, ``_json``).
"""

from __future__ import annotations

import re

import msgspec

from ._errors import DecodeError
from ._limits import DEFAULT_LIMITS, Limits, check_text_values
from ._matcher import LineMismatch, line_codec
from ._model import ApiError, Ok

__all__ = ["OK_BARE", "OK_PLAIN", "detect_text_envelope"]

#: fmt=1 error: `0,-N`, or `<id>,-N` (facts §1.2, §5.8). A status row never has
#: exactly two columns with the second negative.
FMT1_ERROR = re.compile(r"-?[0-9]+,-[0-9]+")

#: The OK answer, as read from fmt 0/1 and as the bare ``OK`` answered to a
#: request for fmt 2/3 (replies are immutable: one of each serves every body)
OK_PLAIN = Ok()
OK_BARE = Ok(bare=True)


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
        return OK_BARE if fmt >= 2 else OK_PLAIN
    if stripped.startswith("ERROR = "):
        return _read_error_line(text, 0, 0, limits)
    if fmt == 1 and FMT1_ERROR.fullmatch(stripped):
        return _read_error_line(text, 1, 1, limits)
    return None
