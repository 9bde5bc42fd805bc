"""Storage fixtures: a migrated repository on each engine, a settable clock, mention builders."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from storage_builders import Clock

from storage import Repository, RetryPolicy


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def repo(db_url: str, clock: Clock) -> Iterator[Repository]:
    """Yield a migrated repository on a fresh SQLite file or PostgreSQL schema."""
    repository = Repository.from_url(db_url, clock=clock, retry=RetryPolicy(attempts=2, first_delay_s=0.05))
    repository.upgrade()
    yield repository
    repository.close()
