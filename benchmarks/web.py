"""Dashboard page server times at scale (printed, never asserted).

    python benchmarks/web.py --mentions 1000000 [--engines sqlite,postgresql] [--requests 100] [--keep DIR]

``--keep DIR`` keeps and reuses the seeded databases, the same ones as ``benchmarks/api.py --keep DIR``.

Seeds synthetic mentions with ``benchmarks/api.py``'s generator, serves the real app under uvicorn on
loopback, signs 8 browser-like clients in (session cookie) and fetches each page concurrently: the
overview (today, 7 and 30 days), the inbox (first page, filtered and searched), a mention, people,
alerts, sources and settings. Prints, per page, the time of a first request alone (a report the server
reuses while the data is unchanged, like the People rankings, is computed there) then p50/p95 of the
server time under load (goal p95 < 300 ms at 1M).
Baseline in the same run: ``GET /api/health`` (no database) under the same load.

    python benchmarks/web.py --paint-url http://127.0.0.1:8080 --user demo --password ...

measures instead the time to first contentful paint of the Overview and the Inbox in Debian's Chromium
(median of 5 loads each) on a running dashboard, e.g. ``listener demo --web``; ``--shots DIR`` also saves
their screenshots (the README's come from the demo this way).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from api import NOW, bench_user, database, seeded

from listener.config import parse_settings
from listener.core.clock import fixed
from listener.web.app import create_app
from listener.web.serve import WebServer

PASSWORD = "benchmark password"
CONFIG = """
topics:
  - {id: lumio, name: Lumio, query: lumio}
  - {id: ondea, name: Ondea, query: ondea, role: competitor}
  - {id: fibrix, name: Fibrix, query: fibrix, role: competitor}
"""


def _signed_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=300)
    client.post("/api/auth/login", json={"username": "bench-web", "password": PASSWORD}).raise_for_status()
    return client


def _timed(client: httpx.Client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    response.raise_for_status()
    return (time.perf_counter() - started) * 1000


def load(clients: list[httpx.Client], path: str, requests: int) -> tuple[float, float]:
    """Return p50 and p95 in ms of ``requests`` page loads from the 8 concurrent clients."""
    with ThreadPoolExecutor(len(clients)) as pool:
        times = sorted(pool.map(lambda i: _timed(clients[i % len(clients)], path), range(requests)))
    return statistics.median(times), times[max(int(len(times) * 0.95) - 1, 0)]


def run(url: str, count: int, requests: int) -> None:
    clock = fixed(NOW)
    repo, store = seeded(url, count)
    bench_user(store, "bench-web", "admin")
    app = create_app(repo, store, clock=clock, settings=parse_settings(CONFIG))
    server = WebServer(app, host="127.0.0.1", port=0)
    server.start()
    base = f"http://127.0.0.1:{server.port}"
    mention_id = repo.search_mentions()[0].id
    pages = [
        ("baseline /api/health", "/api/health"),
        ("overview today", "/?period=today"),
        ("overview 7 days", "/"),
        ("overview 30 days", "/?period=30d"),
        ("inbox first page", "/inbox"),
        ("inbox filtered+search", "/inbox?topic=lumio&sentiment=negative&q=facture&status=new"),
        ("mention", f"/mentions/{mention_id}"),
        ("people 7 days", "/people"),
        ("alerts", "/alerts"),
        ("sources", "/sources"),
        ("settings", "/settings"),
    ]
    for name, path in pages:
        # Fresh sessions per page: a slow page leaves the others' keep-alive connections to expire.
        clients = [_signed_in(base) for _ in range(8)]
        first = _timed(clients[0], path)  # alone, before the load: a report computed once shows here
        p50, p95 = load(clients, path, requests)
        print(f"  {name:24} first {first:8.1f} ms   p50 {p50:8.1f} ms   p95 {p95:8.1f} ms"
              f"   (8 clients, {requests} requests)")
        for client in clients:
            client.close()
    server.stop()
    repo.close()


_PAINT = """new Promise((done) => new PerformanceObserver((list) => {
  const fcp = list.getEntries().find((e) => e.name === "first-contentful-paint");
  if (fcp) done(fcp.startTime);
}).observe({type: "paint", buffered: true}))"""


def first_paint(base: str, user: str, password: str, shots: Path | None) -> None:
    """Print the median first contentful paint of Overview and Inbox in Chromium (5 loads each)."""
    from playwright.sync_api import sync_playwright

    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync"]
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path="/usr/bin/chromium", args=flags)
        page = browser.new_page(base_url=base, viewport={"width": 1280, "height": 900})
        page.goto("/login")
        page.fill("#username", user)
        page.fill("#password", password)
        page.click("button[type=submit]")
        page.wait_for_url(base + "/")
        for name, path in (("overview", "/"), ("inbox", "/inbox?poll=600000")):
            paints = []
            for _ in range(5):
                page.goto(path)
                paints.append(page.evaluate(_PAINT))
            print(f"  first contentful paint {name:10} median {statistics.median(paints):7.1f} ms")
            if shots is not None:
                page.wait_for_timeout(500)
                page.screenshot(path=str(shots / f"dashboard-{name}.png"))
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--engines", default="sqlite")
    parser.add_argument("--paint-url", help="measure first paint on this running dashboard instead")
    parser.add_argument("--user", default="demo")
    parser.add_argument("--password", default="")
    parser.add_argument("--shots", type=Path, help="with --paint-url: save screenshots in this folder")
    parser.add_argument("--keep", type=Path, help="keep the seeded databases here and reuse them")
    args = parser.parse_args()
    if args.paint_url:
        first_paint(args.paint_url, args.user, args.password, args.shots)
        return
    for engine in args.engines.split(","):
        run(database(engine, args.mentions, args.keep), args.mentions, args.requests)


if __name__ == "__main__":
    main()
