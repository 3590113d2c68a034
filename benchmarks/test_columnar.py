"""Columnar decoding (``smsc_codec.arrow.decode_table``) beside per-answer
decoding followed by building the same Arrow tables, per format.

The input is an archive's shape: ``ANSWERS`` answers of one layout, each to
its own request (the ids differ, as in a log), the ``all=2`` status row of
``conftest.py`` (20 fields, Cyrillic text; in fmt=0 a message with a comma
and `` = ``). Contenders, timed by CPU in interleaved rounds (``race.py``):

* ``columnar``: ``decode_table(requests, bodies)``;
* ``per-answer+arrow`` (the baseline): every answer through the per-answer
  decoder, its replies turned into the same typed tables
  (``decode_columns(..., columnar=False)``, the reference the differential
  tests hold the columnar readers to);
* ``per-answer``: the per-answer decoder alone, a reused ``Decoder`` per
  layout, no tables (context: the cost of decoding without the columns).

Goals (issue: archives): columnar at least 5x the baseline's rate for fmt=1,
3x for fmt=0 and fmt=3, and fmt=2 no slower (a time ratio of 0.2, 0.33, 0.33
and 1.0).
"""

from __future__ import annotations

import os

import pytest

import smsc_codec
from benchmarks.conftest import CASES, RaceFixture
from smsc_codec._columnar import decode_columns
from smsc_codec.arrow import decode_table

ANSWERS = int(os.environ.get("SMSC_COLUMNAR_BENCH_ANSWERS", "5000"))
GOALS = {0: 1 / 3, 1: 1 / 5, 2: 1.0, 3: 1 / 3}


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_columnar(race: RaceFixture, fmt: int) -> None:
    case = CASES[(fmt, 1)]
    requests = [f"{case.request}&n={number}" for number in range(ANSWERS)]
    bodies = [case.body] * ANSWERS
    decoder = smsc_codec.Decoder(case.request)

    def per_answer() -> object:
        return [decoder.decode(body) for body in bodies]

    # the columnar tables are the per-answer ones, and every answer is in them
    tables = decode_table(requests, bodies)
    reference = decode_columns(requests, bodies, columnar=False)
    (kind,) = reference.tables
    assert tables[kind.__name__].equals(reference.tables[kind])
    assert tables[kind.__name__].num_rows == ANSWERS
    race(
        f"columnar-fmt{fmt}",
        {
            "per-answer+arrow": lambda: decode_columns(requests, bodies, columnar=False),
            "columnar": lambda: decode_table(requests, bodies),
            "per-answer": per_answer,
        },
        baseline="per-answer+arrow",
        subject="columnar",
        goal=GOALS[fmt],
        rounds=7,
    )
