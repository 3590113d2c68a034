"""Errors and decoders cross process boundaries: they pickle to equal values,
and a pool of processes hands back every result and every error."""

from __future__ import annotations

import contextlib
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest

import smsc_codec
from smsc_codec import (
    DecodeError,
    Decoder,
    EncodeError,
    LimitError,
    Limits,
    RequestError,
    SmscCodecError,
    SmsStatus,
)
from tests.conftest import corpus_entries

STATUS = "status.php?id=5&phone=79990000000&fmt=1"

ERRORS: list[SmscCodecError] = [
    SmscCodecError("something"),
    RequestError("no script"),
    EncodeError("cannot be written", field="message", fmt=1),
    EncodeError("no field"),
    DecodeError("expected an integer", fmt=1, text="1,x,0", offset=2),
    DecodeError("cut", fmt=0, line=3, column=7, source_line="status = 1"),
    LimitError("max_depth", 32, "elements nested more than 32 deep", fmt=2, text="<a>", offset=1),
]


def _raised(body: str | bytes, request: str, **options: Any) -> SmscCodecError:
    with pytest.raises(SmscCodecError) as caught:
        smsc_codec.decode(body, request, **options)
    return caught.value


def _every_error() -> list[SmscCodecError]:
    """The errors above, and errors raised by decoding real bodies."""
    rejected = [e for e in corpus_entries() if "error" in e.meta["expect"]]
    raised = [_raised(e.body, e.request) for e in rejected if not e.request.startswith("callback")]
    raised.append(_raised("1" * 100, STATUS, limits=Limits(max_body_bytes=10)))
    raised.append(_raised("1,2", "nothing.php"))
    return [*ERRORS, *raised]


@pytest.mark.parametrize("error", _every_error(), ids=lambda e: type(e).__name__)
def test_errors_pickle_to_equal_errors(error: SmscCodecError) -> None:
    back = pickle.loads(pickle.dumps(error))
    assert back == error
    assert type(back) is type(error)
    assert str(back) == str(error)
    assert vars(back) == vars(error)
    assert hash(back) == hash(error)


def test_errors_differ_when_they_say_different_things() -> None:
    one = DecodeError("expected an integer", fmt=1, text="1,x,0", offset=2)
    assert one != DecodeError("expected an integer", fmt=1, text="1,x,0", offset=3)
    assert one != DecodeError("expected an integer", fmt=0, text="1,x,0", offset=2)
    assert EncodeError("x", field="a") != EncodeError("x", field="b")
    assert RequestError("x") != SmscCodecError("x")


@pytest.mark.parametrize(
    "request_text",
    sorted({e.request for e in corpus_entries() if not e.request.startswith("callback")}),
)
def test_decoders_pickle_fresh_and_used(request_text: str) -> None:
    decoder = Decoder(request_text, strict=True, limits=Limits(max_records=10))
    assert pickle.loads(pickle.dumps(decoder)) == decoder
    for entry in corpus_entries():
        if entry.request == request_text:
            with contextlib.suppress(SmscCodecError):
                decoder.decode(entry.body)
    again = pickle.loads(pickle.dumps(decoder))
    assert again == decoder
    assert again != Decoder(request_text)
    for entry in corpus_entries():
        if entry.request == request_text:  # the same replies, the same errors
            assert _outcome(again, entry.body) == _outcome(decoder, entry.body)


def test_a_decoder_for_a_kind_pickles() -> None:
    decoder = Decoder("status.php?id=5&phone=79990000000&fmt=3", kind=SmsStatus)
    assert pickle.loads(pickle.dumps(decoder)) == decoder
    assert decoder != Decoder("status.php?id=5&phone=79990000000&fmt=3")


def _outcome(decoder: Decoder[Any], body: bytes) -> Any:
    try:
        return decoder.decode(body)
    except SmscCodecError as exc:
        return exc


def test_a_process_pool_returns_every_result_and_every_error() -> None:
    """Bodies with bad ones among them: each future gives its reply or its
    error, equal to what decoding here gives (spawned processes: every
    value really crosses as a pickle)."""
    decoder = Decoder(STATUS, limits=Limits(max_body_bytes=200))
    bodies = [
        b"1,1286524541,0",
        b"1,x,0",  # a bad value
        b"ERROR = 3 (no money)",
        b"1,1286524541,0" + b"0" * 300,  # over a limit
        b"-3,1286524541,0",
        "1,\u0419,0".encode(),  # not windows-1251 text where a number goes
    ]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        futures = [pool.submit(decoder.decode, body) for body in bodies]
        remote = [f.exception() or f.result() for f in futures]
        mapped = list(pool.map(_outcome, [decoder] * len(bodies), bodies))
    local = [_outcome(decoder, body) for body in bodies]
    assert remote == local
    assert mapped == local
    kinds = [type(value).__name__ for value in local]
    assert kinds == [
        "SmsStatus",
        "DecodeError",
        "ApiError",
        "LimitError",
        "SmsStatus",
        "DecodeError",
    ]
