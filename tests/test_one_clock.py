"""One clock: application code asks ``listener/core/clock.py`` for "now", never the wall clock itself.

Read from the source (an AST walk, like ``tests/test_wiring_only.py``), so a new ``datetime.now()``
fails here with its file and line: a service replayed at another date (``LISTENER_CLOCK``) or a test
with a fixed clock would otherwise stamp some rows, headers or files with the real day.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("listener", "connectors", "analysis", "storage", "alerts")
CLOCK = ROOT / "listener" / "core" / "clock.py"

WALL_CLOCK = {
    ("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
    ("time", "time"),
}
"""``module_or_class.attribute`` calls that read the wall clock for a date or an instant."""


def _wall_clock_calls(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        owner = node.func.value
        name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
        if (name, node.func.attr) in WALL_CLOCK:
            found.append((node.lineno, f"{name}.{node.func.attr}()"))
    return found


def test_only_the_clock_module_reads_the_wall_clock() -> None:
    outside = [
        f"{path.relative_to(ROOT)}:{line}: {call}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if path != CLOCK
        for line, call in _wall_clock_calls(path)
    ]
    assert outside == [], "take the time from the injected clock (listener/core/clock.py):\n" + "\n".join(
        outside)


def test_the_scan_sees_every_form(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    source = ("import datetime as dt, time\nfrom datetime import datetime, date\n"
              "datetime.now()\ndt.datetime.utcnow()\ndate.today()\ntime.time()\ntime.monotonic()\n")
    probe.write_text(source, encoding="utf-8")
    assert [call for _, call in _wall_clock_calls(probe)] == [
        "datetime.now()", "datetime.utcnow()", "date.today()", "time.time()"]
    assert _wall_clock_calls(CLOCK), "the clock module itself reads the wall clock (the probe works)"
