"""Small helpers shared by the tests."""

from __future__ import annotations

import msgspec

from smsc_codec import ApiError, HlrStatus, SmsStatus

#: reply kind -> the grammar rule prefix of its status.php layouts
STATUS_KINDS: dict[type[msgspec.Struct], str] = {SmsStatus: "status_sms", HlrStatus: "status_hlr"}
ALL_KINDS: tuple[type[msgspec.Struct], ...] = (SmsStatus, HlrStatus, ApiError)


def status_request(fmt: int, all_level: int = 0, *, multi: bool = False, charset: str = "") -> str:
    ids = "101,102" if multi else "101"
    query = f"id={ids}&phone=79990000000&all={all_level}&fmt={fmt}"
    if charset:
        query += f"&charset={charset}"
    return f"status.php?{query}"


def status_rule(kind: type[msgspec.Struct], all_level: int, *, multi: bool) -> str:
    return f"{STATUS_KINDS[kind]}_all{all_level}" + ("_multi" if multi else "")
