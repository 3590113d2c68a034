"""Variants of real traffic beside the canonical answer, and rejections
beside good lines (issue 14, items 3 and 4).

The canonical answer is the benchmark's ``all=2`` status row
(``conftest.py``). Each variant is the same answer as traffic writes it: the
optional ``err`` and ``comment`` left out, ``operator_orig = `` with the space
other keys have, keys in another order, an unknown key, a final line break
(fmt 0 and 3; fmt=1 where it applies: the final line break, and the
``, <comment>`` columns without the space seed 003 prints). A reused
``Decoder`` reads the variant after its first sight (the race warms each
contender up first). Goal: ≤ 1.3× the canonical answer's decode.

A rejected line (a value its kind refuses) beside a good line: what lenient
decoding costs to say no (the DecodeError raised, its message not yet
worded). Goal: ≤ 20×.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import smsc_codec
from benchmarks.conftest import CASES, RaceFixture

VARIANT_GOAL = 1.3
REJECT_GOAL = 20.0


def _fmt0_variants(body: str) -> dict[str, str]:
    reordered = body.replace(", cost = 1.40", "").replace(
        "Status = 1, ", "Status = 1, cost = 1.40, "
    )
    return {
        "omitted": body.replace(", err = 0", "").replace(", comment = коммент", ""),
        "spaced": body.replace("operator_orig= ", "operator_orig = "),
        "reordered": reordered,
        # after a typed value an unknown key starts a pair; after a free
        # text it reads as more of that text (the key scanner's rule), which
        # here leaves the line with two commas in free text
        "unknown-key": body.replace(", err = 0", ", err = 0, tz = 3"),
        "unknown-key-after-text": body.replace(", type = 0", ", tz = 3, type = 0"),
        "newline": body + "\n",
    }


def _fmt3_variants(body: str) -> dict[str, str]:
    members = json.loads(body)
    omitted = {k: v for k, v in members.items() if k not in ("err", "comment")}
    reordered = {"cost": members["cost"], **{k: v for k, v in members.items() if k != "cost"}}
    unknown = {**members, "tz": 3}

    def written(obj: dict[str, object]) -> str:
        # the server's own form: one key a line (docs/sources.md §9)
        lines = [f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(lines) + "\n}"

    assert written(members) == body
    return {
        "omitted": written(omitted),
        "reordered": written(reordered),
        "unknown-key": written(unknown),
        "newline": body + "\n",
    }


def _fmt1_variants(body: str) -> dict[str, str]:
    return {"no-space": body.replace(", ", ","), "newline": body + "\n"}


VARIANTS = {
    0: _fmt0_variants(CASES[(0, 1)].body),
    1: _fmt1_variants(CASES[(1, 1)].body),
    3: _fmt3_variants(CASES[(3, 1)].body),
}
VARIANT_CASES = [(fmt, name) for fmt, variants in VARIANTS.items() for name in variants]


@pytest.mark.parametrize(
    ("fmt", "variant"), VARIANT_CASES, ids=[f"{f}-{n}" for f, n in VARIANT_CASES]
)
def test_variant(race: RaceFixture, fmt: int, variant: str) -> None:
    case = CASES[(fmt, 1)]
    body = VARIANTS[fmt][variant]
    decode = smsc_codec.Decoder(case.request).decode
    got: Any = decode(body)
    assert type(got) is type(case.expected)
    assert got.status == case.expected.status
    assert got.message == case.expected.message
    assert decode(case.body) == case.expected
    race(
        f"variant-fmt{fmt}-{variant}",
        {"variant": lambda: decode(body), "canonical": lambda: decode(case.body)},
        baseline="canonical",
        subject="variant",
        goal=VARIANT_GOAL,
    )


#: a good line and the same line with one value its kind refuses
REJECTED = {
    0: CASES[(0, 1)].body.replace("err = 0", "err = x"),
    1: CASES[(1, 1)].body.replace(",1624884940,", ",16248849x0,"),
    3: CASES[(3, 1)].body.replace('"err": 0', '"err": "x"'),
}


@pytest.mark.parametrize("fmt", sorted(REJECTED))
def test_reject(race: RaceFixture, fmt: int) -> None:
    case = CASES[(fmt, 1)]
    bad = REJECTED[fmt]
    decode = smsc_codec.Decoder(case.request).decode

    def reject() -> None:
        try:
            decode(bad)
        except smsc_codec.DecodeError:
            return
        raise AssertionError("the bad line was read")

    reject()
    assert decode(case.body) == case.expected
    race(
        f"reject-fmt{fmt}",
        {"reject": reject, "good": lambda: decode(case.body)},
        baseline="good",
        subject="reject",
        goal=REJECT_GOAL,
    )
