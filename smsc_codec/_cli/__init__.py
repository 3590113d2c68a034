"""The ``smsc-codec`` command line: decode, validate, convert, stats, check-corpus."""

from __future__ import annotations

from ._main import main

__all__ = ["main"]
