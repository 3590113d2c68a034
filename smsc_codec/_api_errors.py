"""Errors the server answered with, as exceptions for callers who want them.

Decoding returns an error answer as a value, :class:`~smsc_codec.ApiError`,
so that it round-trips through every format (as httpx returns a 4xx response).
:func:`raise_for_error` turns it into an exception, as httpx's
``raise_for_status`` does, and picks the class by what the code means for the
script that answered: 3 is "no money" on send.php but "not found" on
phones.php, 5 a date format on send.php but a failed deletion on status.php.

::

    SmscApiError                    any error answer (an unknown code: this class)
    ├── ParametersError             1: error in the parameters
    │   └── DateFormatError         5 on send.php, jobs.php
    ├── AuthenticationError         2: wrong login or password, or IP not allowed
    ├── InsufficientFundsError      3 on send.php
    ├── NotFoundError               3 on phones.php, get.php, info.php, ...
    ├── OperationFailedError        5 on status.php, phones.php; 3 on jobs.php
    ├── MessageDeniedError          6 on send.php
    ├── InvalidNumberError          7 on send.php
    ├── UndeliverableError          8 on send.php
    ├── TemporarilyBlockedError     4: the IP address is blocked for a while (retryable)
    └── RateLimitError              9: too many requests within a minute (retryable)

An :class:`SmscApiError` is not an :class:`~smsc_codec.SmscCodecError`: the
answer was read, the server refused.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from ._codes import ApiErrorMeaning
from ._model import ApiError

__all__ = [
    "AuthenticationError",
    "DateFormatError",
    "InsufficientFundsError",
    "InvalidNumberError",
    "MessageDeniedError",
    "NotFoundError",
    "OperationFailedError",
    "ParametersError",
    "RateLimitError",
    "SmscApiError",
    "TemporarilyBlockedError",
    "UndeliverableError",
    "raise_for_error",
]


class SmscApiError(Exception):
    """The server answered with an error (``ERROR = N (…)``, ``0,-N``, …).

    ``error`` is the decoded :class:`~smsc_codec.ApiError`; ``code``,
    ``script``, ``meaning`` and ``message_id`` come from it. ``retryable`` is
    true where the documentation says to wait and ask again, and
    ``retry_after`` then gives the wait in seconds where it says how long.
    """

    #: the documentation says to wait and send the request again
    retryable: ClassVar[bool] = False
    #: how long to wait, in seconds, when the documentation says
    retry_after: ClassVar[float | None] = None

    def __init__(self, error: ApiError) -> None:
        super().__init__(error)
        self.error = error

    @property
    def code(self) -> int:
        """The error number ``N``."""
        return self.error.code

    @property
    def script(self) -> str | None:
        """The script that answered (``send``), when the request was known."""
        return self.error.script

    @property
    def meaning(self) -> ApiErrorMeaning:
        """What the code means for that script."""
        return self.error.meaning

    @property
    def message_id(self) -> int | None:
        """The message id send.php adds to errors 3, 6, 7 and 8 (facts §1.2)."""
        return self.error.id

    def __str__(self) -> str:
        where = f"{self.script}.php" if self.script else "the API"
        meaning = self.meaning
        text = f"{where} answered error {self.code} ({meaning.name}: {meaning.description})"
        if self.error.description:
            text += f": {self.error.description!r}"
        if self.message_id is not None:
            text += f", message id {self.message_id}"
        return text


class ParametersError(SmscApiError):
    """1: error in the parameters (every script's table, seeds 003, 004)."""


class DateFormatError(ParametersError):
    """5 on send.php and jobs.php: a date in a wrong format (facts §2.1, §2.6)."""


class AuthenticationError(SmscApiError):
    """2: wrong login or password, or a request from an IP address the
    client's allow-list does not hold (seeds 003, 004)."""


class InsufficientFundsError(SmscApiError):
    """3 on send.php: not enough money on the account (facts §2.1)."""


class NotFoundError(SmscApiError):
    """3 where a script looks something up: no records (phones.php, get.php,
    seed 004), operator (info.php), link (tinyurls.php), sender (senders.php)."""


class OperationFailedError(SmscApiError):
    """The server could not carry out the command: 5 on status.php (deleting a
    message, seed 003) and phones.php (seed 004), 3 on jobs.php (saving)."""


class MessageDeniedError(SmscApiError):
    """6 on send.php: the message is forbidden by its text or sender name."""


class InvalidNumberError(SmscApiError):
    """7 on send.php: a phone number in a wrong format."""


class UndeliverableError(SmscApiError):
    """8 on send.php: the message cannot be delivered to the number."""


class TemporarilyBlockedError(SmscApiError):
    """4: the client's IP address is temporarily blocked (seeds 003, 004),
    after frequent erroneous requests (facts §1.5): the block lifts, so the
    request may be sent again later; no source says after how long."""

    retryable = True


class RateLimitError(SmscApiError):
    """9: too many identical requests within a minute, or too many at once
    (seed 003 for status.php, seed 004 for phones.php, facts §1.5 for the
    other scripts); the server's own text is "duplicate request, wait a
    minute" (facts §9). Every limit counts per minute: wait that long."""

    retryable = True
    retry_after = 60.0


#: ApiErrorMeaning names (``smsc_codec._codes``) -> the exception raised.
_BY_MEANING: dict[str, type[SmscApiError]] = {
    "PARAMETERS": ParametersError,
    "DATE_FORMAT": DateFormatError,
    "AUTHORISATION": AuthenticationError,
    "NO_MONEY": InsufficientFundsError,
    "NOT_FOUND": NotFoundError,
    "DELETE_FAILED": OperationFailedError,
    "OPERATION_FAILED": OperationFailedError,
    "SAVE_ERROR": OperationFailedError,
    "MESSAGE_DENIED": MessageDeniedError,
    "INVALID_NUMBER": InvalidNumberError,
    "CANNOT_DELIVER": UndeliverableError,
    "IP_BLOCKED": TemporarilyBlockedError,
    "RATE_LIMIT": RateLimitError,
}

_R = TypeVar("_R")


def error_class(meaning: ApiErrorMeaning) -> type[SmscApiError]:
    """The exception class of an error with this meaning (the base class for a
    code the script's table does not list)."""
    return _BY_MEANING.get(meaning.name, SmscApiError)


def raise_for_error(reply: _R) -> _R:
    """Return ``reply``, or raise the :class:`SmscApiError` subclass its
    meaning calls for when it is an :class:`~smsc_codec.ApiError`.

    >>> import smsc_codec
    >>> smsc_codec.raise_for_error(smsc_codec.decode("250.80", "balance.php"))
    Balance(balance=Decimal('250.80'))
    >>> refusal = smsc_codec.decode("ERROR = 2 (authorise error)", "balance.php")
    >>> try:
    ...     smsc_codec.raise_for_error(refusal)
    ... except smsc_codec.AuthenticationError as refused:
    ...     print(refused.code, refused.retryable)
    2 False
    """
    if isinstance(reply, ApiError):
        raise error_class(reply.meaning)(reply)
    return reply
