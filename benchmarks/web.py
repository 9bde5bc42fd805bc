"""Dashboard page server times at scale (printed, never asserted).

    python benchmarks/web.py --mentions 1000000 [--engines sqlite,postgresql] [--requests 100] [--keep DIR]

``--keep DIR`` keeps and reuses the seeded databases, the same ones as ``benchmarks/api.py --keep DIR``.

Seeds synthetic mentions with ``benchmarks/api.py``'s generator, serves the real app under uvicorn on
loopback, signs 8 browser-like clients in (session cookie) and fetches each page concurrently: the
overview (today, 7 and 30 days) and its deferred "answer first" list, the inbox (first page,
filtered and searched, a saved view) and its deferred facet counts, a mention, people, alerts and an
alert's page with its story, sources, settings, trends (1, 7 and 30 days) and ideas (board and one
idea). The first run on a kept database also indexes its terms (the trends step's work, once) and
stores one spike alert and 20 ideas of 25 suggestions each. Prints, per page, the time of a first
request alone (a report the server reuses while the data is unchanged, like the People rankings, is
computed there) then p50/p95 of the server time under load (goal p95 < 300 ms at 1M).
Baseline in the same run: ``GET /api/health`` (no database) under the same load.

    python benchmarks/web.py --paint-url http://127.0.0.1:8080 --user demo --password ...

measures instead the time to first contentful paint of the Overview and the Inbox in Debian's Chromium
(median of 5 loads each) on a running dashboard, e.g. ``listener demo --web``; ``--shots DIR`` also saves
their screenshots (the README's come from the demo this way).
"""

from __future__ import annotations

import argparse
import re
import statistics
import struct
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from api import NOW, bench_user, database, seeded

from listener import trends_report
from listener.config import parse_settings
from listener.core.clock import fixed
from listener.core.model import Alert
from listener.web.app import create_app
from listener.web.serve import WebServer
from storage import Repository, WebStore
from storage.idea_records import NewIdea, NewMember

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


def extras(repo: Repository, store: WebStore, user_id: int) -> int:
    """Index the terms, store a spike alert, 20 ideas and a saved view once; return the alert's id."""
    started = time.perf_counter()
    indexed = trends_report.refresh_term_index(repo)
    print(f"  term index: {indexed:,} mentions indexed in {time.perf_counter() - started:.1f} s")
    spike = Alert(rule_id="spike", kind="spike", subject="lumio", severity="warning",
                  window_start=NOW - timedelta(hours=6), window_end=NOW, title="Lumio spike",
                  summary="More mentions than usual", mention_ids=(1, 4, 7))
    alert_id = repo.record_alert(spike) or repo.alert_id(spike.dedupe_key)
    assert alert_id is not None
    ideas = repo.ideas()
    if not ideas.search():
        vector = struct.pack("4f", 0.5, 0.5, 0.5, 0.5)
        new = [NewIdea(key=-1 - k, scope="brand:lumio", title=f"idea {k}", lang="fr") for k in range(20)]
        members = [NewMember(idea_id=-1 - k, mention_id=3 * (25 * k + j) + 1, similarity=0.9, vector=vector)
                   for k in range(20) for j in range(25)]
        ideas.save_grouping(new, members)
    if not store.saved_views(user_id):
        query = "topic=lumio&sentiment=negative&status=new&sort=influence"
        store.save_view(user_id, name="unhappy", query=query)
    return alert_id


def _deferred(client: httpx.Client, page: str, prefix: str) -> str:
    """The address of the fragment ``page`` loads after itself (its script fetches it)."""
    found = re.search(re.escape(prefix) + r'[^"\'\s]*', client.get(page).text)
    assert found is not None, f"{page} names no {prefix}"
    return found.group(0).replace("&amp;", "&")


def run(url: str, count: int, requests: int, wanted: list[str]) -> None:
    clock = fixed(NOW)
    repo, store = seeded(url, count)
    user_id = bench_user(store, "bench-web", "admin")
    alert_id = extras(repo, store, user_id)
    idea_id = repo.ideas().search()[0].id
    app = create_app(repo, store, clock=clock, settings=parse_settings(CONFIG))
    server = WebServer(app, host="127.0.0.1", port=0)
    server.start()
    base = f"http://127.0.0.1:{server.port}"
    mention_id = repo.search_mentions()[0].id
    probe = _signed_in(base)
    view = probe.get("/api/views").json()[0]["href"]
    first_7d = _deferred(probe, "/", "/overview/first?")
    first_30d = _deferred(probe, "/?period=30d", "/overview/first?")
    facets = _deferred(probe, "/inbox", "/inbox/facets")
    filtered = "/inbox?topic=lumio&sentiment=negative&q=facture&status=new"
    facets_filtered = _deferred(probe, filtered, "/inbox/facets")
    probe.close()
    pages = [
        ("baseline /api/health", "/api/health"),
        ("overview today", "/?period=today"),
        ("overview 7 days", "/"),
        ("overview 30 days", "/?period=30d"),
        ("answer first 7 days", first_7d),
        ("answer first 30 days", first_30d),
        ("inbox first page", "/inbox"),
        ("inbox filtered+search", filtered),
        ("inbox facets", facets),
        ("facets filtered+search", facets_filtered),
        ("saved view", view),
        ("mention", f"/mentions/{mention_id}"),
        ("people 7 days", "/people"),
        ("alerts", "/alerts"),
        ("alert + story", f"/alerts/{alert_id}"),
        ("trends 1 day", "/trends?days=1"),
        ("trends 7 days", "/trends"),
        ("trends 30 days", "/trends?days=30"),
        ("ideas", "/ideas"),
        ("idea", f"/ideas/{idea_id}"),
        ("sources", "/sources"),
        ("settings", "/settings"),
    ]
    only = [p for p in pages if not wanted or any(w in p[0] for w in wanted)]
    for name, path in only:
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
    parser.add_argument("--pages", nargs="*", default=[], help="only the pages whose name holds one of these")
    args = parser.parse_args()
    if args.paint_url:
        first_paint(args.paint_url, args.user, args.password, args.shots)
        return
    for engine in args.engines.split(","):
        run(database(engine, args.mentions, args.keep), args.mentions, args.requests, args.pages)


if __name__ == "__main__":
    main()
