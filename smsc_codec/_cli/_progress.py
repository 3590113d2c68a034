"""The progress line on standard error: records, rate and bytes read.

Shown only when standard error is a terminal (never in a pipe or a log file)
and not with ``--quiet``; redrawn at most ten times a second.
"""

from __future__ import annotations

import time
from typing import TextIO

__all__ = ["Progress"]

_INTERVAL = 0.1


class Progress:
    def __init__(self, stream: TextIO, *, enabled: bool) -> None:
        self._stream = stream
        self.enabled = enabled
        self._start = time.monotonic()
        self._last = 0.0
        self._shown = False
        self._records = 0
        self._bytes = 0

    def update(self, records: int, bytes_read: int, *, force: bool = False) -> None:
        self._records, self._bytes = records, bytes_read
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < _INTERVAL:
            return
        self._last = now
        elapsed = max(now - self._start, 1e-9)
        self._stream.write(
            f"\r\x1b[K{records:,} records  {records / elapsed:,.0f} records/s  "
            f"{_size(bytes_read)} read"
        )
        self._stream.flush()
        self._shown = True

    def clear(self) -> None:
        """Take the line away before other text is written to the terminal."""
        if self._shown:
            self._stream.write("\r\x1b[K")
            self._shown = False

    def finish(self) -> None:
        if self.enabled:
            self.update(self._records, self._bytes, force=True)
            self._stream.write("\n")
            self._stream.flush()
            self._shown = False


def _size(count: int) -> str:
    size = float(count)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")
