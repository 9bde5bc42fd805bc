"""The term index: each mention's terms tokenised once, so rising terms read keys instead of texts.

Revision ID: 0009_trends_api
Revises: 0008_trust_service
Create Date: 2026-12-03 12:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0009_trends_api"
down_revision: str | None = "0008_trust_service"
branch_labels: str | None = None
depends_on: str | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "mention_terms",
        sa.Column("mention_id", ID, autoincrement=False, nullable=False),
        sa.Column("author_id", ID, nullable=False),
        sa.Column("published_us", sa.BigInteger(), nullable=False),
        sa.Column("indexed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("terms", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mention_id"],
            ["mentions.id"],
            name=op.f("fk_mention_terms_mention_id_mentions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mention_id", name=op.f("pk_mention_terms")),
    )
    op.create_index("ix_mention_terms_published_us", "mention_terms", ["published_us"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_mention_terms_published_us", table_name="mention_terms")
    op.drop_table("mention_terms")
