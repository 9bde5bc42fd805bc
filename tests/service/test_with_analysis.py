"""The whole chain on the offline demo with the real local model: collect, analyse, alert by e-mail.

Marked ``slow``: it builds the multilingual encoder from installed packages and annotates ~700 mentions.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from test_restart import Keeper, smtp  # type: ignore[import-not-found]  # noqa: F401
from typer.testing import CliRunner

from connectors.demo import DemoSettings, DemoWorld
from listener.cli import app
from listener.config import load_settings
from listener.wiring import open_repository, replay_alerts

CONFIG = """
database: {{url: "sqlite:///listener.db"}}
data_dir: data
timezone: Europe/Paris
topics:
  - {{id: lumio, name: Lumio, role: brand,
      query: 'lumio OR #lumio OR #lumiodown OR @lumio_fr OR "lumio box"'}}
sources:
  demo: {{enabled: true, database: shared, seed: 42, days: 7}}
analysis: {{enabled: true}}
alerts:
  channels: [{{id: mail, type: email, to: [cm@example.org], lang: fr}}]
  smtp: {{host: 127.0.0.1, port: {port}}}
  rules:
    - {{id: vip, kind: influencer_negative, threshold: 50000, window: 8d, channels: [mail]}}
    - {{id: spike, kind: negative_spike, window: 1h, cooldown: 6h, min_volume: 10, channels: [mail]}}
"""


@pytest.mark.slow
def test_demo_week_collect_analyse_alert(tmp_path: Path, smtp: tuple[Keeper, int]) -> None:  # noqa: F811
    keeper, port = smtp
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG.format(port=port), encoding="utf-8")
    now = datetime.now(UTC)
    world = DemoWorld(DemoSettings(seed=42, days=7), now=now)
    outage_day = (world.start + timedelta(days=world.burst_day)).date()
    ran = CliRunner(env={"LISTENER_CLOCK": now.isoformat()}).invoke(app, ["run", "--once", "-c", str(config)])
    assert ran.exit_code == 0, ran.output

    # live: the influential unhappy authors of the week are e-mailed, each once, in French
    subjects = sorted(str(message_from_bytes(raw, policy=policy.default)["Subject"])
                      for raw in keeper.messages)
    assert subjects, ran.output
    assert all(s.startswith("[listener] Auteur influent mécontent — @") for s in subjects)
    assert len(subjects) == len(set(subjects))

    # replayed over the simulated week: the outage burst is one spike thread, opened, updated, resolved
    settings = load_settings(config)
    repository = open_repository(settings)
    try:
        decided = replay_alerts(settings, repository, start=world.start + timedelta(hours=12),
                                end=world.end, step=timedelta(minutes=15))
    finally:
        repository.close()
    spikes = [(at, alert) for at, alert in decided if alert.rule_id == "spike"]
    phases = [alert.details["phase"] for _, alert in spikes]
    assert phases[0] == "opened" and phases[-1] == "resolved" and set(phases[1:-1]) <= {"update"}, phases
    assert len(spikes) <= 4
    assert {at.date() for at, _ in spikes} == {outage_day}
