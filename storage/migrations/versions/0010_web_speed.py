"""Indexes for the dashboard: the folded inbox's first page, and the series' counts over a period.

The inbox folds echoes under their original (``echo_of_id IS NULL``). With a full index on
``echo_of_id``, SQLite took that test as an equality on the index, read every original through it and
sorted them all by date for a 50-row page (1.9 s at 100k mentions under 8 clients). Indexing only the
echoes (``WHERE echo_of_id IS NOT NULL``) keeps the lookups of a mention's echoes (``echo_of_id = ?``
and ``IN``, which imply NOT NULL on both engines) on the index, and lets the folded page walk
``ix_mentions_published_at`` backwards and stop after 50 rows. The index also shrinks to the echoes.

``ix_mentions_published_sentiment_echo`` covers what the overview's series counts (date, sentiment,
echo or not): the period's rows are read from the index, not from the wide mention rows (2x on SQLite).

Revision ID: 0010_web_speed
Revises: 0009_trends_api
Create Date: 2026-12-03 13:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0010_web_speed"
down_revision: str | None = "0009_trends_api"
branch_labels: str | None = None
depends_on: str | None = None

ECHOES_ONLY = sa.text("echo_of_id IS NOT NULL")


def upgrade() -> None:
    """Apply this revision."""
    op.drop_index("ix_mentions_echo_of_id", table_name="mentions")
    op.create_index(
        "ix_mentions_echo_of_id",
        "mentions",
        ["echo_of_id"],
        unique=False,
        sqlite_where=ECHOES_ONLY,
        postgresql_where=ECHOES_ONLY,
    )
    op.create_index(
        "ix_mentions_published_sentiment_echo", "mentions", ["published_at", "sentiment", "echo_of_id"]
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_mentions_published_sentiment_echo", table_name="mentions")
    op.drop_index("ix_mentions_echo_of_id", table_name="mentions")
    op.create_index("ix_mentions_echo_of_id", "mentions", ["echo_of_id"], unique=False)
