"""Running chunks through :func:`process`, here or on several cores, in order.

With ``jobs > 1`` a bounded window of chunks is in flight (two per worker), so
memory stays flat however long the input; outcomes come back in input order.
Workers ignore Ctrl-C: the main process decides what is written.
"""

from __future__ import annotations

import signal
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from ._sources import Chunk
from ._work import Job, Outcome, process

__all__ = ["Interrupt", "outcomes"]


class Interrupt:
    """Ctrl-C asks the run to stop after the chunk being written; a second one stops at once."""

    def __init__(self) -> None:
        self.requested = False

    def __enter__(self) -> Interrupt:
        self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        signal.signal(signal.SIGINT, self._previous)

    def _handle(self, signum: int, frame: object) -> None:
        self.requested = True
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def outcomes(
    chunks: Iterable[Chunk], job: Job, jobs: int, interrupt: Interrupt
) -> Iterator[Outcome]:
    """Each chunk's outcome, in input order, until the input ends or Ctrl-C."""
    if jobs <= 1:
        for chunk in chunks:
            if interrupt.requested:
                return
            yield process(chunk, job)
        return
    pool = ProcessPoolExecutor(jobs, initializer=_ignore_interrupts)
    pending: deque[Future[Outcome]] = deque()
    try:
        for chunk in chunks:
            if interrupt.requested:
                return
            pending.append(pool.submit(process, chunk, job))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().result()
        while pending and not interrupt.requested:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
