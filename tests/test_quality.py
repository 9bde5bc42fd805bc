"""The house checks run with the tests, so the README's one test command enforces them too.

ruff (lint), mypy --strict (types) and import-linter (the layer contracts of ../shared/STYLE.md) each
run as the developer would run them, from the project root, with the tools of this environment.
They start in the background when the tests are collected (``tests/house_checks.py``).
"""

from __future__ import annotations

import pytest

from tests import house_checks


@pytest.mark.parametrize("name", list(house_checks.COMMANDS))
def test_house_check_is_clean(name: str) -> None:
    code, output = house_checks.result(name)
    assert code == 0, f"{' '.join(house_checks.COMMANDS[name])} failed:\n{output}"
