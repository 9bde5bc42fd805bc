"""Fixtures of the fleet tests: a RabbitMQ vhost of this session's own on the shared server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.workers.shared_servers import private_vhost, purge_queues


@pytest.fixture(scope="session")
def session_broker() -> Iterator[str]:
    """Yield the broker URL of this session's vhost (made once: ``rabbitmqctl`` takes seconds)."""
    with private_vhost() as url:
        yield url


@pytest.fixture
def broker(session_broker: str) -> str:
    """Return the session's broker URL with its queues emptied: nothing left by an earlier test runs."""
    purge_queues(session_broker)
    return session_broker
