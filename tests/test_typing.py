"""The entry points' static types, checked by running mypy on ``tests/typing/``.

``check_decode_types.py`` holds ``assert_type`` checks that must pass;
``fail_misspelt_field.py`` holds lines that must fail, each marked with the
error code mypy must report (``# error: attr-defined``): were the types to
degrade to ``Any``, those lines would pass and this test would fail.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TYPING = Path(__file__).resolve().parent / "typing"
_MARK = re.compile(r"#\s*error:\s*([a-z-]+)")
_REPORTED = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): error: .*\[(?P<code>[a-z-]+)\]$")


def _expected(path: Path) -> set[tuple[str, int, str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {
        (path.name, number, m.group(1))
        for number, line in enumerate(lines, 1)
        if (m := _MARK.search(line))
    }


def test_mypy_accepts_the_checks_and_refuses_the_marked_lines() -> None:
    files = [TYPING / "check_decode_types.py", TYPING / "fail_misspelt_field.py"]
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--no-pretty", *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    reported = set()
    for line in run.stdout.splitlines():
        m = _REPORTED.match(line)
        assert m, f"unexpected mypy output: {line}\n{run.stderr}"
        reported.add((Path(m["file"]).name, int(m["line"]), m["code"]))
    expected = _expected(files[1])
    assert expected, "the failing file marks no line"
    assert reported == expected, run.stdout
    assert run.returncode == 1, run.stderr  # (errors found, and no crash)
