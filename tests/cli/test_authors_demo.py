"""The author tables on the shipped offline demo world (real demo connector, real SQLite)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from listener.author_report import demo_sections
from listener.demo import run_demo
from storage import Repository

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def test_demo_world_gets_both_rankings(tmp_path: Path) -> None:
    report = run_demo(tmp_path / "demo.db", days=2, now=NOW)
    repo = Repository.from_url(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        sections = demo_sections(repo, now=report.end)
    finally:
        repo.close()
    side = sections["Top authors: influence score vs raw followers"]
    assert side[0][1] == "by influence score" and len(side) > 5
    by_score = [row[1] for row in side[1:]]
    by_followers = [row[3] for row in side[1:]]
    assert by_score != by_followers  # the point of the score
    assert all(0.0 <= float(row[2]) <= 100.0 for row in side[1:])
    assert sections["Opinion leaders (friends and critics)"]
