"""Faults all at once: a chaotic feed server, an SMTP server that goes down and back, SIGKILLed service.

Shared by ``tests/faults`` (a short run) and ``benchmarks/soak.py`` (50 kills). Everything is real and on
loopback: ``python -m listener run`` as a subprocess, a SQLite file, an HTTP server serving a growing
RSS feed, an aiosmtpd server that refuses mail (451) during random outages. The feed answers at random
429 (with Retry-After), 500/503, a stalled connection closed without an answer, a truncated body, or
the feed. The checker compares what the feed served with what was stored, and what was decided with
what was e-mailed.

Not simulated: a PostgreSQL restart (the server on these machines is shared by several engineers;
stopping it would break their runs) and read timeouts longer than the client's 30 s (the stall closes
the connection after a short wait instead, so a run stays short).
"""

from __future__ import annotations

import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

ROOT = Path(__file__).resolve().parents[2]
FAULTS = ("429", "500", "503", "stall", "truncated")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ChaosFeed:
    """A growing RSS feed (the newest ``window`` items) that fails at random with ``fault_rate``."""

    seed: int
    fault_rate: float = 0.4
    window: int = 500
    start: datetime = field(default_factory=lambda: datetime.now(UTC) - timedelta(hours=1))
    items: int = 0
    script: list[str] = field(default_factory=lambda: list(FAULTS))
    """The first answers, in order (every fault kind once), before the random ones."""
    served: set[str] = field(default_factory=set)
    faults: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def grow(self, n: int = 1) -> None:
        with self.lock:
            self.items += n

    def _xml(self) -> tuple[bytes, list[str]]:
        first = max(0, self.items - self.window)
        guids, entries = [], []
        for i in range(self.items - 1, first - 1, -1):
            guid = f"chaos-{i}"
            guids.append(guid)
            word = "panne" if i % 5 == 0 else "nouvelle offre"
            when = format_datetime(self.start + timedelta(seconds=5 * i))
            entries.append(f"<item><guid>{guid}</guid><title>Lumio {word} {i}</title>"
                           f"<link>http://chaos.invalid/{i}</link><pubDate>{when}</pubDate>"
                           f"<description>Lumio {word}, message {i}</description></item>")
        body = ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Chaos</title>"
                "<link>http://chaos.invalid/</link>" + "".join(entries) + "</channel></rss>")
        return body.encode(), guids

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        with self.lock:
            if self.script and self.fault_rate:
                fault: str | None = self.script.pop(0)
            else:
                fault = self.rng.choice(FAULTS) if self.rng.random() < self.fault_rate else None
            body, guids = self._xml()
            if fault is None:
                self.served.update(guids)
            self.faults[fault or "ok"] += 1
        if fault in ("429", "500", "503"):
            handler.send_response(int(fault))
            handler.send_header("Retry-After", "1")
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        elif fault == "stall":
            time.sleep(1.0)
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
        elif fault == "truncated":
            handler.send_response(200)
            handler.send_header("Content-Type", "application/rss+xml")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body[: len(body) // 3])
            handler.wfile.flush()
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
        else:
            handler.send_response(200)
            handler.send_header("Content-Type", "application/rss+xml")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)


def serve_feed(feed: ChaosFeed) -> tuple[ThreadingHTTPServer, int]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            feed.answer(self)

        def log_message(self, *_args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, int(server.server_address[1])


class Mailbox:
    """An aiosmtpd handler keeping every accepted message; while ``is_down`` it refuses them all (451)."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.lock = threading.Lock()
        self.is_down = False
        self.refused = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.lock:
            if self.is_down:
                self.refused += 1
                return "451 4.3.0 mail server going down for maintenance, try again later"
            self.messages.append(bytes(envelope.original_content or b""))
        return "250 OK"

    def alert_keys(self) -> list[str]:
        with self.lock:
            raw = list(self.messages)
        return [str(message_from_bytes(m, policy=policy.default)["X-Listener-Alert"]) for m in raw]


class FlakySmtp:
    """An SMTP server that goes down (refusing every message with a temporary 451) and comes back.

    aiosmtpd cannot re-bind the same port right after a stop, so "down" is the server refusing mail,
    which the notifier sees as a failed send, exactly like a closed port.
    """

    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox
        self.port = free_port()
        self.controller = Controller(mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        self.outages = 0

    def up(self) -> None:
        self.mailbox.is_down = False

    def down(self) -> None:
        if not self.mailbox.is_down:
            self.outages += 1
        self.mailbox.is_down = True

    def close(self) -> None:
        self.controller.stop()


CONFIG = """
database: {{url: "sqlite:///listener.db"}}
data_dir: data
topics:
  - {{id: lumio, name: Lumio, role: brand, query: lumio}}
sources:
  demo: {{enabled: false}}
  rss: {{enabled: true, interval: 1s, max_interval: 2s, feeds: ["http://127.0.0.1:{feed_port}/feed.xml"]}}
analysis: {{enabled: false}}
service: {{jitter: 0s}}
alerts:
  interval: 1s
  retry_max: 2s
  channels:
    - {{id: mail, type: email, to: [cm@example.org], lang: fr}}
  smtp: {{host: 127.0.0.1, port: {smtp_port}, sender: listener@example.org, timeout: 3s}}
  rules:
    - {{id: crisis, kind: keyword, query: panne, window: 2d, cooldown: 30d, channels: [mail]}}
logging: {{level: WARNING, format: json}}
"""


@dataclass(frozen=True, slots=True)
class Verdict:
    """The four numbers that must be 0, and what the run went through."""

    lost: int
    duplicated: int
    sent_twice: int
    pending: int
    stored: int
    served: int
    alerts: int
    kills: int
    smtp_outages: int
    faults: dict[str, int]

    def line(self) -> str:
        zeros = (f"mentions lost {self.lost}, duplicated {self.duplicated}, alerts sent twice "
                 f"{self.sent_twice}, deliveries pending after recovery {self.pending}")
        answers = dict(sorted(self.faults.items()))
        context = (f"{self.stored} stored of {self.served} served, {self.alerts} alerts, {self.kills} "
                   f"SIGKILLs, {self.smtp_outages} SMTP outages, feed answers {answers}")
        return f"{zeros} | {context}"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    env.pop("LISTENER_CLOCK", None)
    return env


def run_chaos(workdir: Path, *, kills: int, seed: int, alive_s: tuple[float, float] = (10.0, 15.0),
              say: Any = None) -> Verdict:
    """Run the service under faults, SIGKILL it ``kills`` times, recover with faults off, and check.

    Each process lives ``alive_s`` seconds (the service takes about 8 s to start on a busy 2-core
    machine, so shorter lives would kill it before its first fetch).
    """
    rng = random.Random(seed)
    feed = ChaosFeed(seed=seed)
    feed.grow(20)
    server, feed_port = serve_feed(feed)
    mailbox = Mailbox()
    smtp = FlakySmtp(mailbox)
    config = workdir / "config.yaml"
    config.write_text(CONFIG.format(feed_port=feed_port, smtp_port=smtp.port), encoding="utf-8")
    command = [sys.executable, "-m", "listener", "run", "-c", str(config)]
    stop = threading.Event()

    def weather() -> None:  # the feed grows; the mail server goes down and comes back
        while not stop.is_set():
            feed.grow(rng.randint(0, 2))
            if rng.random() < 0.15:
                smtp.down()
                stop.wait(rng.uniform(0.5, 2.5))
                smtp.up()
            stop.wait(0.5)

    threading.Thread(target=weather, daemon=True).start()
    try:
        for number in range(kills):
            service = subprocess.Popen(command, cwd=workdir, env=_env(), stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(*alive_s))
            if number == kills - 1:  # the last life lasts until every scripted fault was served
                deadline = time.monotonic() + 180
                while feed.script and time.monotonic() < deadline and service.poll() is None:
                    time.sleep(0.2)
            service.send_signal(signal.SIGKILL)
            service.wait(30)
            if say:
                say(f"kill {number + 1}/{kills}: {_stored(workdir)} stored")
    finally:
        stop.set()
    smtp.up()
    with feed.lock:
        feed.fault_rate = 0.0
    time.sleep(2.5)  # past retry_max: every failed delivery is due again
    for _ in range(2):
        done = subprocess.run([*command, "--once"], cwd=workdir, env=_env(), capture_output=True, text=True,
                              timeout=300, check=False)
        if done.returncode != 0:
            raise AssertionError(f"recovery run failed ({done.returncode}): {done.stderr[-2000:]}")
        time.sleep(2.5)
    server.shutdown()
    verdict = check(workdir, feed, mailbox, kills=kills, outages=smtp.outages)
    smtp.close()
    return verdict


def _stored(workdir: Path) -> int:
    try:
        with sqlite3.connect(workdir / "listener.db") as conn:
            return int(conn.execute("select count(*) from mentions").fetchone()[0])
    except sqlite3.Error:
        return 0


def check(workdir: Path, feed: ChaosFeed, mailbox: Mailbox, *, kills: int, outages: int) -> Verdict:
    """Compare what was served with what was stored, and what was decided with what was sent."""
    with sqlite3.connect(workdir / "listener.db") as conn:
        # feedparser resolves a guid against the feed URL: compare the guid part
        ids = [str(row[0]).rsplit("/", 1)[-1]
               for row in conn.execute("select external_id from mentions where source = 'rss'")]
        alert_keys = {row[0] for row in conn.execute("select dedupe_key from alerts")}
        unsent = {row[0] for row in conn.execute(
            "select dedupe_key from alerts a where not exists (select 1 from deliveries d "
            "where d.alert_id = a.id and d.outcome = 'sent')")}
    sent = Counter(mailbox.alert_keys())
    return Verdict(
        lost=len(feed.served - set(ids)),
        duplicated=len(ids) - len(set(ids)),
        sent_twice=sum(1 for n in sent.values() if n > 1),
        pending=len(unsent | (alert_keys - set(sent))),
        stored=len(set(ids)),
        served=len(feed.served),
        alerts=len(alert_keys),
        kills=kills,
        smtp_outages=outages,
        faults=dict(feed.faults),
    )
