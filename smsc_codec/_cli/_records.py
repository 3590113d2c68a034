"""One exchange read from an input, and how problems with it are reported."""

from __future__ import annotations

import base64
from typing import Any, NamedTuple

import msgspec

from smsc_codec._errors import DecodeError, show_with_caret

__all__ = ["LogFields", "Record", "RecordError", "diagnostic", "log_line_type", "reject_line"]


class RecordError(Exception):
    """A decoded record that a command cannot take; the message says why."""


class Record(NamedTuple):
    """An exchange, or why there is none.

    ``body`` and ``problem`` both None mark a blank line, which is not a record.
    """

    source: str
    line: int  #: of the record in its source (its first line)
    request: Any  #: a request string, a mapping of parameters, or None
    body: bytes | str | None
    raw: bytes | str  #: the input as read: the log line, or the body file's bytes
    problem: str | None  #: why the record cannot be decoded at all
    #: a log's record (its position is the log's line), not a body file
    in_log: bool = True


class LogFields(NamedTuple):
    request: str = "request"
    body: str = "body"
    script: str | None = None  #: a field naming the script, when the request is a mapping


def log_line_type(fields: LogFields) -> type[msgspec.Struct]:
    """A Struct reading just the chosen fields of a JSON Lines record (others are skipped)."""
    names = [("request", str | dict[str, Any] | None, None), ("body", Any, None)]
    rename = {"request": fields.request, "body": fields.body}
    if fields.script is not None:
        names.append(("script", str | None, None))
        rename["script"] = fields.script
    return msgspec.defstruct("LogLine", names, rename=rename)


def _raw_text(raw: bytes | str) -> str:
    if isinstance(raw, str):
        return raw
    return raw.decode("utf-8", errors="replace")


def diagnostic(record: Record, problem: str | Exception) -> tuple[str, str]:
    """``(report, reason)``: the ``file:line:column: message`` report with the
    offending text and a caret, and the one-line reason for the rejects file."""
    if isinstance(problem, DecodeError):
        fmt = "fmt=?" if problem.fmt is None else f"fmt={problem.fmt}"
        if record.in_log:
            where = f"{record.source}:{record.line}:{problem.column}"
            reason = f"{fmt}, body line {problem.line}, column {problem.column}: {problem.reason}"
        else:
            where = f"{record.source}:{problem.line}:{problem.column}"
            reason = f"{fmt}: {problem.reason}"
        # the body's own line, as the error shows it
        shown = str(problem).split("\n", 1)[1] if "\n" in str(problem) else ""
        return f"{where}: {reason}\n{shown}\n", reason
    reason = str(problem).split("\n", 1)[0]
    first_line = _raw_text(record.raw).split("\n", 1)[0].rstrip("\r")
    shown = show_with_caret(first_line, 1) + "\n" if first_line.strip() else ""
    return f"{record.source}:{record.line}:1: {reason}\n{shown}", reason


_reject_encoder = msgspec.json.Encoder()


def reject_line(record: Record, reason: str) -> bytes:
    """A line of the rejects file: the input as read, with where it was and why."""
    entry: dict[str, Any] = {"source": record.source, "line": record.line, "reason": reason}
    raw = record.raw
    if record.in_log:  # a line, without its line break
        raw = raw.rstrip(b"\r\n") if isinstance(raw, bytes) else raw.rstrip("\r\n")
    if isinstance(raw, bytes):
        try:
            entry["raw"] = raw.decode("utf-8")
        except UnicodeDecodeError:
            entry["raw_base64"] = base64.b64encode(raw).decode("ascii")
    else:
        entry["raw"] = raw
    return _reject_encoder.encode(entry) + b"\n"
