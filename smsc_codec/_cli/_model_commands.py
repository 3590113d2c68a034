"""``smsc-codec schema`` and ``smsc-codec export-vectors``: the model for
other tools and other languages (its JSON Schema, the corpus as test vectors)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from smsc_codec._json_schema import json_schema
from smsc_codec._vectors import export_vectors

__all__ = ["COMMANDS", "add_commands", "run"]

COMMANDS = ("schema", "export-vectors")

_SCHEMA_EXAMPLES = """\
examples:
  smsc-codec schema > smsc-model.schema.json
  smsc-codec schema --wire -o smsc-fmt3.schema.json
"""

_VECTORS_EXAMPLES = """\
examples:
  smsc-codec export-vectors vectors/
  smsc-codec export-vectors --corpus captures/ vectors/
DIR/index.json lists every case: the request, the body file (DIR/bodies/...),
its charset, the expected reply as JSON (see DIR/schema.json) or the expected
rejection with its line and column, whether re-encoding is byte-exact, and
where the case comes from.
"""


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of the reply model (or of fmt=3 answers)",
        description="Print the JSON Schema (draft 2020-12) of the reply model as msgspec "
        'serialises it: every reply kind, tagged with its class name in "kind", and '
        "their union. With --wire: the fmt=3 answers as the server writes them (dates "
        "DD.MM.YYYY hh:mm:ss, money as quoted decimals). Codes are open: the known "
        "ones are named, any integer is accepted.",
        epilog=_SCHEMA_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    schema.add_argument("--wire", action="store_true", help="the fmt=3 answers' schema")
    schema.add_argument("--output", "-o", metavar="FILE", help="(default: standard output)")

    vectors = commands.add_parser(
        "export-vectors",
        help="write the corpus as language-neutral test vectors",
        description="Write every corpus entry as a test vector for codecs in other "
        "languages: DIR/index.json, the bodies, and the model's and the wire's JSON "
        "Schemas.",
        epilog=_VECTORS_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    vectors.add_argument("directory", metavar="DIR", help="where to write the vectors")
    vectors.add_argument("--corpus", default="corpus", help="the corpus folder (default: corpus)")


def run(args: argparse.Namespace) -> int:
    if args.command == "schema":
        text = json.dumps(json_schema(wire=args.wire), ensure_ascii=False, indent=2) + "\n"
        if args.output:
            Path(args.output).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return 0
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"smsc-codec: no corpus folder {corpus}", file=sys.stderr)
        return 2
    count = export_vectors(corpus, Path(args.directory))
    print(f"smsc-codec: {count} cases written to {args.directory}", file=sys.stderr)
    return 0
