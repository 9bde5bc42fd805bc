"""Two worker processes' HTTP clients share one request rate per host through the database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from connectors._http import HostLimiter, HttpClient, HttpPolicy
from listener.shared_limits import SharedHostLimiter
from storage import Repository
from tests.replay import ReplayServer, Reply, serve

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
POLICY = HttpPolicy(rate_per_s=2.0, burst=1, max_bucket_wait_s=60.0)


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    for replay in serve():
        for _ in range(6):
            replay.add("/feed", Reply(200, {"content-type": "text/plain"}, b"ok"))
        yield replay


def _client(limiter: HostLimiter, waits: list[float]) -> HttpClient:
    return HttpClient("rss", policy=POLICY, limiter=limiter, sleep=waits.append)


def test_workers_draw_from_one_bucket_per_host(db_url: str, server: ReplayServer) -> None:
    workers = [Repository.from_url(db_url, clock=lambda: NOW) for _ in range(2)]
    workers[0].upgrade()
    waits: list[list[float]] = [[], []]
    clients = [_client(SharedHostLimiter(w.coordinator), waits[i]) for i, w in enumerate(workers)]
    try:
        for client in [*clients, *clients]:
            assert client.get(f"{server.url}/feed").status == 200
        # one token at 2/s for both workers together: the 2nd, 3rd and 4th requests wait 0.5, 1, 1.5 s
        assert waits[0] == [1.0] and waits[1] == [0.5, 1.5]
        SharedHostLimiter(workers[1].coordinator).pause("127.0.0.1", 90)
        assert workers[0].coordinator.reserve_token("host:127.0.0.1", 2.0, 1) == 90.0
    finally:
        for client in clients:
            client.close()
        for worker in workers:
            worker.close()


def test_in_memory_limiters_do_not_share(server: ReplayServer) -> None:
    """The contrast: one HostLimiter per process lets each process use the full rate."""
    waits: list[list[float]] = [[], []]
    clients = [_client(HostLimiter(), waits[i]) for i in range(2)]
    try:
        for client in clients:
            assert client.get(f"{server.url}/feed").status == 200
        assert waits == [[], []]
    finally:
        for client in clients:
            client.close()
