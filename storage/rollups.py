"""Trend rollups: mention counts per hour and day, topic, source and language, kept up to date.

Why rollups: a chart over a year at a million mentions must not scan a million rows, and must still
show last year's volumes after retention has deleted the mentions. :func:`refresh` is incremental:
it finds the hours touched since the last refresh (new mentions, new or changed sentiment and intent
annotations, updated counts), recomputes exactly those hours from the mentions with one GROUP BY each
range, replaces their rows, then rebuilds the days that contain them from the hour rows. Recomputing
a whole hour (rather than adding deltas) makes a refresh idempotent: running it twice, or after a
crash half-way, gives the same rows. An hour whose mentions retention already deleted is never
dirty again, so its counts stay.

"Negative" here is the sentiment label; alert rules add their own margin on top.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage import _sql
from storage.schema import AnnotationRow, AuthorRow, MentionRow, MentionTopicRow
from storage.schema_trends import MentionRollupRow, MentionVectorRow, RollupStateRow

ALL = "*"
"""``topic_id`` of the rows counting every mention, whatever its topics."""
GRAINS = ("hour", "day")
COUNTS = ("total", "positive", "neutral", "negative", "complaints", "echoes", "reach", "negative_reach",
          "positive_posts", "neutral_posts", "negative_posts")
SENTIMENTS = ("positive", "neutral", "negative")
HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class RollupPoint:
    """The counts of one bucket for one topic (summed over the sources and languages asked for)."""

    bucket: datetime
    topic_id: str
    total: int
    positive: int
    neutral: int
    negative: int
    complaints: int
    echoes: int
    reach: int
    negative_reach: int
    positive_posts: int = 0
    """Distinct posts (echoing no other) of each sentiment; 0 on points rebuilt from pruned days."""
    neutral_posts: int = 0
    negative_posts: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class RefreshResult:
    """What one refresh recomputed."""

    hours: int
    days: int
    mentions: int


def _trunc(dialect: str, column: Any, unit: str) -> Any:
    """The start of ``column``'s UTC hour or day, in SQL (text on SQLite, timestamp on PostgreSQL)."""
    if dialect == "sqlite":
        fmt = "%Y-%m-%d %H:00:00" if unit == "hour" else "%Y-%m-%d 00:00:00"
        return sa.func.strftime(fmt, column)
    return sa.func.date_trunc(unit, sa.func.timezone("UTC", column))


def as_utc(value: Any) -> datetime:
    """A stored time (text on SQLite, maybe naive) as an aware UTC datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def floor_hour(value: datetime) -> datetime:
    """The start of ``value``'s UTC hour."""
    return value.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def state(conn: Connection) -> tuple[int, datetime | None, datetime | None]:
    """Return how far the rollups have read: newest mention id, annotation time, refresh time."""
    s = RollupStateRow
    row = conn.execute(
        sa.select(s.mention_id, s.annotated_at, s.refreshed_at).order_by(s.id).limit(1)
    ).first()
    if row is None:
        return 0, None, None
    return int(row[0]), row[1], row[2]


def changed_hours(
    conn: Connection,
    last_id: int,
    annotated: datetime | None,
    refreshed: datetime | None,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[set[datetime], int, datetime | None]:
    """Return the UTC hours whose counts changed since the state, the newest mention id and note time.

    Each test reads one index alone (the primary key, ``ix_mentions_updated_at``,
    ``ix_annotations_created_at``) and the period is applied here: an ``OR`` of them scanned every
    mention, and with the period in SQL, SQLite walked the period's mentions and their annotations
    (9 s for a week at 1M). ``since``/``until`` keep only the hours of that period (a reader's check).
    """
    m, a = MentionRow, AnnotationRow
    hours: set[datetime] = set()  # a set as it goes: a first refresh reads every mention
    newest_id = last_id
    for mention_id, at in conn.execute(sa.select(m.id, m.published_at).where(m.id > last_id)):
        hours.add(floor_hour(at))
        newest_id = max(newest_id, mention_id)
    if refreshed is not None:
        updated = conn.execute(sa.select(m.published_at).where(m.updated_at > refreshed)).scalars()
        hours.update(floor_hour(at) for at in updated)
    newest_note = conn.execute(sa.select(sa.func.max(a.created_at))).scalar()
    newest_note = as_utc(newest_note) if newest_note is not None else None
    if annotated is not None or newest_note is not None:
        # The stage is tested here: in SQL, SQLite preferred the stage index to the time range.
        noted = sa.select(m.published_at, a.stage).join(a, a.mention_id == m.id)
        if annotated is not None:
            noted = noted.where(a.created_at > annotated)
        hours.update(floor_hour(at) for at, stage in conn.execute(noted) if stage in ("sentiment", "intent"))
    if since is not None:
        hours = {h for h in hours if h + HOUR > since}
    if until is not None:
        hours = {h for h in hours if h < until}
    return hours, newest_id, newest_note or annotated


def _ranges(hours: Iterable[datetime]) -> list[tuple[datetime, datetime]]:
    """Merge hours into ``[start, end)`` runs of consecutive hours."""
    out: list[tuple[datetime, datetime]] = []
    for hour in sorted(hours):
        if out and out[-1][1] == hour:
            out[-1] = (out[-1][0], hour + HOUR)
        else:
            out.append((hour, hour + HOUR))
    return out


def _measures() -> list[Any]:
    m, au = MentionRow, AuthorRow
    reach = sa.func.coalesce(au.followers, au.karma, 0)
    negative = m.sentiment == "negative"
    post = m.echo_of_id.is_(None)

    def when(cond: Any, value: Any = 1) -> Any:
        return sa.func.sum(sa.case((cond, value), else_=0))

    return [
        sa.func.count(),
        when(m.sentiment == "positive"),
        when(m.sentiment == "neutral"),
        when(negative),
        when(m.intents.like('%"complaint"%')),
        when(m.echo_of_id.is_not(None)),
        sa.func.sum(reach),
        when(negative, reach),
        *(when(sa.and_(m.sentiment == s, post)) for s in SENTIMENTS),
    ]


def _recompute(conn: Connection, dialect: str, start: datetime, end: datetime) -> int:
    m, au, mt, r = MentionRow, AuthorRow, MentionTopicRow, MentionRollupRow
    bucket = _trunc(dialect, m.published_at, "hour")
    lang = sa.func.coalesce(m.detected_lang, m.lang, "")
    span = sa.and_(m.published_at >= start, m.published_at < end)
    by_topic = (
        sa.select(bucket, mt.topic_id, m.source, lang, *_measures())
        .join(au, au.id == m.author_id)
        .join(mt, mt.mention_id == m.id)
        .where(span)
        .group_by(bucket, mt.topic_id, m.source, lang)
    )
    overall = (
        sa.select(bucket, sa.literal(ALL), m.source, lang, *_measures())
        .join(au, au.id == m.author_id)
        .where(span)
        .group_by(bucket, m.source, lang)
    )
    rows = [
        {
            "grain": "hour",
            "bucket": as_utc(b),
            "topic_id": t,
            "source": s,
            "lang": lg,
            **{name: int(v or 0) for name, v in zip(COUNTS, values, strict=True)},
        }
        for query in (by_topic, overall)
        for b, t, s, lg, *values in conn.execute(query)
    ]
    conn.execute(sa.delete(r).where(r.grain == "hour", r.bucket >= start, r.bucket < end))
    for part in _sql.chunks(rows, 1000):
        conn.execute(sa.insert(r), list(part))
    return len(rows)


def _rebuild_days(conn: Connection, dialect: str, days: set[datetime]) -> None:
    r = MentionRollupRow
    for day_start, day_end in _day_ranges(days):
        day = _trunc(dialect, r.bucket, "day")
        query = (
            sa.select(day, r.topic_id, r.source, r.lang, *(sa.func.sum(getattr(r, c)) for c in COUNTS))
            .where(r.grain == "hour", r.bucket >= day_start, r.bucket < day_end)
            .group_by(day, r.topic_id, r.source, r.lang)
        )
        rows = [
            {
                "grain": "day",
                "bucket": as_utc(b),
                "topic_id": t,
                "source": s,
                "lang": lg,
                **{name: int(v or 0) for name, v in zip(COUNTS, values, strict=True)},
            }
            for b, t, s, lg, *values in conn.execute(query)
        ]
        conn.execute(sa.delete(r).where(r.grain == "day", r.bucket >= day_start, r.bucket < day_end))
        for part in _sql.chunks(rows, 1000):
            conn.execute(sa.insert(r), list(part))


def _day_ranges(days: set[datetime]) -> list[tuple[datetime, datetime]]:
    out: list[tuple[datetime, datetime]] = []
    for day in sorted(days):
        if out and out[-1][1] == day:
            out[-1] = (out[-1][0], day + timedelta(days=1))
        else:
            out.append((day, day + timedelta(days=1)))
    return out


def refresh(conn: Connection, dialect: str, now: datetime) -> RefreshResult:
    """Recompute the hours (and their days) touched since the last refresh; record how far we read."""
    last_id, annotated, refreshed = state(conn)
    hours, newest_id, newest_note = changed_hours(conn, last_id, annotated, refreshed)
    rows = 0
    for start, end in _ranges(hours):
        rows += _recompute(conn, dialect, start, end)
    days = {h.replace(hour=0) for h in hours}
    _rebuild_days(conn, dialect, days)
    s = RollupStateRow
    values = {"mention_id": newest_id, "annotated_at": newest_note, "refreshed_at": now}
    if conn.execute(sa.select(sa.func.count()).select_from(s)).scalar():
        conn.execute(sa.update(s).values(**values))
    else:
        conn.execute(sa.insert(s).values(**values))
    return RefreshResult(hours=len(hours), days=len(days), mentions=rows)


def series(
    conn: Connection,
    *,
    topics: Sequence[str],
    grain: str,
    since: datetime,
    until: datetime,
    sources: Sequence[str] = (),
    langs: Sequence[str] = (),
) -> list[RollupPoint]:
    """Return one point per (bucket, topic) in ``[since, until)``, oldest first; empty buckets absent."""
    if grain not in GRAINS:
        raise ValueError(f"storage: grain must be one of {', '.join(GRAINS)}, got {grain!r}")
    r = MentionRollupRow
    query = (
        sa.select(r.bucket, r.topic_id, *(sa.func.sum(getattr(r, c)) for c in COUNTS))
        .where(r.grain == grain, r.topic_id.in_(list(topics)), r.bucket >= since, r.bucket < until)
        .group_by(r.bucket, r.topic_id)
        .order_by(r.bucket, r.topic_id)
    )
    if sources:
        query = query.where(r.source.in_(list(sources)))
    if langs:
        query = query.where(r.lang.in_(list(langs)))
    return [
        RollupPoint(bucket=b, topic_id=t, **{c: int(v or 0) for c, v in zip(COUNTS, values, strict=True)})
        for b, t, *values in conn.execute(query)
    ]


def save_vectors(conn: Connection, dialect: str, model: str, vectors: Sequence[tuple[int, bytes]]) -> int:
    """Store (or replace) the vectors of mentions computed by ``model``; return how many."""
    if not vectors:
        return 0
    v = MentionVectorRow
    stmt = _sql.insert(dialect, v.__table__)  # type: ignore[arg-type]
    stmt = stmt.on_conflict_do_update(
        index_elements=["mention_id"], set_={"model": stmt.excluded.model, "vector": stmt.excluded.vector}
    )
    live = set(
        conn.execute(
            sa.select(MentionRow.id).where(_sql.one_of(conn, MentionRow.id, [i for i, _ in vectors]))
        ).scalars()
    )
    rows = [{"mention_id": i, "model": model, "vector": b} for i, b in vectors if i in live]
    if rows:
        conn.execute(stmt, rows)
    return len(rows)


def vectors(conn: Connection, model: str, mention_ids: Sequence[int]) -> dict[int, bytes]:
    """Return the stored vectors of ``model`` for these mentions (absent ones are left out)."""
    v = MentionVectorRow
    found: dict[int, bytes] = {}
    for part in _sql.chunks(sorted(set(mention_ids))):
        query = sa.select(v.mention_id, v.vector).where(
            v.model == model, _sql.one_of(conn, v.mention_id, part)
        )
        found.update({i: bytes(b) for i, b in conn.execute(query)})
    return found


def without_vectors(
    conn: Connection, model: str, since: datetime | None, limit: int
) -> list[tuple[int, str]]:
    """Return ``(id, text)`` of mentions lacking a ``model`` vector, newest first."""
    m, v = MentionRow, MentionVectorRow
    query = (
        sa.select(m.id, m.text)
        .outerjoin(v, sa.and_(v.mention_id == m.id, v.model == model))
        .where(v.mention_id.is_(None))
        .order_by(m.id.desc())
        .limit(limit)
    )
    if since is not None:
        query = query.where(m.published_at >= since)
    return [(i, t) for i, t in conn.execute(query)]
