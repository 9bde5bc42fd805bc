"""How far an incremental stage has read: one row per stage, the newest mention id it has handled.

Why: a stage that runs every cycle (echo grouping) must look only at what is new since its last run,
and pick up where it stopped after a crash. Its mark is written in the same transaction as its
results, so a run that dies leaves both as they were and the next run does the same work again.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column

from storage.schema import SHORT, Base


class StageMarkRow(Base):
    """The newest mention id a stage (``echoes``) has handled, and when it last moved."""

    __tablename__ = "stage_marks"

    stage: Mapped[str] = mapped_column(sa.String(SHORT), primary_key=True)
    mention_id: Mapped[int] = mapped_column(sa.BigInteger)
    updated_at: Mapped[datetime]


def read(conn: Connection, stage: str) -> int:
    """Return the newest mention id ``stage`` has handled (0 when it never ran)."""
    found = conn.execute(sa.select(StageMarkRow.mention_id).where(StageMarkRow.stage == stage)).scalar()
    return int(found or 0)


def write(conn: Connection, stage: str, mention_id: int, now: datetime) -> None:
    """Move ``stage``'s mark to ``mention_id`` (it never moves back)."""
    if conn.execute(sa.select(StageMarkRow.stage).where(StageMarkRow.stage == stage)).first() is None:
        conn.execute(sa.insert(StageMarkRow).values(stage=stage, mention_id=mention_id, updated_at=now))
        return
    conn.execute(sa.update(StageMarkRow).where(StageMarkRow.stage == stage,
                                               StageMarkRow.mention_id < mention_id)
                 .values(mention_id=mention_id, updated_at=now))
