"""How far incremental stages have read (``stage_marks``): the echo stage's watermark.

``listener run`` groups echoes every cycle over the mentions stored since its last run
(``storage.stage_marks``); the mark is kept here so a restart picks up where it stopped.

Revision ID: 0008_trust_service
Revises: 0007_daily_counts
Create Date: 2026-12-03 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008_trust_service"
down_revision: str | None = "0007_daily_counts"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "stage_marks",
        sa.Column("stage", sa.String(length=255), nullable=False),
        sa.Column("mention_id", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("stage", name=op.f("pk_stage_marks")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("stage_marks")
