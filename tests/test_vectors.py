"""``smsc-codec export-vectors``: the corpus as language-neutral test vectors.

The vectors are read here as another language would read them: with nothing
but ``json`` and the schema they ship; then each case is held against the
codec.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import msgspec
import pytest

import smsc_codec
from smsc_codec._cli import main
from smsc_codec._exchange import decode_exchange, encode_exchange
from tests.conftest import CORPUS, corpus_entries


@pytest.fixture(scope="module")
def vectors(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("vectors")
    (out / "bodies" / "stale").mkdir(parents=True)
    (out / "bodies" / "stale" / "gone.body").write_bytes(b"from an earlier export")
    assert main(["export-vectors", str(out), "--corpus", str(CORPUS)]) == 0
    return out


def _index(vectors: Path) -> dict[str, Any]:
    index: dict[str, Any] = json.loads((vectors / "index.json").read_text(encoding="utf-8"))
    return index


def test_the_index_lists_every_corpus_entry_with_the_package_version(vectors: Path) -> None:
    index = _index(vectors)
    assert index["codec_version"] == smsc_codec.__version__
    assert index["layout"] == 1
    assert [case["name"] for case in index["cases"]] == [e.name for e in corpus_entries()]
    assert not (vectors / "bodies" / "stale").exists()
    for case in index["cases"]:
        assert set(case) >= {"request", "body", "charset", "expect", "byte_exact", "provenance"}
        assert case["provenance"] in {"recorded", "documented", "constructed"}
        assert case["charset"] in {"windows-1251", "utf-8", "koi8-r"}
    assert json.loads((vectors / "schema.json").read_text(encoding="utf-8")) == (
        smsc_codec.json_schema()
    )


def _cases(vectors: Path) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = _index(vectors)["cases"]
    return cases


def test_every_case_agrees_with_the_codec(vectors: Path) -> None:
    index = _index(vectors)
    schema = json.loads((vectors / index["schema"]).read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    replies = rejections = exact = 0
    for case in index["cases"]:
        body = (vectors / case["body"]).read_bytes()
        expect = case["expect"]
        if "rejection" in expect:
            rejections += 1
            with pytest.raises(smsc_codec.DecodeError) as caught:
                decode_exchange(body, case["request"])
            where = expect["rejection"]
            assert where["line"] in (None, caught.value.line), case["name"]
            assert where["column"] in (None, caught.value.column), case["name"]
            continue
        replies += 1
        validator.validate(expect["reply"])
        decoded = decode_exchange(body, case["request"])
        assert json.loads(msgspec.json.encode(decoded)) == expect["reply"], case["name"]
        if case["strict"]:
            strict = decode_exchange(body, case["request"], strict=True)
            assert json.loads(msgspec.json.encode(strict)) == expect["reply"], case["name"]
        if case["byte_exact"]:
            exact += 1
            assert encode_exchange(decoded, case["request"]) == body, case["name"]
        # the charset named is the one the body is written in
        body.decode(case["charset"])
    assert replies
    assert rejections
    assert exact


def test_the_expected_reply_is_the_corpus_expectation_not_the_codecs_output(
    vectors: Path,
) -> None:
    """A vector states what the corpus says the body means: the value typed
    into the corpus entry, serialised, even where it is written otherwise."""
    (case,) = [c for c in _cases(vectors) if c["name"] == "variation/unknown-key-fmt3"]
    assert case["expect"]["reply"] == {
        "kind": "SmsStatus",
        "extra": [["tz", 3], ["route", {"json": '{"id":7}'}]],
        "status": 1,
        "last_timestamp": 1624884947,
    }
