"""Running a command: inputs to chunks, chunks to outcomes, outcomes to outputs."""

from __future__ import annotations

import argparse
import os
import sys
import zoneinfo
from collections.abc import Iterator, Sequence
from typing import BinaryIO, TextIO

import msgspec

from smsc_codec._limits import Limits

from ._args import build_parser
from ._check_corpus import check_corpus
from ._model_commands import COMMANDS as MODEL_COMMANDS
from ._model_commands import run as run_model_command
from ._outputs import Output
from ._pipeline import Interrupt, outcomes
from ._progress import Progress
from ._records import LogFields
from ._redact import CREDENTIALS
from ._sources import InputOptions, Source, UsageError, find_sources, read_chunks
from ._tables import stats_tables, validate_summary
from ._work import Job, Outcome, Tally, csv_columns

__all__ = ["main"]

#: Exit statuses: everything read, something rejected, a usage error, Ctrl-C.
OK, REJECTED, USAGE, INTERRUPTED = 0, 1, 2, 130


def _redacted(args: argparse.Namespace) -> tuple[str, ...]:
    if args.keep_credentials:
        return ()
    return tuple(name for name in CREDENTIALS if not (name == "login" and args.keep_login))


def _zone(name: str | None) -> str | None:
    if name is None:
        return None
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"--tz: no time zone {name!r} (e.g. Europe/Moscow)") from None
    return name


def _job(args: argparse.Namespace) -> Job:
    names = [args.request_field, args.body_field, args.script_field]
    if len(set(names)) != len(names):
        raise UsageError("--request-field, --body-field and --script-field must differ")
    return Job(
        command=args.command,
        fields=LogFields(args.request_field, args.body_field, args.script_field),
        strict=args.strict,
        charset=args.charset,
        limits=Limits(**dict(args.limit)),
        output=getattr(args, "output_format", "jsonl"),
        to_fmt=getattr(args, "to_fmt", None),
        lossy=getattr(args, "lossy", False),
        redact=_redacted(args),
        tz=_zone(getattr(args, "tz", None)),
    )


def _summary(tally: Tally, args: argparse.Namespace) -> str:
    decoded = tally.records - tally.rejected
    text = f"smsc-codec: {tally.records:,} records, {decoded:,} read, {tally.rejected:,} rejected"
    if tally.rejected and args.rejects:
        text += f" (written to {args.rejects})"
    if tally.blank:
        text += f"; {tally.blank:,} blank lines skipped"
    if tally.charsets:
        chosen = ", ".join(f"{count:,} {name}" for name, count in tally.charsets.most_common())
        text += f"; charset auto chose {chosen}"
    return text + "\n"


def _report(tally: Tally, args: argparse.Namespace) -> None:
    """What validate and stats print at the end, on standard output."""
    if args.command == "validate":
        sys.stdout.write("\n" + validate_summary(tally.verdicts))
    elif args.command == "stats" and args.json:
        report = {"records": tally.records, "rejected": tally.rejected}
        report.update(tally.stats.as_json())
        sys.stdout.write(msgspec.json.format(msgspec.json.encode(report)).decode() + "\n")
    elif args.command == "stats":
        sys.stdout.write(stats_tables(tally.stats, tally.records, tally.rejected))


def _outcomes(
    sources: list[Source],
    inputs: InputOptions,
    job: Job,
    jobs: int,
    *,
    output: Output | None,
    interrupt: Interrupt,
    counter: list[int],
) -> Iterator[Outcome]:
    """The outcomes of the run, in input order: Parquet from plain JSON Lines
    files over several processes is written by the workers, range by range
    (``_ranges``); everything else goes chunk by chunk through this process."""
    if jobs > 1 and output is not None and output.folder is not None:
        from ._ranges import plan_ranges, range_outcomes  # noqa: PLC0415 - needs pyarrow

        ranges = plan_ranges(sources, jobs)
        if ranges is not None:
            return range_outcomes(
                ranges,
                job,
                jobs,
                folder=output.folder,
                limit=inputs.max_record,
                interrupt=interrupt,
                counter=counter,
            )
    return outcomes(read_chunks(sources, inputs, counter), job, jobs, interrupt)


def _worker_count(args: argparse.Namespace) -> int:
    """``--jobs`` as a number of processes (0: one per core)."""
    if args.jobs < 0:
        raise UsageError("--jobs is a number of processes: 0 for one per core, or more")
    return args.jobs if args.jobs > 0 else (os.cpu_count() or 1)


def _open_outputs(args: argparse.Namespace, job: Job) -> tuple[Output | None, BinaryIO | None]:
    """The command's output (decode and convert have one) and the rejects
    file, both opened before anything is read; a file that cannot be made is
    a usage error, and leaves nothing open."""
    output = None
    try:
        if job.command in ("decode", "convert"):
            output = Output(args.output, job.output, csv_columns(job), job.tz)
        rejects = open(args.rejects, "wb") if args.rejects else None  # noqa: SIM115
    except OSError as exc:
        if output is not None:
            output.close()
        raise UsageError(f"cannot write {exc.filename or args.output}: {exc.strerror}") from None
    return output, rejects


class _Sinks:
    """Where the outcomes go, chunk by chunk in input order: the output, the
    rejects file and the diagnostics; their counts add up in ``tally``."""

    def __init__(
        self,
        output: Output | None,
        rejects: BinaryIO | None,
        diagnostics: TextIO,
        progress: Progress,
    ) -> None:
        self.output = output
        self.rejects = rejects
        self.diagnostics = diagnostics
        self.progress = progress
        self.tally = Tally()

    def write(self, outcome: Outcome, bytes_read: int) -> None:
        if self.output is not None:
            self.output.write(outcome.output)
        if self.rejects is not None and outcome.rejects:
            self.rejects.write(outcome.rejects)
            self.rejects.flush()
        if outcome.diagnostics:
            self.progress.clear()
            self.diagnostics.write(outcome.diagnostics)
            self.diagnostics.flush()
        self.tally.merge(outcome.tally)
        self.progress.update(self.tally.records, bytes_read)

    def close(self) -> None:
        if self.output is not None:
            self.output.close()
        if self.rejects is not None:
            self.rejects.close()
        self.progress.finish()


def _finish(tally: Tally, args: argparse.Namespace, *, interrupted: bool) -> int:
    """The report and the summary at the end of a run, and its exit status."""
    _report(tally, args)
    if not args.quiet:
        sys.stderr.write(_summary(tally, args))
    if interrupted:
        sys.stderr.write("smsc-codec: interrupted; the output holds whole lines only\n")
        return INTERRUPTED
    return REJECTED if tally.rejected else OK


def _run(args: argparse.Namespace) -> int:
    job = _job(args)
    jobs = _worker_count(args)
    inputs = InputOptions(
        args.input_format,
        args.request,
        args.request_field,
        args.body_field,
        job.limits.max_body_bytes,
    )
    outputs = [getattr(args, "output", None) or "", args.rejects or ""]
    sources = find_sources(args.inputs, inputs, outputs)
    # diagnostics are validate's output; the other commands keep them off stdout
    diagnostics: TextIO = sys.stdout if job.command == "validate" else sys.stderr
    output, rejects = _open_outputs(args, job)
    progress = Progress(sys.stderr, enabled=sys.stderr.isatty() and not args.quiet)
    sinks = _Sinks(output, rejects, diagnostics, progress)
    counter = [0]
    interrupted = False
    try:
        with Interrupt() as interrupt:
            for outcome in _outcomes(
                sources, inputs, job, jobs, output=output, interrupt=interrupt, counter=counter
            ):
                sinks.write(outcome, counter[0])
            interrupted = interrupt.requested
    finally:
        sinks.close()
    return _finish(sinks.tally, args, interrupted=interrupted)


def _closed_streams() -> str | None:
    """What to say when standard output or standard error was closed when the
    tool started (``>&-``): rows, diagnostics or the summary would be lost."""
    streams = (("output", sys.stdout), ("error", sys.stderr))
    closed = [name for name, stream in streams if stream is None]
    if not closed:
        return None
    verb = "is" if len(closed) == 1 else "are"
    return f"smsc-codec: standard {' and standard '.join(closed)} {verb} closed: nothing was read\n"


def _say_closed(closed: str) -> int:
    """Say that a standard stream is closed on the one still open, if any."""
    open_stream = sys.stderr or sys.stdout
    if open_stream is not None:
        open_stream.write(closed)
        open_stream.flush()
    return USAGE


def _os_error(command: str, exc: OSError) -> int:
    """A full disk, a vanished input: said in one line, no traceback."""
    where = f": {exc.filename}" if exc.filename else ""
    sys.stderr.write(f"smsc-codec {command}: {exc.strerror or exc}{where}\n")
    return USAGE


def main(argv: Sequence[str] | None = None) -> int:
    closed = _closed_streams()
    if closed is not None:
        return _say_closed(closed)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "check-corpus":
        return check_corpus(args)
    if args.command in MODEL_COMMANDS:
        return run_model_command(args)
    try:
        return _run(args)
    except UsageError as exc:
        parser.exit(USAGE, f"smsc-codec {args.command}: {exc}\n")
    except BrokenPipeError:
        # the reader went away (`| head`): stop quietly, as other filters do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return REJECTED
    except KeyboardInterrupt:  # a second Ctrl-C
        return INTERRUPTED
    except OSError as exc:
        return _os_error(args.command, exc)
