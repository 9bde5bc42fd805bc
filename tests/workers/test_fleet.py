"""Two ``listener scheduler`` and two ``listener worker`` processes on PostgreSQL and RabbitMQ, with faults.

Real processes, a real broker, a real database and a loopback news-search feed server that answers
each request after half a second and logs when each started and ended. Mid-run, the leading scheduler and one
worker are killed with SIGKILL. Checked from the server's request log and the database: the collection
goes on (the other scheduler takes over within its lease), no (source, topic) is ever fetched twice at
once, every item served is stored, and none twice.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.replay import ReplayServer, serve
from tests.workers.restart_harness import TOPICS, Feed

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
DELAY_S = 0.5


@pytest.fixture
def feed() -> Iterator[tuple[ReplayServer, Feed]]:
    handler = Feed(DELAY_S)
    for server in serve():
        server.add("/search", handler)
        yield server, handler


@pytest.fixture
def pg_url(pg_server_url: str) -> str:
    engine = sa.create_engine(pg_server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("drop schema public cascade"))
        conn.execute(sa.text("create schema public"))
    engine.dispose()
    return pg_server_url


def _wait(condition: object, timeout_s: float, what: str, procs: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.2)
    outputs = [f"pid {p.pid} exited {p.returncode}: {p.stdout.read()[-2000:] if p.stdout else b''!r}"
               for p in procs if p.poll() is not None]
    pytest.fail(f"timed out waiting for {what}; {outputs}")


def test_scheduler_and_workers_survive_sigkill(feed: tuple[ReplayServer, Feed], pg_url: str, broker: str,
                                              tmp_path: Path) -> None:
    server, log = feed
    topics = "\n".join(f"  - {{id: {t}, name: {t.title()}, query: {t}}}" for t in TOPICS)
    config = tmp_path / "config.yaml"
    config.write_text(
        f"database: {{url: '{pg_url}'}}\ndata_dir: data\ntopics:\n{topics}\n"
        f"sources:\n  demo: {{enabled: false}}\n"
        f"  rss: {{enabled: true, interval: 1s, news_search: ['{server.url}/search?q={{query}}']}}\n"
        "analysis: {enabled: false}\nalerts: {interval: 1h}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "LISTENER_RUN_LEASE_S": "4", "LISTENER_HEARTBEAT_S": "1",
           "LISTENER_BROKER_URL": broker, "PYTHONPATH": str(ROOT)}
    cli = [sys.executable, "-m", "listener"]

    def start(*args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([*cli, *args, "--config", str(config)], cwd=tmp_path, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)

    schedulers = [start("scheduler", "--lease-s", "3") for _ in range(2)]
    workers = [start("worker", "--concurrency", "2") for _ in range(2)]
    procs = [*schedulers, *workers]
    engine = sa.create_engine(pg_url)
    try:
        _wait(lambda: all(log.requests(t) >= 2 for t in TOPICS), 90, "two rounds of collection", procs)
        with engine.connect() as conn:
            leader = conn.execute(sa.text("select holder from leases where name = 'scheduler'")).scalar()
        leader_pid = int(str(leader).rsplit(":", 1)[1])
        assert leader_pid in {p.pid for p in schedulers}
        _wait(lambda: log.in_flight > 0, 30, "a request in flight", procs)
        os.kill(leader_pid, signal.SIGKILL)
        os.kill(workers[0].pid, signal.SIGKILL)
        killed_at = time.monotonic()
        before = {t: log.requests(t) for t in TOPICS}
        _wait(lambda: all(log.requests(t) >= before[t] + 2 for t in TOPICS), 60,
              "collection to go on after the kills", procs)
        with engine.connect() as conn:
            new_leader = conn.execute(sa.text("select holder from leases where name = 'scheduler'")).scalar()
        assert new_leader != leader and int(str(new_leader).rsplit(":", 1)[1]) in {p.pid for p in schedulers}
        resumed = min(begin for _, begin, _ in log.log if begin > killed_at)
        assert resumed - killed_at < 3 + 4 + 2 * DELAY_S + 2  # lease + run lease + a request or two
        for proc in [p for p in schedulers if p.poll() is None]:
            os.killpg(proc.pid, signal.SIGTERM)  # no more enqueues: let the workers drain the queues

        def quiet() -> bool:
            with engine.connect() as conn:
                waiting = conn.execute(sa.text(
                    "select count(*) from leases where (name like 'queued:%' or name like 'collect:%') "
                    "and expires_at > now()")).scalar()
            return log.in_flight == 0 and waiting == 0

        _wait(quiet, 60, "the queues to drain", procs)
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
    _check_nothing_lost_nothing_twice(log, engine)


def _check_nothing_lost_nothing_twice(log: Feed, engine: sa.Engine) -> None:
    for topic in TOPICS:
        spans = sorted((s, e) for q, s, e in log.log if q == topic)
        overlaps = [(a, b) for a, b in itertools.pairwise(spans) if b[0] < a[1]]
        assert overlaps == [], f"{topic} fetched twice at once"
    with engine.connect() as conn:
        rows = conn.execute(sa.text("select external_id from mentions where source = 'rss'")).scalars().all()
    engine.dispose()
    assert len(rows) == len(set(rows))
    stored = {r.rsplit("/", 1)[-1] for r in rows}  # feedparser resolves the guid against the feed URL
    # every answer is a superset of the previous one, so "the last answer was stored" covers them all,
    # including the one the killed worker never stored
    served = {guid for topic in TOPICS for guid in log.served[topic]}
    assert served <= stored, sorted(served - stored)[:5]
