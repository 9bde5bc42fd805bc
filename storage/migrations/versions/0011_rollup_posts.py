"""Distinct posts per sentiment in the trend rollups, and the indexes that tell which hours changed.

The dashboard counts distinct posts (README "How figures count"); the rollups counted every mention
with the echoes apart, so the overview read the mentions (2.1 s for 30 days at 100k under load).
``positive_posts``, ``neutral_posts`` and ``negative_posts`` count the mentions of that sentiment that
echo no other. Rows this migration finds are filled with the sentiment's whole count, and the
rollups' state is cleared, so the next refresh recomputes every hour that still has mentions (hours
that retention emptied keep that estimate); until then the series are counted from the mentions.

``ix_mentions_updated_at`` and ``ix_annotations_created_at`` let a refresh, and a reader checking
whether the rollups are current, find what changed since the last refresh without scanning.

Revision ID: 0011_rollup_posts
Revises: 0010_web_speed
Create Date: 2026-12-03 15:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0011_rollup_posts"
down_revision: str | None = "0010_web_speed"
branch_labels: str | None = None
depends_on: str | None = None

SENTIMENTS = ("positive", "neutral", "negative")


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("mention_rollups") as batch:
        for s in SENTIMENTS:
            batch.add_column(sa.Column(f"{s}_posts", sa.BigInteger(), nullable=False, server_default="0"))
    op.execute(sa.text(
        "UPDATE mention_rollups SET " + ", ".join(f"{s}_posts = {s}" for s in SENTIMENTS)
    ))
    op.execute(sa.text("DELETE FROM rollup_state"))
    op.create_index("ix_mentions_updated_at", "mentions", ["updated_at"])
    op.create_index("ix_annotations_created_at", "annotations", ["created_at"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_annotations_created_at", table_name="annotations")
    op.drop_index("ix_mentions_updated_at", table_name="mentions")
    with op.batch_alter_table("mention_rollups") as batch:
        for s in SENTIMENTS:
            batch.drop_column(f"{s}_posts")
