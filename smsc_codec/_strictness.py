"""What strict decoding reports beyond the layout: codes the tables do not know."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec

from ._codes import MessageFlags, _CodeEnum
from ._schema import plan_for

__all__ = ["unknown_codes"]


def unknown_codes(reply: msgspec.Struct) -> Iterator[tuple[str, Any]]:
    """Yield (field, value) for each code outside the documented tables.

    A ``flag`` with bits the documentation gives no meaning counts as unknown.
    """
    for spec in plan_for(type(reply)).fields:
        value = getattr(reply, spec.name)
        unknown_code = isinstance(value, _CodeEnum) and not value.is_known
        unknown_bits = isinstance(value, MessageFlags) and bool(
            value.unknown_bits or not value.message_type.is_known
        )
        if unknown_code or unknown_bits:
            yield spec.name, value
