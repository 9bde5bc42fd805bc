"""What several workers on several machines agree through the database: leases, claims, shared limits.

- **Leases** (``leases``): a named, expiring right to act. The scheduler's leadership is the lease
  ``scheduler``; a collection run holds ``collect:<source>:<topic>`` so the same (source, topic) never
  runs twice at once. Taking a lease is one ``INSERT ... ON CONFLICT DO UPDATE ... WHERE <free or
  ours> RETURNING``: atomic on both engines (PostgreSQL re-checks the condition on the latest row
  version; SQLite has one writer at a time). A holder renews before ``expires_at``; when it dies,
  another process takes over at most one lease length later. Leases are rows, not PostgreSQL
  advisory locks, because a pooled connection cannot hold a session lock for the life of a process,
  and rows show in ``listener status``.
- **Analysis claims** (``analysis_claims``): a worker claims a batch of unanalysed mentions for a
  lease length. PostgreSQL picks candidates with ``FOR UPDATE SKIP LOCKED`` (two claimers skip each
  other's rows instead of queueing), then the claim upsert's ``WHERE expires_at <= now`` decides:
  only rows it returns are ours, so two workers never get the same mention even when one's snapshot
  is stale. A dead worker's claims expire and the mentions are claimed again.
- **Rate buckets** (``rate_buckets``): a provider's request rate as a token bucket every worker
  draws from (``SELECT ... FOR UPDATE`` on the bucket row), plus a pause all workers honour after a 429.
- **Quotas** (``quota_usage``): usage per period (e.g. posts read in ``2026-12``) consumed atomically
  against a cap (``UPDATE ... SET used = used + n WHERE used + n <= cap``).

Time comes from the repository's clock (``now`` is passed in): machines must keep their clocks in
sync (NTP) to within a small part of a lease length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage import _sql, mention_reads
from storage.records import StoredMention
from storage.schema import AnnotationRow, MentionRow
from storage.schema_coordination import AnalysisClaimRow, LeaseRow, QuotaUsageRow, RateBucketRow


@dataclass(frozen=True, slots=True, kw_only=True)
class Lease:
    """Who holds a named lease, since when, until when; ``token`` grows at each change of holder."""

    name: str
    holder: str
    token: int
    acquired_at: datetime
    expires_at: datetime


def _lease(row: Sequence[Any]) -> Lease:
    return Lease(name=row[0], holder=row[1], token=row[2], acquired_at=row[3], expires_at=row[4])


_LEASE_COLUMNS = (LeaseRow.name, LeaseRow.holder, LeaseRow.token, LeaseRow.acquired_at, LeaseRow.expires_at)


def acquire_lease(
    conn: Connection, dialect: str, *, name: str, holder: str, ttl_s: float, now: datetime
) -> Lease | None:
    """Take or renew ``name`` for ``holder`` until ``now + ttl_s``; None if another holds it unexpired."""
    table = LeaseRow.__table__
    current = table.c
    stmt = _sql.insert(dialect, table).values(  # type: ignore[arg-type]
        name=name, holder=holder, token=1, acquired_at=now, expires_at=now + timedelta(seconds=ttl_s)
    )
    new = stmt.excluded
    is_ours = current.holder == new.holder
    stmt = stmt.on_conflict_do_update(
        index_elements=["name"],
        set_={
            "holder": new.holder,
            "token": sa.case((is_ours, current.token), else_=current.token + 1),
            "acquired_at": sa.case((is_ours, current.acquired_at), else_=new.acquired_at),
            "expires_at": new.expires_at,
        },
        where=sa.or_(is_ours, current.expires_at <= new.acquired_at),
    ).returning(*(current[c.key] for c in _LEASE_COLUMNS))
    row = conn.execute(stmt).first()
    return _lease(row) if row is not None else None


def release_lease(conn: Connection, name: str, holder: str, now: datetime) -> bool:
    """Give ``name`` up (it expires now, its token is kept); False if ``holder`` did not hold it."""
    done = conn.execute(
        sa.update(LeaseRow)
        .where(LeaseRow.name == name, LeaseRow.holder == holder, LeaseRow.expires_at > now)
        .values(expires_at=now)
    )
    return bool(done.rowcount)


def live_leases(conn: Connection, prefix: str, now: datetime) -> list[Lease]:
    """Return the unexpired leases whose name starts with ``prefix``, by name."""
    rows = conn.execute(
        sa.select(*_LEASE_COLUMNS)
        .where(LeaseRow.name.startswith(prefix, autoescape=True), LeaseRow.expires_at > now)
        .order_by(LeaseRow.name)
    )
    return [_lease(r) for r in rows]


def claim_unanalysed(
    conn: Connection,
    dialect: str,
    *,
    stage: str,
    version: str,
    worker: str,
    limit: int,
    ttl_s: float,
    now: datetime,
) -> list[StoredMention]:
    """Claim up to ``limit`` mentions lacking a ``stage`` annotation at ``version`` for ``worker``.

    Returns the claimed mentions, oldest id first; another worker's unexpired claims are left alone,
    expired ones are taken over.
    """
    done = sa.exists().where(
        AnnotationRow.mention_id == MentionRow.id,
        AnnotationRow.stage == stage,
        AnnotationRow.version == version,
    )
    taken = sa.exists().where(
        AnalysisClaimRow.mention_id == MentionRow.id,
        AnalysisClaimRow.stage == stage,
        AnalysisClaimRow.expires_at > now,
    )
    candidates = sa.select(MentionRow.id).where(~done, ~taken).order_by(MentionRow.id).limit(limit)
    if dialect == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True, of=MentionRow)
    ids = list(conn.execute(candidates).scalars())
    if not ids:
        return []
    table = AnalysisClaimRow.__table__
    stmt = _sql.insert(dialect, table)  # type: ignore[arg-type]
    stmt = stmt.on_conflict_do_update(
        index_elements=["mention_id", "stage"],
        set_={"worker": stmt.excluded.worker, "claimed_at": now, "expires_at": stmt.excluded.expires_at},
        where=table.c.expires_at <= now,
    ).returning(table.c.mention_id)
    until = now + timedelta(seconds=ttl_s)
    rows = [
        {"mention_id": i, "stage": stage, "worker": worker, "claimed_at": now, "expires_at": until}
        for i in ids
    ]
    # one row per statement: RETURNING with executemany is not portable across drivers
    claimed = sorted(i for row in rows for i in conn.execute(stmt, row).scalars())
    if not claimed:
        return []
    return mention_reads.records(
        conn,
        mention_reads.base_query().where(_sql.one_of(conn, MentionRow.id, claimed)).order_by(MentionRow.id),
    )


def release_claims(conn: Connection, stage: str, worker: str, mention_ids: Sequence[int]) -> int:
    """Drop ``worker``'s claims on these mentions (after saving their annotations); return how many."""
    released = 0
    for part in _sql.chunks(sorted(mention_ids)):
        done = conn.execute(
            sa.delete(AnalysisClaimRow).where(
                AnalysisClaimRow.stage == stage,
                AnalysisClaimRow.worker == worker,
                _sql.one_of(conn, AnalysisClaimRow.mention_id, part),
            )
        )
        released += done.rowcount
    return released


def reserve_token(conn: Connection, dialect: str, key: str, rate: tuple[float, int], now: datetime) -> float:
    """Take one token from the shared bucket ``key`` (``rate`` = per second, burst); return the wait in s.

    The token is taken even when the caller must wait (as ``connectors._http.TokenBucket`` does).
    While the bucket is paused (:func:`pause_bucket`), nothing is taken and the wait is the pause left.
    """
    rate_per_s, burst = rate
    table = RateBucketRow.__table__
    stmt = _sql.insert(dialect, table).values(key=key, tokens=float(burst), stamp=now)  # type: ignore[arg-type]
    conn.execute(stmt.on_conflict_do_nothing(index_elements=["key"]))
    query = sa.select(RateBucketRow.tokens, RateBucketRow.stamp, RateBucketRow.blocked_until).where(
        RateBucketRow.key == key
    )
    if dialect == "postgresql":
        query = query.with_for_update()
    tokens, stamp, blocked_until = conn.execute(query).one()
    if blocked_until is not None and blocked_until > now:
        return (blocked_until - now).total_seconds()
    elapsed = max(0.0, (now - stamp).total_seconds())
    left = min(float(burst), tokens + elapsed * rate_per_s) - 1.0
    conn.execute(
        sa.update(RateBucketRow).where(RateBucketRow.key == key).values(tokens=left, stamp=max(now, stamp))
    )
    return 0.0 if left >= 0 else -left / rate_per_s


def pause_bucket(conn: Connection, dialect: str, key: str, until: datetime, now: datetime) -> None:
    """Make every worker wait until ``until`` before the next request on ``key`` (after a 429)."""
    table = RateBucketRow.__table__
    stmt = _sql.insert(dialect, table).values(  # type: ignore[arg-type]
        key=key, tokens=0.0, stamp=now, blocked_until=until
    )
    current = table.c.blocked_until
    asked = stmt.excluded.blocked_until
    later = sa.case((sa.or_(current.is_(None), current < asked), asked), else_=current)
    conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"blocked_until": later}))


def consume_quota(
    conn: Connection, dialect: str, *, key: str, period: str, amount: int, cap: int
) -> int | None:
    """Add ``amount`` to the usage of ``key`` in ``period`` if it stays within ``cap``.

    Returns the new usage, or None (and nothing is added) when it would go past the cap.
    """
    table = QuotaUsageRow.__table__
    stmt = _sql.insert(dialect, table).values(key=key, period=period, used=0)  # type: ignore[arg-type]
    conn.execute(stmt.on_conflict_do_nothing(index_elements=["key", "period"]))
    row = conn.execute(
        sa.update(QuotaUsageRow)
        .where(QuotaUsageRow.key == key, QuotaUsageRow.period == period, QuotaUsageRow.used + amount <= cap)
        .values(used=QuotaUsageRow.used + amount)
        .returning(QuotaUsageRow.used)
    ).first()
    return int(row[0]) if row is not None else None


def quota_used(conn: Connection, key: str, period: str) -> int:
    """Return how much of ``key``'s quota was used in ``period``."""
    used = conn.execute(
        sa.select(QuotaUsageRow.used).where(QuotaUsageRow.key == key, QuotaUsageRow.period == period)
    ).scalar()
    return int(used or 0)


def reserve_quota(
    conn: Connection, dialect: str, *, key: str, period: str, want: int, cap: int
) -> tuple[int, int]:
    """Take up to ``want`` units of ``key``'s ``cap`` in ``period``; return (granted, used after).

    The row is locked while it is read and updated, so two workers racing for the last units share
    them and never go past the cap together; ``granted`` is 0 once the cap is reached.
    """
    table = QuotaUsageRow.__table__
    stmt = _sql.insert(dialect, table).values(key=key, period=period, used=0)  # type: ignore[arg-type]
    conn.execute(stmt.on_conflict_do_nothing(index_elements=["key", "period"]))
    query = sa.select(QuotaUsageRow.used).where(QuotaUsageRow.key == key, QuotaUsageRow.period == period)
    if dialect == "postgresql":
        query = query.with_for_update()
    used = int(conn.execute(query).scalar_one())
    granted = max(0, min(want, cap - used))
    if granted:
        conn.execute(
            sa.update(QuotaUsageRow)
            .where(QuotaUsageRow.key == key, QuotaUsageRow.period == period)
            .values(used=QuotaUsageRow.used + granted)
        )
    return granted, used + granted


def release_quota(conn: Connection, *, key: str, period: str, amount: int) -> None:
    """Give back ``amount`` units reserved but not used (a page shorter than asked)."""
    if amount > 0:
        conn.execute(
            sa.update(QuotaUsageRow)
            .where(QuotaUsageRow.key == key, QuotaUsageRow.period == period)
            .values(used=sa.case((QuotaUsageRow.used > amount, QuotaUsageRow.used - amount), else_=0))
        )


def quota_usage(conn: Connection, period: str) -> dict[str, int]:
    """Return every quota's usage in ``period``, by key."""
    rows = conn.execute(
        sa.select(QuotaUsageRow.key, QuotaUsageRow.used).where(QuotaUsageRow.period == period)
        .order_by(QuotaUsageRow.key)
    )
    return {str(key): int(used) for key, used in rows}
