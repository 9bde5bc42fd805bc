"""The house checks run with the tests, so the README's one test command enforces them too.

ruff (lint), mypy --strict (types) and import-linter (the layer contracts of ../shared/STYLE.md) each
run as the developer would run them, from the project root, with the tools of this environment.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    "command",
    [
        pytest.param([str(BIN / "ruff"), "check", "."], id="ruff"),
        pytest.param([sys.executable, "-m", "mypy"], id="mypy"),
        pytest.param([str(BIN / "lint-imports")], id="import-linter"),
    ],
)
def test_house_check_is_clean(command: list[str]) -> None:
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"
