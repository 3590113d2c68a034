"""``smsc-codec check-corpus [DIR]``: decode and check every entry of a corpus
(the bundled ``corpus/`` by default) against its expectation; print a summary."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from smsc_codec._corpus import check_entry, load_corpus

__all__ = ["check_corpus"]


def check_corpus(args: argparse.Namespace) -> int:
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
