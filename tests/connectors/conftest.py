"""Fixtures for connector tests: one loopback replay server per session, reset for every test."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from connectors._http import HostLimiter, HttpClient, HttpPolicy
from tests.replay import ReplayServer, serve


@pytest.fixture(scope="session")
def _replay_session() -> Iterator[ReplayServer]:
    yield from serve()


@pytest.fixture
def server(_replay_session: ReplayServer) -> ReplayServer:
    """Return the running replay server with an empty route table."""
    _replay_session.reset()
    return _replay_session


@pytest.fixture
def sleeps() -> list[float]:
    """Collect the backoff delays the HTTP client asked for (the client sleeps through this list)."""
    return []


@pytest.fixture
def make_client(sleeps: list[float]) -> Callable[..., HttpClient]:
    """Build an HttpClient with short timeouts, a private limiter and a sleep that only records."""

    def build(source: str, **policy: float) -> HttpClient:
        settings = {"read_timeout_s": 1.0, "connect_timeout_s": 1.0, "max_attempts": 3,
                    "breaker_threshold": 50, **policy}
        return HttpClient(
            source,
            policy=HttpPolicy(**settings),  # type: ignore[arg-type]
            sleep=sleeps.append,
            limiter=HostLimiter(),
        )

    return build
