"""Connector cursors: opaque JSON per (source, query), saved in the transaction of the rows they cover."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from listener.core.errors import StorageError
from listener.core.model import Cursor
from storage import _sql
from storage.schema import CursorRow


def save(conn: Connection, dialect: str, key: tuple[str, str], cursor: Cursor, now: datetime) -> None:
    """Insert or replace the cursor of ``key = (source, query_id)`` in the caller's transaction."""
    source, query_id = key
    try:
        data = cursor.to_json()
    except (TypeError, ValueError) as err:
        raise StorageError(f"storage: cursor of {source}/{query_id} is not JSON-serialisable: {err}") from err
    stmt = _sql.insert(dialect, CursorRow.__table__)  # type: ignore[arg-type]
    stmt = stmt.on_conflict_do_update(
        index_elements=["source", "query_id"],
        set_={"data": stmt.excluded.data, "updated_at": stmt.excluded.updated_at},
    )
    conn.execute(stmt, {"source": source, "query_id": query_id, "data": data, "updated_at": now})


def load(conn: Connection, source: str, query_id: str) -> Cursor | None:
    """Return the stored cursor, or None when this query never completed a run."""
    data = conn.execute(
        sa.select(CursorRow.data).where(CursorRow.source == source, CursorRow.query_id == query_id)
    ).scalar()
    return None if data is None else Cursor.from_json(data)
