"""The offline demo end to end: simulated stream -> collection -> real SQLite -> summary, deterministic."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alerts.i18n import translator
from connectors.demo import DemoSettings, DemoWorld
from listener.cli import app
from listener.config import load_settings
from listener.demo import DemoReport, demo_settings, run_demo
from tests.demo_week import DAYS, NOW, SEED, copy_of


def test_demo_stores_every_simulated_mention_once_with_topics(demo_week: DemoReport) -> None:
    report = demo_week
    world = DemoWorld(DemoSettings(seed=SEED, days=DAYS), now=NOW)
    assert report.stored == len(world.mentions)
    assert report.failures == 0
    assert set(report.by_topic) == {"lumio", "ondea", "fibrix"}
    assert report.by_topic["lumio"] > report.by_topic["ondea"] > 0
    burst_day = max(report.daily, key=lambda d: d.mentions)
    assert burst_day.topic_id == "lumio"
    assert (burst_day.day - world.start.date()).days == world.burst_day


def alerts_title(lang: str) -> str:
    """The title of the demo's alerts table, in the language of the demo's config (the starter's)."""
    return translator(lang)("Alerts the community manager received (console channel)")


def test_demo_is_deterministic_and_rerunnable(demo_week: DemoReport, tmp_path: Path) -> None:
    from storage import Repository

    first = demo_week
    again = copy_of(first, tmp_path)  # run again over the first run's files
    second = run_demo(again.db_path, seed=SEED, days=DAYS, now=NOW)
    assert first.stored == second.stored
    assert first.daily == second.daily
    # the alerts the demo showed are stored once, however often it runs
    repository = Repository.from_url(f"sqlite:///{again.db_path}")
    try:
        stored = repository.alerts(since=NOW - timedelta(days=3650), limit=1000)
    finally:
        repository.close()
    title = alerts_title(first.language)
    assert len(stored) == len(second.sections[title]) == len(first.sections[title]) > 0


def test_demo_command_prints_summary_and_its_config_explores_the_data(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no config.yaml here: commands then read the demo's own config
    db = tmp_path / ".listener" / "demo.db"
    runner = CliRunner()
    result = runner.invoke(app, ["demo", "--days", "2", "--seed", "9"])
    assert result.exit_code == 0, result.output
    lang = demo_settings(db).language
    stored = translator(lang)("{stored} mentions stored in {path} ({langs}); {runs} collection runs, "
                              "{failures} failed; {echoes} echoes (reposts, copies) grouped under their "
                              "originals").split("{path}")[0].split("}", 1)[1]
    assert stored.strip() and stored in result.output and "lumio" in result.output
    planned = {"fr": "prévue", "en": "planned"}[lang]  # the idea planned by the demo, status in its language
    assert re.search(rf"│ {planned} +│", result.output), result.output
    config = db.with_suffix(".yaml")
    assert load_settings(config).database.url == f"sqlite:///{db.resolve()}"
    listed = runner.invoke(app, ["mentions", "--topic", "ondea", "--format", "json", "--limit", "5"])
    assert listed.exit_code == 0, listed.output
    lines = [line for line in listed.output.strip().splitlines() if line.startswith("{")]
    assert len(lines) == 5 and all('"ondea"' in line for line in lines)
    assert "no such config file" not in listed.output
    section = result.output.split(alerts_title(lang), 1)[1].split("└", 1)[0]
    shown = len(re.findall(r"^│ \w{3}\.? \d{2} \d{2}:\d{2} +│", section, flags=re.MULTILINE))  # "sam. 28"
    alerts = runner.invoke(app, ["alerts", "--days", "30"])
    assert alerts.exit_code == 0, alerts.output
    assert "no alerts in that period" not in alerts.output
    assert alerts.output.count("[console:sent#1]") == shown > 0
    (tmp_path / ".listener" / "demo.yaml").unlink()
    missing = runner.invoke(app, ["mentions"])
    assert missing.exit_code == 2 and "listener demo" in missing.output


def test_demo_groups_the_simulated_reposts_under_their_originals(demo_week: DemoReport) -> None:
    from storage import MentionFilter, Repository

    report = demo_week
    world = DemoWorld(DemoSettings(seed=SEED, days=DAYS), now=NOW)
    reposts = {m.external_id: m.reposted_id for m in world.mentions if m.reposted_id}
    assert report.echoes >= len(reposts) > 0
    repository = Repository.from_url(f"sqlite:///{report.db_path}")
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
