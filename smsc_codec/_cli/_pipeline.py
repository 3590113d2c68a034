"""Running chunks through :func:`process`, here or on several cores, in order.

With ``jobs > 1`` a bounded window of chunks is in flight (two per worker), so
memory stays flat however long the input; outcomes come back in input order.
Workers ignore Ctrl-C: the main process decides what is written. Workers end
when the main process dies, however it dies (``kill -9`` included): on Linux
the kernel kills them (``prctl(PR_SET_PDEATHSIG)``), elsewhere a thread in
each worker watches its parent.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from ._sources import Chunk
from ._work import Job, Outcome, process

__all__ = ["Interrupt", "outcomes", "pool", "stop_event", "stopping"]


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


#: prctl's option asking for a signal when the parent dies (linux/prctl.h).
_PR_SET_PDEATHSIG = 1
#: How often the watching thread looks for its parent, in seconds.
WATCH_INTERVAL = 0.5


#: In a worker: the event the main process sets to ask for an early stop.
_stop: Any = None


def _start_worker(parent: int, stop: Any = None) -> None:
    """A worker's initializer: ignore Ctrl-C, and end with ``parent``."""
    global _stop  # noqa: PLW0603 - the worker's own, set once as it starts
    _stop = stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not _killed_with_parent():
        watch_parent(parent)
    if os.getppid() != parent:  # the parent died before the worker could ask
        os._exit(1)


def _killed_with_parent() -> bool:
    """Ask Linux to kill this process when its parent dies; False where it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def watch_parent(parent: int, interval: float = WATCH_INTERVAL) -> None:
    """End this process, from a daemon thread, once ``parent`` is no longer its
    parent (a process whose parent died is given another one)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def stopping() -> bool:
    """In a worker: whether the main process asked it to stop early (Ctrl-C)."""
    return _stop is not None and bool(_stop.is_set())


def _context() -> Any:
    # fork where the kernel can tie a worker to its parent: the worker's parent is
    # then this process (a fork server would be its parent otherwise)
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def stop_event() -> Any:
    """An event the workers of :func:`pool` see (:func:`stopping`)."""
    return _context().Event()


def pool(jobs: int, stop: Any = None) -> ProcessPoolExecutor:
    """``jobs`` workers that ignore Ctrl-C and end with this process."""
    # what is made so far lives as long as the run: the collector need not look
    # at it again, here or in a forked worker (where looking copies its pages)
    gc.freeze()
    return ProcessPoolExecutor(
        jobs, mp_context=_context(), initializer=_start_worker, initargs=(os.getpid(), stop)
    )


def outcomes(
    chunks: Iterable[Chunk], job: Job, jobs: int, interrupt: Interrupt
) -> Iterator[Outcome]:
    """Each chunk's outcome, in input order, until the input ends or Ctrl-C."""
    if jobs <= 1:
        return _outcomes_here(chunks, job, interrupt)
    return _outcomes_in_workers(chunks, job, jobs, interrupt)


def _outcomes_here(chunks: Iterable[Chunk], job: Job, interrupt: Interrupt) -> Iterator[Outcome]:
    """Each chunk's outcome, made in this process."""
    for chunk in chunks:
        if interrupt.requested:
            return
        yield process(chunk, job)


def _outcomes_in_workers(
    chunks: Iterable[Chunk], job: Job, jobs: int, interrupt: Interrupt
) -> Iterator[Outcome]:
    """Each chunk's outcome, made by ``jobs`` worker processes, at most two
    chunks a worker ahead of the one written."""
    chunks = iter(chunks)
    # the first chunk is done here: the workers, forked after it, start with
    # what it made ready (modules imported, layouts compiled) instead of each
    # making it again
    for chunk in chunks:
        if interrupt.requested:
            return
        yield process(chunk, job)
        break
    workers = pool(jobs)
    pending: deque[Future[Outcome]] = deque()
    try:
        for chunk in chunks:
            if interrupt.requested:
                return
            pending.append(workers.submit(process, chunk, job))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().result()
        while pending and not interrupt.requested:
            yield pending.popleft().result()
    finally:
        workers.shutdown(wait=True, cancel_futures=True)
