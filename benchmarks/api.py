"""Web API latency and export speed at scale, on SQLite and PostgreSQL (printed, never asserted).

    python benchmarks/api.py --mentions 1000000 [--engines sqlite,postgresql] [--requests 200]

Seeds synthetic mentions (three topics, five sentiments/intents mixes, 5,000 authors), serves the real
app under uvicorn on loopback, and fires 8 concurrent httpx clients at: the inbox's first page, a
filtered and searched page, a mention's detail, and the series endpoint. Prints p50/p95 per endpoint
(goal p95 < 300 ms), the inbox query plans, and the CSV export's rows/s and the process's peak RSS
growth. Baseline in the same run: ``GET /api/health`` (no database) under the same load.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from listener.config import parse_settings
from listener.core.clock import fixed
from listener.core.model import Annotation, Author, Batch, Mention, Metrics
from listener.web.app import create_app
from listener.web.security import digest, hash_password, new_api_token
from listener.web.serve import WebServer
from storage import Repository, WebStore

NOW = datetime(2026, 3, 10, tzinfo=UTC)
WORDS = ("facture", "panne", "livraison", "prix", "appli", "service", "merci", "bug", "retard", "super")
PG_URL = "postgresql+psycopg://root@127.0.0.1:5432/postgres"


def _rss_peak_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def seed(repo: Repository, count: int, batch: int = 5000) -> float:
    """Store ``count`` mentions with sentiment and intent annotations; return mentions/s."""
    started = time.perf_counter()
    for first in range(0, count, batch):
        mentions = []
        annotations = []
        for n in range(first, min(count, first + batch)):
            who = n % 5000
            topic = ("lumio", "ondea", "fibrix")[n % 3]
            text = f"{topic} {WORDS[n % 10]} {WORDS[(n // 10) % 10]} message {n}"
            m = Mention(
                source="bench",
                external_id=f"b{n}",
                text=text,
                author=Author(
                    source="bench", external_id=f"a{who}", handle=f"author{who}", followers=who * 7
                ),
                published_at=NOW - timedelta(seconds=n * 30),
                fetched_at=NOW,
                metrics=Metrics(likes=n % 13),
                topics=(topic,),
                matched_terms={topic: (topic,)},
            )
            mentions.append(m)
            label = ("negative", "neutral", "positive")[n % 3 if n % 7 else 0]
            annotations.append(
                Annotation(
                    source="bench",
                    external_id=f"b{n}",
                    stage="sentiment",
                    version="1",
                    label=label,
                    scores={
                        "negative": 0.7 if label == "negative" else 0.1,
                        "positive": 0.7 if label == "positive" else 0.1,
                    },
                )
            )
            annotations.append(
                Annotation(
                    source="bench",
                    external_id=f"b{n}",
                    stage="intent",
                    version="1",
                    label=("complaint", "question", "other")[n % 3],
                    scores={},
                )
            )
        repo.upsert_batch(Batch(mentions=tuple(mentions), next_cursor=None), source="bench", query_id="lumio")
        repo.save_annotations(annotations)
    return count / (time.perf_counter() - started)


def _timed(client: httpx.Client, path: str, params: dict[str, str]) -> float:
    started = time.perf_counter()
    response = client.get(path, params=params)
    response.raise_for_status()
    return (time.perf_counter() - started) * 1000


def load(base: str, token: str, path: str, params: dict[str, str], requests: int) -> tuple[float, float]:
    """Return p50 and p95 in ms of ``requests`` calls from 8 concurrent clients."""
    headers = {"Authorization": f"Bearer {token}"}
    clients = [httpx.Client(base_url=base, headers=headers, timeout=120) for _ in range(8)]
    with ThreadPoolExecutor(8) as pool:
        times = list(pool.map(lambda i: _timed(clients[i % 8], path, params), range(requests)))
    for c in clients:
        c.close()
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def plans(repo: Repository) -> None:
    """Print the query plan of the inbox's first page."""
    engine = sa.create_engine(
        repo.safe_url if repo.dialect == "sqlite" else PG_URL.rsplit("/", 1)[0] + "/listener_bench"
    )
    prefix = "EXPLAIN QUERY PLAN " if repo.dialect == "sqlite" else "EXPLAIN "
    query = (
        "SELECT m.id FROM mentions m JOIN authors a ON a.id = m.author_id LEFT JOIN mention_workflow w "
        "ON w.mention_id = m.id WHERE m.sentiment = 'negative' AND coalesce(w.status, 'new') = 'new' "
        "ORDER BY m.published_at DESC, m.id DESC LIMIT 51"
    )
    with engine.connect() as conn:
        print("  plan (inbox, negative + new, newest first):")
        for row in conn.execute(sa.text(prefix + query)):
            print("    ", " | ".join(str(v) for v in row))
    engine.dispose()


def run(url: str, count: int, requests: int) -> None:
    clock = fixed(NOW)
    repo = Repository.from_url(url, clock=clock)
    repo.upgrade()
    store = WebStore.of(repo, clock=clock)
    print(f"\n== {repo.dialect}: seeding {count:,} mentions")
    print(f"  seeded at {seed(repo, count):,.0f} mentions/s")
    user_id = store.add_user(
        "bench", display_name="bench", password_hash=hash_password("benchmark password"), role="analyst"
    )
    token = new_api_token()
    store.add_token(user_id, name="bench", token_hash=digest(token), prefix=token[:8])
    settings = parse_settings("topics: [{id: lumio, name: Lumio, query: lumio}]")
    server = WebServer(create_app(repo, store, clock=clock, settings=settings), host="127.0.0.1", port=0)
    server.start()
    base = f"http://127.0.0.1:{server.port}"
    mention_id = repo.search_mentions()[0].id
    cases = [
        ("baseline /api/health", "/api/health", {}),
        ("inbox first page", "/api/mentions", {"limit": "50"}),
        (
            "filtered + searched",
            "/api/mentions",
            {"topic": "lumio", "sentiment": "negative", "q": "facture", "status": "new", "limit": "50"},
        ),
        ("facets (lumio, 7 days)", "/api/mentions/facets", {"topic": "lumio", "since": "7d"}),
        ("mention detail", f"/api/mentions/{mention_id}", {}),
        ("series 7 days / day", "/api/series", {"since": "7d", "interval": "day"}),
    ]
    for name, path, params in cases:
        p50, p95 = load(base, token, path, params, requests)
        print(f"  {name:24} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms   (8 clients, {requests} requests)")
    plans(repo)
    before = _rss_peak_kb()
    started = time.perf_counter()
    rows = 0
    with (
        httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=None) as client,
        client.stream("GET", "/api/exports/mentions.csv") as response,
    ):
        for chunk in response.iter_bytes():
            rows += chunk.count(b"\n")  # a chunk may split "\r\n"; texts hold no newline
    elapsed = time.perf_counter() - started
    print(
        f"  CSV export: {rows - 1:,} rows in {elapsed:.1f} s = {(rows - 1) / elapsed:,.0f} rows/s; "
        f"peak RSS grew {(_rss_peak_kb() - before) / 1024:.0f} MB (server and client in this process)"
    )
    server.stop()
    repo.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    for engine in args.engines.split(","):
        if engine == "sqlite":
            run(
                f"sqlite:///{tempfile.mkdtemp(prefix='listener-bench-')}/bench.db",
                args.mentions,
                args.requests,
            )
        else:
            admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text("drop database if exists listener_bench with (force)"))
                conn.execute(sa.text("create database listener_bench"))
            admin.dispose()
            run(PG_URL.rsplit("/", 1)[0] + "/listener_bench", args.mentions, args.requests)


if __name__ == "__main__":
    main()
