"""ruff, mypy --strict and import-linter, started in the background as soon as the tests are collected.

mypy over the whole project takes 40-60 s on one core; run in a niced child process beside the tests
(which use mostly one core), it costs the README test command almost nothing instead of a minute.
``tests/test_quality.py`` waits for each check and asserts it passed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
COMMANDS: dict[str, list[str]] = {
    "ruff": [str(BIN / "ruff"), "check", "."],
    "mypy": [sys.executable, "-m", "mypy"],
    "import-linter": [str(BIN / "lint-imports")],
}


@dataclass
class Running:
    """A started check and the file its output goes to."""

    process: subprocess.Popen[bytes]
    output: IO[bytes]


_running: dict[str, Running] = {}


def start() -> None:
    """Start every check once (a second call does nothing)."""
    for name, command in COMMANDS.items():
        if name in _running:
            continue
        output = tempfile.TemporaryFile()  # noqa: SIM115 (read by result(), closed by stop())
        process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
                                   preexec_fn=lambda: os.nice(10))  # noqa: PLW1509 (no threads yet)
        _running[name] = Running(process, output)


def result(name: str, timeout: float = 900) -> tuple[int, str]:
    """Wait for one check; return its exit code and output (starting it now if it was not)."""
    start()
    running = _running[name]
    code = running.process.wait(timeout=timeout)
    running.output.seek(0)
    return code, running.output.read().decode("utf-8", "replace")


def stop() -> None:
    """Kill checks still running (a run interrupted or filtered to other tests)."""
    for running in _running.values():
        if running.process.poll() is None:
            running.process.kill()
            running.process.wait()
        running.output.close()
    _running.clear()
