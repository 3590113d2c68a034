"""The ``smsc-codec`` command line.

``smsc-codec check-corpus [DIR]`` decodes and checks every entry of a corpus
(the bundled ``corpus/`` by default) and prints a summary.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from ._corpus import check_entry, load_corpus
from ._version import __version__

__all__ = ["main"]


def _check_corpus(args: argparse.Namespace) -> int:
    root = Path(args.corpus)
    if not root.is_dir():
        print(f"smsc-codec: no corpus folder {root}", file=sys.stderr)
        return 2
    entries = load_corpus(root)
    if not entries:
        print(f"smsc-codec: no entries in {root}", file=sys.stderr)
        return 2
    by_provenance: Counter[str] = Counter()
    passed: Counter[str] = Counter()
    byte_exact = strict = rejections = 0
    failures = []
    for entry in entries:
        result = check_entry(entry)
        provenance = str(entry.meta.get("provenance", "?"))
        by_provenance[provenance] += 1
        if result.ok:
            passed[provenance] += 1
            byte_exact += bool(entry.meta.get("byte_exact"))
            strict += bool(entry.meta.get("strict"))
            rejections += "error" in entry.meta["expect"]
        else:
            failures.append(result)
    for result in failures:
        print(f"FAIL {result.name}")
        for problem in result.problems:
            print(f"  {problem}")
    print(f"{'provenance':<12} {'entries':>7} {'passed':>7}")
    for provenance, count in sorted(by_provenance.items()):
        print(f"{provenance:<12} {count:>7} {passed[provenance]:>7}")
    total_passed = sum(passed.values())
    print(f"{'total':<12} {len(entries):>7} {total_passed:>7}")
    print(
        f"{byte_exact} re-encoded byte for byte, {strict} accepted by strict decoding, "
        f"{rejections} rejected as expected"
    )
    return 0 if not failures else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="smsc-codec",
        description="Decode, check and re-encode answers of the SMSC HTTP API.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check-corpus",
        help="decode and check every entry of a corpus",
        description="Decode every entry of a corpus, compare it with its expected value, "
        "re-encode the byte-exact ones, and print a summary. Exit status 0 when all pass.",
    )
    check.add_argument(
        "corpus", nargs="?", default="corpus", help="corpus folder (default: corpus)"
    )
    check.set_defaults(run=_check_corpus)
    args = parser.parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
