"""``listener scheduler`` + two ``listener worker`` on PostgreSQL give what ``listener run --once`` gives.

The offline demo source and a keyword alert rule, analysis off: the single-box mode on SQLite and the
fleet on PostgreSQL and RabbitMQ must store the same mentions, open the same alerts and send the same
number of e-mails (each thread once), to two real aiosmtpd servers on loopback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from tests.service.test_restart import Keeper

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]

CONFIG = """
database: {{url: '{url}'}}
data_dir: data
timezone: Europe/Paris
topics:
  - {{id: lumio, name: Lumio, role: brand,
      query: 'lumio OR #lumio OR #lumiodown OR @lumio_fr OR "lumio box"'}}
  - {{id: ondea, name: Ondea, role: competitor, query: 'ondea OR #ondea OR @ondea'}}
sources:
  demo: {{enabled: true, database: shared, interval: 1h, seed: 7, days: 7}}
analysis: {{enabled: false}}
service: {{jitter: 0s}}
alerts:
  interval: 2s
  channels:
    - {{id: mail, type: email, to: [cm@example.org], lang: fr}}
  smtp: {{host: 127.0.0.1, port: {port}, sender: listener@example.org}}
  digest: {{enabled: false}}
  rules:
    - id: crisis
      kind: keyword
      query: 'rembourse OR refund OR arnaque OR scam OR panne OR outage'
      window: 8d
      cooldown: 30d
      channels: [mail]
"""


def _smtp() -> tuple[Keeper, Controller, int]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    keeper = Keeper()
    controller = Controller(keeper, hostname="127.0.0.1", port=port)
    controller.start()
    return keeper, controller, port


@pytest.fixture
def mail() -> Iterator[list[tuple[Keeper, int]]]:
    started = [_smtp() for _ in range(2)]
    yield [(keeper, port) for keeper, _, port in started]
    for _, controller, _ in started:
        controller.stop()


def _state(url: str) -> tuple[set[tuple[str, str]], list[tuple[str, str]]]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        mentions = {(r[0], r[1]) for r in conn.execute(sa.text("select source, external_id from mentions"))}
        alerts = sorted((r[0], r[1]) for r in conn.execute(sa.text("select rule_id, subject from alerts")))
    engine.dispose()
    return mentions, alerts


def _alert_runs(url: str) -> int:
    """Return how many runs of the alert rules finished."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        count = conn.execute(sa.text(
            "select count(*) from job_runs where job_id = 'alerts' and finished_at is not null")).scalar()
    engine.dispose()
    return int(count or 0)


def test_fleet_matches_the_single_box(mail: list[tuple[Keeper, int]], pg_server_url: str, broker: str,
                                      tmp_path: Path) -> None:
    engine = sa.create_engine(pg_server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("drop schema public cascade"))
        conn.execute(sa.text("create schema public"))
    engine.dispose()
    env = {**os.environ, "LISTENER_HEARTBEAT_S": "1", "LISTENER_BROKER_URL": broker, "PYTHONPATH": str(ROOT)}
    single, fleet = tmp_path / "single", tmp_path / "fleet"
    for folder, url, (_, port) in ((single, f"sqlite:///{single}/listener.db", mail[0]),
                                   (fleet, pg_server_url, mail[1])):
        folder.mkdir()
        (folder / "config.yaml").write_text(CONFIG.format(url=url, port=port), encoding="utf-8")
    once = subprocess.run([sys.executable, "-m", "listener", "run", "--once", "-c", "config.yaml"],
                          cwd=single, env=env, capture_output=True, timeout=300, check=False)
    assert once.returncode == 0, once.stdout.decode()[-2000:] + once.stderr.decode()[-2000:]
    expected_mentions, expected_alerts = _state(f"sqlite:///{single}/listener.db")
    assert expected_mentions and expected_alerts

    subprocess.run([sys.executable, "-m", "listener", "db", "upgrade", "-c", "config.yaml"], cwd=fleet,
                   env=env, check=True, capture_output=True, timeout=120)
    procs = [subprocess.Popen([sys.executable, "-m", "listener", *args, "-c", "config.yaml"], cwd=fleet,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
             for args in (["scheduler", "--lease-s", "5"], ["worker"], ["worker"])]
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            mentions, alerts = _state(pg_server_url)
            if mentions == expected_mentions and alerts == expected_alerts:
                break
            time.sleep(0.3)
        # two more alert evaluations after the last mention was stored: nothing new may be sent
        evaluated = _alert_runs(pg_server_url)
        while time.monotonic() < deadline and _alert_runs(pg_server_url) < evaluated + 2:
            time.sleep(0.3)
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=30)
    mentions, alerts = _state(pg_server_url)
    assert mentions == expected_mentions
    assert alerts == expected_alerts
    assert len(mail[1][0].messages) == len(mail[0][0].messages) == len(expected_alerts)
