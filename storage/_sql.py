"""Small SQL helpers the aggregate modules share: dialect inserts, chunked key look-ups, JSON columns."""

from __future__ import annotations

import json
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import InstrumentedAttribute

T = TypeVar("T")

CHUNK = 5000
"""Keys per look-up (one JSON or array parameter each, see :func:`one_of`)."""

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """Yield consecutive slices of at most ``size`` items."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert(dialect: str, table: sa.Table) -> Any:
    """Return the dialect's INSERT (the one with ``on_conflict_do_update``/``do_nothing``)."""
    if dialect == "sqlite":
        return sqlite.insert(table)
    return postgresql.insert(table)


def count(value: int | None) -> int | None:
    """Clamp an engagement count to a signed 64-bit integer (a source bug must not fail the batch)."""
    if value is None:
        return None
    if type(value) is int and INT64_MIN <= value <= INT64_MAX:
        return value  # the common case, without the min/max calls (six per stored mention)
    return max(INT64_MIN, min(INT64_MAX, int(value)))


def one_of(conn: Connection, column: Any, values: Sequence[Any]) -> sa.ColumnElement[bool]:
    """Return ``column IN (values)`` with ONE bound parameter, so the statement text is cached.

    PostgreSQL: ``= ANY(:array)``. SQLite: ``IN (SELECT value FROM json_each(:json))``. A plain
    ``IN (?, ?, ...)`` is re-rendered and re-parsed for every list length.
    """
    if conn.dialect.name == "postgresql":
        item = column.type if not isinstance(column.type, sa.Integer) else sa.BigInteger()
        array = sa.bindparam(None, list(values), type_=postgresql.ARRAY(item))
        return column == sa.any_(array)  # type: ignore[no-any-return]
    listed = sa.func.json_each(sa.bindparam(None, json.dumps(list(values)), type_=sa.Text)).table_valued(
        "value"
    )
    return column.in_(sa.select(listed.c.value))  # type: ignore[no-any-return]


def has_rows(conn: Connection, source_col: InstrumentedAttribute[str], source: str) -> bool:
    """Tell whether a table holds any row for ``source`` (tombstone tables are usually empty)."""
    return bool(conn.execute(sa.select(sa.exists().where(source_col == source))).scalar())


def _sqlite_datetime(value: datetime) -> str:
    """Render a datetime exactly as SQLAlchemy's SQLite DATETIME does (naive UTC, microseconds)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(sep=" ", timespec="microseconds")


OnConflict = Callable[[Any], Any]
"""Turns a dialect INSERT into the upsert: ``lambda ins: ins.on_conflict_do_update(...)``."""


@lru_cache(maxsize=64)
def _sqlite_upsert(
    dialect: Dialect, table: sa.Table, names: tuple[str, ...], conflict: OnConflict
) -> tuple[str, Callable[[dict[str, Any]], tuple[Any, ...]], tuple[int, ...]]:
    """Return the SQL, a getter of the positional values, and which positions hold datetimes."""
    compiled = conflict(sqlite.insert(table)).compile(dialect=dialect, column_keys=list(names))
    order = tuple(compiled.positiontup or ())
    getter = itemgetter(*order) if len(order) > 1 else (lambda row: (row[order[0]],))
    dates = tuple(i for i, name in enumerate(order) if isinstance(table.c[name].type, sa.TypeDecorator))
    return str(compiled), getter, dates


@lru_cache(maxsize=64)
def _postgres_staged(
    dialect: Dialect, table: sa.Table, names: tuple[str, ...], conflict: OnConflict, returning: str = ""
) -> tuple[str, str, str]:
    """Return the SQL that creates the staging table, COPYs into it, and upserts from it.

    The staging table is a session-local temporary table holding only ``names`` (no index, no
    constraint, no WAL), emptied at commit; the upsert empties it itself (``DELETE ... RETURNING`` in a
    CTE), so two calls in one transaction cannot see each other's rows.
    """
    staging = f"_ingest_{table.name}_{zlib.crc32(','.join(names).encode()):08x}"
    quoted = ", ".join(f'"{name}"' for name in names)
    create = (
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DELETE ROWS AS "
        f"SELECT {quoted} FROM {table.name} WITH NO DATA"
    )
    copy = f"COPY {staging} ({quoted}) FROM STDIN"
    rows = sa.table(staging, *(sa.column(name) for name in names))
    batch = sa.delete(rows).returning(*rows.c).cte("batch")
    insert = postgresql.insert(table).from_select(list(names), sa.select(*batch.c), include_defaults=False)
    statement = conflict(insert)
    if returning:
        statement = statement.returning(sa.literal_column(returning))
    return create, copy, str(statement.compile(dialect=dialect))


def _postgres_copy_upsert(
    conn: Connection, table: sa.Table, rows: Sequence[dict[str, Any]], conflict: OnConflict, returning: str
) -> tuple[int, list[tuple[Any, ...]]]:
    """Upsert through COPY: stream the rows into the staging table, then one INSERT ... SELECT.

    COPY is the fastest way into PostgreSQL (psycopg formats the rows in C); the upsert then runs
    server-side in one statement. Returns the row count and the RETURNING rows (if asked).
    """
    names = tuple(rows[0])
    create, copy_sql, upsert_sql = _postgres_staged(conn.dialect, table, names, conflict, returning)
    found: list[tuple[Any, ...]] = []

    def call(cursor: Any) -> None:
        cursor.execute(create, prepare=False)
        with cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row([row[name] for name in names])
        cursor.execute(upsert_sql)
        if returning:
            found.extend(tuple(r) for r in cursor.fetchall())

    return _on_driver(conn, call, upsert_sql), found


def copy_insert(conn: Connection, table: sa.Table, rows: Iterable[dict[str, Any]]) -> bool:
    """PostgreSQL only: COPY rows the caller believes new straight into ``table``, under a savepoint.

    As fast as ``COPY`` can be (no staging table, no conflict checks), and ``rows`` may be a generator:
    each row is built while the server already stores the ones sent before it (the two cores work at
    once). Returns False, having written nothing, when one of the rows exists after all (a concurrent
    writer inserted it since the caller looked): the caller then upserts them instead.
    """
    remaining = iter(rows)
    first = next(remaining, None)
    if first is None:
        return True
    names = tuple(first)
    values = itemgetter(*names)
    quoted = ", ".join(f'"{name}"' for name in names)
    copy_sql = f"COPY {table.name} ({quoted}) FROM STDIN"

    def call(cursor: Any) -> None:
        with cursor.copy(copy_sql) as copy:
            copy.write_row(values(first))
            for row in remaining:
                copy.write_row(values(row))

    try:
        with conn.begin_nested():
            _on_driver(conn, call, copy_sql)
    except exc.IntegrityError:
        return False
    return True


def bulk_upsert(
    conn: Connection, table: sa.Table, rows: Sequence[dict[str, Any]], conflict: OnConflict
) -> int:
    """Insert-or-update many rows in one go; return how many rows were written (inserted or changed).

    The hot path of ingestion. SQLite: one compiled statement run with the driver's
    ``executemany`` (no per-row SQLAlchemy parameter processing). PostgreSQL: ``COPY`` into a
    temporary staging table, then one ``INSERT ... SELECT ... ON CONFLICT`` from it (see
    :func:`_postgres_copy_upsert`), which replaced an ``unnest(array, ...)`` statement whose arrays
    psycopg built in Python (0.30x of a raw COPY in ``benchmarks/ingest.py``, then 0.37-0.49x; new
    mentions now skip it through :func:`copy_insert`). Rows
    must have the same keys and no repeated conflict key (PostgreSQL refuses to update a row twice
    in one statement).
    """
    if not rows:
        return 0
    names = tuple(rows[0])
    if conn.dialect.name == "postgresql":
        return _postgres_copy_upsert(conn, table, rows, conflict, "")[0]
    sql, getter, dates = _sqlite_upsert(conn.dialect, table, names, conflict)
    params: list[list[Any]] = []
    rendered: dict[datetime, str] = {}  # fetched_at and "now" repeat on every row of a batch
    for row in rows:
        values = list(getter(row))
        for i in dates:
            value = values[i]
            if value is not None:
                text = rendered.get(value)
                if text is None:
                    text = rendered[value] = _sqlite_datetime(value)
                values[i] = text
        params.append(values)
    return _on_driver(conn, lambda cursor: cursor.executemany(sql, params), sql)


def bulk_upsert_returning(
    conn: Connection, table: sa.Table, rows: Sequence[dict[str, Any]], conflict: OnConflict, returning: str
) -> list[tuple[Any, ...]]:
    """PostgreSQL only: :func:`bulk_upsert` returning ``returning`` (SQL) for each row written."""
    if not rows:
        return []
    return _postgres_copy_upsert(conn, table, rows, conflict, returning)[1]


def _on_driver(conn: Connection, call: Callable[[Any], object], sql: str) -> int:
    """Run ``call(cursor)`` on the connection's DBAPI cursor; wrap driver errors like SQLAlchemy does."""
    dbapi = conn.dialect.loaded_dbapi
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        call(cursor)
        return int(cursor.rowcount)
    except dbapi.Error as err:
        raise exc.DBAPIError.instance(sql, None, err, dbapi.Error, dialect=conn.dialect) from err
    finally:
        cursor.close()


def existing_keys(
    conn: Connection,
    source_col: InstrumentedAttribute[str],
    external_col: InstrumentedAttribute[str],
    keys: Iterable[tuple[str, str]],
    *,
    is_sparse: bool = False,
) -> set[tuple[str, str]]:
    """Return which ``(source, external_id)`` keys are present in the table of the two columns.

    ``is_sparse``: first ask whether the table has any row for the source at all (one cheap probe
    that settles the common case of an empty tombstone table).
    """
    by_source: dict[str, list[str]] = defaultdict(list)
    for source, external_id in keys:
        by_source[source].append(external_id)
    found: set[tuple[str, str]] = set()
    for source, ids in by_source.items():
        if is_sparse and not has_rows(conn, source_col, source):
            continue
        for part in chunks(ids):
            rows = conn.execute(
                sa.select(external_col).where(source_col == source, one_of(conn, external_col, part))
            ).scalars()
            found.update((source, ext) for ext in rows)
    return found


def loads_list(text: str | None) -> tuple[Any, ...]:
    """Parse a JSON list column into a tuple (empty for NULL)."""
    if not text:
        return ()
    value = json.loads(text)
    return tuple(value) if isinstance(value, list) else ()


def loads_dict(text: str | None) -> dict[str, Any]:
    """Parse a JSON object column into a dict (empty for NULL)."""
    if not text:
        return {}
    value = json.loads(text)
    return value if isinstance(value, dict) else {}
