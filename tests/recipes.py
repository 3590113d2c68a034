"""The README's engine recipes, and a sharded archive to run them on.

The recipes are read from the README (the ``py`` code block after each
``<!-- recipe: NAME -->`` marker: not a ``python`` block, which the README's
example runner would run without the engines and the archive), so that what
the tests and benchmarks run is what the README shows.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import msgspec

from tests.logs import corpus_exchanges

__all__ = ["README", "recipe", "write_shards"]

README = Path(__file__).resolve().parent.parent / "README.md"


def recipe(name: str) -> str:
    """The code of the README's recipe ``name``."""
    text = README.read_text("utf-8")
    found = re.search(rf"<!-- recipe: {re.escape(name)} -->\n```py\n(.*?)\n```", text, re.S)
    if found is None:
        raise LookupError(f"no recipe {name!r} in the README")
    return found.group(1)


def write_shards(folder: Path, shards: int, records: int) -> list[Path]:
    """``shards`` JSON Lines files of ``records`` exchanges each: the corpus
    cycled, every request its own (as a log's ids and credentials make it)."""
    encoder = msgspec.json.Encoder()
    cycle = itertools.cycle(corpus_exchanges())
    paths = []
    number = 0
    for shard in range(shards):
        path = folder / f"shard-{shard:03d}.jsonl"
        lines = []
        for request, body in itertools.islice(cycle, records):
            unique = f"{request}{'&' if '?' in request else '?'}n={number}&psw=secret"
            lines.append(encoder.encode({"request": unique, "body": body}) + b"\n")
            number += 1
        path.write_bytes(b"".join(lines))
        paths.append(path)
    return paths
