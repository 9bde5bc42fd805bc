"""Web API fixtures: the API of ``web_env`` over SQLite (and PostgreSQL), one server per test module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from web_env import WebEnv, start_env, stop_env


def _fresh_postgres(base: str) -> str:
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("drop schema public cascade"))
        conn.execute(sa.text("create schema public"))
    engine.dispose()
    return base


@pytest.fixture(scope="module")
def sqlite_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebEnv]:
    """The API over a seeded SQLite file, shared by one test module."""
    path: Path = tmp_path_factory.mktemp("web") / "listener.db"
    env = start_env(f"sqlite:///{path}")
    yield env
    stop_env(env)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebEnv]:
    """The API over a seeded SQLite file, then over PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'listener.db'}"
    else:
        url = _fresh_postgres(request.getfixturevalue("pg_server_url"))
    started = start_env(url)
    yield started
    stop_env(started)
