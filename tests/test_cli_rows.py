"""Rows of the command line, checked against the replies they come from."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from smsc_codec import ApiError, MessageFlags, SmscCodecError
from smsc_codec._cli._rows import flat_row, reply_row, row_keys, table_columns
from smsc_codec._codes import _CodeEnum
from smsc_codec._corpus import CorpusEntry
from smsc_codec._exchange import decode_exchange
from tests.conftest import corpus_entries


def _replies() -> list[tuple[str, msgspec.Struct]]:
    found = []
    for entry in corpus_entries():
        try:
            value = decode_exchange(entry.body, entry.request)
        except SmscCodecError:
            continue
        for item in value if isinstance(value, list) else [value]:
            found.append((entry.name, item))
    return found


REPLIES = _replies()


def _check_codes(reply: msgspec.Struct, row: dict[str, Any]) -> None:
    keys = row_keys(type(reply))
    for field in msgspec.structs.fields(reply):
        value = getattr(reply, field.name)
        if isinstance(value, _CodeEnum):
            want = {"code": int(value), "name": value.name, "description": value.description}
            assert row[field.name] == want, field.name
        elif isinstance(value, MessageFlags):
            assert row[field.name]["value"] == int(value)
            assert row[field.name]["message_type"] == value.message_type.name
            assert row[field.name]["unknown_bits"] == value.unknown_bits
        elif isinstance(value, tuple) and value and isinstance(value[0], msgspec.Struct):
            for nested, nested_row in zip(value, row[keys[field.name]], strict=True):
                _check_codes(nested, nested_row)


@pytest.mark.parametrize(("name", "reply"), REPLIES, ids=[name for name, _ in REPLIES])
def test_row_spells_out_each_code_of_its_own_enum(name: str, reply: msgspec.Struct) -> None:
    row = reply_row(reply)
    _check_codes(reply, row)
    if isinstance(reply, ApiError):
        meaning = reply.meaning
        assert row["code"] == {
            "code": reply.code,
            "name": meaning.name,
            "description": meaning.description,
        }


@pytest.mark.parametrize(("name", "reply"), REPLIES, ids=[name for name, _ in REPLIES])
def test_flat_row_fits_the_table_columns(name: str, reply: msgspec.Struct) -> None:
    columns = {column.name for column in table_columns()}
    flat = flat_row(reply_row(reply))
    assert set(flat) <= columns, set(flat) - columns


def test_every_corpus_entry_gives_rows() -> None:
    entries: list[CorpusEntry] = corpus_entries()
    rejected = sum("error" in entry.meta["expect"] for entry in entries)
    answers = {name for name, _ in REPLIES}
    # an empty list gives no replies; every other accepted entry gives some
    assert len(answers) >= len(entries) - rejected - 5


def test_a_key_has_one_type_whatever_the_kind() -> None:
    """Two kinds giving one name values of different types get two keys."""
    from smsc_codec import IncomingCallback, IncomingMessage, SendResult  # noqa: PLC0415

    assert row_keys(SendResult)["phones"] == "phones_details"
    assert row_keys(IncomingCallback)["sent"] == "sent_text"
    assert row_keys(IncomingMessage)["sent"] == "sent"
    names = [column.name for column in table_columns()]
    assert len(names) == len(set(names))
