"""Time from a negative burst stored to the alert e-mail accepted by a real SMTP server (goal: < 5 s).

Seeds a SQLite database with N mentions spread over 14 days (default 100,000, a tenth of them
negative) for three topics, warms the service's alert job once (as the running service would have),
then stores a burst of negative mentions and times one alert-job tick (window read, rules, store,
e-mail) until aiosmtpd has accepted the message. The same is measured on a 1,000-mention database
in the same run, and the ratio printed.

    python benchmarks/alert_latency.py [--mentions 100000] [--burst 40]
"""

from __future__ import annotations

import argparse
import random
import socket
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from alerts.dispatch import Dispatcher
from alerts.notifiers import EmailNotifier, SmtpConfig
from alerts.rules import Rule
from listener.alert_store import RepositoryAlertLog, WindowReader
from listener.core.model import Annotation, Author, Batch, Mention
from storage import Repository
from storage.records import TopicMatch

TOPICS = ("acme", "rival", "other")


class Arrival:
    """aiosmtpd handler that notes when a message arrives."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.at = 0.0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.at = time.perf_counter()
        self.event.set()
        return "250 OK"


def mention(i: int, at: datetime, topic: str) -> Mention:
    author = Author(source="bench", external_id=f"a{i % 5000}", handle=f"user{i % 5000}", followers=i % 9000)
    return Mention(source="bench", external_id=f"m{i}", text=f"{topic} mention number {i} about the service",
                   author=author, published_at=at, fetched_at=at, url=f"https://example.test/{i}",
                   topics=(topic,), query_id=topic)


def store(repo: Repository, items: list[tuple[Mention, str]]) -> None:
    """Store mentions with their topic matches and sentiment labels, 2,000 at a time."""
    for start in range(0, len(items), 2000):
        chunk = items[start:start + 2000]
        repo.upsert_batch(Batch(mentions=tuple(m for m, _ in chunk), next_cursor=None), source="bench",
                          query_id="bench")
        stored = {s.mention.external_id: s.id for s in
                  (repo.get_mention_by_key("bench", m.external_id) for m, _ in chunk) if s is not None}
        repo.save_topic_matches([TopicMatch(mention_id=stored[m.external_id], topic_id=m.topics[0])
                                 for m, _ in chunk])
        repo.save_annotations([Annotation(source="bench", external_id=m.external_id, stage="sentiment",
                                          version="bench", label=label) for m, label in chunk])


def measure(total: int, burst: int, workdir: Path) -> tuple[float, float]:
    """Return (cold first tick s, burst-to-accepted s) for a database of ``total`` mentions."""
    rng = random.Random(7)
    now = datetime.now(UTC).replace(microsecond=0)
    repo = Repository.from_url(f"sqlite:///{workdir / f'bench-{total}.db'}")
    repo.upgrade()
    seed = []
    for i in range(total):
        at = now - timedelta(days=14) + timedelta(seconds=rng.uniform(0, 14 * 86400 - 3600))
        label = "negative" if rng.random() < 0.1 else rng.choice(("neutral", "positive"))
        seed.append((mention(i, at, TOPICS[i % 3]), label))
    store(repo, seed)

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    arrival = Arrival()
    controller = Controller(arrival, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        notifier = EmailNotifier("mail", smtp=SmtpConfig(host="127.0.0.1", port=port), to=("cm@example.org",))
        rules = [Rule(id="spike", kind="negative_spike", channels=("mail",)),
                 Rule(id="share", kind="negative_share", channels=("mail",), min_volume=10)]
        dispatcher = Dispatcher(RepositoryAlertLog(repo), {"mail": notifier}, rules)
        reader = WindowReader(repo, TOPICS)
        started = time.perf_counter()
        dispatcher.tick(reader.read(now, timedelta(hours=1)), now)
        cold = time.perf_counter() - started
        arrival.event.clear()

        tick_at = now + timedelta(minutes=1)
        burst_items = [(mention(total + k, tick_at - timedelta(seconds=5 + k * 10), "acme"), "negative")
                       for k in range(burst)]
        store(repo, burst_items)
        started = time.perf_counter()  # the burst is stored: the clock starts
        dispatcher.tick(reader.read(tick_at, timedelta(hours=1)), tick_at)
        if not arrival.event.wait(30):
            raise SystemExit("no alert e-mail arrived")
        latency = arrival.at - started
    finally:
        controller.stop()
        repo.close()
    return cold, latency


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--burst", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base_cold, base = measure(1000, args.burst, Path(tmp))
        cold, latency = measure(args.mentions, args.burst, Path(tmp))
    print(f"baseline  1,000 mentions: first tick {base_cold:.3f} s, burst -> e-mail accepted {base:.3f} s")
    print(f"{args.mentions:,} mentions: first tick {cold:.3f} s, burst -> e-mail accepted {latency:.3f} s")
    print(f"ratio to baseline: {latency / base:.2f}x; goal < 5 s: {'met' if latency < 5 else 'MISSED'}")


if __name__ == "__main__":
    main()
