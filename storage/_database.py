"""The engine, its per-connection settings, and the one place database errors become ours.

SQLite runs as a file in WAL mode with ``synchronous=NORMAL``, a busy timeout and foreign keys on;
every write transaction starts with ``BEGIN IMMEDIATE``, so two writers queue on the busy timeout
instead of failing half-way with ``SQLITE_BUSY`` on lock upgrade (one writer at a time, as datasette
does). PostgreSQL goes through psycopg 3. Transient failures (unreachable server, locked file,
deadlock, dropped connection) are retried a few times with exponential backoff; after that the caller
gets :class:`~listener.core.errors.DatabaseUnavailable` naming the URL with its password hidden. Other
database errors become :class:`~listener.core.errors.StorageError`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.engine import Connection, Engine, make_url

from listener.core.errors import DatabaseUnavailable, StorageError

logger = logging.getLogger(__name__)

T = TypeVar("T")

_BEGIN_OPTION = "listener_begin"


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """How hard to try before declaring the database unavailable."""

    attempts: int = 4
    first_delay_s: float = 0.2
    factor: float = 3.0
    busy_timeout_s: float = 5.0
    """SQLite: how long one statement waits for a lock; PostgreSQL: the connect timeout."""


def redact(url: str) -> str:
    """Return ``url`` with its password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except exc.ArgumentError:
        return "<invalid database url>"


def _first_line(err: BaseException) -> str:
    orig = getattr(err, "orig", None) or err
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__


_SQLITE_TRANSIENT = ("locked", "busy", "unable to open", "disk i/o")
"""SQLite reports everything as OperationalError; only these messages are worth a retry."""
_PG_TRANSIENT = {"40001", "40P01", "55P03", "57P01", "57P03", "08000", "08001", "08003", "08004", "08006"}
"""Serialization failure, deadlock, lock timeout, shutdown, cannot connect now, connection errors."""


_PG_REFUSED = {"28000", "28P01", "3D000"}
"""Invalid authorization (role, pg_hba), wrong password, unknown database: retrying cannot help."""
_PG_REFUSED_WORDS = (
    "authentication failed",
    "no pg_hba.conf entry",
    "does not exist",
    "password authentication",
    "role ",
    "permission denied for database",
)
"""The same refusals as libpq words them when it fails before any SQLSTATE is known (at connect)."""


def _is_refused(err: exc.DBAPIError) -> bool:
    """Tell whether PostgreSQL refused us for good: bad credentials, role or database name."""
    orig = getattr(err, "orig", None)
    if type(orig).__module__.startswith("sqlite3"):
        return False
    code = getattr(orig, "sqlstate", None)
    if code is not None:
        return code in _PG_REFUSED
    text = str(orig)
    return "FATAL" in text and any(word in text for word in _PG_REFUSED_WORDS)


def _is_transient(err: exc.DBAPIError) -> bool:
    if err.connection_invalidated:
        return True
    orig = getattr(err, "orig", None)
    if isinstance(err, exc.OperationalError) and type(orig).__module__.startswith("sqlite3"):
        return any(word in str(orig).lower() for word in _SQLITE_TRANSIENT)
    code = getattr(orig, "sqlstate", None)
    if code is not None:
        return code in _PG_TRANSIENT
    # no SQLSTATE: psycopg could not even talk to the server (refused, timed out, reset)
    return isinstance(err, exc.OperationalError | exc.InterfaceError)


def _hint(err: exc.DBAPIError) -> str:
    text = _first_line(err)
    orig = getattr(err, "orig", None)
    if "no such table" in text or getattr(orig, "sqlstate", None) == "42P01":
        return text + " (is the schema created? run: listener db upgrade)"
    return text


def _binary_lists(dbapi_conn: Any, _record: Any) -> None:
    """Send Python lists (our ``= ANY(array)`` look-ups) as binary arrays.

    psycopg's default text array dumper escapes each element with a regex in Python: about 30 ms
    per 1,000 keys, more than the query itself. The binary dumper needs no escaping.
    """
    from psycopg.types.array import ListBinaryDumper

    dbapi_conn.adapters.register_dumper(list, ListBinaryDumper)


class Database:
    """An engine plus the transaction helpers every aggregate module uses."""

    def __init__(self, url: str, *, retry: RetryPolicy | None = None, echo: bool = False) -> None:
        self.retry = retry or RetryPolicy()
        self.url = url
        self.safe_url = redact(url)
        try:
            parsed = make_url(url)
        except exc.ArgumentError as err:
            raise StorageError(f"storage: invalid database url {self.safe_url!r}") from err
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite":
            self.engine = self._sqlite_engine(parsed, echo)
        elif self.dialect == "postgresql":
            if parsed.drivername == "postgresql":
                parsed = parsed.set(drivername="postgresql+psycopg")
            self.engine = sa.create_engine(
                parsed,
                echo=echo,
                pool_pre_ping=True,
                connect_args={"connect_timeout": max(1, round(self.retry.busy_timeout_s))},
            )
            event.listen(self.engine, "connect", _binary_lists)
        else:
            raise StorageError(
                f"storage: unsupported database {self.safe_url!r} (use sqlite:/// or postgresql+psycopg://)"
            )

    def _sqlite_engine(self, parsed: sa.URL, echo: bool) -> Engine:
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            try:
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise DatabaseUnavailable(
                    f"storage: cannot create the folder of {self.safe_url}: {err.strerror or err}"
                ) from None
        engine = sa.create_engine(parsed, echo=echo, connect_args={"timeout": self.retry.busy_timeout_s})
        busy_ms = int(self.retry.busy_timeout_s * 1000)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Take transaction control away from the sqlite3 module so BEGIN is ours (see "begin").
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout = {busy_ms}")
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[Connection]:
        with self.engine.connect() as raw:
            conn = raw
            if write and self.dialect == "sqlite":
                conn = raw.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
            with conn.begin():
                yield conn

    def run(self, work: Callable[[Connection], T], *, write: bool = True) -> T:
        """Run ``work`` in one transaction, retrying the whole of it on transient failures."""
        delay = self.retry.first_delay_s
        for attempt in range(1, self.retry.attempts + 1):
            try:
                with self._transaction(write=write) as conn:
                    return work(conn)
            except exc.DBAPIError as err:
                if _is_refused(err):
                    raise StorageError(
                        f"storage: database {self.safe_url} refused the connection, not retried: "
                        f"{_first_line(err)} (check database.url: role, password and database name, "
                        "or the server's access rules)"
                    ) from None
                if not _is_transient(err):
                    raise StorageError(f"storage: database error on {self.safe_url}: {_hint(err)}") from err
                if attempt == self.retry.attempts:
                    raise DatabaseUnavailable(
                        f"storage: database {self.safe_url} is unavailable after {attempt} attempts: "
                        f"{_first_line(err)}"
                    ) from None
                logger.warning(
                    "storage: database busy or unreachable, retrying in %.1fs (attempt %d/%d): %s",
                    delay,
                    attempt,
                    self.retry.attempts,
                    _first_line(err),
                )
                time.sleep(delay)
                delay *= self.retry.factor
        raise AssertionError("unreachable")  # pragma: no cover

    def read(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in a read transaction (no write lock on SQLite)."""
        return self.run(work, write=False)

    def checkpoint(self) -> None:
        """SQLite: copy the WAL into the database file and truncate it (outside any transaction)."""
        raw = self.engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cur.close()
        finally:
            raw.close()

    def vacuum(self, tables: tuple[str, ...]) -> None:
        """PostgreSQL: VACUUM these tables (outside any transaction) so erased rows' space is reclaimed.

        Plain VACUUM frees the dead row versions for reuse without locking the tables; the bytes
        disappear from the files when the space is reused (``VACUUM FULL`` rewrites them at once).
        """
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in tables:
                conn.exec_driver_sql(f'VACUUM "{table}"')

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
