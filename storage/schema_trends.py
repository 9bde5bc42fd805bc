"""The tables trend charts and themes read: rollups that survive retention, and sentence vectors.

Migration ``0004_rollups`` creates the rollups and vectors, ``0009_trends_api`` the term index,
``0011_rollup_posts`` the rollups' distinct-post counts, ``0013_term_days`` the per-day term counts.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.schema import ID, SHORT, Base


class MentionRollupRow(Base):
    """Counts of mentions per hour or day, topic, source and language: what trend charts read.

    Kept up to date incrementally (``storage.rollups``) and never deleted with the mentions, so a
    chart over a year is a read of a few hundred rows and survives retention. ``topic_id`` is ``"*"``
    for all mentions whatever their topics; ``lang`` is ``""`` when unknown.
    """

    __tablename__ = "mention_rollups"
    __table_args__ = (
        UniqueConstraint("grain", "bucket", "topic_id", "source", "lang", name="uq_mention_rollups_key"),
        Index("ix_mention_rollups_topic_grain_bucket", "topic_id", "grain", "bucket"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    grain: Mapped[str] = mapped_column(String(8))
    """``hour`` or ``day`` (UTC)."""
    bucket: Mapped[datetime]
    topic_id: Mapped[str] = mapped_column(String(SHORT))
    source: Mapped[str] = mapped_column(String(SHORT))
    lang: Mapped[str] = mapped_column(String(32))
    total: Mapped[int]
    positive: Mapped[int]
    neutral: Mapped[int]
    negative: Mapped[int]
    complaints: Mapped[int]
    echoes: Mapped[int]
    reach: Mapped[int]
    """Sum of the authors' followers (else karma) over the mentions."""
    negative_reach: Mapped[int]
    positive_posts: Mapped[int] = mapped_column(server_default="0")
    """Distinct posts (mentions echoing no other) per sentiment: what the dashboard's figures count
    (README "How figures count"); ``positive - positive_posts`` are that sentiment's echoes.
    Migration ``0011_rollup_posts``."""
    neutral_posts: Mapped[int] = mapped_column(server_default="0")
    negative_posts: Mapped[int] = mapped_column(server_default="0")


class RollupStateRow(Base):
    """How far the rollups have read: the newest mention id and annotation time already counted."""

    __tablename__ = "rollup_state"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    mention_id: Mapped[int]
    annotated_at: Mapped[datetime | None]
    refreshed_at: Mapped[datetime]


class MentionVectorRow(Base):
    """A mention's sentence vector (float16 bytes) from ``model``: what themes cluster."""

    __tablename__ = "mention_vectors"

    mention_id: Mapped[int] = mapped_column(ID, ForeignKey("mentions.id", ondelete="CASCADE"),
                                            primary_key=True)
    model: Mapped[str] = mapped_column(String(SHORT))
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class MentionTermsRow(Base):
    """The terms of one mention, tokenised once: what rising terms count instead of re-reading texts.

    ``terms`` holds the sorted 64-bit keys (``analysis.terms.term_key``) of the mention's distinct
    terms as little-endian int64 bytes: counts only, no words (a key names a term only to someone
    who already has the text). ``author_id`` and the publication time (``published_us``, microseconds
    since the epoch: an integer, so a million rows are read without parsing dates) are copied from
    the mention so a window is one range read. Deleted with the mention (retention, erasure); re-made when the
    mention changes (``indexed_at`` older than its ``updated_at``). Migration ``0009_trends_api``.
    """

    __tablename__ = "mention_terms"
    __table_args__ = (Index("ix_mention_terms_published_us", "published_us"),)

    mention_id: Mapped[int] = mapped_column(
        ID, ForeignKey("mentions.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    author_id: Mapped[int] = mapped_column(ID)
    published_us: Mapped[int] = mapped_column(BigInteger)
    indexed_at: Mapped[datetime]
    terms: Mapped[bytes] = mapped_column(LargeBinary)


class TermDayRow(Base):
    """How many distinct authors and posts of a topic used a term on one UTC day (``0013_term_days``).

    What rising terms sum over the window and its baseline instead of reading every mention's terms:
    a few hundred thousand rows over a fortnight rather than millions of (mention, term) pairs.
    ``term_key`` 0 holds the day's totals (distinct authors and posts, whatever their terms). Counts
    only, keyed by hashes: no text, no author. A day is recounted from the term index when one of its
    entries is re-made or deleted (erasure, retention: ``storage.term_days.recount_deleted``), so
    unlike the rollups no count outlives the mentions it counted.
    """

    __tablename__ = "term_days"

    topic_id: Mapped[str] = mapped_column(String(SHORT), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    term_key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    authors: Mapped[int] = mapped_column(Integer)
    posts: Mapped[int] = mapped_column(Integer)
