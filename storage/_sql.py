"""Small SQL helpers the aggregate modules share: dialect inserts, chunked key look-ups, JSON columns."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import InstrumentedAttribute

T = TypeVar("T")

CHUNK = 500
"""Keys per IN (...) list: far below SQLite's and PostgreSQL's bound-parameter limits."""

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
    return max(INT64_MIN, min(INT64_MAX, int(value)))


def existing_keys(
    conn: Connection,
    source_col: InstrumentedAttribute[str],
    external_col: InstrumentedAttribute[str],
    keys: Iterable[tuple[str, str]],
) -> set[tuple[str, str]]:
    """Return which ``(source, external_id)`` keys are present in the table of the two columns."""
    by_source: dict[str, list[str]] = defaultdict(list)
    for source, external_id in keys:
        by_source[source].append(external_id)
    found: set[tuple[str, str]] = set()
    for source, ids in by_source.items():
        for part in chunks(ids):
            rows = conn.execute(
                sa.select(external_col).where(source_col == source, external_col.in_(part))
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
