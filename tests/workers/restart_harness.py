"""A scheduler and two workers on a broker and PostgreSQL that restart mid-batch; then a check.

Shared by ``tests/workers/test_restarts.py`` (one outage of each, played by a loopback proxy in front of
the machine's shared RabbitMQ and PostgreSQL: ``loopback_proxy``) and ``benchmarks/restarts.py``
(several rounds of real restarts of a private RabbitMQ node and PostgreSQL cluster: ``private_services``).
Everything else is real: ``listener scheduler`` and ``listener worker`` processes, and a loopback
news-search server whose answers grow at each request and which logs when each request started and
ended. Each server goes down while a request is in flight (a RabbitMQ node SIGKILLed, PostgreSQL stopped
in ``immediate`` mode, or the proxy resetting every connection and refusing new ones) and comes back a
moment later.

The checker compares what the feed served with what PostgreSQL stored (lost, duplicated), checks that
no (source, topic) was ever fetched twice at once, and that every worker renewed its heartbeat after the
last restart (it reconnected).
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa

from tests.replay import Reply, Seen, serve

ROOT = Path(__file__).resolve().parents[2]
TOPICS = ("alpha", "beta", "gamma")
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Restartable(Protocol):
    """A server (or the proxy in front of one) the harness can start, crash and bring back."""

    url: str
    """What the fleet connects to."""

    def start(self) -> None: ...
    def crash(self) -> None: ...
    def back(self) -> None: ...


class Feed:
    """News-search answers: each request for a topic adds two items; every request is logged."""

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.lock = threading.Lock()
        self.log: list[tuple[str, float, float]] = []
        self.served: dict[str, set[str]] = {t: set() for t in TOPICS}
        self.in_flight = 0

    def __call__(self, seen: Seen) -> Reply:
        topic = seen.query.get("q", "")
        start = time.monotonic()
        with self.lock:
            self.in_flight += 1
            count = 2 * (1 + sum(1 for q, _, _ in self.log if q == topic))
        time.sleep(self.delay_s)
        items = []
        for i in range(count):
            guid = f"{topic}-{i}"
            when = format_datetime(T0 + timedelta(minutes=i))
            items.append(f"<item><title>{topic} news {i}</title><guid>{guid}</guid>"
                         f"<link>https://news.example/{guid}</link><pubDate>{when}</pubDate></item>")
        body = (f"<?xml version='1.0'?><rss version='2.0'><channel><title>{topic}</title>"
                f"{''.join(items)}</channel></rss>").encode()
        with self.lock:
            self.in_flight -= 1
            self.log.append((topic, start, time.monotonic()))
            self.served[topic].update(f"{topic}-{i}" for i in range(count))
        return Reply(200, {"Content-Type": "application/rss+xml"}, body)

    def requests(self, topic: str) -> int:
        with self.lock:
            return sum(1 for q, _, _ in self.log if q == topic)


@dataclass
class Verdict:
    """What the checker found: all of ``lost``, ``duplicated``, ``overlaps``, ``silent`` must be 0."""

    served: int
    stored: int
    lost: int
    duplicated: int
    overlaps: int
    silent: int
    """Workers whose heartbeat was not renewed after the last restart."""
    restarts: int

    def line(self) -> str:
        return (f"{self.restarts} restarts: served {self.served}, stored {self.stored}, lost {self.lost}, "
                f"duplicated {self.duplicated}, fetched twice at once {self.overlaps}, "
                f"workers not reconnected {self.silent}")


class Fleet:
    """One ``listener scheduler`` and two ``listener worker`` processes on the given broker and database."""

    def __init__(self, config: Path, broker_url: str, workers: int = 2,
                 explain: Callable[[], str] = lambda: "") -> None:
        self.explain = explain
        """What to add to a time-out's message (the database's sessions and leases)."""
        env = {**os.environ, "LISTENER_RUN_LEASE_S": "4", "LISTENER_HEARTBEAT_S": "1",
               "LISTENER_BROKER_URL": broker_url, "PYTHONPATH": str(ROOT)}
        cli = [sys.executable, "-m", "listener"]

        self.logs: dict[int, Path] = {}

        def start(*args: str) -> subprocess.Popen[bytes]:
            out = config.parent / f"{args[0]}-{len(self.logs)}.log"
            with out.open("wb") as sink:
                proc = subprocess.Popen([*cli, *args, "--config", str(config)], cwd=config.parent, env=env,
                                        stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
            self.logs[proc.pid] = out
            return proc

        self.scheduler = start("scheduler", "--lease-s", "3")
        self.workers = [start("worker", "--concurrency", "2") for _ in range(workers)]
        self.procs = [self.scheduler, *self.workers]

    def dead(self) -> list[str]:
        return [f"pid {p.pid} exited {p.returncode}: {self.logs[p.pid].read_text(errors='replace')[-3000:]}"
                for p in self.procs if p.poll() is not None]

    def wait(self, condition: Callable[[], bool], timeout_s: float, what: str) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if condition():
                return
            if dead := self.dead():
                raise AssertionError(f"a process died while waiting for {what}: {dead}")
            time.sleep(0.1)
        if self.scheduler.poll() is None:
            os.kill(self.scheduler.pid, signal.SIGUSR1)  # it prints its threads' stacks to its log
            time.sleep(0.5)
        stacks = self.logs[self.scheduler.pid].read_text(errors="replace")[-4000:]
        raise AssertionError(f"timed out after {timeout_s} s waiting for {what}; {self.explain()}; "
                             f"scheduler: {stacks}")

    def stop_scheduler(self) -> None:
        """Stop the scheduler (SIGTERM) and stop watching it: its exit is expected from now on."""
        os.killpg(self.scheduler.pid, signal.SIGTERM)
        self.scheduler.wait(timeout=30)
        self.procs = list(self.workers)

    def stop(self) -> None:
        self.procs = [self.scheduler, *self.workers]
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def write_config(directory: Path, db_url: str, feed_url: str) -> Path:
    topics = "\n".join(f"  - {{id: {t}, name: {t.title()}, query: {t}}}" for t in TOPICS)
    config = directory / "config.yaml"
    config.write_text(
        f"database: {{url: '{db_url}'}}\ndata_dir: data\ntopics:\n{topics}\n"
        f"sources:\n  demo: {{enabled: false}}\n"
        f"  rss: {{enabled: true, interval: 1s, news_search: ['{feed_url}/search?q={{query}}']}}\n"
        "analysis: {enabled: false}\nalerts: {interval: 1h}\n",
        encoding="utf-8",
    )
    return config


@contextmanager
def _feed(delay_s: float) -> Iterator[tuple[str, Feed]]:
    handler = Feed(delay_s)
    for server in serve():
        server.add("/search", handler)
        yield server.url, handler


def run_restarts(directory: Path, broker: Restartable, postgres: Restartable, *, rounds: int = 1,
                 delay_s: float = 0.5, down_s: float = 1.0, check_url: str | None = None,
                 say: Callable[[str], None] = lambda _: None) -> Verdict:
    """Collect while the broker and PostgreSQL are each restarted ``rounds`` times; return the verdict.

    ``check_url`` is where the checker reads PostgreSQL (``postgres.url`` unless given: a proxy's
    outages need not cut the checker too).
    """
    booting = threading.Thread(target=broker.start)  # a RabbitMQ node takes 15-20 s: boot it meanwhile
    booting.start()
    postgres.start()
    booting.join()
    engine = sa.create_engine(check_url or postgres.url, pool_pre_ping=True)
    started = time.monotonic()

    def said(what: str) -> None:
        say(f"{time.monotonic() - started:5.1f} s: {what}")

    with _feed(delay_s) as (feed_url, log):
        fleet = Fleet(write_config(directory, postgres.url, feed_url), broker.url,
                      explain=lambda: _sessions(engine))
        try:
            fleet.wait(lambda: all(log.requests(t) >= 2 for t in TOPICS), 120, "two rounds of collection")
            said("two rounds of collection")
            restarted_at = datetime.now(UTC)
            for round_ in range(rounds):
                for name, server in (("broker", broker), ("postgresql", postgres)):
                    fleet.wait(lambda: log.in_flight > 0, 30, f"a request in flight before restarting {name}")
                    before = {t: log.requests(t) for t in TOPICS}
                    server.crash()
                    time.sleep(down_s)
                    server.back()
                    restarted_at = datetime.now(UTC)
                    def went_on(b: dict[str, int] = before) -> bool:
                        return all(log.requests(t) >= b[t] + 2 for t in TOPICS)

                    fleet.wait(went_on, 90, f"collection to go on after the {name} restart")
                    said(f"round {round_ + 1}: {name} restarted, collection went on "
                        f"({sum(log.requests(t) for t in TOPICS)} requests so far)")
            silent = _wait_heartbeats(fleet, engine, restarted_at)
            said(f"heartbeats checked ({silent} workers silent)")
            fleet.stop_scheduler()  # no more enqueues: let the workers drain
            fleet.wait(lambda: _quiet(engine, log), 60, "the queues to drain")
            said("queues drained")
        finally:
            fleet.stop()
    verdict = _check(log, engine, restarts=2 * rounds, silent=silent)
    engine.dispose()
    return verdict


def _wait_heartbeats(fleet: Fleet, engine: sa.Engine, since: datetime) -> int:
    """Wait (a few seconds at most) until every worker renewed its heartbeat after ``since``."""
    names = {f"{os.uname().nodename}:{p.pid}" for p in fleet.workers}
    deadline = time.monotonic() + 15
    renewed: set[str] = set()
    while time.monotonic() < deadline and renewed != names:
        # a heartbeat lease lasts 3 heartbeats: renewed after ``since`` means it ends after since + 3 s
        with engine.connect() as conn:
            renewed = set(conn.execute(sa.text(
                "select holder from leases where name like 'worker:%' and expires_at > :t"
            ), {"t": since + timedelta(seconds=3)}).scalars())
        time.sleep(0.2)
    return len(names - renewed)


def _sessions(engine: sa.Engine) -> str:
    """The database's sessions (state, wait, query) and live leases: why nothing moves."""
    with engine.connect() as conn:
        sessions = conn.execute(sa.text(
            "select pid, state, wait_event_type, wait_event, now() - xact_start, left(query, 120) "
            "from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()")).all()
        leases = conn.execute(sa.text("select name, holder, expires_at - now() from leases")).all()
    return f"sessions: {[tuple(r) for r in sessions]}; leases: {[tuple(r) for r in leases]}"


def _quiet(engine: sa.Engine, log: Feed) -> bool:
    with engine.connect() as conn:
        waiting = conn.execute(sa.text(
            "select count(*) from leases where (name like 'queued:%' or name like 'collect:%') "
            "and expires_at > now()")).scalar()
    return log.in_flight == 0 and waiting == 0


def _check(log: Feed, engine: sa.Engine, *, restarts: int, silent: int) -> Verdict:
    overlaps = 0
    for topic in TOPICS:
        spans = sorted((s, e) for q, s, e in log.log if q == topic)
        overlaps += sum(1 for a, b in itertools.pairwise(spans) if b[0] < a[1])
    with engine.connect() as conn:
        rows = conn.execute(sa.text("select external_id from mentions where source = 'rss'")).scalars().all()
    stored = {r.rsplit("/", 1)[-1] for r in rows}  # feedparser resolves the guid against the feed URL
    served = {guid for topic in TOPICS for guid in log.served[topic]}
    return Verdict(served=len(served), stored=len(stored), lost=len(served - stored),
                   duplicated=len(rows) - len(set(rows)), overlaps=overlaps, silent=silent,
                   restarts=restarts)
