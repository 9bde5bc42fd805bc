"""A cheap fingerprint of what the reports read, so a costly report can be reused until it changes.

Each part is the largest id of an append-only table (an index lookup on either engine, never a
scan): a new mention, annotation, author, label or correction, or a tombstone left by an erasure, a
deletion or retention's pruning changes it. In-place updates (a re-analysis rewriting a stored
annotation, echo grouping moving a mention) do not; readers that cache on it also bound an entry's age.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage.schema import (
    AnnotationRow,
    AuthorRow,
    AuthorTombstoneRow,
    LabelRow,
    MentionRow,
    MentionTombstoneRow,
)
from storage.schema_web import AuditRow

_TABLES = (MentionRow, AnnotationRow, AuthorRow, LabelRow, MentionTombstoneRow, AuthorTombstoneRow)


def read(conn: Connection) -> tuple[int, ...]:
    """Return the newest id of each table the reports read (0 for an empty table)."""
    parts = [sa.select(sa.func.coalesce(sa.func.max(t.id), 0)).scalar_subquery() for t in _TABLES]
    row = conn.execute(sa.select(*parts)).one()
    return tuple(int(v) for v in row)


def with_workflow(conn: Connection) -> tuple[int, ...]:
    """:func:`read` and the newest audit entry: every workflow change (status, assignee, department,
    tags, routing included) writes one in its own transaction, so counts of the inbox cached on this
    fingerprint are never older than the last change."""
    audit = conn.execute(sa.select(sa.func.coalesce(sa.func.max(AuditRow.id), 0))).scalar_one()
    return (*read(conn), int(audit))
