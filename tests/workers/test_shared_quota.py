"""X's monthly post cap shared by two worker processes racing for the last posts of the month.

Two real processes, each with its own ``TwitterConnector`` whose HTTP client draws on the fleet's limits
(``listener.shared_limits.SharedHostLimiter``, as ``listener worker`` builds it), fetch from a loopback
recent-search server until the cap stops them. The server answers as many posts as asked, sometimes a
few fewer (the unused reservation is given back). Checked: together they read no more than the cap,
the ``quota_usage`` row equals what the server sent, and both end on the clear "cap reached" message.
On PostgreSQL, the database of a fleet (the same rows work on SQLite, one writer at a time).
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors._http import HttpClient, HttpPolicy
from connectors._twitter_quota import MIN_RESULTS, QUOTA_KEY
from connectors.twitter import TwitterConnector
from listener.core.errors import RetryLater
from listener.core.model import Query
from listener.shared_limits import SharedHostLimiter
from storage import Repository
from tests.replay import ReplayServer, Reply, Seen, serve

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
CAP = 1035
"""Ten full pages and 35 posts: the last page is smaller than asked, and what is left after it too."""


class Search:
    """Recent search: ``max_results`` new posts per request (every third answer 7 short)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent = 0
        self.requests = 0

    def __call__(self, seen: Seen) -> Reply:
        asked = int(seen.query.get("max_results", "100"))
        with self.lock:
            self.requests += 1
            count = asked - 7 if self.requests % 3 == 0 else asked
            first = self.sent
            self.sent += count
        time.sleep(0.05)  # a request takes a moment: the two workers' requests interleave
        data = [{"id": str(10**15 + first + i), "text": f"post {first + i}", "author_id": "1",
                 "created_at": "2026-11-23T11:00:00.000Z", "lang": "en"} for i in range(count)]
        body = {"data": data, "includes": {"users": [{"id": "1", "username": "someone", "name": "Someone"}]},
                "meta": {"result_count": count}}
        return Reply.json(body)


@pytest.fixture
def search() -> Iterator[tuple[ReplayServer, Search]]:
    handler = Search()
    for server in serve():
        server.add("/2/tweets/search/recent", handler)
        yield server, handler


def _worker(db_url: str, api_url: str, name: str, start: Any, out: Any) -> None:
    """One worker process: fetch new topics until the shared cap says stop; report posts and message."""
    repository = Repository.from_url(db_url, clock=lambda: NOW)
    client = HttpClient("twitter", limiter=SharedHostLimiter(repository.coordinator),
                        policy=HttpPolicy(max_attempts=1, rate_per_s=1000.0, burst=1000))
    connector = TwitterConnector(bearer_token="test-bearer", api_url=api_url, monthly_post_cap=CAP,
                                 client=client, clock=lambda: NOW)
    posts, message = 0, ""
    start.wait()
    for n in range(100):
        try:
            batch = connector.fetch(Query(id=f"{name}-{n}", name="t", expression="lumio"), None)
            posts += len(batch.mentions)
        except RetryLater as err:
            message = str(err)
            break
    repository.close()
    out.put((name, posts, message))


@pytest.mark.parametrize("db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_two_workers_racing_for_the_last_posts_never_pass_the_cap(
    db_url: str, search: tuple[ReplayServer, Search], tmp_path: Path
) -> None:
    server, handler = search
    repository = Repository.from_url(db_url, clock=lambda: NOW)
    repository.upgrade()
    spawn = multiprocessing.get_context("spawn")
    start, out = spawn.Barrier(2), spawn.Queue()  # both fetch once both are ready
    procs = [spawn.Process(target=_worker, args=(db_url, server.url, f"w{i}", start, out)) for i in range(2)]
    for proc in procs:
        proc.start()
    results = [out.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
    used = repository.coordinator.quota_used(QUOTA_KEY, "2026-11")
    repository.close()
    assert sum(posts for _, posts, _ in results) == handler.sent == used
    assert CAP - MIN_RESULTS < used <= CAP, used
    assert all(posts > 0 for _, posts, _ in results), results  # both took part in the race
    for _, _, message in results:
        assert f"monthly post cap reached for all workers ({used}/{CAP} posts read in 2026-11)" in message
        assert "waits until 2026-12-01" in message
    from typer.testing import CliRunner  # here: the spawned workers import this module, not the CLI

    from listener.cli import app

    config = tmp_path / "config.yaml"
    config.write_text(f"database: {{url: '{db_url}'}}\nsources:\n  twitter: {{monthly_post_cap: {CAP}}}\n",
                      encoding="utf-8")
    shown = CliRunner().invoke(app, ["status", "--config", str(config)],
                               env={"LISTENER_CLOCK": NOW.isoformat()})
    assert f"X posts read this month by all workers: {used} of {CAP}" in shown.output, shown.output
