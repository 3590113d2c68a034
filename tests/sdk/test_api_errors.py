"""Errors as exceptions: raise_for_error picks the SmscApiError subclass by what
the code means for the script that answered, over real clients and the fake."""

from __future__ import annotations

import pickle
from decimal import Decimal

import pytest

import smsc_codec
from smsc_codec import (
    ApiError,
    AuthenticationError,
    DateFormatError,
    InsufficientFundsError,
    InvalidNumberError,
    MessageDeniedError,
    NotFoundError,
    OperationFailedError,
    ParametersError,
    RateLimitError,
    SmscApiError,
    SmscCodecError,
    TemporarilyBlockedError,
    UndeliverableError,
    api_error_meaning,
    raise_for_error,
)
from smsc_codec._api_errors import error_class
from smsc_codec._replies import record_requests
from smsc_codec.http import decode_response
from tests.sdk.clients import Wire

#: (script, code) -> the exception, as the scripts' tables say (seeds 003,
#: 004; facts §1.2, §2.x): the same number means different things.
CASES = [
    ("send", 1, ParametersError),
    ("send", 2, AuthenticationError),
    ("send", 3, InsufficientFundsError),
    ("send", 4, TemporarilyBlockedError),
    ("send", 5, DateFormatError),
    ("send", 6, MessageDeniedError),
    ("send", 7, InvalidNumberError),
    ("send", 8, UndeliverableError),
    ("send", 9, RateLimitError),
    ("status", 3, SmscApiError),  # status.php has no error 3 (seed 003)
    ("status", 5, OperationFailedError),  # "error deleting a message"
    ("status", 9, RateLimitError),
    ("phones", 3, NotFoundError),  # "no records found" (seed 004)
    ("phones", 5, OperationFailedError),
    ("jobs", 3, OperationFailedError),  # "error saving the record"
    ("jobs", 5, DateFormatError),
    ("get", 3, NotFoundError),
    ("info", 3, NotFoundError),
    ("balance", 4, TemporarilyBlockedError),
    ("balance", 15, SmscApiError),  # "unknown error", seen in traffic (facts §9)
]


@pytest.mark.parametrize(("script", "code", "expected"), CASES)
def test_the_class_follows_the_meaning_for_the_script(
    script: str, code: int, expected: type[SmscApiError]
) -> None:
    error = ApiError(code=code, description="text", script=script)
    with pytest.raises(SmscApiError) as caught:
        raise_for_error(error)
    assert type(caught.value) is expected
    assert caught.value.error is error
    assert (caught.value.code, caught.value.script) == (code, script)
    assert caught.value.meaning == api_error_meaning(script, code)
    assert caught.value.retryable is (code in (4, 9))


def test_retrying_is_what_the_documentation_says() -> None:
    # 9: "duplicate request, wait a minute" (facts §9); every limit is per minute
    assert RateLimitError.retryable
    assert RateLimitError.retry_after == 60
    # 4: blocked "temporarily" (seeds 003, 004), for how long no source says
    assert TemporarilyBlockedError.retryable
    assert TemporarilyBlockedError.retry_after is None
    assert not InsufficientFundsError.retryable
    assert not SmscApiError.retryable


def test_every_meaning_the_tables_name_has_its_class() -> None:
    """A new meaning in the code tables must get an exception class."""
    scripts = {query.partition(".php")[0] for query in record_requests()} | {"balance", None}
    for script in scripts:
        for code in range(1, 16):
            meaning = api_error_meaning(script, code)
            if meaning.known:
                assert error_class(meaning) is not SmscApiError, (script, code, meaning.name)
            else:
                assert error_class(meaning) is SmscApiError


def test_not_an_error_is_returned_as_it_is() -> None:
    replies: list[object] = [smsc_codec.Ok(), [], smsc_codec.Balance(balance=Decimal(1)), None]
    for reply in replies:
        assert raise_for_error(reply) is reply


def test_the_exception_reads_well_and_travels() -> None:
    error = smsc_codec.decode("ERROR = 3 (no money), ID - 275", "send.php")
    with pytest.raises(InsufficientFundsError) as caught:
        raise_for_error(error)
    exc = caught.value
    assert str(exc) == (
        "send.php answered error 3 (NO_MONEY: insufficient funds): 'no money', message id 275"
    )
    assert exc.message_id == 275
    assert not isinstance(exc, SmscCodecError)  # the answer was read; the server refused
    copy = pickle.loads(pickle.dumps(exc))
    assert type(copy) is InsufficientFundsError
    assert copy.error == error
    assert str(smsc_codec.TemporarilyBlockedError(ApiError(code=4))) == (
        "the API answered error 4 (IP_BLOCKED: the IP address is temporarily blocked)"
    )


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_errors_from_the_wire_raise(client: Wire, fmt: int) -> None:
    client.fake.queue_error("status", 9)
    client.fake.queue_error("phones", 3)
    with pytest.raises(RateLimitError) as limited:
        raise_for_error(decode_response(client.call("status", id=1, phone="79990000001", fmt=fmt)))
    assert limited.value.retryable
    with pytest.raises(NotFoundError):
        raise_for_error(decode_response(client.call("phones", get=1, fmt=fmt)))
    with pytest.raises(AuthenticationError):
        raise_for_error(decode_response(client.call("balance", psw="wrong", fmt=fmt)))
    client.fake.balance = Decimal("0.00")
    with pytest.raises(InsufficientFundsError) as poor:
        raise_for_error(
            decode_response(client.call("send", phones="79990000001", mes="x", fmt=fmt))
        )
    # fmt=1 writes only the id and the code: `1,-3`; the others the description too
    assert poor.value.message_id == 1
    assert poor.value.error.description == (None if fmt == 1 else "no money")
    sent = raise_for_error(decode_response(client.call("balance", fmt=fmt)))
    assert sent == smsc_codec.Balance(balance=Decimal("0.00"))
