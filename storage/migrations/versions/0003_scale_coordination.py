"""Scale-out coordination: leases (scheduler leadership, one run per source and topic), analysis claims,
shared rate buckets and quota usage, so several workers on several machines agree through the database.

Revision ID: 0003_scale_coordination
Revises: 0002
Create Date: 2026-12-04 08:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision: str = "0003_scale_coordination"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "leases",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("holder", sa.String(length=255), nullable=False),
        sa.Column("token", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leases")),
        sa.UniqueConstraint("name", name="uq_leases_name"),
    )
    op.create_table(
        "analysis_claims",
        sa.Column("id", ID, nullable=False),
        sa.Column("mention_id", ID, nullable=False),
        sa.Column("stage", sa.String(length=255), nullable=False),
        sa.Column("worker", sa.String(length=255), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mention_id"],
            ["mentions.id"],
            name=op.f("fk_analysis_claims_mention_id_mentions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_claims")),
        sa.UniqueConstraint("mention_id", "stage", name="uq_analysis_claims_mention_stage"),
    )
    op.create_table(
        "rate_buckets",
        sa.Column("id", ID, nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("stamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_buckets")),
        sa.UniqueConstraint("key", name="uq_rate_buckets_key"),
    )
    op.create_table(
        "quota_usage",
        sa.Column("id", ID, nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("used", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quota_usage")),
        sa.UniqueConstraint("key", "period", name="uq_quota_usage_key_period"),
    )


def downgrade() -> None:
    """Revert this revision."""
    for table in ("quota_usage", "rate_buckets", "analysis_claims", "leases"):
        op.drop_table(table)
