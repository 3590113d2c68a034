"""Which candidate reply kind each line of a group is, for many lines at once.

The registry picks a line's kind with ``ReplySpec.pick_line``, one Python
call a line. For status.php, the one script whose answers mix two kinds
(SMS and HLR rows, ``_replies._status_spec``), the same rule is written here
as one pass of Arrow's regex engine over the lines:

* fmt=0: an HLR row holds ``, imsi = ``;
* fmt=1 with ``all=0``: an HLR row has at least as many columns as the
  shortest HLR layout (the HLR layout's field count, from the grammar);
* fmt=1 with ``all=1|2``: the ``type`` column (the last, or the one before
  the id of a multi-id row) is ``4`` once white space is stripped (a one-id
  row's last byte tells which rows the regex need not see).

``tests/test_columnar_pick.py`` holds these to ``pick_line`` on generated lines
and on the edges of each rule (white space around the 4, a row of one
column, a text holding ``, imsi = ``). Every other script's group has one
candidate, or goes through ``pick_line`` line by line.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._columnar_convert import Ints, mask, python_whitespace, string_buffers
from ._grammar import line_layouts
from ._replies import ReplySpec
from ._request import Request

__all__ = ["pick_candidates"]


@functools.cache
def _status_hlr_pattern(fmt: int, all_level: int, multi: bool, hlr_rule: str) -> str:
    """A regex a line matches exactly when ``pick_line`` picks HLR for it."""
    if fmt == 0:
        return ", imsi = "
    if all_level == 0:
        # an HLR row has as many columns as the shortest HLR layout, or more
        columns = min(len(layout.fields) for layout in line_layouts(fmt, hlr_rule))
        return f"^(?:[^,]*,){{{columns - 1}}}"
    space = python_whitespace()
    four = f"{space}*4{space}*"
    # (rsplit: the type column is the last, or the one before the last; a
    # row of fewer columns has no type column)
    return f"(?:^|,){four},[^,]*$" if multi else f",{four}$"


#: the last bytes of a line the one-id rule (``,`` then a 4 in white space at
#: the end) may match at: a 4, white space (ASCII, or any byte of another
#: character)
_MAY_END = np.asarray(
    [byte >= 0x80 or chr(byte).isspace() or byte == ord("4") for byte in range(256)]
)


def _ending_as_hlr(lines: pa.Array, pattern: str) -> Ints:
    """1 for the lines the one-id rule's ``pattern`` matches, else 0: the
    regex runs only on the lines whose last byte it may match at."""
    offsets, data = string_buffers(lines)
    ends = offsets[1:]
    filled = np.flatnonzero(ends > offsets[:-1])
    maybe = np.zeros(len(lines), dtype=bool)
    maybe[filled] = _MAY_END[data[ends[filled] - 1]]
    picked = np.zeros(len(lines), dtype=np.int64)
    chosen = np.flatnonzero(maybe)
    if len(chosen):
        subset = lines if len(chosen) == len(lines) else lines.take(pa.array(chosen))
        picked[chosen] = mask(pc.match_substring_regex(subset, pattern))
    return picked


def pick_candidates(spec: ReplySpec, layout: Request, fmt: int, lines: pa.Array) -> Ints:
    """The number (in ``spec.candidates``) of each line's candidate, as
    ``spec.pick_line`` picks it; -1 for a pick that is not one of them."""
    candidates = spec.candidates
    if len(candidates) == 1:
        return np.zeros(len(lines), dtype=np.int64)
    names = [candidate.cls.__name__ for candidate in candidates]
    if layout.script == "status" and names == ["SmsStatus", "HlrStatus"]:
        pattern = _status_hlr_pattern(fmt, layout.all, layout.multi, candidates[1].rule)
        if fmt == 1 and layout.all and not layout.multi:
            return _ending_as_hlr(lines, pattern)
        return mask(pc.match_substring_regex(lines, pattern)).astype(np.int64)
    # any other registry rule: one call a line, in a C-level map
    pick = functools.partial(spec.pick_line, fmt)
    order = {id(candidate): number for number, candidate in enumerate(candidates)}
    return np.fromiter(
        map(order.get, map(id, map(pick, lines.to_pylist())), itertools.repeat(-1)),
        dtype=np.int64,
        count=len(lines),
    )
