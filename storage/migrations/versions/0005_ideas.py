"""The idea box: ideas, their suggestions and votes, refusals, history and drafted replies.

Revision ID: 0005_ideas
Revises: 0004_rollups
Create Date: 2026-12-03 08:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005_ideas"
down_revision: str | None = "0004_rollups"
branch_labels: str | None = None
depends_on: str | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    name = op.f(f"fk_{table}_{column}_{target}")
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=name, ondelete="CASCADE")


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "ideas",
        sa.Column("id", ID, nullable=False),
        sa.Column("scope", sa.String(255), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(32), nullable=True),
        sa.Column("is_title_locked", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("owner", sa.String(255), nullable=True),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.Column("merged_into_id", ID, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ideas")),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["ideas.id"], ondelete="SET NULL", name=op.f("fk_ideas_merged_into_id_ideas")
        ),
    )
    op.create_index("ix_ideas_scope_status", "ideas", ["scope", "status"])
    op.create_table(
        "idea_members",
        sa.Column("id", ID, nullable=False),
        sa.Column("idea_id", ID, nullable=False),
        sa.Column("mention_id", ID, nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("added_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_members")),
        _fk("idea_members", "idea_id", "ideas"),
        _fk("idea_members", "mention_id", "mentions"),
        sa.UniqueConstraint("mention_id", name="uq_idea_members_mention_id"),
    )
    op.create_index("ix_idea_members_idea_id", "idea_members", ["idea_id"])
    op.create_table(
        "idea_votes",
        sa.Column("id", ID, nullable=False),
        sa.Column("idea_id", ID, nullable=False),
        sa.Column("mention_id", ID, nullable=False),
        sa.Column("added_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_votes")),
        _fk("idea_votes", "idea_id", "ideas"),
        _fk("idea_votes", "mention_id", "mentions"),
        sa.UniqueConstraint("mention_id", name="uq_idea_votes_mention_id"),
    )
    op.create_index("ix_idea_votes_idea_id", "idea_votes", ["idea_id"])
    op.create_table(
        "idea_refusals",
        sa.Column("id", ID, nullable=False),
        sa.Column("mention_id", ID, nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("added_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_refusals")),
        _fk("idea_refusals", "mention_id", "mentions"),
        sa.UniqueConstraint("mention_id", name="uq_idea_refusals_mention_id"),
    )
    op.create_table(
        "idea_events",
        sa.Column("id", ID, nullable=False),
        sa.Column("idea_id", ID, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(255), nullable=True),
        sa.Column("from_status", sa.String(32), nullable=True),
        sa.Column("to_status", sa.String(32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_events")),
        _fk("idea_events", "idea_id", "ideas"),
    )
    op.create_index("ix_idea_events_idea_id", "idea_events", ["idea_id", "at"])
    op.create_table(
        "idea_replies",
        sa.Column("id", ID, nullable=False),
        sa.Column("idea_id", ID, nullable=False),
        sa.Column("event_id", ID, nullable=False),
        sa.Column("author_id", ID, nullable=False),
        sa.Column("mention_id", ID, nullable=False),
        sa.Column("lang", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("sent_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_replies")),
        _fk("idea_replies", "idea_id", "ideas"),
        _fk("idea_replies", "event_id", "idea_events"),
        _fk("idea_replies", "author_id", "authors"),
        _fk("idea_replies", "mention_id", "mentions"),
        sa.UniqueConstraint("event_id", "author_id", name="uq_idea_replies_event_author"),
    )
    op.create_index("ix_idea_replies_idea_id", "idea_replies", ["idea_id"])


def downgrade() -> None:
    """Revert this revision."""
    for table in ("idea_replies", "idea_events", "idea_refusals", "idea_votes", "idea_members", "ideas"):
        op.drop_table(table)
