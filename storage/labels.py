"""Community managers' corrections of analysis labels: kept forever as evaluation and training data."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage._text import clean
from storage.records import LabelRecord
from storage.schema import LabelRow


def save(conn: Connection, mention_id: int, stage: str, label: str, now: datetime) -> int:
    """Record one correction; return its id."""
    result = conn.execute(
        sa.insert(LabelRow)
        .values(mention_id=mention_id, stage=stage, label=clean(label), created_at=now)
        .returning(LabelRow.id)
    )
    return int(result.scalar_one())


def list_labels(conn: Connection, stage: str | None, mention_id: int | None) -> list[LabelRecord]:
    """Return corrections, oldest first (the latest one per mention and stage wins)."""
    query = sa.select(LabelRow).order_by(LabelRow.created_at, LabelRow.id)
    if stage is not None:
        query = query.where(LabelRow.stage == stage)
    if mention_id is not None:
        query = query.where(LabelRow.mention_id == mention_id)
    return [
        LabelRecord(id=r.id, mention_id=r.mention_id, stage=r.stage, label=r.label, created_at=r.created_at)
        for r in conn.execute(query)
    ]
