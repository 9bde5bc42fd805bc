"""Kill ``python -m listener run`` with SIGKILL mid-cycle, restart it: nothing lost, duplicated or sent twice.

Runs the real CLI as a subprocess over the offline ``demo`` source, a real SQLite file and a real
aiosmtpd server on loopback; the crisis-terms rule e-mails every thread it opens.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

ROOT = Path(__file__).resolve().parents[2]


class Keeper:
    """An aiosmtpd handler that keeps every accepted message."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.lock:
            self.messages.append(bytes(envelope.original_content or b""))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Keeper, int]]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    keeper = Keeper()
    controller = Controller(keeper, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield keeper, port
    finally:
        controller.stop()


CONFIG = """
database:
  url: sqlite:///listener.db
data_dir: data
timezone: Europe/Paris
topics:
  - {{id: lumio, name: Lumio, role: brand,
      query: 'lumio OR #lumio OR #lumiodown OR @lumio_fr OR "lumio box"'}}
  - {{id: ondea, name: Ondea, role: competitor, query: 'ondea OR #ondea OR @ondea'}}
  - {{id: fibrix, name: Fibrix, role: competitor, query: 'fibrix OR #fibrix OR @fibrix_officiel'}}
sources:
  demo: {{enabled: true, database: shared, interval: 2s, seed: 7, days: 7}}
analysis: {{enabled: false}}
service: {{jitter: 0s}}
alerts:
  interval: 1s
  channels:
    - {{id: mail, type: email, to: [cm@example.org], lang: fr}}
  smtp: {{host: 127.0.0.1, port: {port}, sender: listener@example.org}}
  rules:
    - id: crisis
      kind: keyword
      query: 'rembourse OR refund OR arnaque OR scam OR panne OR outage'
      window: 8d
      cooldown: 30d
      channels: [mail]
logging: {{level: INFO, format: json}}
"""


NOW = datetime.now(UTC)
"""Every process of a test starts its clock here, so the demo week they serve is the same one."""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    env["LISTENER_CLOCK"] = NOW.isoformat()
    return env


def _counts(db: Path) -> tuple[int, int, int]:
    with sqlite3.connect(db) as conn:
        mentions = conn.execute("select count(*) from mentions").fetchone()[0]
        distinct = conn.execute(
            "select count(distinct source || '|' || external_id) from mentions").fetchone()[0]
        alerts = conn.execute("select count(*) from alerts").fetchone()[0]
    return int(mentions), int(distinct), int(alerts)


def test_sigkill_mid_cycle_then_restart(tmp_path: Path, smtp: tuple[Keeper, int]) -> None:
    keeper, port = smtp
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG.format(port=port), encoding="utf-8")
    db = tmp_path / "listener.db"
    command = [sys.executable, "-m", "listener", "run", "-c", str(config)]

    first = subprocess.Popen(command, cwd=tmp_path, env=_env(), stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if first.poll() is not None:
            output = first.stdout.read().decode() if first.stdout else ""
            pytest.fail(f"the service exited early ({first.returncode}):\n{output[-3000:]}")
        if db.exists():
            try:
                if _counts(db)[0] > 0:
                    break
            except sqlite3.OperationalError:
                pass  # schema not created yet
        time.sleep(0.05)
    else:
        first.kill()
        pytest.fail("no mention was stored within two minutes")
    first.send_signal(signal.SIGKILL)
    first.wait(30)
    assert first.returncode == -signal.SIGKILL
    killed_counts = _counts(db)

    second = subprocess.run([*command, "--once"], cwd=tmp_path, env=_env(), capture_output=True,
                            timeout=300, check=False)
    assert second.returncode == 0, second.stdout.decode()[-3000:] + second.stderr.decode()[-3000:]
    third = subprocess.run([*command, "--once"], cwd=tmp_path, env=_env(), capture_output=True,
                           timeout=300, check=False)
    assert third.returncode == 0, third.stdout.decode()[-3000:]

    from connectors.demo import DemoSettings, DemoWorld, _mentions_topic

    world = DemoWorld(DemoSettings(seed=7, days=7), now=NOW)
    expected = {m.external_id for m in world.mentions
                if any(_mentions_topic(world.by_id.get(m.reposted_id or "", m), t)
                       for t in ("lumio", "ondea", "fibrix"))}
    mentions, distinct, alerts = _counts(db)
    assert mentions == distinct, "a mention was stored twice"
    with sqlite3.connect(db) as conn:
        stored = {row[0] for row in conn.execute("select external_id from mentions")}
    # every mention the demo published for the watched topics is there, exactly once
    assert stored == expected, (len(stored), len(expected))
    assert mentions >= killed_counts[0]

    keys = []
    for raw in keeper.messages:
        parsed = message_from_bytes(raw, policy=policy.default)
        keys.append(str(parsed["X-Listener-Alert"]))
    assert keys, "the crisis rule sent nothing"
    assert len(keys) == len(set(keys)), f"an alert was e-mailed twice: {keys}"
    assert len(set(keys)) == alerts, (keys, alerts)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_sigterm_stops_cleanly_and_healthz_answers(tmp_path: Path, smtp: tuple[Keeper, int]) -> None:
    import json
    import urllib.request

    _, port = smtp
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG.format(port=port), encoding="utf-8")
    health = _free_port()
    service = subprocess.Popen([sys.executable, "-m", "listener", "run", "-c", str(config), "--health-port",
                                str(health)], cwd=tmp_path, env=_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    document = None
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and service.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{health}/healthz", timeout=2) as response:
                    document = json.loads(response.read())
                if all(job["outcome"] not in ("never", "running") for job in document["jobs"]):
                    break
            except OSError:
                pass
            time.sleep(0.2)
    finally:
        service.send_signal(signal.SIGTERM)
        output = service.communicate(timeout=60)[0].decode()
    assert document is not None, output[-3000:]
    jobs = {job["id"] for job in document["jobs"]}
    assert jobs == {"demo:lumio", "demo:ondea", "demo:fibrix", "echoes", "alerts"}
    assert [c["channel"] for c in document["channels"]] == ["mail"]
    assert service.returncode == 0, output[-3000:]
    assert "service: stopped" in output
