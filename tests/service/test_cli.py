"""The service commands end to end in-process: run --once, alerts, status, digest --dry-run."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

from typer.testing import CliRunner

from connectors.demo import DemoSettings, DemoWorld
from listener.cli import app

CONFIG = """
database: {url: "sqlite:///listener.db"}
data_dir: data
timezone: Europe/Paris
language: fr
topics:
  - {id: lumio, name: Lumio, role: brand, query: 'lumio OR #lumio OR #lumiodown OR @lumio_fr'}
  - {id: ondea, name: Ondea, role: competitor, query: 'ondea OR #ondea OR @ondea'}
sources:
  demo: {enabled: true, database: shared, seed: 3, days: 7}
analysis: {enabled: false}
alerts:
  channels:
    - {id: console, type: log, lang: fr}
  rules:
    - {id: crisis, kind: keyword, query: 'rembourse OR refund OR panne OR outage', window: 8d,
       channels: [console]}
  digest: {enabled: true, at: "08:00", channels: [console]}
"""


def test_service_commands(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    # Whatever day the suite runs, the service and this test read the same instant.
    now = datetime.now(UTC)
    runner = CliRunner(env={"LISTENER_CLOCK": now.isoformat()})
    world = DemoWorld(DemoSettings(seed=3, days=7), now=now)
    outage_day = (world.start + timedelta(days=world.burst_day)).date()
    ran = runner.invoke(app, ["run", "--once", "-c", str(config)])
    assert ran.exit_code == 0, ran.output
    assert "demo:lumio" in ran.output and "alerts" in ran.output

    listed = runner.invoke(app, ["alerts", "-c", str(config)])
    assert listed.exit_code == 0, listed.output
    alert_lines = [line for line in listed.output.splitlines() if "  crisis  " in line]
    assert alert_lines and all("[console:sent#1]" in line for line in alert_lines)
    assert any("  crisis  lumio  opened" in line for line in alert_lines)

    status = runner.invoke(app, ["status", "--json", "-c", str(config)])
    assert status.exit_code == 0, status.output
    document = json.loads(status.output)
    jobs = {j["id"]: j for j in document["jobs"]}
    assert jobs["demo:lumio"]["outcome"] == "ok" and jobs["demo:lumio"]["items"] > 0
    assert jobs["alerts"]["items"] == len(alert_lines)  # one thread per matched topic
    assert document["channels"] == [{"channel": "console", "is_healthy": True, "consecutive_failures": 0,
                                     "last_error": None, "last_ok_at": document["channels"][0]["last_ok_at"]}]

    eml = tmp_path / "digest.eml"
    digest = runner.invoke(app, ["digest", "--dry-run", "--day", outage_day.isoformat(), "--out", str(eml),
                                 "-c", str(config)])
    assert digest.exit_code == 0, digest.output
    assert f"Synthèse quotidienne du {outage_day:%d/%m/%Y}" in digest.output and "Lumio" in digest.output
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert [p.get_content_type() for p in message.walk() if p.get_content_maintype() != "multipart"] == [
        "text/plain", "text/html", "image/png"]
