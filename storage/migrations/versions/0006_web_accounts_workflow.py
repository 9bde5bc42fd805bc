"""Web accounts and the inbox workflow: users, sessions, API tokens, audit log, status, tags, notes.

Indices follow the inbox's query plans (see ``benchmarks/api.py``): the workflow is read by LEFT JOIN
on its primary key ``mention_id``, filtered by status, assignee or department; tags by ``(tag,
mention_id)``; a mention's thread by ``(source, in_reply_to)`` and ``(source, conversation_id)`` on
``mentions`` (without them the detail page scanned the table: 3.7 s at 200k mentions).

Revision ID: 0006_web_accounts_workflow
Revises: 0004_rollups
Create Date: 2026-12-03 08:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006_web_accounts_workflow"
down_revision: str | None = "0005_ideas"
branch_labels: str | None = None
depends_on: str | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Apply this revision."""
    op.create_index("ix_mentions_source_in_reply_to", "mentions", ["source", "in_reply_to"], unique=False)
    op.create_index(
        "ix_mentions_source_conversation_id", "mentions", ["source", "conversation_id"], unique=False
    )
    op.create_table(
        "users",
        sa.Column("id", ID, nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("password_changed_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("last_used_at", WHEN, nullable=True),
        sa.Column("revoked_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"], unique=False)
    op.create_table(
        "audit_log",
        sa.Column("id", ID, nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("user_id", ID, nullable=True),
        sa.Column("action", sa.String(length=255), nullable=False),
        sa.Column("target_kind", sa.String(length=64), nullable=False),
        sa.Column("target_id", sa.String(length=255), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_audit_log_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"], unique=False)
    op.create_index("ix_audit_log_target", "audit_log", ["target_kind", "target_id"], unique=False)
    op.create_table(
        "web_sessions",
        sa.Column("id", ID, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_web_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("token_hash", name="uq_web_sessions_token_hash"),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"], unique=False)
    op.create_table(
        "mention_notes",
        sa.Column("id", ID, nullable=False),
        sa.Column("mention_id", ID, nullable=False),
        sa.Column("author_id", ID, nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_mention_notes_author_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["mention_id"],
            ["mentions.id"],
            name=op.f("fk_mention_notes_mention_id_mentions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mention_notes")),
    )
    op.create_index("ix_mention_notes_mention_id", "mention_notes", ["mention_id"], unique=False)
    op.create_table(
        "mention_tags",
        sa.Column("id", ID, nullable=False),
        sa.Column("mention_id", ID, nullable=False),
        sa.Column("tag", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["mention_id"],
            ["mentions.id"],
            name=op.f("fk_mention_tags_mention_id_mentions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mention_tags")),
        sa.UniqueConstraint("mention_id", "tag", name="uq_mention_tags_mention_tag"),
    )
    op.create_index("ix_mention_tags_tag", "mention_tags", ["tag", "mention_id"], unique=False)
    op.create_table(
        "mention_workflow",
        sa.Column("mention_id", ID, nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("assignee_id", ID, nullable=True),
        sa.Column("department", sa.String(length=255), nullable=True),
        sa.Column("routed_by", sa.String(length=255), nullable=True),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("updated_by", ID, nullable=True),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["users.id"],
            name=op.f("fk_mention_workflow_assignee_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["mention_id"],
            ["mentions.id"],
            name=op.f("fk_mention_workflow_mention_id_mentions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["users.id"],
            name=op.f("fk_mention_workflow_updated_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("mention_id", name=op.f("pk_mention_workflow")),
    )
    op.create_index("ix_mention_workflow_assignee_id", "mention_workflow", ["assignee_id"], unique=False)
    op.create_index("ix_mention_workflow_department", "mention_workflow", ["department"], unique=False)
    op.create_index("ix_mention_workflow_status", "mention_workflow", ["status", "mention_id"], unique=False)
    op.create_table(
        "note_revisions",
        sa.Column("id", ID, nullable=False),
        sa.Column("note_id", ID, nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("edited_at", WHEN, nullable=False),
        sa.Column("edited_by", ID, nullable=True),
        sa.ForeignKeyConstraint(
            ["edited_by"], ["users.id"], name=op.f("fk_note_revisions_edited_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["mention_notes.id"],
            name=op.f("fk_note_revisions_note_id_mention_notes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note_revisions")),
    )
    op.create_index("ix_note_revisions_note_id", "note_revisions", ["note_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_mentions_source_conversation_id", table_name="mentions")
    op.drop_index("ix_mentions_source_in_reply_to", table_name="mentions")
    op.drop_index("ix_note_revisions_note_id", table_name="note_revisions")
    op.drop_table("note_revisions")
    op.drop_index("ix_mention_workflow_status", table_name="mention_workflow")
    op.drop_index("ix_mention_workflow_department", table_name="mention_workflow")
    op.drop_index("ix_mention_workflow_assignee_id", table_name="mention_workflow")
    op.drop_table("mention_workflow")
    op.drop_index("ix_mention_tags_tag", table_name="mention_tags")
    op.drop_table("mention_tags")
    op.drop_index("ix_mention_notes_mention_id", table_name="mention_notes")
    op.drop_table("mention_notes")
    op.drop_index("ix_web_sessions_user_id", table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_index("ix_audit_log_target", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_api_tokens_user_id", table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_table("users")
