"""Running a command: inputs to chunks, chunks to outcomes, outcomes to outputs."""

from __future__ import annotations

import argparse
import os
import sys
import zoneinfo
from collections.abc import Iterator, Sequence
from typing import TextIO

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


def _run(args: argparse.Namespace) -> int:
    job = _job(args)
    if args.jobs < 0:
        raise UsageError("--jobs is a number of processes: 0 for one per core, or more")
    jobs = args.jobs if args.jobs > 0 else (os.cpu_count() or 1)
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
    output = None
    try:
        if job.command in ("decode", "convert"):
            output = Output(args.output, job.output, csv_columns(job), job.tz)
        rejects = open(args.rejects, "wb") if args.rejects else None  # noqa: SIM115
    except OSError as exc:
        if output is not None:
            output.close()
        raise UsageError(f"cannot write {exc.filename or args.output}: {exc.strerror}") from None
    progress = Progress(sys.stderr, enabled=sys.stderr.isatty() and not args.quiet)
    tally = Tally()
    counter = [0]
    interrupted = False
    try:
        with Interrupt() as interrupt:
            for outcome in _outcomes(
                sources, inputs, job, jobs, output=output, interrupt=interrupt, counter=counter
            ):
                if output is not None:
                    output.write(outcome.output)
                if rejects is not None and outcome.rejects:
                    rejects.write(outcome.rejects)
                    rejects.flush()
                if outcome.diagnostics:
                    progress.clear()
                    diagnostics.write(outcome.diagnostics)
                    diagnostics.flush()
                tally.merge(outcome.tally)
                progress.update(tally.records, counter[0])
            interrupted = interrupt.requested
    finally:
        if output is not None:
            output.close()
        if rejects is not None:
            rejects.close()
        progress.finish()
    _report(tally, args)
    if not args.quiet:
        sys.stderr.write(_summary(tally, args))
    if interrupted:
        sys.stderr.write("smsc-codec: interrupted; the output holds whole lines only\n")
        return INTERRUPTED
    return REJECTED if tally.rejected else OK


def _closed_streams() -> str | None:
    """What to say when standard output or standard error was closed when the
    tool started (``>&-``): rows, diagnostics or the summary would be lost."""
    streams = (("output", sys.stdout), ("error", sys.stderr))
    closed = [name for name, stream in streams if stream is None]
    if not closed:
        return None
    verb = "is" if len(closed) == 1 else "are"
    return f"smsc-codec: standard {' and standard '.join(closed)} {verb} closed: nothing was read\n"


def main(argv: Sequence[str] | None = None) -> int:
    closed = _closed_streams()
    if closed is not None:
        open_stream = sys.stderr or sys.stdout
        if open_stream is not None:  # say it on the one still open, if any
            open_stream.write(closed)
            open_stream.flush()
        return USAGE
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
    except OSError as exc:  # a full disk, a vanished input: no traceback
        sys.stderr.write(
            f"smsc-codec {args.command}: {exc.strerror or exc}"
            f"{f': {exc.filename}' if exc.filename else ''}\n"
        )
        return USAGE
