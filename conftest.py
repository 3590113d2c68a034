"""Every example in the README and the documentation runs, and its shown output
is compared (Sybil).

* ``python`` blocks that start with ``>>>`` are doctests; other ``python``
  blocks are run as they are, in order, in one namespace per page.
* ``console`` blocks are shell sessions: each ``$ command`` runs in a folder of
  the page's own (with ``corpus`` linking to the repository's), and what it
  prints must be the lines shown under it, standard output and standard error
  interleaved in any order that keeps each stream's own. A command shown
  without output must exit 0. ``$ cat FILE`` of a file that is not there yet
  shows an input: the file is written with the lines shown.
* ``sh`` blocks are set-up instructions (installing, running the suite); CI
  runs the README's quick start itself.
"""

from __future__ import annotations

import doctest
import shlex
import tempfile
from pathlib import Path

from sybil import Example, Sybil
from sybil.parsers.myst import CodeBlockParser, PythonCodeBlockParser

from tests.helpers import run_shell

ROOT = Path(__file__).resolve().parent


def _workdir(example: Example) -> Path:
    namespace = example.namespace
    if "_console_dir" not in namespace:
        folder = Path(tempfile.mkdtemp(prefix="smsc-codec-docs-"))
        (folder / "corpus").symlink_to(ROOT / "corpus", target_is_directory=True)
        namespace["_console_dir"] = folder
    path: Path = namespace["_console_dir"]
    return path


def session(text: str) -> list[tuple[str, list[str]]]:
    """The ``$ command`` lines of a console block, each with the lines shown under it."""
    steps: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
    return [(command, _trimmed(shown)) for command, shown in steps]


def _trimmed(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def interleaves(shown: list[str], out: list[str], err: list[str]) -> bool:
    """Whether ``shown`` is ``out`` and ``err`` merged, each in its own order."""
    reachable = {(0, 0)}
    for line in shown:
        reachable = {
            step
            for i, j in reachable
            for step, ok in (
                ((i + 1, j), i < len(out) and out[i] == line),
                ((i, j + 1), j < len(err) and err[j] == line),
            )
            if ok
        }
        if not reachable:
            return False
    return (len(out), len(err)) in reachable


def evaluate_console(example: Example) -> str | None:
    folder = _workdir(example)
    for command, shown in session(example.parsed):
        words = shlex.split(command, comments=True)
        if words[:1] == ["cat"] and len(words) == 2 and not (folder / words[1]).exists():
            (folder / words[1]).write_text("\n".join(shown) + "\n", encoding="utf-8")
        done = run_shell(command, folder)
        out, err = _trimmed(done.stdout.splitlines()), _trimmed(done.stderr.splitlines())
        if not shown:
            if done.returncode != 0:
                return f"$ {command}\nexited {done.returncode}:\n{done.stdout}{done.stderr}"
            continue
        if done.returncode not in (0, 1) or not interleaves(shown, out, err):
            return (
                f"$ {command}\nshown:\n" + "\n".join(shown) + f"\n\nprinted (exit status "
                f"{done.returncode}):\n{done.stdout}{done.stderr}"
            )
    return None


def _console_parser() -> CodeBlockParser:
    return CodeBlockParser(language="console", evaluator=evaluate_console)


_examples = Sybil(
    parsers=[
        PythonCodeBlockParser(doctest_optionflags=doctest.ELLIPSIS),
        _console_parser(),
    ],
    patterns=["README.md", "docs/*.md", "docs/**/*.md"],
    excludes=["docs/_build/**"],
    path=str(ROOT),
)

pytest_collect_file = _examples.pytest()
