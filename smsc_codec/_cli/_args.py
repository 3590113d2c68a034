"""The command line's arguments, help texts and examples."""

from __future__ import annotations

import argparse

import msgspec

from smsc_codec._limits import Limits
from smsc_codec._version import __version__

from ._model_commands import add_commands as add_model_commands

_LIMIT_NAMES = tuple(field.name for field in msgspec.structs.fields(Limits))


def _limit(text: str) -> tuple[str, int]:
    """``NAME=N`` of ``--limit``: a field of Limits and a positive count."""
    name, _, value = text.partition("=")
    if name not in _LIMIT_NAMES:
        raise argparse.ArgumentTypeError(f"no limit {name!r} (names: {', '.join(_LIMIT_NAMES)})")
    if not (value.isascii() and value.isdigit() and int(value) > 0):
        raise argparse.ArgumentTypeError(f"{name} needs a positive whole number, not {value!r}")
    return name, int(value)


__all__ = ["build_parser"]

_INPUTS_HELP = """\
inputs:
  FILE or FOLDER (searched recursively for *.body, *.jsonl, *.ndjson, *.csv and
  their .gz forms), or - for standard input (the default). A .body file holds
  one answer; its request comes from --request, from a sibling NAME.json with a
  "request" key (as in the bundled corpus) or from a sibling NAME.request file.
  A .jsonl/.ndjson/.csv log holds one exchange a record, with the request in
  the field --request-field and the answer in --body-field. gzip is recognised
  by its content. A request is a URL, its "script.php?query" tail, or (in JSON
  Lines) an object of parameters, with the script in --script-field.
"""

#: what every command but check-corpus exits with
EXIT_STATUS = """\
exit status:
  0    every record was read
  1    some record was rejected (each is reported; --rejects keeps them)
  2    a usage error, an input or output that cannot be opened, or standard
       output or standard error closed
  130  interrupted by Ctrl-C (the output holds whole lines only)
"""

_DECODE_EXAMPLES = """\
examples:
  smsc-codec decode corpus/status/sms-all1-fmt0.body
  smsc-codec decode --request 'status.php?id=5&phone=79990000000&fmt=1' answer.txt
  smsc-codec decode traffic-2019.jsonl.gz --rejects rejected.jsonl > rows.jsonl
  smsc-codec decode logs/ --output-format csv -o rows.csv --jobs 4
  smsc-codec decode logs/ -f parquet -o tables/ --tz Europe/Moscow   # needs [parquet]
  zcat archive.jsonl.gz | smsc-codec decode - --body-field answer --request-field url
Parquet output is a folder with a dataset per reply kind (SmsStatus.parquet/,
ApiError.parquet/, ...: folders of part files, one per worker's range with
--jobs N), typed as smsc_codec.arrow.schema_for says: money decimal128(18, 6),
dates timestamps, codes with their names beside them.
"""

_VALIDATE_EXAMPLES = """\
examples:
  smsc-codec validate captured/
  smsc-codec validate --strict traffic.jsonl --rejects bad.jsonl
"""

_CONVERT_EXAMPLES = """\
examples:
  smsc-codec convert --to-fmt 3 archive-fmt0.jsonl.gz > archive-fmt3.jsonl
  smsc-codec convert --to-fmt 2 corpus/status/sms-all1-fmt0.body
  smsc-codec convert --to-fmt 0 --lossy corpus/status/sms-all2-fmt3.body
A JSON Lines record keeps its other fields; the request's fmt is changed and
the body re-encoded as the server writes it in that format.
"""

_STATS_EXAMPLES = """\
examples:
  smsc-codec stats corpus
  smsc-codec stats --json --jobs 4 traffic/ > stats.json
"""


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="*", default=["-"], metavar="INPUT", help="see below")
    reading = parser.add_argument_group("reading")
    reading.add_argument(
        "--input-format",
        choices=("auto", "body", "jsonl", "csv"),
        default="auto",
        help="what the inputs hold (default: by suffix; standard input is JSON Lines, "
        "or a body when --request is given)",
    )
    reading.add_argument("--request", help="the request of every body input")
    reading.add_argument(
        "--request-field", default="request", metavar="NAME", help="(default: request)"
    )
    reading.add_argument("--body-field", default="body", metavar="NAME", help="(default: body)")
    reading.add_argument(
        "--script-field",
        metavar="NAME",
        help="a field naming the script, when the request field is an object of parameters",
    )
    reading.add_argument(
        "--charset",
        choices=("utf-8", "windows-1251", "koi8-r", "auto"),
        help="the charset of body files (default: the request's charset parameter, else "
        "windows-1251); auto tells UTF-8 from windows-1251 and says which it chose",
    )
    reading.add_argument(
        "--limit",
        action="append",
        default=[],
        type=_limit,
        metavar="NAME=N",
        help="raise or lower one of the decoder's limits, e.g. max_body_bytes=200000000 "
        f"(names: {', '.join(_LIMIT_NAMES)}; see docs/security.md)",
    )
    reading.add_argument(
        "--strict",
        action="store_true",
        help="accept the documented layout only: unknown keys, unknown codes and "
        "ambiguous free text are problems too",
    )
    running = parser.add_argument_group("running")
    running.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=1,
        metavar="N",
        help="worker processes (0: one per core); output keeps the input's order",
    )
    running.add_argument(
        "--rejects",
        metavar="FILE",
        help="write each rejected record as read, with where it was and why (JSON Lines)",
    )
    running.add_argument(
        "--quiet", "-q", action="store_true", help="no progress line and no summary"
    )
    privacy = parser.add_argument_group("credentials")
    privacy.add_argument(
        "--keep-credentials",
        action="store_true",
        help="write psw, apikey and login as read (default: their values are written as "
        "*** in every output, reject record and diagnostic)",
    )
    privacy.add_argument(
        "--keep-login",
        action="store_true",
        help="write login as read, still masking psw and apikey",
    )


def _subparser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help_text: str,
    description: str,
    examples: str,
) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        name,
        help=help_text,
        description=description,
        epilog=_INPUTS_HELP + "\n" + examples + "\n" + EXIT_STATUS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(parser)
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smsc-codec",
        description="Decode, validate, convert and count answers of the SMSC HTTP API.",
        epilog="Run 'smsc-codec COMMAND --help' for a command's options and examples.\n\n"
        + EXIT_STATUS
        + "check-corpus exits with 0 when every entry passes, 1 when one fails.\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    decode = _subparser(
        commands,
        "decode",
        "decode answers to rows (JSON Lines, CSV, Parquet)",
        "Decode every answer to one row: the decoded fields with codes spelled out "
        "(status and err names, flag bits, the API error's meaning) and the record's "
        "file and line. Rejected records go to the diagnostics on standard error and "
        "to --rejects.",
        _DECODE_EXAMPLES,
    )
    decode.add_argument("--output", "-o", metavar="FILE", help="(default: standard output)")
    decode.add_argument(
        "--output-format",
        "-f",
        choices=("jsonl", "csv", "parquet"),
        default="jsonl",
        help="jsonl: a row per record, its reply (or replies, a list) nested; csv: a row "
        "per reply, codes as field.code/field.name columns; parquet: a folder (--output) "
        "of one typed table per reply kind (default: jsonl)",
    )
    decode.add_argument(
        "--tz",
        metavar="ZONE",
        help="the server's time zone, e.g. Europe/Moscow: dates become instants in it "
        "(default: naive server-local times); a local time the zone skips rejects its record",
    )

    _subparser(
        commands,
        "validate",
        "check answers against the layout their request implies",
        "Check every answer against the layout its request implies. Each problem is "
        "printed as FILE:LINE:COLUMN: message, with the offending text and a caret "
        "(for a log, LINE is the log's line and the message names the body's line), "
        "then a summary table.",
        _VALIDATE_EXAMPLES,
    )

    convert = _subparser(
        commands,
        "convert",
        "re-encode answers in another format",
        "Decode every answer and write it again as the server writes it in another "
        "format, with the request asking for that format.",
        _CONVERT_EXAMPLES,
    )
    convert.add_argument(
        "--to-fmt", type=int, choices=(0, 1, 2, 3), required=True, metavar="{0,1,2,3}"
    )
    convert.add_argument(
        "--lossy",
        action="store_true",
        help="drop or empty what the target format has no place for (a field its layout "
        "lacks, an unknown key, a mark of ambiguity) instead of rejecting the record",
    )
    convert.add_argument("--output", "-o", metavar="FILE", help="(default: standard output)")
    convert.add_argument(
        "--output-format",
        "-f",
        choices=("jsonl", "csv"),
        default="jsonl",
        help="a log of request and body (default: jsonl)",
    )

    stats = _subparser(
        commands,
        "stats",
        "count answers by script, status, err, operator and country",
        "Count answers by script, reply kind, status, delivery error, operator, "
        "country and API error, and total the message parts and the cost per reply kind "
        "and currency: what sending was charged (send.php, jobs.php) makes the total "
        "spent; price quotes (send.php cost=1) and the costs status.php and get.php "
        "report again for messages already sent are shown apart, never added to it.",
        _STATS_EXAMPLES,
    )
    stats.add_argument("--json", action="store_true", help="write the counts as JSON")

    check = commands.add_parser(
        "check-corpus",
        help="decode and check every entry of a corpus",
        description="Decode every entry of a corpus, compare it with its expected value, "
        "re-encode the byte-exact ones, and print a summary.",
        epilog="examples:\n  smsc-codec check-corpus corpus\n  smsc-codec check-corpus captures/"
        "\n\nexit status:\n  0    every entry passes\n  1    an entry fails\n"
        "  2    a usage error\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "corpus", nargs="?", default="corpus", help="corpus folder (default: corpus)"
    )
    add_model_commands(commands)  # schema, export-vectors
    return parser
