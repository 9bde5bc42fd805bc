"""An unreachable or locked database gives DatabaseUnavailable after retries, with the password hidden."""

from __future__ import annotations

import socket
import sqlite3
import time
from pathlib import Path

import pytest
from storage_builders import batch, mention

from listener.core.errors import DatabaseUnavailable, StorageError
from storage import Repository, RetryPolicy

FAST = RetryPolicy(attempts=3, first_delay_s=0.05, factor=2.0, busy_timeout_s=0.2)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_postgres_on_a_closed_port(caplog: pytest.LogCaptureFixture) -> None:
    url = f"postgresql+psycopg://root:s3cretpw@127.0.0.1:{_closed_port()}/listener"
    repo = Repository.from_url(url, retry=FAST)
    with pytest.raises(DatabaseUnavailable) as info:
        repo.upgrade()
    message = str(info.value)
    assert "s3cretpw" not in message
    assert f"root:***@127.0.0.1:{url.split(':')[3].split('/', maxsplit=1)[0]}/listener" in message
    assert "after 3 attempts" in message
    assert info.value.__cause__ is None  # a clear message, not a chained driver traceback
    retries = [r for r in caplog.records if "retrying" in r.getMessage()]
    assert len(retries) == 2
    assert all("s3cretpw" not in r.getMessage() for r in caplog.records)


def test_sqlite_file_locked_by_another_connection(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    repo = Repository.from_url(f"sqlite:///{path}", retry=FAST)
    repo.upgrade()
    repo.upsert_batch(batch(mention(1)), source="testsrc", query_id="q")

    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseUnavailable, match="database is locked"):
            repo.upsert_batch(batch(mention(2)), source="testsrc", query_id="q")
        assert time.monotonic() - started >= 3 * 0.2  # each attempt waited the busy timeout
        assert repo.count_mentions() == 1  # WAL: readers are not blocked by the writer
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert repo.upsert_batch(batch(mention(2)), source="testsrc", query_id="q").inserted == 1
    repo.close()


def test_sqlite_in_an_unwritable_place(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(DatabaseUnavailable, match="cannot create the folder"):
        Repository.from_url(f"sqlite:///{blocker}/sub/listener.db", retry=FAST).upgrade()


def test_a_missing_schema_is_a_storage_error_with_the_fix(db_url: str) -> None:
    repo = Repository.from_url(db_url, retry=FAST)
    started = time.monotonic()
    with pytest.raises(StorageError, match="run: listener db upgrade") as info:
        repo.count_mentions()
    assert not isinstance(info.value, DatabaseUnavailable)
    assert time.monotonic() - started < 0.05 * 3  # not retried: waiting would not create the tables
    repo.close()


@pytest.mark.parametrize(
    ("where", "said"),
    [
        ("nosuch_listener_role@127.0.0.1:5432/test", 'role "nosuch_listener_role"'),
        ("root@127.0.0.1:5432/nosuch_listener_db", 'database "nosuch_listener_db"'),
    ],
)
def test_postgres_refusing_the_role_or_database_is_fatal_at_once(
    where: str, said: str, caplog: pytest.LogCaptureFixture, pg_server_url: str
) -> None:
    """A wrong role or database will not fix itself: one attempt, a message saying so, no "busy"."""
    repo = Repository.from_url(f"postgresql+psycopg://{where}", retry=FAST)
    with pytest.raises(StorageError) as info:
        repo.upgrade()
    assert not isinstance(info.value, DatabaseUnavailable)
    message = str(info.value)
    assert said in message and "not retried" in message and "database.url" in message
    assert info.value.__cause__ is None
    assert not [r for r in caplog.records if "retrying" in r.getMessage()]
    repo.close()
