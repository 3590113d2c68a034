"""Every example that ``smsc-codec COMMAND --help`` shows runs.

The examples are read from the parser's help texts, so a new example is run
without an edit here. They name inputs (a log, a folder of captures, an
archive): those are made in a scratch folder from the corpus's status
answers, which all decode, so every example exits 0, or 1 only where its
input holds the corpus's expected rejections and the summary says so.
"""

from __future__ import annotations

import argparse
import gzip
import re
import shutil
from pathlib import Path

import msgspec
import pytest

from smsc_codec._cli._args import build_parser
from tests.conftest import CORPUS, corpus_entries
from tests.helpers import run_shell


def help_examples() -> list[tuple[str, str]]:
    """(command, example line) for every example of every command's --help."""
    parser = build_parser()
    commands = next(
        action for action in parser._actions if isinstance(action, argparse._SubParsersAction)
    )
    found = []
    for name, command in commands.choices.items():
        lines = (command.epilog or "").splitlines()
        if "examples:" not in lines:
            continue
        for line in lines[lines.index("examples:") + 1 :]:
            if not line.startswith("  "):
                break
            found.append((name, line.strip()))
    return found


EXAMPLES = help_examples()


def _status_exchanges() -> list[tuple[str, bytes]]:
    return [
        (entry.request, entry.body)
        for entry in corpus_entries()
        if entry.name.startswith("status/") and "expect" in entry.meta
    ]


def _write_log(path: Path, exchanges: list[tuple[str, bytes]], request: str, body: str) -> None:
    lines = b"".join(
        msgspec.json.encode({request: query, body: raw.decode("cp1251")}) + b"\n"
        for query, raw in exchanges
    )
    path.write_bytes(gzip.compress(lines) if path.suffix == ".gz" else lines)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding every input the examples name."""
    folder = tmp_path_factory.mktemp("help-examples")
    (folder / "corpus").symlink_to(CORPUS, target_is_directory=True)
    status = _status_exchanges()
    fmt0 = [(query, body) for query, body in status if "fmt=" not in query]
    (folder / "answer.txt").write_bytes(b"1,1286524541,0")
    for name in ("traffic-2019.jsonl.gz", "traffic.jsonl", "archive-fmt0.jsonl.gz"):
        _write_log(folder / name, fmt0 if "fmt0" in name else status, "request", "body")
    _write_log(folder / "archive.jsonl.gz", status, "url", "answer")
    for name in ("logs", "traffic"):
        (folder / name).mkdir()
        _write_log(folder / name / "part-1.jsonl", status, "request", "body")
    for name in ("captured", "captures"):
        shutil.copytree(CORPUS / "status", folder / name)
    return folder


def test_the_help_texts_have_examples() -> None:
    commands = {command for command, _ in EXAMPLES}
    assert commands >= {"decode", "validate", "convert", "stats", "check-corpus"}


@pytest.mark.parametrize(("command", "example"), EXAMPLES, ids=[e for _, e in EXAMPLES])
def test_every_help_example_runs(scratch: Path, command: str, example: str) -> None:
    done = run_shell(example, scratch, timeout=300)
    assert "Traceback" not in done.stderr, done.stderr
    assert "usage:" not in done.stderr, done.stderr
    if done.returncode == 1:
        # only a run that met records it could not read exits 1, and says so
        summary = re.search(r"(\d+) rejected", done.stderr) or re.search(
            r"(\d+) invalid", done.stdout
        )
        assert summary, done.stderr
        assert int(summary[1]) > 0, done.stderr
    else:
        assert done.returncode == 0, done.stderr
    assert done.stdout or any(scratch.iterdir()), "the example printed nothing"
