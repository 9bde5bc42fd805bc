"""The idea box's tables: ideas, the suggestions and votes they hold, refusals, history and drafted replies.

Every row that names a mention or an author cascades on its deletion, so erasing an author (GDPR) or
deleting a mention takes their part of an idea with it; an erasure also blanks their words where a
title, a history note or a drafted reply quotes them (``storage.erasure_ideas``). Migration
``0005_ideas`` creates exactly these tables.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.schema import ID, SHORT, Base


class IdeaRow(Base):
    """One idea: customers' suggestions grouped, with a title, a status and an owner."""

    __tablename__ = "ideas"
    __table_args__ = (Index("ix_ideas_scope_status", "scope", "status"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    scope: Mapped[str] = mapped_column(String(SHORT))
    """``brand:<topic>``, ``competitor:<topic>`` or ``campaign:<topic>``: what the idea is ranked among."""
    title: Mapped[str]
    lang: Mapped[str | None] = mapped_column(String(32))
    is_title_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    """Set when a community manager renames the idea: new members no longer retitle it."""
    status: Mapped[str] = mapped_column(String(32))
    owner: Mapped[str | None] = mapped_column(String(SHORT))
    decline_reason: Mapped[str | None]
    merged_into_id: Mapped[int | None] = mapped_column(ID, ForeignKey("ideas.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class IdeaMemberRow(Base):
    """A suggestion (a mention) that belongs to an idea, with the vector it was placed by."""

    __tablename__ = "idea_members"
    __table_args__ = (
        UniqueConstraint("mention_id", name="uq_idea_members_mention_id"),
        Index("ix_idea_members_idea_id", "idea_id"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ID, ForeignKey("ideas.id", ondelete="CASCADE"))
    mention_id: Mapped[int] = mapped_column(ID, ForeignKey("mentions.id", ondelete="CASCADE"))
    similarity: Mapped[float] = mapped_column(Float)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    """float32 little-endian unit vector (kept so merge and split recompute centroids without a model)."""
    added_at: Mapped[datetime]


class IdeaVoteRow(Base):
    """An agreeing reply ("+1", "moi aussi") to one of an idea's suggestions."""

    __tablename__ = "idea_votes"
    __table_args__ = (
        UniqueConstraint("mention_id", name="uq_idea_votes_mention_id"),
        Index("ix_idea_votes_idea_id", "idea_id"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ID, ForeignKey("ideas.id", ondelete="CASCADE"))
    mention_id: Mapped[int] = mapped_column(ID, ForeignKey("mentions.id", ondelete="CASCADE"))
    added_at: Mapped[datetime]


class IdeaRefusalRow(Base):
    """A candidate that did not become part of an idea, and why (too long, no words, a demand...)."""

    __tablename__ = "idea_refusals"
    __table_args__ = (UniqueConstraint("mention_id", name="uq_idea_refusals_mention_id"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    mention_id: Mapped[int] = mapped_column(ID, ForeignKey("mentions.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(32))
    added_at: Mapped[datetime]


class IdeaEventRow(Base):
    """One step of an idea's history: opened, renamed, merged, split, status changed (by whom, why)."""

    __tablename__ = "idea_events"
    __table_args__ = (Index("ix_idea_events_idea_id", "idea_id", "at"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ID, ForeignKey("ideas.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str | None] = mapped_column(String(SHORT))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None]


class IdeaReplyRow(Base):
    """A reply drafted for one supporter when their idea's status changed; ``sent`` closes the loop."""

    __tablename__ = "idea_replies"
    __table_args__ = (
        UniqueConstraint("event_id", "author_id", name="uq_idea_replies_event_author"),
        Index("ix_idea_replies_idea_id", "idea_id"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ID, ForeignKey("ideas.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ID, ForeignKey("idea_events.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ID, ForeignKey("authors.id", ondelete="CASCADE"))
    mention_id: Mapped[int] = mapped_column(ID, ForeignKey("mentions.id", ondelete="CASCADE"))
    """The supporter's post the reply answers."""
    lang: Mapped[str] = mapped_column(String(32))
    text: Mapped[str]
    state: Mapped[str] = mapped_column(String(32))
    """``drafted`` or ``sent``."""
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
