"""The dashboard's series (distinct posts and echoes per topic, bucket and sentiment) read from the rollups.

Why: counting a 30-day period from the mentions reads every row of it (2.1 s at 100k mentions under
8 clients on SQLite); the hour and day rollups hold the same counts, distinct posts per sentiment
included (migration ``0011_rollup_posts``), so a period is a read of a few hundred rows.

The answer is the one :func:`storage.inbox.series` computes from the mentions, exactly:

- only whole hours (or whole days, for day buckets) come from the rollups; the ragged ends of the
  period (``since`` and ``until`` are rarely on the hour) are counted from the mentions;
- an hour that changed since the rollups' last refresh (a new mention, a new sentiment or intent, a
  changed mention, echo grouping included) is counted from the mentions too, so a reader never sees
  counts older than the data. The test is three indexed reads (see :func:`rollups.changed_hours`).
- With no rollup state yet (never refreshed, or just migrated) everything comes from the mentions.

Sentiments other than positive, neutral and negative count as unknown (``None``), as the charts do.
Hours that retention emptied keep their rollup counts, as the trend charts do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage import inbox, rollups
from storage.schema_trends import MentionRollupRow

Row = tuple[str, str, str | None, int, int]
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
_READ = ("total", "positive", "neutral", "negative", "echoes", "positive_posts", "neutral_posts",
         "negative_posts")


def _ceil(value: datetime, step: timedelta) -> datetime:
    floor = _floor(value, step)
    return floor if floor == value else floor + step


def _floor(value: datetime, step: timedelta) -> datetime:
    hour = rollups.floor_hour(value)
    return hour.replace(hour=0) if step == DAY else hour


def _iso(bucket: datetime) -> str:
    return bucket.strftime("%Y-%m-%dT%H:%M:%S") + "Z"


def _rollup_rows(
    conn: Connection, grain: str, start: datetime, end: datetime, topics: Sequence[str]
) -> Iterable[tuple[datetime, str, dict[str, int]]]:
    r = MentionRollupRow
    query = (
        sa.select(r.bucket, r.topic_id, *(sa.func.sum(getattr(r, c)) for c in _READ))
        .where(r.grain == grain, r.bucket >= start, r.bucket < end)
        .group_by(r.bucket, r.topic_id)
    )
    query = query.where(r.topic_id.in_(list(topics))) if topics else query.where(r.topic_id != rollups.ALL)
    for bucket, topic, *values in conn.execute(query):
        yield rollups.as_utc(bucket), str(topic), {c: int(v or 0) for c, v in zip(_READ, values, strict=True)}


def _split(topic: str, at: str, c: dict[str, int]) -> list[Row]:
    """One rollup bucket as the rows the straightforward query gives: per sentiment, posts and echoes."""
    out: list[Row] = []
    for s in rollups.SENTIMENTS:
        if c[s]:
            out.append((topic, at, s, c[f"{s}_posts"], c[s] - c[f"{s}_posts"]))
    unknown = c["total"] - sum(c[s] for s in rollups.SENTIMENTS)
    if unknown:
        posts = c["total"] - c["echoes"] - sum(c[f"{s}_posts"] for s in rollups.SENTIMENTS)
        out.append((topic, at, None, posts, unknown - posts))
    return out


def series(
    conn: Connection, dialect: str, *, since: datetime, until: datetime, interval: str, topics: Sequence[str]
) -> list[Row]:
    """Return ``(topic, bucket start ISO, sentiment, distinct posts, echoes)`` for ``[since, until)``."""
    last_id, annotated, refreshed = rollups.state(conn)
    first, last = _ceil(since, HOUR), _floor(until, HOUR)
    if refreshed is None or first >= last:
        rows = inbox.series(conn, dialect, since=since, until=until, interval=interval, topics=topics)
        return sorted(rows, key=lambda r: (r[0], r[1], r[2] or ""))
    dirty, _, _ = rollups.changed_hours(conn, last_id, annotated, refreshed, since=first, until=last)
    step = DAY if interval == "day" else HOUR
    days = (_ceil(first, DAY), _floor(last, DAY)) if step == DAY else (first, first)
    clean_days = {d for d in _days(*days) if not any(d <= h < d + DAY for h in dirty)}
    totals: dict[tuple[str, str, str | None], list[int]] = {}

    def add(rows: Iterable[Row]) -> None:
        for topic, at, sentiment, posts, echoes in rows:
            slot = totals.setdefault((topic, at, sentiment), [0, 0])
            slot[0] += posts
            slot[1] += echoes

    if clean_days:
        days_read = _rollup_rows(conn, "day", min(clean_days), max(clean_days) + DAY, topics)
        for bucket, topic, counts in days_read:
            if bucket in clean_days:
                add(_split(topic, _iso(bucket), counts))
    outside = _merged(_gaps(first, last, sorted(clean_days)))  # the hours the day rows do not cover
    for start, end in outside:
        for bucket, topic, counts in _rollup_rows(conn, "hour", start, end, topics):
            if bucket not in dirty:
                add(_split(topic, _iso(_floor(bucket, step)), counts))
    raw = [(since, first), (last, until), *((h, h + HOUR) for h in sorted(dirty))]
    for start, end in _merged(raw):
        add(inbox.series(conn, dialect, since=start, until=end, interval=interval, topics=topics))
    return [(t, at, s, n, e) for (t, at, s), (n, e) in sorted(totals.items(), key=_order)]


def _order(item: tuple[tuple[str, str, str | None], list[int]]) -> tuple[str, str, str]:
    (topic, at, sentiment), _ = item
    return topic, at, sentiment or ""


def _gaps(first: datetime, last: datetime, days: list[datetime]) -> list[tuple[datetime, datetime]]:
    """The parts of ``[first, last)`` outside the whole ``days``."""
    out, at = [], first
    for day in days:
        out.append((at, day))
        at = day + DAY
    out.append((at, last))
    return out


def _days(start: datetime, end: datetime) -> list[datetime]:
    out = []
    while start < end:
        out.append(start)
        start += DAY
    return out


def _merged(ranges: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    out: list[tuple[datetime, datetime]] = []
    for start, end in sorted(r for r in ranges if r[0] < r[1]):
        if out and out[-1][1] >= start:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out
