"""Lines a type checker must refuse (``tests/test_typing.py`` runs mypy on
this file and expects exactly the errors marked ``# error: <code>``; the
project's own mypy run leaves it out)."""

from __future__ import annotations

import smsc_codec
from smsc_codec import Decoder, MessageStatus, SmsStatus


def misspelt(body: bytes) -> None:
    reply = smsc_codec.decode_as(body, SmsStatus, fmt=1)
    if isinstance(reply, SmsStatus):
        print(reply.stauts)  # error: attr-defined
    rows = Decoder("status.php?id=1,2&phone=7,7&fmt=3", kind=SmsStatus).decode(body)
    for row in rows:  # error: union-attr
        print(row)


def frozen(reply: SmsStatus) -> None:
    reply.status = MessageStatus.DELIVERED  # error: misc


def wrong_types() -> None:
    SmsStatus(status=1)  # error: arg-type
