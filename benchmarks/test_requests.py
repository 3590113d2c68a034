"""Requests: ``decode(body, url)`` with a different URL on every call, beside
a ``Decoder`` made once for the request.

A log's requests carry message ids, numbers and credentials: no two URLs are
the same, but few layouts are. Reducing a request to what chooses the layout
(script, command, ``fmt``, ``all``, ``cost``, ``op``, ``err``, several ids or
numbers, charset) must cost little beside the decode itself. Goal: at most
1.3× the reused decoder, for a short answer (where the request's cost shows
most) and a status row with ``all=2``.
"""

from __future__ import annotations

import itertools

import pytest

import smsc_codec
from benchmarks.conftest import CASES, TINY_CASES, Case, RaceFixture

GOAL = 1.3
#: distinct URLs cycled through (more than any cache holds)
URLS = 20_000


def _unique_urls(case: Case) -> list[str]:
    """The case's request with a different id, number and password each time."""
    base, _, query = case.request.partition("?")
    return [
        f"https://smsc.ru/sys/{base}?login=client{i % 97}&psw=secret{i}&{query}"
        f"&mes=hello+{i}&phones=7999{i:07d}".replace("id=1&", f"id={100000 + i}&")
        for i in range(URLS)
    ]


CASES_BY_NAME = {
    "send-fmt1": TINY_CASES[("send", 1)],
    "status-fmt0": TINY_CASES[("status", 0)],
    "status-fmt3": TINY_CASES[("status", 3)],
    "status-all2-fmt1": CASES[(1, 1)],
}


@pytest.mark.parametrize("name", list(CASES_BY_NAME))
def test_unique_requests(race: RaceFixture, name: str) -> None:
    case = CASES_BY_NAME[name]
    urls = _unique_urls(case)
    for url in urls[:50]:
        assert smsc_codec.decode(case.body, url) == case.expected
    decoder = smsc_codec.Decoder(case.request)
    body = case.body
    # both contenders step through the URLs, so that only the decode differs
    by_url, for_decoder = itertools.cycle(urls), itertools.cycle(urls)
    race(
        f"requests-{name}",
        {
            "codec": lambda: smsc_codec.decode(body, next(by_url)),
            "decoder": lambda: (next(for_decoder), decoder.decode(body)),
        },
        baseline="decoder",
        goal=GOAL,
    )
