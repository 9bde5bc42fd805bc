"""Shared fixtures: the real data folder, real SQLite files and a real PostgreSQL database.

PostgreSQL tests are marked ``postgres``: they skip locally when the server is unreachable and fail
under ``CI=true``. Model hubs are switched off for the whole run, so a download attempt fails loudly.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from listener.demo import DemoReport

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
# One model folder for the whole run (built and exported once, ~45 s) instead of one per data dir;
# tests of the build itself unset it and build into their own folders.
_MODEL_DIR = tempfile.mkdtemp(prefix="listener-test-model-")
os.environ["LISTENER_MODEL_DIR"] = str(Path(_MODEL_DIR) / "e5-small")
# Tests that unset LISTENER_MODEL_DIR fall back on the per-user cache: never the real one.
os.environ["XDG_CACHE_HOME"] = str(Path(_MODEL_DIR) / "user-cache")


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Start the house checks in the background when they are among the tests to run."""
    if any(item.path.name == "test_quality.py" for item in items):
        from tests import house_checks

        house_checks.start()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Stop house checks left running and remove the run's model folder (about 600 MB)."""
    from tests import house_checks

    house_checks.stop()
    shutil.rmtree(_MODEL_DIR, ignore_errors=True)

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
PG_ADMIN_URL = os.environ.get("LISTENER_TEST_PG", "postgresql+psycopg://root@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Return ../shared/data, or skip with the reason when this checkout has no such folder."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real recorded data not found at {SHARED_DATA} (see ../shared/README.md)")
    return SHARED_DATA


def _pg_reachable() -> str | None:
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(
            PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
        )
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
    except Exception as err:  # any driver error means "not reachable" here
        return str(err).splitlines()[0]
    return None


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """Create a fresh PostgreSQL database for this test session and drop it afterwards."""
    import sqlalchemy as sa

    problem = _pg_reachable()
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {PG_ADMIN_URL} is unreachable under CI: {problem}")
        pytest.skip(f"PostgreSQL unreachable: {problem}")
    name = f"listener_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'create database "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'drop database if exists "{name}" with (force)'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """Return the URL of a fresh SQLite file in this test's temporary folder."""
    return f"sqlite:///{tmp_path / 'listener.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Yield a fresh, empty database URL: a SQLite file, then a clean PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'listener.db'}"
        return
    import sqlalchemy as sa

    base = request.getfixturevalue("pg_server_url")
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("drop schema public cascade"))
        conn.execute(sa.text("create schema public"))
    engine.dispose()
    yield base


@pytest.fixture(scope="session")
def demo_week(tmp_path_factory: pytest.TempPathFactory) -> DemoReport:
    """The demo's week (seed 42, 3 days to 2026-11-23), run once: read it, or change a ``copy_of`` it."""
    from listener.demo import run_demo
    from tests.demo_week import DAYS, NOW, SEED

    return run_demo(tmp_path_factory.mktemp("demo-week") / "demo.db", seed=SEED, days=DAYS, now=NOW)
