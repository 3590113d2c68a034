"""Small helpers shared by the tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import pytest

import smsc_codec
from smsc_codec import ApiError, DecodeError, HlrStatus, SmsStatus


def decoded(*args: Any, **options: Any) -> Any:
    """``smsc_codec.decode``, typed ``Any``: these tests look at decoded values
    at run time (their static types are checked in ``tests/typing/``)."""
    return smsc_codec.decode(*args, **options)


#: reply kind -> the grammar rule prefix of its status.php layouts
STATUS_KINDS: dict[type[msgspec.Struct], str] = {SmsStatus: "status_sms", HlrStatus: "status_hlr"}
ALL_KINDS: tuple[type[msgspec.Struct], ...] = (SmsStatus, HlrStatus, ApiError)


def printed_layouts(fmt: int, rows: list[tuple[msgspec.Struct, str]]) -> bool:
    """Whether each (reply, rule) is written in one of the rule's printed
    layouts: in fmt=0, an absent optional field is an absent key, and a line
    that leaves out a key of its layout is read by key, never strictly."""
    from smsc_codec._grammar import line_layouts  # noqa: PLC0415

    if fmt != 0:
        return True
    for reply, rule in rows:
        layouts = [set(layout.fields) for layout in line_layouts(0, rule)]
        named = set().union(*layouts)
        present = {name for name in named if getattr(reply, name) is not None}
        if present not in layouts:
            return False
    return True


def status_request(fmt: int, all_level: int = 0, *, multi: bool = False, charset: str = "") -> str:
    ids = "101,102" if multi else "101"
    query = f"id={ids}&phone=79990000000&all={all_level}&fmt={fmt}"
    if charset:
        query += f"&charset={charset}"
    return f"status.php?{query}"


def status_rule(kind: type[msgspec.Struct], all_level: int, *, multi: bool) -> str:
    return f"{STATUS_KINDS[kind]}_all{all_level}" + ("_multi" if multi else "")


def position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based (line, column) of ``text[offset]``; only LF ends a line."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


#: A refusal is cheap when it takes less than this...
CHEAP_SECONDS = 0.5
#: ...and holds at most this much memory beyond ten times the body (an
#: expanded entity attack or a tree of 100,000 elements is far more).
CHEAP_EXTRA_BYTES = 8 * 1024 * 1024


def refused_cheaply(decode_call: Callable[[], object], body_size: int) -> DecodeError:
    """The DecodeError ``decode_call`` raises, after checking that it is raised
    in well under a second and without memory growth (peak traced memory)."""
    start = time.perf_counter()
    with pytest.raises(DecodeError) as caught:
        decode_call()
    elapsed = time.perf_counter() - start
    assert elapsed < CHEAP_SECONDS, f"refused after {elapsed:.2f} s"
    tracemalloc.start()
    try:
        with pytest.raises(DecodeError):
            decode_call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < CHEAP_EXTRA_BYTES + 10 * body_size, f"peak {peak:,} bytes"
    return caught.value


def run_shell(
    command: str, folder: Path, *, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run a shell command line as a reader would type it, in ``folder``, with
    this interpreter's scripts (``smsc-codec``) first on the PATH."""
    environment = dict(os.environ)
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment['PATH']}"
    environment.pop("COLUMNS", None)
    return subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
