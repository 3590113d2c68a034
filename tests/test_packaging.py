"""The package as it is installed and read: ``python -m smsc_codec`` is the
command line, and ``help(smsc_codec)`` shows the public API and no private
module."""

from __future__ import annotations

import inspect
import os
import pydoc
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import smsc_codec
from tests.logs import log_lines, quick_exchanges

REPO = Path(__file__).resolve().parent.parent


def _console_script() -> str:
    """The ``smsc-codec`` script that installing the package made."""
    beside = Path(sys.executable).parent / "smsc-codec"
    found = str(beside) if beside.exists() else shutil.which("smsc-codec")
    assert found, "smsc-codec is not installed: install the package as the README says"
    return found


def _run(command: list[str], cwd: Path) -> tuple[int, str, str]:
    done = subprocess.run(
        command,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},  # both run this checkout
    )
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (["--version"], 0),
        ([], 2),
        (["decode", "--help"], 0),
        (["decode", "log.jsonl", "--rejects", "rejects.jsonl"], 1),
        (["validate", "log.jsonl"], 1),
        (["stats", "--json", "log.jsonl"], 1),
        (["decode", "missing.jsonl"], 2),
    ],
    ids=["version", "no-command", "help", "decode", "validate", "stats", "usage-error"],
)
def test_python_m_smsc_codec_is_the_command_line(
    tmp_path: Path, args: list[str], status: int
) -> None:
    """The same exit status, output and errors as the installed ``smsc-codec``."""
    lines = list(log_lines(200, quick_exchanges()))
    lines[7] = b'{"request": "status.php?id=1&phone=7&fmt=1", "body": "1,x,0"}\n'
    (tmp_path / "log.jsonl").write_bytes(b"".join(lines))
    script = _run([_console_script(), *args], tmp_path)
    module = _run([sys.executable, "-m", "smsc_codec", *args], tmp_path)
    assert module == script
    assert module[0] == status
    if status == 1:  # the bad line, rejected by both alike
        assert "log.jsonl:8:" in module[1] + module[2]


def _sections(text: str) -> dict[str, list[str]]:
    """pydoc's plain text by section: a heading in capitals, its lines below."""
    sections: dict[str, list[str]] = {}
    lines: list[str] = []
    for line in text.splitlines():
        if re.fullmatch(r"[A-Z][A-Z ]*", line):
            lines = sections.setdefault(line, [])
        else:
            lines.append(line)
    return sections


def _plain(thing: object) -> str:
    """pydoc's page for ``thing``, as ``help()`` shows it, without bold."""
    return str(pydoc.plain(pydoc.render_doc(thing, renderer=pydoc.TextDoc())))


#: the submodules that are public (imported as ``smsc_codec.http``, ...)
PUBLIC_SUBMODULES = ("arrow", "http", "testing")


def test_help_shows_the_public_api_and_no_private_module() -> None:
    text = _plain(smsc_codec)
    sections = _sections(text)
    # the package's contents list the public submodules alone
    listed = [line.strip() for line in sections["PACKAGE CONTENTS"] if line.strip()]
    assert listed == list(PUBLIC_SUBMODULES)
    assert "SUBMODULES" not in sections
    public = {name: getattr(smsc_codec, name) for name in smsc_codec.__all__}
    classes = {name for name, value in public.items() if inspect.isclass(value)}
    functions = {name for name, value in public.items() if inspect.isroutine(value)}
    documented_classes = {
        match[1] for line in sections["CLASSES"] if (match := re.match(r"    class (\w+)", line))
    }
    documented_functions = {
        match[1] for line in sections["FUNCTIONS"] if (match := re.match(r"    (\w+)\(", line))
    }
    assert documented_classes == classes
    assert documented_functions == functions
    # all of it is the public names' own documentation, and the module's
    own = sum(len(_plain(public[name]).splitlines()) for name in classes | functions)
    assert len(text.splitlines()) < own + 200


def test_the_private_modules_are_still_imported_and_found() -> None:
    """Unlisted is not hidden: a private module not imported yet is found."""
    code = (
        "import sys, smsc_codec; assert 'smsc_codec._corpus' not in sys.modules; "
        "import smsc_codec._corpus, pkgutil; "
        "print(sorted(m.name for m in pkgutil.iter_modules(smsc_codec.__path__)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert done.stdout.strip() == repr(list(PUBLIC_SUBMODULES))
