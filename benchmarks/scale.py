"""Scale-out throughput: collection with 1, 2, 4 worker processes, analysis with 1 and 2, ingest vs COPY.

Run from the repository root (PostgreSQL on 127.0.0.1:5432 and RabbitMQ on 127.0.0.1:5672)::

    python benchmarks/scale.py                           # all three parts
    python benchmarks/scale.py --parts collect --jobs 200 --workers 1,2

- ``collect``: a loopback news-search feed server answers every request after ``--latency-ms`` (200 ms:
  the I/O-bound case of a real provider); the config has ``--jobs`` topics on the RSS source, i.e. that
  many (source, topic) collection jobs. For each worker count, real ``listener worker --queues collect``
  processes are started (``--concurrency`` task slots each), the 400 ``listener.run_job`` tasks are
  sent to RabbitMQ at once, and the clock runs until every job run is recorded in PostgreSQL.
  Printed: jobs/s and mentions/s, and the ratio to one worker (goal: >= 3x from 1 to 4).
- ``analyse``: ``--mentions`` real tweets (XLM-T val, French and English) stored in PostgreSQL, then 1
  and 2 processes each load the int8 model (2 threads for one process, 1 each for two: the same two
  cores) and annotate claimed batches (``listener.workers.claims.ClaimingStore``, the code the
  ``listener.analyse`` task runs) until none is left. Printed: mentions/s and the ratio to one.
- ``ingest``: ``Repository.upsert_batch`` against a raw psycopg COPY of the same rows, 10k and 100k
  mentions (the functions of ``benchmarks/ingest.py``).

Model loading and worker start-up are outside the timed part. The machine is shared: the load average
is printed with each part.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from benchmarks.ingest import _fresh_pg, make_mentions, run_ours, run_raw_copy  # noqa: E402

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ITEMS_PER_ANSWER = 5


def _load() -> str:
    return "load average " + ", ".join(f"{x:.1f}" for x in os.getloadavg())


# --- collection ---------------------------------------------------------------------------------


class _Feeds(BaseHTTPRequestHandler):
    """Answer ``/search?q=WORD`` with a small RSS feed about WORD, after the configured latency."""

    protocol_version = "HTTP/1.1"
    latency_s = 0.2
    requests = 0
    lock = threading.Lock()

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        word = parse_qs(urlsplit(self.path).query).get("q", ["x"])[0]
        time.sleep(self.latency_s)
        items = "".join(
            f"<item><title>{word} news {i}</title><guid isPermaLink='false'>{word}-{i}</guid>"
            f"<pubDate>{format_datetime(T0 + timedelta(minutes=i))}</pubDate></item>"
            for i in range(ITEMS_PER_ANSWER)
        )
        data = (f"<?xml version='1.0'?><rss version='2.0'><channel><title>{word}</title>{items}"
                "</channel></rss>").encode()
        with _Feeds.lock:
            _Feeds.requests += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def _feed_server(latency_s: float) -> Iterator[str]:
    _Feeds.latency_s = latency_s
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Feeds)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}"
    finally:
        server.shutdown()
        server.server_close()


def _purge(queues: tuple[str, ...]) -> None:
    from kombu.connection import Connection

    from listener.workers.broker import broker_url

    with Connection(broker_url()) as conn:  # type: ignore[no-untyped-call]
        for queue in queues:
            channel = conn.channel()
            try:
                channel.queue_purge(queue)
            except conn.channel_errors:
                pass
            finally:
                channel.close()


def _wait_for(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"scale: timed out waiting for {what}")
        time.sleep(0.2)


def collect_run(url: str, feeds: str, *, jobs: int, workers: int, concurrency: int,
                folder: Path) -> tuple[float, int]:
    """Run ``jobs`` collections on ``workers`` processes; return (seconds, mentions stored)."""
    from listener.workers.tasks import app

    topics = "\n".join(f"  - {{id: t{i:04d}, name: T{i}, query: kw{i:04d}}}" for i in range(jobs))
    config = folder / f"config-{workers}.yaml"
    config.write_text(
        f"database: {{url: '{url}'}}\ndata_dir: data\ntopics:\n{topics}\n"
        f"sources:\n  demo: {{enabled: false}}\n"
        f"  rss: {{enabled: true, interval: 1h, news_search: ['{feeds}/search?q={{query}}']}}\n"
        "analysis: {enabled: false}\nalerts: {interval: 1h}\n",
        encoding="utf-8",
    )
    from storage import Repository

    repo = Repository.from_url(url)
    repo.upgrade()
    _purge(("collect",))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen([sys.executable, "-m", "listener", "worker", "--config", str(config), "--queues",
                          "collect", "--concurrency", str(concurrency)], cwd=folder, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        for _ in range(workers)
    ]
    engine = sa.create_engine(url)

    def scalar(sql: str) -> int:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(sql)).scalar() or 0)

    try:
        live = "select count(*) from leases where name like 'worker:%' and expires_at > now()"
        _wait_for(lambda: scalar(live) >= workers, 120, "the workers to start")
        start = time.perf_counter()
        for i in range(jobs):
            app.send_task("listener.run_job", args=[f"rss:t{i:04d}", None], queue="collect")
        _wait_for(lambda: scalar("select count(*) from job_runs where finished_at is not null") >= jobs,
                  3600, "every job to finish")
        elapsed = time.perf_counter() - start
        stored = scalar("select count(*) from mentions")
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=60)
        engine.dispose()
        repo.close()
    return elapsed, stored


def part_collect(args: argparse.Namespace) -> None:
    """Print collection throughput for each worker count."""
    print(f"collection: {args.jobs} (source, topic) jobs, {args.latency_ms} ms per request, "
          f"{args.concurrency} task slot(s) per worker; {_load()}", flush=True)
    base: float | None = None
    with _feed_server(args.latency_ms / 1000) as feeds, tempfile.TemporaryDirectory() as tmp:
        for workers in (int(w) for w in args.workers.split(",")):
            url, drop = _fresh_pg()
            try:
                elapsed, stored = collect_run(url, feeds, jobs=args.jobs, workers=workers,
                                              concurrency=args.concurrency, folder=Path(tmp))
            finally:
                drop()
            rate = stored / elapsed
            base = base or rate
            print(f"  {workers} worker(s): {args.jobs / elapsed:6.1f} jobs/s {rate:8.1f} mentions/s "
                  f"ratio {rate / base:.2f}x ({elapsed:.1f} s)", flush=True)


# --- analysis -----------------------------------------------------------------------------------


def _analyse_worker(url: str, threads: int, data_dir: str, sync: tuple[Any, Any, Any]) -> None:
    ready, go, done = sync
    os.environ["HF_HUB_OFFLINE"] = "1"
    from analysis import analyzer, model_build
    from listener import analyse
    from listener.workers.claims import ClaimingStore
    from listener.workers.context import worker_name
    from storage import Repository

    model = analyzer.load(model_build.build(Path(data_dir)), data_dir=Path(data_dir), threads=threads,
                          batch_size=64, runtime="onnx-int8")
    repo = Repository.from_url(url)
    store = ClaimingStore(repo, worker_name(), ttl_s=600)
    ready.release()
    go.wait()
    result = analyse.run(store, model, batch_size=64, now=T0)
    done.put(result.total)
    repo.close()


def part_analyse(args: argparse.Namespace) -> None:
    """Print analysis throughput with 1 and 2 processes on the same stored mentions."""
    from analysis import datasets
    from listener.core.model import Author, Batch, Mention
    from storage import Repository

    rows = (datasets.xlmt(args.data, "french", "val") + datasets.xlmt(args.data, "english", "val"))
    texts = [r.text for r in rows][: args.mentions]
    author = Author(source="bench", external_id="a", handle="a")
    mentions = tuple(Mention(source="bench", external_id=f"m{i}", text=t, author=author, published_at=T0,
                             fetched_at=T0) for i, t in enumerate(texts))
    print(f"analysis: {len(texts)} real tweets, int8 model, 2 cores shared; {_load()}", flush=True)
    ctx = multiprocessing.get_context("spawn")
    base: float | None = None
    for workers in (1, 2):
        url, drop = _fresh_pg()
        try:
            repo = Repository.from_url(url)
            repo.upgrade()
            repo.upsert_batch(Batch(mentions=mentions, next_cursor=None), source="bench", query_id="q")
            repo.close()
            ready, go, done = ctx.Semaphore(0), ctx.Event(), ctx.Queue()
            procs = [ctx.Process(target=_analyse_worker,
                                 args=(url, max(1, 2 // workers), str(args.data_dir), (ready, go, done)))
                     for _ in range(workers)]
            for proc in procs:
                proc.start()
            for _ in procs:
                ready.acquire()
            start = time.perf_counter()
            go.set()
            counts = [done.get() for _ in procs]
            elapsed = time.perf_counter() - start
            for proc in procs:
                proc.join()
        finally:
            drop()
        stages = max(1, round(sum(counts) / len(texts)))
        rate = len(texts) / elapsed
        base = base or rate
        print(f"  {workers} process(es): {rate:6.1f} mentions/s (all {stages} stages) "
              f"ratio {rate / base:.2f}x, annotations per process {counts}", flush=True)


# --- ingest -------------------------------------------------------------------------------------


def part_ingest(args: argparse.Namespace) -> None:
    """Print the PostgreSQL ingest ratio against COPY at each size (best of --repeat, interleaved)."""
    print(f"ingest on PostgreSQL vs raw COPY of the same rows, batches of 1000; {_load()}", flush=True)
    for size in (int(s) for s in args.sizes.split(",")):
        mentions = make_mentions(size)
        raws, ours = [], []
        for _ in range(args.repeat if size <= 10_000 else 1):
            url, drop = _fresh_pg()
            try:
                raws.append(run_raw_copy(url, mentions, 1000))
            finally:
                drop()
            url, drop = _fresh_pg()
            try:
                ours.append(run_ours(url, mentions, 1000)[0])
                sizes = _sizes(url)
            finally:
                drop()
        on_disk = ", ".join(f"{k} {v * 1_000_000 / size / 2**30:.2f} GiB" for k, v in sizes.items())
        print(f"  {size:>7,} mentions: COPY {max(raws):8,.0f}/s  ours {max(ours):8,.0f}/s  "
              f"ratio {max(ours) / max(raws):.2f}x; on disk per million mentions: {on_disk}", flush=True)


def _sizes(url: str) -> dict[str, int]:
    """Bytes on disk: the mentions table with its indexes (FTS GIN included), authors, the database."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        conn.execute(sa.text("checkpoint"))
        found = {
            "mentions+indexes": conn.execute(sa.text("select pg_total_relation_size('mentions')")).scalar(),
            "authors": conn.execute(sa.text("select pg_total_relation_size('authors')")).scalar(),
            "database": conn.execute(sa.text("select pg_database_size(current_database())")).scalar(),
        }
    engine.dispose()
    return {k: int(v or 0) for k, v in found.items()}


def main() -> None:
    """Parse arguments and run the chosen parts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="collect,analyse,ingest")
    parser.add_argument("--jobs", type=int, default=400)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--concurrency", type=int, default=1, help="task slots per worker process")
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--mentions", type=int, default=600)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".listener" / "bench-model")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    parts = {"collect": part_collect, "analyse": part_analyse, "ingest": part_ingest}
    for name in args.parts.split(","):
        parts[name](args)


if __name__ == "__main__":
    main()
