"""RSS: each plain feed is fetched once per collection cycle, whatever the number of topics.

A loopback HTTP server serves 12 feeds (with ETags) and a news-search feed, and counts the requests
the service's collection jobs make. Before, every topic fetched every feed: 36 requests for 12 feeds
and 3 topics. Now the feeds are fetched once and each item is stored with every topic it matches;
the next cycle sends conditional requests (If-None-Match) and gets 304s; news search stays per topic.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from connectors._http_policy import HostLimiter, HttpPolicy
from listener.config import parse_settings
from listener.wiring import build_full_service, open_repository
from storage import MentionFilter

TOPICS = ("acme", "globex", "initech")
FEEDS = 12
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
EMPTY = b'<?xml version="1.0"?><rss version="2.0"><channel><title>no news</title></channel></rss>'


def _feed(index: int) -> bytes:
    """Two items per feed: one about one topic, one naming two topics."""
    one, two = TOPICS[index % 3], TOPICS[(index + 1) % 3]
    items = "".join(
        f"<item><guid>feed{index}-{k}</guid><title>{title}</title><link>http://example.test/{index}/{k}</link>"
        f"<pubDate>Thu, 19 Nov 2026 1{k}:00:00 GMT</pubDate><description>{title}</description></item>"
        for k, title in enumerate((f"News about {one} today", f"{one} and {two} compared")))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {index}</title>'
            f"<link>http://example.test/{index}</link>{items}</channel></rss>").encode()


class CountingFeeds:
    """Serve the feeds with ETags (304 when the client sends the current one) and count requests."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.conditional: Counter[str] = Counter()
        self.lock = threading.Lock()
        counting = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path
                with counting.lock:
                    counting.requests[path] += 1
                    if self.headers.get("If-None-Match"):
                        counting.conditional[path] += 1
                etag = f'"{path}-v1"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                is_feed = path.startswith("/feed/")
                body = _feed(int(path.split("/")[-1].removesuffix(".xml"))) if is_feed else EMPTY
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        self.base = f"http://{self.host}"

    def total(self, prefix: str) -> int:
        return sum(n for path, n in self.requests.items() if path.startswith(prefix))


@pytest.fixture
def feeds() -> Iterator[CountingFeeds]:
    served = CountingFeeds()
    thread = threading.Thread(target=served.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        served.server.shutdown()
        served.server.server_close()


def test_each_feed_is_fetched_once_per_cycle_and_matched_for_every_topic(
    tmp_path: Path, feeds: CountingFeeds
) -> None:
    urls = ", ".join(f'"{feeds.base}/feed/{i}.xml"' for i in range(FEEDS))
    topics = "\n".join(f"  - {{id: {t}, name: {t.title()}, query: {t}}}" for t in TOPICS)
    settings = parse_settings(f"""
database: {{url: "sqlite:///{tmp_path / 'listener.db'}"}}
data_dir: {tmp_path / 'data'}
topics:
{topics}
sources:
  demo: {{enabled: false}}
  rss: {{enabled: true, feeds: [{urls}], news_search: ["{feeds.base}/search?q={{query}}"]}}
analysis: {{enabled: false}}
""")
    # this test's own host buckets (the process-wide ones are shared with other loopback tests),
    # generous enough that the polite rate does not turn request counting into waiting
    limiter = HostLimiter()
    limiter.bucket(feeds.host, HttpPolicy(rate_per_s=1000.0, burst=100))
    repository = open_repository(settings, clock=lambda: NOW)
    service = build_full_service(settings, repository, clock=lambda: NOW, limiter=limiter)
    try:
        first = service.run_once(("collect",))
        assert all(s.outcome in ("ok", "empty") for s in first if s.kind == "collect"), first
        assert feeds.total("/feed/") == FEEDS  # once each, not once per topic (36)
        assert feeds.total("/search") == len(TOPICS)  # news search is per topic
        assert all(n == 1 for path, n in feeds.requests.items() if path.startswith("/feed/"))

        stored = repository.search_mentions(MentionFilter(limit=None))
        assert len(stored) == 2 * FEEDS
        assert all(s.mention.fetched_at == NOW for s in stored)  # the injected clock
        both = [s for s in stored if " and " in s.mention.text]
        assert len(both) == FEEDS and all(len(s.topics) == 2 for s in both)
        for topic in TOPICS:  # every topic sees its items, from the one fetch
            # first topic of 4 feeds (2 items each), second topic of 4 others (1 item each)
            assert repository.count_mentions(MentionFilter(topics=(topic,))) == 4 * 2 + 4

        # the next cycle: one conditional request per feed, each answered 304, nothing stored twice
        service.run_once(("collect",))
        assert feeds.total("/feed/") == 2 * FEEDS
        assert sum(n for path, n in feeds.conditional.items() if path.startswith("/feed/")) == FEEDS
        assert repository.count_mentions(MentionFilter()) == 2 * FEEDS
    finally:
        service.shutdown(wait=False)
        repository.close()
