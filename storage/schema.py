"""The whole listener schema as typed SQLAlchemy ORM classes; the Alembic migrations create exactly this.

Portability rules: JSON is stored as ``Text`` we serialise ourselves (PostgreSQL ``jsonb`` rejects
``\\u0000`` and reorders keys), datetimes go through :class:`UTCDateTime` (aware UTC in, aware UTC out
on both engines), counts are 64-bit. Full-text search is not an ORM concern: the migration adds an
FTS5 table and triggers on SQLite and a GIN expression index on PostgreSQL (see ``storage/_fts.py``).
No class here leaves the storage package.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Store aware UTC datetimes on both engines (SQLite keeps naive UTC text, PostgreSQL timestamptz)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to UTC; SQLite gets a naive value (its DATETIME text has no offset)."""
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


ID = BigInteger().with_variant(Integer(), "sqlite")
"""Row ids: 64-bit on PostgreSQL, ``INTEGER PRIMARY KEY`` (the rowid) on SQLite."""

SHORT = 255
"""Length of identifiers (sources, external ids, handles, stage names) where an index needs a bound."""


NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Deterministic constraint names, so later migrations can alter them on both engines."""


class Base(DeclarativeBase):
    """Declarative base of every table."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), int: BigInteger(), str: Text()}  # noqa: RUF012


class AuthorRow(Base):
    """An account on a source; identity ``(source, external_id)``; counts None until the source says."""

    __tablename__ = "authors"
    __table_args__ = (UniqueConstraint("source", "external_id", name="uq_authors_source_external_id"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    source: Mapped[str] = mapped_column(String(SHORT))
    external_id: Mapped[str] = mapped_column(String(SHORT))
    handle: Mapped[str]
    display_name: Mapped[str | None]
    url: Mapped[str | None]
    followers: Mapped[int | None]
    following: Mapped[int | None]
    posts_count: Mapped[int | None]
    karma: Mapped[int | None]
    verified: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime | None]
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    mention_count: Mapped[int] = mapped_column(default=0, server_default="0")


class MentionRow(Base):
    """One stored mention plus the analysis results denormalised onto it for fast filtering."""

    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_mentions_source_external_id"),
        Index("ix_mentions_published_at", "published_at"),
        Index("ix_mentions_published_sentiment_echo", "published_at", "sentiment", "echo_of_id"),
        Index("ix_mentions_author_id", "author_id"),
        Index("ix_mentions_sentiment_published_at", "sentiment", "published_at"),
        Index(  # echoes only: see migration 0010_web_speed
            "ix_mentions_echo_of_id",
            "echo_of_id",
            sqlite_where=text("echo_of_id IS NOT NULL"),
            postgresql_where=text("echo_of_id IS NOT NULL"),
        ),
        Index("ix_mentions_source_published_at", "source", "published_at"),
        Index("ix_mentions_source_in_reply_to", "source", "in_reply_to"),
        Index("ix_mentions_source_conversation_id", "source", "conversation_id"),
        Index("ix_mentions_updated_at", "updated_at"),  # what changed since a rollup refresh: 0011
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    source: Mapped[str] = mapped_column(String(SHORT))
    external_id: Mapped[str] = mapped_column(String(SHORT))
    author_id: Mapped[int] = mapped_column(ID, ForeignKey("authors.id", ondelete="CASCADE"))
    url: Mapped[str | None]
    title: Mapped[str | None]
    text: Mapped[str]
    search_text: Mapped[str]
    """Folded words of title + text (``storage._text.search_text``), indexed for full-text search."""
    lang: Mapped[str | None] = mapped_column(String(32))
    published_at: Mapped[datetime]
    fetched_at: Mapped[datetime]
    first_seen_at: Mapped[datetime]
    """When we first stored it; an upsert never changes it."""
    updated_at: Mapped[datetime]
    """When its content or counts last changed."""
    likes: Mapped[int | None]
    reposts: Mapped[int | None]
    replies: Mapped[int | None]
    quotes: Mapped[int | None]
    score: Mapped[int | None]
    views: Mapped[int | None]
    in_reply_to: Mapped[str | None]
    conversation_id: Mapped[str | None]
    references: Mapped[str] = mapped_column(Text, default="[]")
    """JSON list of ``{"kind", "external_id", "author_external_id"}``."""
    hashtags: Mapped[str] = mapped_column(Text, default="[]")
    mentioned_handles: Mapped[str] = mapped_column(Text, default="[]")
    links: Mapped[str] = mapped_column(Text, default="[]")
    query_id: Mapped[str | None] = mapped_column(String(SHORT))
    raw: Mapped[str] = mapped_column(Text, default="{}")
    """The source payload as JSON text (see ``storage._text.dumps``)."""
    detected_lang: Mapped[str | None] = mapped_column(String(32))
    sentiment: Mapped[str | None] = mapped_column(String(32))
    sentiment_score: Mapped[float | None] = mapped_column(Float)
    """Positive minus negative probability, in [-1, 1], when the sentiment stage gives both."""
    intents: Mapped[str] = mapped_column(Text, default="[]")
    """JSON list of intent labels (complaint, question, suggestion...)."""
    echo_of_id: Mapped[int | None] = mapped_column(ID, ForeignKey("mentions.id", ondelete="SET NULL"))
    """Canonical mention of this mention's echo group (reposts, copies); None for canonical ones."""
    echo_count: Mapped[int] = mapped_column(default=0, server_default="0")
    """On a canonical mention: how many other mentions echo it."""


class MentionTopicRow(Base):
    """A mention matched a topic's query locally; ``terms`` is the JSON list of matched terms."""

    __tablename__ = "mention_topics"
    __table_args__ = (
        UniqueConstraint("mention_id", "topic_id", name="uq_mention_topics_mention_topic"),
        Index("ix_mention_topics_topic_id", "topic_id", "mention_id"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    mention_id: Mapped[int] = mapped_column(ID, ForeignKey("mentions.id", ondelete="CASCADE"))
    topic_id: Mapped[str] = mapped_column(String(SHORT))
    terms: Mapped[str] = mapped_column(Text, default="[]")


class AnnotationRow(Base):
    """The latest verdict of one analysis stage on one mention (older versions are overwritten)."""

    __tablename__ = "annotations"
    __table_args__ = (
        UniqueConstraint("mention_id", "stage", name="uq_annotations_mention_stage"),
        Index("ix_annotations_stage_version", "stage", "version"),
        Index("ix_annotations_created_at", "created_at"),  # see migration 0011_rollup_posts
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    mention_id: Mapped[int] = mapped_column(ID, ForeignKey("mentions.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(SHORT))
    version: Mapped[str] = mapped_column(String(SHORT))
    label: Mapped[str | None]
    scores: Mapped[str] = mapped_column(Text, default="{}")
    explanation: Mapped[str | None]
    created_at: Mapped[datetime]


class CursorRow(Base):
    """Where a connector stopped for one query; written in the same transaction as the rows."""

    __tablename__ = "cursors"
    __table_args__ = (UniqueConstraint("source", "query_id", name="uq_cursors_source_query"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    source: Mapped[str] = mapped_column(String(SHORT))
    query_id: Mapped[str] = mapped_column(String(SHORT))
    data: Mapped[str]
    updated_at: Mapped[datetime]


class SourceHealthRow(Base):
    """Per (source, query) run statistics: what the dashboard and the adaptive scheduler read."""

    __tablename__ = "source_health"
    __table_args__ = (UniqueConstraint("source", "query_id", name="uq_source_health_source_query"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    source: Mapped[str] = mapped_column(String(SHORT))
    query_id: Mapped[str] = mapped_column(String(SHORT))
    last_run_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_error_at: Mapped[datetime | None]
    last_error: Mapped[str | None]
    consecutive_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    items_fetched_total: Mapped[int] = mapped_column(default=0, server_default="0")
    last_items: Mapped[int] = mapped_column(default=0, server_default="0")
    next_run_not_before: Mapped[datetime | None]
    duration_ms: Mapped[int | None]


class AlertRow(Base):
    """An alert, stored before it is sent; the unique ``dedupe_key`` stops it from going out twice."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_alerts_dedupe_key"),
        Index("ix_alerts_created_at", "created_at"),
        Index("ix_alerts_rule_subject", "rule_id", "subject"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(1024))
    rule_id: Mapped[str] = mapped_column(String(SHORT))
    kind: Mapped[str] = mapped_column(String(SHORT))
    subject: Mapped[str] = mapped_column(String(SHORT))
    severity: Mapped[str] = mapped_column(String(32))
    window_start: Mapped[datetime]
    window_end: Mapped[datetime]
    title: Mapped[str]
    summary: Mapped[str]
    details: Mapped[str] = mapped_column(Text, default="{}")
    mention_ids: Mapped[str] = mapped_column(Text, default="[]")
    is_resolution: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]


class DeliveryRow(Base):
    """One attempt to send one alert on one channel."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_alert_channel", "alert_id", "channel"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ID, ForeignKey("alerts.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(SHORT))
    attempt: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(32))
    """``sent`` or ``failed``."""
    error: Mapped[str | None]
    sent_at: Mapped[datetime]


class LabelRow(Base):
    """A community manager's correction of a stage's label (training and evaluation data)."""

    __tablename__ = "labels"
    __table_args__ = (Index("ix_labels_mention_stage", "mention_id", "stage"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    mention_id: Mapped[int] = mapped_column(ID, ForeignKey("mentions.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(SHORT))
    label: Mapped[str]
    created_at: Mapped[datetime]


class MentionTombstoneRow(Base):
    """A deleted mention: the next fetch must not bring it back."""

    __tablename__ = "mention_tombstones"
    __table_args__ = (UniqueConstraint("source", "external_id", name="uq_mention_tombstones_key"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    source: Mapped[str] = mapped_column(String(SHORT))
    external_id: Mapped[str] = mapped_column(String(SHORT))


class AuthorTombstoneRow(Base):
    """A forgotten author (GDPR erasure): neither they nor their mentions are stored again."""

    __tablename__ = "author_tombstones"
    __table_args__ = (UniqueConstraint("source", "external_id", name="uq_author_tombstones_key"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    source: Mapped[str] = mapped_column(String(SHORT))
    external_id: Mapped[str] = mapped_column(String(SHORT))
    forgotten_at: Mapped[datetime]


class JobRunRow(Base):
    """One run of a scheduled job (collection, analysis, alerting, digest)."""

    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_job_started", "job_id", "started_at"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    job_id: Mapped[str] = mapped_column(String(SHORT))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None]
    items: Mapped[int | None]
