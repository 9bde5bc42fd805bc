"""Web API latency and export speed at scale, on SQLite and PostgreSQL (printed, never asserted).

    python benchmarks/api.py --mentions 1000000 [--engines sqlite,postgresql] [--requests 200] [--keep DIR]

``--keep DIR`` keeps the seeded databases (SQLite ``DIR/bench-<count>.db``, PostgreSQL database
``listener_bench_<count>``) and reuses them on the next run with the same count: seeding a million
mentions takes minutes, the measure a minute. A reused database is upgraded to the newest migration
first, so a schema change is measured on the same rows.

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
from typing import Any

import httpx
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from listener.config import parse_settings
from listener.core.clock import fixed
from listener.web.app import create_app
from listener.web.security import digest, hash_password, new_api_token
from listener.web.serve import WebServer
from storage import Repository, WebStore, _text
from storage.schema import AnnotationRow, AuthorRow, MentionRow, MentionTopicRow

NOW = datetime(2026, 3, 10, tzinfo=UTC)
WORDS = ("facture", "panne", "livraison", "prix", "appli", "service", "merci", "bug", "retard", "super")
PG_URL = "postgresql+psycopg://root@127.0.0.1:5432/postgres"


def _rss_peak_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _rows(n: int) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """Mention ``n``'s row, its topic match and its two annotations, as the repository stores them."""
    who = n % 5000
    topic = ("lumio", "ondea", "fibrix")[n % 3]
    text = f"{topic} {WORDS[n % 10]} {WORDS[(n // 10) % 10]} message {n}"
    label = ("negative", "neutral", "positive")[n % 3 if n % 7 else 0]
    scores = {"negative": 0.7 if label == "negative" else 0.1}
    scores["positive"] = 0.7 if label == "positive" else 0.1
    intent = ("complaint", "question", "other")[n % 3]
    mention = {
        "id": n + 1, "source": "bench", "external_id": f"b{n}", "author_id": who + 1, "text": text,
        "search_text": _text.search_text(None, text), "published_at": NOW - timedelta(seconds=n * 30),
        "fetched_at": NOW, "first_seen_at": NOW, "updated_at": NOW, "likes": n % 13, "references": "[]",
        "hashtags": "[]", "mentioned_handles": "[]", "links": "[]", "query_id": "lumio", "raw": "{}",
        "sentiment": label, "sentiment_score": scores["positive"] - scores["negative"],
        "intents": _text.dumps([intent]), "echo_count": 0,
    }
    match = {"id": n + 1, "mention_id": n + 1, "topic_id": topic, "terms": _text.dumps([topic])}
    notes = [
        {"id": 2 * n + 1, "mention_id": n + 1, "stage": "intent", "version": "1", "label": intent,
         "scores": "{}", "created_at": NOW},
        {"id": 2 * n + 2, "mention_id": n + 1, "stage": "sentiment", "version": "1", "label": label,
         "scores": _text.dumps(scores), "created_at": NOW},
    ]
    return mention, match, notes


def seed(url: str, count: int, batch: int = 10_000) -> float:
    """Store ``count`` analysed mentions of 5,000 authors in bulk; return mentions/s.

    The rows are the ones ``Repository.upsert_batch`` and ``save_annotations`` write for these mentions
    (compared table by table on 2,000 mentions), inserted directly: through the repository a million
    took over 20 minutes on a shared 2-core machine.
    """
    started = time.perf_counter()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.insert(AuthorRow.__table__), [  # type: ignore[arg-type]
            {"id": who + 1, "source": "bench", "external_id": f"a{who}", "handle": f"author{who}",
             "followers": who * 7, "first_seen_at": NOW, "last_seen_at": NOW,
             "mention_count": len(range(who, count, 5000))}
            for who in range(min(count, 5000))
        ])
    for first in range(0, count, batch):
        mentions, matches, notes = [], [], []
        for n in range(first, min(count, first + batch)):
            mention, match, pair = _rows(n)
            mentions.append(mention)
            matches.append(match)
            notes += pair
        with engine.begin() as conn:
            conn.execute(sa.insert(MentionRow.__table__), mentions)  # type: ignore[arg-type]
            conn.execute(sa.insert(MentionTopicRow.__table__), matches)  # type: ignore[arg-type]
            conn.execute(sa.insert(AnnotationRow.__table__), notes)  # type: ignore[arg-type]
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for table in ("authors", "mentions", "mention_topics", "annotations"):
                conn.execute(sa.text(
                    f"select setval(pg_get_serial_sequence('{table}', 'id'), (select max(id) from {table}))"
                ))
    engine.dispose()
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


def plans(repo: Repository, url: str) -> None:
    """Print the query plan of the inbox's first page."""
    engine = sa.create_engine(url)
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


def database(engine: str, count: int, keep: Path | None, name: str = "listener_bench") -> str:
    """The URL of the benchmark's database: kept under ``keep`` (reused when seeded) or made afresh."""
    if engine == "sqlite":
        folder = keep or Path(tempfile.mkdtemp(prefix="listener-bench-"))
        folder.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{folder}/bench-{count}.db"
    db = f"{name}_{count}" if keep else name
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(sa.text("select 1 from pg_database where datname = :d"), {"d": db}).first()
        if keep is None and exists:
            conn.execute(sa.text(f"drop database {db} with (force)"))
        if keep is None or not exists:
            conn.execute(sa.text(f"create database {db}"))
    admin.dispose()
    return PG_URL.rsplit("/", 1)[0] + "/" + db


def seeded(url: str, count: int) -> tuple[Repository, WebStore]:
    """Open (and upgrade) the database at ``url``; seed ``count`` mentions unless it already holds them."""
    clock = fixed(NOW)
    repo = Repository.from_url(url, clock=clock)
    started = time.perf_counter()
    repo.upgrade()
    upgraded = time.perf_counter() - started
    print(f"\n== {repo.dialect}: {count:,} mentions (schema upgraded in {upgraded:.1f} s)")
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        stored = conn.execute(sa.text("select count(*) from mentions")).scalar_one()
    engine.dispose()
    if stored == count:
        print(f"  reusing the {count:,} mentions already seeded")
    else:
        print(f"  seeded at {seed(url, count):,.0f} mentions/s")
    started = time.perf_counter()
    done = repo.refresh_rollups()
    print(f"  rollups refreshed in {time.perf_counter() - started:.1f} s ({done.hours:,} hours)")
    if repo.dialect == "postgresql":  # as autovacuum leaves a settled database: statistics, visibility map
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text("vacuum analyze"))
        engine.dispose()
    return repo, WebStore.of(repo, clock=clock)


def bench_user(store: WebStore, username: str, role: str) -> int:
    """The id of the benchmark's user, added on first use (a kept database already has it)."""
    found = store.user(username=username)
    if found is not None:
        return found.id
    return store.add_user(
        username, display_name=username, password_hash=hash_password("benchmark password"), role=role
    )


def run(url: str, count: int, requests: int) -> None:
    clock = fixed(NOW)
    repo, store = seeded(url, count)
    user_id = bench_user(store, "bench", "analyst")
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
    plans(repo, url)
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
    parser.add_argument("--keep", type=Path, help="keep the seeded databases here and reuse them")
    args = parser.parse_args()
    for engine in args.engines.split(","):
        run(database(engine, args.mentions, args.keep), args.mentions, args.requests)


if __name__ == "__main__":
    main()
