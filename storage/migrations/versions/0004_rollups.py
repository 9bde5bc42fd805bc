"""Trend rollups (hour and day counts per topic, source, language), their state, and mention vectors.

Revision ID: 0003_rollups
Revises: 0002
Create Date: 2026-12-03 08:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision: str = "0004_rollups"
down_revision: str | None = "0003_scale_coordination"
branch_labels: str | None = None
depends_on: str | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Apply this revision."""
    counts = ("total", "positive", "neutral", "negative", "complaints", "echoes", "reach", "negative_reach")
    op.create_table(
        "mention_rollups",
        sa.Column("id", ID, nullable=False),
        sa.Column("grain", sa.String(length=8), nullable=False),
        sa.Column("bucket", sa.DateTime(timezone=True), nullable=False),
        sa.Column("topic_id", sa.String(length=255), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("lang", sa.String(length=32), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in counts),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mention_rollups")),
        sa.UniqueConstraint("grain", "bucket", "topic_id", "source", "lang", name="uq_mention_rollups_key"),
    )
    op.create_index("ix_mention_rollups_topic_grain_bucket", "mention_rollups",
                    ["topic_id", "grain", "bucket"])
    op.create_table(
        "rollup_state",
        sa.Column("id", ID, nullable=False),
        sa.Column("mention_id", sa.BigInteger(), nullable=False),
        sa.Column("annotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollup_state")),
    )
    op.create_table(
        "mention_vectors",
        sa.Column("mention_id", ID, nullable=False),
        sa.Column("model", sa.String(length=255), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["mention_id"], ["mentions.id"], name=op.f("fk_mention_vectors_mention_id_mentions"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("mention_id", name=op.f("pk_mention_vectors")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("mention_vectors")
    op.drop_table("rollup_state")
    op.drop_index("ix_mention_rollups_topic_grain_bucket", table_name="mention_rollups")
    op.drop_table("mention_rollups")
