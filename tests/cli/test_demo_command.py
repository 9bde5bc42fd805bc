"""The offline demo end to end: simulated stream -> collection -> real SQLite -> summary, deterministic."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from connectors.demo import DemoSettings, DemoWorld
from listener.cli import app
from listener.config import load_settings
from listener.demo import run_demo

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def test_demo_stores_every_simulated_mention_once_with_topics(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    report = run_demo(db, seed=3, days=3, now=NOW)
    world = DemoWorld(DemoSettings(seed=3, days=3), now=NOW)
    assert report.stored == len(world.mentions)
    assert report.failures == 0
    assert set(report.by_topic) == {"lumio", "ondea", "fibrix"}
    assert report.by_topic["lumio"] > report.by_topic["ondea"] > 0
    burst_day = max(report.daily, key=lambda d: d.mentions)
    assert burst_day.topic_id == "lumio"
    assert (burst_day.day - world.start.date()).days == world.burst_day


def test_demo_is_deterministic_and_rerunnable(tmp_path: Path) -> None:
    first = run_demo(tmp_path / "a.db", seed=5, days=2, now=NOW)
    second = run_demo(tmp_path / "a.db", seed=5, days=2, now=NOW)
    assert first.stored == second.stored
    assert first.daily == second.daily


def test_demo_command_prints_summary_and_its_config_explores_the_data(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    runner = CliRunner()
    result = runner.invoke(app, ["demo", "--db", str(db), "--days", "3", "--seed", "9"])
    assert result.exit_code == 0, result.output
    assert "mentions stored" in result.output and "lumio" in result.output
    config = db.with_suffix(".yaml")
    assert load_settings(config).database.url == f"sqlite:///{db.resolve()}"
    listed = runner.invoke(app, ["mentions", "-c", str(config), "--topic", "ondea", "--format", "json",
                                 "--limit", "5"])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.strip().splitlines()
    assert len(lines) == 5 and all('"ondea"' in line for line in lines)


def test_demo_groups_the_simulated_reposts_under_their_originals(tmp_path: Path) -> None:
    from storage import MentionFilter, Repository

    report = run_demo(tmp_path / "demo.db", seed=4, days=3, now=NOW)
    world = DemoWorld(DemoSettings(seed=4, days=3), now=NOW)
    reposts = {m.external_id: m.reposted_id for m in world.mentions if m.reposted_id}
    assert report.echoes >= len(reposts) > 0
    repository = Repository.from_url(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        stored = {s.mention.external_id: s for s in repository.search_mentions(MentionFilter(limit=None))}
        for repost_id, original_id in reposts.items():
            original = stored[original_id]
            # The original may itself repeat an earlier post word for word: then both share its root.
            assert stored[repost_id].echo_of_id == (original.echo_of_id or original.id)
        canonical_only = repository.count_mentions(MentionFilter(include_echoes=False))
        assert canonical_only == len(stored) - report.echoes
    finally:
        repository.close()
