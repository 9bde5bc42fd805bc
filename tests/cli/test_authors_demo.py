"""The author tables on the shipped offline demo world (real demo connector, real SQLite)."""

from __future__ import annotations

from listener.author_report import demo_sections
from listener.demo import DemoReport
from storage import Repository


def test_demo_world_gets_both_rankings(demo_week: DemoReport) -> None:
    report = demo_week
    repo = Repository.from_url(f"sqlite:///{report.db_path}")
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
