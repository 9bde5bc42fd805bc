"""The tables several processes agree through: leases, analysis claims, shared rate buckets, quotas.

Migration ``0003_scale_coordination`` creates exactly these tables.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.schema import ID, SHORT, Base


class LeaseRow(Base):
    """A named, expiring right to act: the scheduler's leadership, a (source, topic) collection run.

    Several processes on several machines agree through this row only: whoever holds an unexpired
    lease acts, the others wait; a holder that dies stops renewing, and the lease is free once
    ``expires_at`` passes. ``token`` grows each time the holder changes (a fencing token).
    """

    __tablename__ = "leases"
    __table_args__ = (UniqueConstraint("name", name="uq_leases_name"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(SHORT))
    holder: Mapped[str] = mapped_column(String(SHORT))
    token: Mapped[int] = mapped_column(default=1, server_default="1")
    acquired_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class AnalysisClaimRow(Base):
    """A worker analysing a mention for a stage until ``expires_at`` (then anyone may claim it again)."""

    __tablename__ = "analysis_claims"
    __table_args__ = (UniqueConstraint("mention_id", "stage", name="uq_analysis_claims_mention_stage"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    mention_id: Mapped[int] = mapped_column(ID, ForeignKey("mentions.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(SHORT))
    worker: Mapped[str] = mapped_column(String(SHORT))
    claimed_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class RateBucketRow(Base):
    """A token bucket shared by every worker (a provider's request rate), with a pause after a 429."""

    __tablename__ = "rate_buckets"
    __table_args__ = (UniqueConstraint("key", name="uq_rate_buckets_key"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    key: Mapped[str] = mapped_column(String(SHORT))
    tokens: Mapped[float] = mapped_column(Float)
    stamp: Mapped[datetime]
    blocked_until: Mapped[datetime | None]


class QuotaUsageRow(Base):
    """How much of a provider's quota (e.g. posts read per month) all workers used in one period."""

    __tablename__ = "quota_usage"
    __table_args__ = (UniqueConstraint("key", "period", name="uq_quota_usage_key_period"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    key: Mapped[str] = mapped_column(String(SHORT))
    period: Mapped[str] = mapped_column(String(32))
    used: Mapped[int] = mapped_column(default=0, server_default="0")
