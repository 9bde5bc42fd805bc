"""One wiring module: the collaborators' constructors are called in ``listener/wiring.py`` and nowhere else.

Read from the source (an AST walk), so a new command or job that opens its own database or compiles
its own matcher fails here with the file and line. Tests and benchmarks may build things directly.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("listener", "connectors", "analysis", "storage", "alerts")
WIRING = ROOT / "listener" / "wiring.py"

CONSTRUCTORS = {
    ("Repository", "from_url"),  # the engine and repository
    ("TopicMatcher", "compile"),  # the topic matcher
    ("analyzer", "load"),  # the analyzer (encoder + heads), behind wiring.load_analyzer
    ("connectors", "build"),  # a connector from its settings section
}
CLASSES = {"Service"}


def _calls(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if (func.value.id, func.attr) in CONSTRUCTORS:
                found.append((node.lineno, f"{func.value.id}.{func.attr}"))
        elif isinstance(func, ast.Name) and func.id in CLASSES:
            found.append((node.lineno, func.id))
    return found


def test_constructors_are_called_only_in_wiring() -> None:
    outside = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if path != WIRING and "migrations" not in path.parts
        for line, name in _calls(path)
    ]
    assert outside == [], "build these in listener/wiring.py:\n" + "\n".join(outside)


def test_wiring_does_build_them() -> None:
    names = {name for _, name in _calls(WIRING)}
    assert names == {f"{a}.{b}" for a, b in CONSTRUCTORS} | CLASSES
