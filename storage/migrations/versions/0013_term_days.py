"""Per-day term counts: what rising terms sum instead of reading every mention's terms.

One row per (topic, UTC day, term key) with the distinct authors and the posts that used the term
that day; ``term_key`` 0 holds the day's totals (distinct authors and posts of the topic that day,
whatever their terms). Rebuilt day by day from the term index when its entries change.

Revision ID: 0013_term_days
Revises: 0010_web_speed
Create Date: 2026-12-03 15:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0013_term_days"
down_revision: str | None = "0012_saved_views"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "term_days",
        sa.Column("topic_id", sa.String(length=255), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("term_key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("authors", sa.Integer(), nullable=False),
        sa.Column("posts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("topic_id", "day", "term_key", name=op.f("pk_term_days")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("term_days")
