"""Tables of the web API: accounts, sessions, API tokens, the audit log, and the inbox workflow.

They live beside :mod:`storage.schema` on the same declarative base (the migration
``0006_web_accounts_workflow`` creates exactly these). A mention without a ``mention_workflow`` row is
``new``, unassigned and unrouted, so collection never writes here and the inbox reads it with a LEFT
JOIN. Secrets are never stored: passwords as argon2 hashes, session and API tokens as SHA-256 digests.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.schema import ID, SHORT, Base


class UserRow(Base):
    """A person who signs in to the web API; ``role`` is admin, analyst or viewer."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("username", name="uq_users_username"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    username: Mapped[str] = mapped_column(String(SHORT))
    display_name: Mapped[str]
    password_hash: Mapped[str]
    """argon2id encoded hash (salt and parameters included)."""
    role: Mapped[str] = mapped_column(String(32))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime]
    password_changed_at: Mapped[datetime]


class SessionRow(Base):
    """A browser session: the cookie holds the token, the table only its digest."""

    __tablename__ = "web_sessions"
    __table_args__ = (
        UniqueConstraint("token_hash", name="uq_web_sessions_token_hash"),
        Index("ix_web_sessions_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ID, ForeignKey("users.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    """Sent back in the ``X-CSRF-Token`` header on every state change (double submit)."""
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class ApiTokenRow(Base):
    """A personal API token for scripts: shown once, stored as a digest, revocable."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
        Index("ix_api_tokens_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    user_id: Mapped[int] = mapped_column(ID, ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str]
    token_hash: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(16))
    """The first characters of the token, so its owner can tell tokens apart."""
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class AuditRow(Base):
    """Who changed what, when: one row per state change made through the API or the CLI."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_target", "target_kind", "target_id"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    at: Mapped[datetime]
    user_id: Mapped[int | None] = mapped_column(ID, ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(SHORT))
    target_kind: Mapped[str] = mapped_column(String(64))
    target_id: Mapped[str | None] = mapped_column(String(SHORT))
    details: Mapped[str] = mapped_column(Text, default="{}")
    """JSON of what changed (never a password or a token)."""


class WorkflowRow(Base):
    """The inbox state of one mention: status, assignee and the department routing gave it."""

    __tablename__ = "mention_workflow"
    __table_args__ = (
        Index("ix_mention_workflow_status", "status", "mention_id"),
        Index("ix_mention_workflow_assignee_id", "assignee_id"),
        Index("ix_mention_workflow_department", "department"),
    )

    mention_id: Mapped[int] = mapped_column(
        ID, ForeignKey("mentions.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(32), default="new")
    assignee_id: Mapped[int | None] = mapped_column(ID, ForeignKey("users.id", ondelete="SET NULL"))
    department: Mapped[str | None] = mapped_column(String(SHORT))
    routed_by: Mapped[str | None] = mapped_column(String(SHORT))
    """The routing rule that set ``department``; None when a person set it."""
    updated_at: Mapped[datetime]
    updated_by: Mapped[int | None] = mapped_column(ID, ForeignKey("users.id", ondelete="SET NULL"))


class TagRow(Base):
    """A free tag on a mention."""

    __tablename__ = "mention_tags"
    __table_args__ = (
        UniqueConstraint("mention_id", "tag", name="uq_mention_tags_mention_tag"),
        Index("ix_mention_tags_tag", "tag", "mention_id"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    mention_id: Mapped[int] = mapped_column(ID, ForeignKey("mentions.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(SHORT))


class NoteRow(Base):
    """A note on a mention; edits keep the previous text in ``note_revisions``."""

    __tablename__ = "mention_notes"
    __table_args__ = (Index("ix_mention_notes_mention_id", "mention_id"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    mention_id: Mapped[int] = mapped_column(ID, ForeignKey("mentions.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ID, ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class NoteRevisionRow(Base):
    """A note's text before one edit."""

    __tablename__ = "note_revisions"
    __table_args__ = (Index("ix_note_revisions_note_id", "note_id"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    note_id: Mapped[int] = mapped_column(ID, ForeignKey("mention_notes.id", ondelete="CASCADE"))
    body: Mapped[str]
    edited_at: Mapped[datetime]
    edited_by: Mapped[int | None] = mapped_column(ID, ForeignKey("users.id", ondelete="SET NULL"))


class SavedViewRow(Base):
    """A user's named inbox filter (the inbox's query string); only its owner lists, applies or deletes it."""

    __tablename__ = "saved_views"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_saved_views_user_name"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    user_id: Mapped[int] = mapped_column(ID, ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(SHORT))
    query: Mapped[str] = mapped_column(Text)
    """The inbox filter as a URL query string (``sentiment=negative&topic=lumio``), without cursor."""
    created_at: Mapped[datetime]
