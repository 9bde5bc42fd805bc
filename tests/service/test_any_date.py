"""The whole chain (collect -> analyse -> alert -> digest) behaves the same on whatever day it runs.

The service takes its time from one clock; ``LISTENER_CLOCK`` starts that clock at a chosen instant, so
this test runs the real CLI as if it were a past date, today, a date in 2030, and both Europe/Paris
daylight-saving changes. Real local model, real SQLite, the offline demo source.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from connectors.demo import DemoSettings, DemoWorld
from listener.cli import app
from listener.config import load_settings
from listener.wiring import open_repository, replay_alerts
from storage import MentionFilter

CONFIG = """
database: {url: "sqlite:///listener.db"}
data_dir: data
timezone: Europe/Paris
language: fr
topics:
  - {id: lumio, name: Lumio, role: brand, query: 'lumio OR #lumio OR #lumiodown OR @lumio_fr'}
sources:
  demo: {enabled: true, database: shared, seed: 11, days: 3}
analysis: {enabled: true}
alerts:
  channels: [{id: console, type: log, lang: fr}]
  rules:
    - {id: vip, kind: influencer_negative, threshold: 50000, window: 4d, channels: [console]}
    - {id: spike, kind: negative_spike, window: 1h, cooldown: 6h, min_volume: 10, min_history: 12,
       channels: [console]}
"""

DATES = {
    "past": datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
    "today": datetime.now(UTC),
    "2030": datetime(2030, 6, 12, 15, 45, tzinfo=UTC),
    # Europe/Paris moves from +01:00 to +02:00 at 01:00 UTC on 28 March 2027, back on 31 October.
    "dst-spring": datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
    "dst-autumn": datetime(2027, 10, 31, 0, 30, tzinfo=UTC),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(DATES))
def test_collect_analyse_alert_on_any_date(tmp_path: Path, name: str) -> None:
    now = DATES[name]
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    runner = CliRunner(env={"LISTENER_CLOCK": now.isoformat()})
    world = DemoWorld(DemoSettings(seed=11, days=3), now=now)

    ran = runner.invoke(app, ["run", "--once", "-c", str(config)])
    assert ran.exit_code == 0, ran.output
    assert " failed " not in ran.output, ran.output

    # the simulated days are the three that end at midnight of "now": recent, never in the future
    recent = runner.invoke(app, ["mentions", "-c", str(config), "--since", "2d", "--format", "json",
                                 "--limit", "5"])
    assert recent.exit_code == 0, recent.output
    assert len(recent.output.strip().splitlines()) == 5, recent.output

    # live alerts counted back from "now": the unhappy influencers of the last days were reported
    listed = runner.invoke(app, ["alerts", "-c", str(config), "--days", "1"])
    assert listed.exit_code == 0, listed.output
    assert "  vip  " in listed.output, listed.output

    # every mention was analysed, and the outage shows as one spike thread on its own day
    settings = load_settings(config)
    repository = open_repository(settings)
    try:
        stored = repository.search_mentions(MentionFilter(limit=None))
        assert stored
        assert all(world.start <= m.mention.published_at <= now for m in stored)
        analysed = sum(repository.count_mentions(MentionFilter(sentiments=(label,)))
                       for label in ("negative", "neutral", "positive"))
        assert analysed == len(stored)
        decided = replay_alerts(settings, repository, start=world.start, end=world.end,
                                step=timedelta(minutes=30))
    finally:
        repository.close()
    outage = world.start + timedelta(days=world.burst_day)
    spikes = [at for at, alert in decided if alert.rule_id == "spike"]
    assert spikes, f"no spike found in the simulated days before {now}"
    assert {at.date() for at in spikes} <= {outage.date(), (outage + timedelta(days=1)).date()}

    # yesterday's digest (in Paris time) reports on days that hold mentions
    digest = runner.invoke(app, ["digest", "--dry-run", "-c", str(config)])
    assert digest.exit_code == 0, digest.output
    yesterday = (now.astimezone(ZoneInfo("Europe/Paris")) - timedelta(days=1)).date()
    assert f"{yesterday:%d/%m/%Y}" in digest.output, digest.output
