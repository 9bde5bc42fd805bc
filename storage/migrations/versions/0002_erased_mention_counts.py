"""Erased mention counts: what GDPR erasure removed, per day, source, topic and sentiment.

Forgetting an author deletes their mentions but must not change the volumes a community manager
already saw; ``storage.erasure`` folds each erased mention in here first (see that module).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "erased_mention_counts",
        sa.Column("id", ID, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("topic_id", sa.String(length=255), nullable=False),
        sa.Column("sentiment", sa.String(length=32), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erased_mention_counts")),
        sa.UniqueConstraint("day", "source", "topic_id", "sentiment", name="uq_erased_mention_counts_key"),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("erased_mention_counts")
