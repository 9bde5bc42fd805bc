"""Daily counts of mentions removed by retention, per day, topic, source, language and sentiment.

``listener db prune`` (and ``retention.mentions_days``) deletes old mentions; ``storage.retention``
folds each one in here first, so charts, baselines and share of voice keep their past volumes.

Revision ID: 0007_daily_counts
Revises: 0004_rollups
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007_daily_counts"
down_revision: str | None = "0006_web_accounts_workflow"
branch_labels: str | None = None
depends_on: str | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "daily_counts",
        sa.Column("id", ID, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("topic_id", sa.String(length=255), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("lang", sa.String(length=32), nullable=False),
        sa.Column("sentiment", sa.String(length=32), nullable=False),
        sa.Column("mentions", sa.BigInteger(), nullable=False),
        sa.Column("originals", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_counts")),
        sa.UniqueConstraint("day", "topic_id", "source", "lang", "sentiment", name="uq_daily_counts_key"),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("daily_counts")
