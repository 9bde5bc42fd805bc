"""The service under every fault at once, killed with SIGKILL and restarted: nothing lost or doubled.

A short variant of ``benchmarks/soak.py`` (which kills the service 50 times): 2 kills (about a minute).
"""

from __future__ import annotations

from pathlib import Path

from harness import run_chaos  # type: ignore[import-not-found]


def test_faults_and_sigkills_lose_and_double_nothing(tmp_path: Path) -> None:
    verdict = run_chaos(tmp_path, kills=2, seed=21)
    print(verdict.line())
    assert verdict.served > 20 and verdict.stored >= verdict.served  # the probe fetched something
    assert set(verdict.faults) >= {"429", "500", "503", "stall", "truncated", "ok"}, verdict.line()
    assert verdict.alerts > 0, verdict.line()  # the crisis rule fired
    zeros = (verdict.lost, verdict.duplicated, verdict.sent_twice, verdict.pending)
    assert zeros == (0, 0, 0, 0), verdict.line()
