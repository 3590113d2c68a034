from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from smsc_codec._corpus import CorpusEntry, load_corpus

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

# "ci" is fixed and repeatable (CI sets HYPOTHESIS_PROFILE=ci); "dev" explores.
settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile(
    "dev",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def corpus_entries() -> list[CorpusEntry]:
    return load_corpus(CORPUS)


@pytest.fixture(scope="session")
def corpus() -> list[CorpusEntry]:
    return corpus_entries()


@functools.cache
def corpus_entry(name: str) -> CorpusEntry:
    """The corpus entry ``name`` (its path below corpus/, without suffix)."""
    group, _, rest = name.rpartition("/")
    for entry in load_corpus(CORPUS / group):
        if entry.name == rest:
            return entry._replace(name=name)
    raise LookupError(f"no corpus entry {name!r}")
