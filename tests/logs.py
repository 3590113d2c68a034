"""JSON Lines logs of any length, made from the corpus, for the command line's
tests and benchmarks.

Each line is one corpus exchange, ``{"request": ..., "body": ...}``, with the
body as text and the request made unique by an ``n`` parameter (as a real log's
ids and credentials make it): no two lines share a request string, so no cache
of request strings can stand in for the work.
"""

from __future__ import annotations

import gzip
import itertools
from collections.abc import Iterator, Sequence
from pathlib import Path

import msgspec

from tests.conftest import corpus_entries

__all__ = ["corpus_exchanges", "log_lines", "quick_exchanges", "write_log"]


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1251", errors="replace")


def corpus_exchanges() -> list[tuple[str, str]]:
    """(request, body text) of every corpus entry, in the corpus's order."""
    return [(entry.request, _text(entry.body)) for entry in corpus_entries()]


def quick_exchanges() -> list[tuple[str, str]]:
    """Short JSON answers of every script: the quickest to decode, so a log can
    be long enough for memory growth to show and still run in seconds."""
    chosen = [
        (request, body)
        for request, body in corpus_exchanges()
        if len(body) < 400 and "fmt=3" in request
    ]
    assert len(chosen) > 40
    return chosen


def log_lines(count: int, exchanges: Sequence[tuple[str, str]] | None = None) -> Iterator[bytes]:
    """``count`` log lines, cycling through ``exchanges`` (default: the corpus)."""
    encoder = msgspec.json.Encoder()
    cycle = itertools.cycle(corpus_exchanges() if exchanges is None else exchanges)
    for number, (request, body) in zip(range(count), cycle, strict=False):
        unique = f"{request}{'&' if '?' in request else '?'}n={number}"
        yield encoder.encode({"request": unique, "body": body}) + b"\n"


def write_log(path: Path, count: int, exchanges: Sequence[tuple[str, str]] | None = None) -> Path:
    """Write ``count`` lines to ``path`` (gzip-compressed when it ends in ``.gz``)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wb") as out:
        batch: list[bytes] = []
        for line in log_lines(count, exchanges):
            batch.append(line)
            if len(batch) >= 10_000:
                out.write(b"".join(batch))
                batch.clear()
        out.write(b"".join(batch))
    return path
