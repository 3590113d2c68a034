"""Every corpus entry decodes to its expected value (see corpus/README.md)."""

from __future__ import annotations

from collections import Counter

import pytest

import smsc_codec
from smsc_codec._corpus import CorpusEntry, check_entry, expected_value
from tests.conftest import corpus_entries

ENTRIES = corpus_entries()


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
def test_entry(entry: CorpusEntry) -> None:
    result = check_entry(entry)
    assert result.ok, "\n".join(result.problems)


def test_corpus_covers_every_format_and_provenance() -> None:
    formats = Counter(int(smsc_codec.parse_request(e.request).fmt) for e in ENTRIES)
    assert all(formats[fmt] >= 10 for fmt in range(4)), formats
    provenance = Counter(e.meta["provenance"] for e in ENTRIES)
    assert {"recorded", "documented", "constructed"} <= set(provenance)


@pytest.mark.parametrize(
    "entry",
    [e for e in ENTRIES if not e.meta.get("strict") and "error" not in e.meta["expect"]],
    ids=lambda e: e.name,
)
def test_non_strict_entries_are_refused_by_strict_decoding(entry: CorpusEntry) -> None:
    """An entry is marked non-strict only when it really leaves the documented layout."""
    with pytest.raises(smsc_codec.DecodeError):
        smsc_codec.decode(entry.body, entry.request, strict=True)


def _outcome(body: object, request: str, strict: bool) -> object:
    try:
        return smsc_codec.decode(body, request, strict=strict)  # type: ignore[arg-type]
    except smsc_codec.SmscCodecError as exc:
        return type(exc), str(exc)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
@pytest.mark.parametrize("buffer", [bytearray, memoryview])
def test_a_body_in_any_buffer_decodes_as_its_bytes(entry: CorpusEntry, buffer: type) -> None:
    """``decode`` takes bytes, bytearray and memoryview alike, on every path
    (a memoryview has no ``isascii``: the fmt=3 entry asked it once)."""
    body = entry.body.encode("utf-8") if isinstance(entry.body, str) else entry.body
    for strict in (False, True):
        want = _outcome(body, entry.request, strict)
        assert _outcome(buffer(body), entry.request, strict) == want


def test_checker_reports_a_wrong_expectation() -> None:
    """check_entry is not a rubber stamp: a changed expectation fails."""
    entry = next(e for e in ENTRIES if e.name == "status/sms-all0-fmt1")
    meta = dict(entry.meta)
    meta["expect"] = {"kind": "SmsStatus", "fields": {"status": 2}}
    result = check_entry(CorpusEntry(entry.name, entry.body, meta))
    assert not result.ok
    assert expected_value(meta) != smsc_codec.decode(entry.body, entry.request)
