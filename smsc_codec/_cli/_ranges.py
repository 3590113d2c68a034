"""``decode -f parquet --jobs N`` over plain JSON Lines files: each worker
reads byte ranges of the input itself and writes its own Parquet parts.

The main process only plans the ranges (cutting a file after a line break,
so that a record never spans two ranges, and counting the line breaks
before each cut, so that every range knows its first line's number), hands
them out, and passes on each range's rejects, diagnostics and counts in
input order. A range's rows go to its own part of each kind's dataset
(``SmsStatus.parquet/part-00003.parquet``), parts numbered in input order:
no row crosses between processes.

A range's rejects and diagnostics are held in memory up to ``SPILL_BYTES``,
then in a file of their own, so memory stays flat whatever the input.
Inputs that are not plain files (standard input, gzip, CSV, body files)
take the chunked path of ``_pipeline``.

Ctrl-C: the workers stop after the chunk they are decoding, and close their
parts (whole row groups); the output is then the input up to there, as in
the chunked path: the parts of ranges after the first one cut short are
removed, and their rejects are not written.
"""

from __future__ import annotations

import codecs
import io
import os
import shutil
import stat
import tempfile
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, wait
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import numpy as np

from ._outputs import PartWriters
from ._pipeline import Interrupt, pool, stop_event, stopping
from ._sources import _GZIP_MAGIC, _READ_ERRORS, CHUNK_BYTES, Source, _jsonl_chunks, _unreadable
from ._work import Job, Outcome, Tally, process

__all__ = ["FileRange", "plan_ranges", "range_outcomes"]

#: A range is at least this many bytes (a chunk of work) and at most
#: ``RANGE_MAX_BYTES``; between the two, a file is cut into about four ranges
#: a worker, so that a worker slowed down by others gets fewer.
RANGE_MIN_BYTES = CHUNK_BYTES
RANGE_MAX_BYTES = 64 << 20
RANGES_PER_WORKER = 4
#: A range's rejects or diagnostics beyond this many bytes go to a file.
SPILL_BYTES = 4 << 20
#: The main process reads a file this much at a time to count line breaks.
_COUNT_BYTES = 4 << 20
_BREAK = ord("\n")
#: How often the main process looks at Ctrl-C while waiting, in seconds.
_WAIT = 0.2


class FileRange(NamedTuple):
    """Bytes ``start`` to ``end`` of a file: whole lines, the first numbered ``first_line``."""

    source: str  #: the file's name, as diagnostics show it
    path: str
    start: int
    end: int
    first_line: int
    part: int  #: the range's number over the whole run: its parts' names


def _plain_log(source: Source) -> int | None:
    """The size of a source that can be read in ranges: a regular JSON Lines
    file, not gzip; None for any other."""
    if source.problem is not None or source.path is None or source.form != "jsonl":
        return None
    try:
        info = source.path.stat()
        if not stat.S_ISREG(info.st_mode):
            return None
        with source.path.open("rb") as file:
            if file.read(2) == _GZIP_MAGIC:
                return None
    except OSError:
        return None  # (the chunked path says what is wrong with it)
    return info.st_size


def plan_ranges(sources: Sequence[Source], jobs: int) -> Iterator[FileRange] | None:
    """The ranges of ``sources``, made as they are asked for; None when a
    source cannot be read in ranges (then none is)."""
    sizes = [_plain_log(source) for source in sources]
    if not sources or None in sizes:
        return None
    total = sum(size for size in sizes if size is not None)
    target = total // (jobs * RANGES_PER_WORKER) + 1
    target = min(max(target, RANGE_MIN_BYTES), RANGE_MAX_BYTES)
    return _ranges(sources, target)


def _ranges(sources: Sequence[Source], target: int) -> Iterator[FileRange]:
    part = 0
    block = bytearray(_COUNT_BYTES)
    for source in sources:
        assert source.path is not None
        with source.path.open("rb", buffering=0) as file:
            size = os.fstat(file.fileno()).st_size
            start, line = 0, 1
            while start < size:
                end, breaks = _cut(file, block, start, start + target, size)
                yield FileRange(source.name, str(source.path), start, end, line, part)
                part += 1
                start, line = end, line + breaks


def _cut(file: io.FileIO, block: bytearray, start: int, wanted: int, size: int) -> tuple[int, int]:
    """Where a range from ``start`` ends: after the first line break from
    ``wanted`` on (or at the end of the file); and the line breaks it holds.
    ``block`` is the buffer to read into."""
    file.seek(start)
    breaks = 0
    position = start
    view = memoryview(block)
    while position < min(wanted, size):
        count = file.readinto(view[: min(len(block), wanted - position)])
        if not count:
            return position, breaks  # (the file was cut short meanwhile)
        # numpy counts a few times faster than bytes.count
        breaks += int(np.count_nonzero(np.frombuffer(block, np.uint8, count) == _BREAK))
        position += count
    while position < size:  # on to the end of the line the cut fell in
        piece = file.read(64 << 10)
        if not piece:
            break
        found = piece.find(b"\n")
        if found >= 0:
            return position + found + 1, breaks + 1
        position += len(piece)
    return position, breaks


class _Window(io.RawIOBase):
    """At most ``count`` bytes of ``raw`` from where it stands."""

    def __init__(self, raw: BinaryIO, count: int) -> None:
        self._raw = raw
        self._left = count

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(min(len(buffer), self._left))
        count = len(data)
        buffer[:count] = data
        self._left -= count
        return count


class _Spool:
    """Bytes kept in memory up to SPILL_BYTES, then in a file of ``folder``."""

    def __init__(self, folder: str) -> None:
        self._folder = folder
        self._kept: list[bytes] = []
        self._size = 0
        self._file: BinaryIO | None = None
        self._name = ""

    def write(self, data: bytes) -> None:
        if self._file is None and self._size + len(data) > SPILL_BYTES:
            handle, self._name = tempfile.mkstemp(dir=self._folder)
            self._file = open(handle, "wb")  # noqa: SIM115 - closed in taken()
            self._file.write(b"".join(self._kept))
            self._kept.clear()
        if self._file is not None:
            self._file.write(data)
        else:
            self._kept.append(data)
            self._size += len(data)

    def taken(self) -> bytes | str:
        """What was written: the bytes, or the name of the file holding them."""
        if self._file is None:
            return b"".join(self._kept)
        self._file.close()
        return self._name


class _Done(NamedTuple):
    """What a worker sends back for a range; its rows are in its parts."""

    rejects: bytes | str  #: the bytes, or a spool file's name
    diagnostics: bytes | str  #: UTF-8
    tally: Tally
    parts: list[Path]
    stopped: bool  #: cut short by Ctrl-C


def decode_range(part: FileRange, job: Job, folder: Path, limit: int, spool: str) -> _Done:
    """Decode one range into its parts (run in a worker)."""
    writers = PartWriters(folder, part.part)
    rejects, diagnostics = _Spool(spool), _Spool(spool)
    tally = Tally()
    source = Source(part.source, Path(part.path), "jsonl")
    position = [part.first_line]
    stopped = False

    def take(outcome: Outcome) -> None:
        writers.write(outcome.output)
        if outcome.rejects:
            rejects.write(outcome.rejects)
        if outcome.diagnostics:
            diagnostics.write(outcome.diagnostics.encode("utf-8"))
        tally.merge(outcome.tally)

    try:
        try:
            with open(part.path, "rb", buffering=0) as raw:
                raw.seek(part.start)
                stream = io.BufferedReader(_Window(raw, part.end - part.start), 1 << 16)
                for chunk in _jsonl_chunks(source, stream, limit, position):
                    take(process(chunk, job))
                    if stopping():
                        stopped = True
                        break
        except _READ_ERRORS as exc:
            take(process(_unreadable(source, position[0], exc), job))
    finally:
        writers.close()
    return _Done(rejects.taken(), diagnostics.taken(), tally, writers.paths(), stopped)


def _pieces(taken: bytes | str) -> Iterator[bytes]:
    """What a spool holds, in pieces; a spool file is removed once read."""
    if isinstance(taken, bytes):
        if taken:
            yield taken
        return
    try:
        with open(taken, "rb") as file:
            while piece := file.read(SPILL_BYTES):
                yield piece
    finally:
        os.unlink(taken)


def _outcomes_of(done: _Done, size: int, counter: list[int]) -> Iterator[Outcome]:
    """A range's rejects and diagnostics as outcomes (no rows: those are
    written), its counts with the last."""
    rejects = _pieces(done.rejects)
    diagnostics = _pieces(done.diagnostics)
    text = codecs.getincrementaldecoder("utf-8")()  # (a piece may end inside a character)
    while True:
        reject = next(rejects, b"")
        report = next(diagnostics, b"")
        if not reject and not report:
            break
        yield Outcome({}, reject, text.decode(report), Tally())
    counter[0] += size
    yield Outcome({}, b"", "", done.tally)


def _discard(done: _Done) -> None:
    for taken in (done.rejects, done.diagnostics):
        if isinstance(taken, str):
            os.unlink(taken)
    for path in done.parts:
        path.unlink(missing_ok=True)


def range_outcomes(
    ranges: Iterator[FileRange],
    job: Job,
    jobs: int,
    *,
    folder: Path,
    limit: int,
    interrupt: Interrupt,
    counter: list[int],
) -> Iterator[Outcome]:
    """Each range's outcome, in input order, the rows written by the workers.
    ``counter[0]`` counts the bytes of the ranges done."""
    spool = tempfile.mkdtemp(prefix="smsc-codec-")
    stop = stop_event()
    workers = pool(jobs, stop)
    pending: deque[tuple[FileRange, Future[_Done]]] = deque()

    def first_done(most: int) -> Iterator[Outcome]:
        """The first range's outcomes, once it is done, while more than ``most`` are out."""
        while len(pending) > most and not interrupt.requested:
            wait([pending[0][1]], timeout=_WAIT)
            if pending[0][1].done():
                done, future = pending.popleft()
                yield from _outcomes_of(future.result(), done.end - done.start, counter)

    try:
        for part in ranges:
            if interrupt.requested:
                break
            pending.append((part, workers.submit(decode_range, part, job, folder, limit, spool)))
            yield from first_done(2 * jobs - 1)
        yield from first_done(0)
        if interrupt.requested:
            yield from _stop(pending, stop, counter)
    finally:
        stop.set()  # (after an error: the workers stop after their chunk)
        workers.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(spool, ignore_errors=True)


def _stop(
    pending: deque[tuple[FileRange, Future[_Done]]], stop: Any, counter: list[int]
) -> Iterator[Outcome]:
    """After Ctrl-C: the ranges done or cut short, in order, up to the first
    cut short; the parts of those after it removed."""
    stop.set()
    for _, future in pending:
        future.cancel()  # (not started: nothing written)
    whole = True
    for part, future in pending:
        if future.cancelled():
            whole = False  # (a range not read: those after it are not kept)
            continue
        done = future.result()
        if whole:
            yield from _outcomes_of(done, part.end - part.start, counter)
            whole = not done.stopped
        else:
            _discard(done)
