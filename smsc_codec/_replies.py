"""Which reply kinds and layouts a request implies.

A :class:`ReplySpec` is the registry entry for the success answers of one
request shape: the candidate reply kinds with their fmt=0/1 layout rule, how a
record picks its candidate, and the fmt=2 element names. Error and ``OK``
answers are common to every script and are handled before a spec is consulted.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from typing import NamedTuple

import msgspec

from ._errors import RequestError
from ._model import HlrStatus, SmsStatus
from ._request import Request

__all__ = ["Candidate", "ReplySpec", "reply_spec"]


class Candidate(NamedTuple):
    """One reply kind a record may be, with its layout rule in the fmt=0/1 grammars."""

    cls: type[msgspec.Struct]
    rule: str
    #: fields that fmt=2/3 write last, after the model's declaration order
    trailing_keys: tuple[str, ...] = ()


class ReplySpec(NamedTuple):
    """The success answers of one request shape."""

    candidates: tuple[Candidate, ...]
    multi: bool  #: a list of records (one line / element / object each)
    xml_item: str  #: the element of one record (fmt=2)
    xml_list: str  #: the element around several records (fmt=2)
    #: picks the candidate of a fmt=0/1 line
    pick_line: Callable[[int, str], Candidate]
    #: picks the candidate of a fmt=2/3 record from its keys
    pick_keys: Callable[[Collection[str]], Candidate]


def _status_spec(all_level: int, multi: bool) -> ReplySpec:
    suffix = f"_all{all_level}" + ("_multi" if multi else "")
    # Seed 003 / facts §9: a multi-id all=0 row appends id, then phone.
    trailing = ("id", "phone") if multi and not all_level else ()
    sms = Candidate(SmsStatus, "status_sms" + suffix, trailing)
    hlr = Candidate(HlrStatus, "status_hlr" + suffix, trailing)
    # fmt=1 columns: an all=0 HLR row has 11 (13 with id and phone), an SMS row
    # at most 5. With all=1|2 the `type` column (last, or before the id) is 4
    # for an HLR request (seed 003: "for HLR, it is equal to 4").
    hlr_min_columns = 13 if multi else 11
    type_column = -2 if multi else -1

    def pick_line(fmt: int, line: str) -> Candidate:
        if fmt == 0:
            return hlr if ", imsi = " in line else sms
        if all_level == 0:
            return hlr if line.count(",") + 1 >= hlr_min_columns else sms
        columns = line.rsplit(",", -type_column)
        return hlr if len(columns) > 1 and columns[type_column].strip() == "4" else sms

    def pick_keys(keys: Collection[str]) -> Candidate:
        return hlr if "imsi" in keys else sms

    return ReplySpec((sms, hlr), multi, "sms", "list", pick_line, pick_keys)


@functools.cache
def _cached_spec(script: str, all_level: int, multi: bool) -> ReplySpec:
    if script == "status":
        return _status_spec(all_level, multi)
    raise RequestError(f"answers of {script}.php are not supported yet")


@functools.lru_cache(maxsize=1024)
def reply_spec(request: Request) -> ReplySpec:
    """The registry entry for the success answers of ``request``."""
    if request.script == "status":
        return _cached_spec("status", request.all, request.multi)
    return _cached_spec(request.script, 0, False)
