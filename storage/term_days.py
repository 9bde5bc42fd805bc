"""Per-day term counts: distinct authors and posts per (topic, UTC day, term key), read by rising terms.

Why: rising terms over a window of a million mentions read every mention's term keys (the term
index) and sorted tens of millions of (author, term) pairs on each call (85 s at 1M). A day's counts
change only when one of its mentions is (re-)indexed, so they are counted once, when that happens,
and a call sums a few hundred thousand (day, term) rows instead. Storage does not count: the caller
reads a day's index entries (:meth:`TermDays.entries`), counts them (``analysis.rising_days``) and
stores the result (:meth:`TermDays.replace`).

Deleting mentions (erasure, retention) changes their days too, or a term only a forgotten author
used would stay countable: :func:`recount_deleted` brings those days in line with what the index
still holds, in the deleting transaction. The counting function comes from the caller (``wiring``
injects ``analysis.rising_days.day_counts``), so storage still counts nothing itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage import _sql
from storage._database import Database
from storage.schema import MentionTopicRow
from storage.schema_trends import MentionTermsRow, TermDayRow

TOTALS = 0
"""The ``term_key`` of a day's totals row."""
COUNTED = ""
"""The topic of the row that marks a day as counted (even when none of its mentions has a topic)."""
DAY_US = 86_400_000_000
DAY_ZERO = date(1970, 1, 1)
LOCK_SPACE = 13_013
"""First key of the PostgreSQL advisory lock held while a day is counted (ours, in no other use)."""

Entries = list[tuple[str, int, bytes]]
"""``(topic_id, author_id, keys)`` of one day's index entries, one per mention and topic."""
DayCounter = Callable[[Entries], Sequence[tuple[str, int, int, int]]]
"""Count one day's entries into ``(topic_id, term_key, authors, posts)`` rows (``analysis.rising_days``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DayRows:
    """One topic's counts on one day: parallel lists, totals row included (``term_key`` 0)."""

    keys: list[int]
    authors: list[int]
    posts: list[int]


def _us(at: datetime) -> int:
    return (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def _raw(conn: Connection, query: Any) -> list[Any]:
    """Run a read with the driver's plain tuples (no per-row processing: a day can hold 1M rows)."""
    sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()


class TermDays:
    """Read and rebuild the per-day term counts on one database."""

    def __init__(self, database: Database, dialect: str) -> None:
        self._db = database
        self._dialect = dialect

    def entries(self, day: date) -> Entries:
        """Return ``(topic_id, author_id, keys)`` of the entries of ``day``, one per mention and topic."""
        return self._db.read(lambda conn: entries_on(conn, day))

    def replace(self, day: date, rows: Sequence[tuple[str, int, int, int]]) -> int:
        """Replace the counts of ``day`` by ``(topic_id, term_key, authors, posts)`` rows; return how many.

        A marker row (topic ``""``) records that the day was counted, so :meth:`uncounted` skips it.
        """
        return self._db.run(lambda conn: replace_on(conn, day, rows))

    def recount(self, days: Sequence[date], count: DayCounter) -> int:
        """Recount each of ``days`` from the term index, one transaction a day; return the rows written."""
        written = 0
        for day in sorted(set(days)):

            def work(conn: Connection, day: date = day) -> int:
                _hold(conn, day)
                return replace_on(conn, day, count(entries_on(conn, day)))

            written += self._db.run(work)
        return written

    def read(self, topic: str, day: date) -> DayRows:
        """Return one topic's counts on ``day`` (empty lists when nothing was counted)."""
        d = TermDayRow
        query = sa.select(d.term_key, d.authors, d.posts).where(d.topic_id == topic, d.day == day)

        def work(conn: Connection) -> DayRows:
            rows = _raw(conn, query)
            return DayRows(
                keys=[r[0] for r in rows],
                authors=[r[1] for r in rows],
                posts=[r[2] for r in rows],
            )

        return self._db.read(work)

    def counted(self, days: Sequence[date]) -> bool:
        """Tell whether every one of ``days`` has been counted (a new database counts on the next step)."""
        d = TermDayRow
        query = sa.select(sa.func.count()).where(
            d.topic_id == COUNTED, d.term_key == TOTALS, d.day.in_(sorted(set(days)))
        )
        return bool(self._db.read(lambda conn: conn.execute(query).scalar_one()) == len(set(days)))

    def uncounted(self) -> list[date]:
        """Return the days the term index holds that were never counted (an index older than the counts)."""
        t, d = MentionTermsRow, TermDayRow
        indexed = sa.select(t.published_us // DAY_US).distinct()
        counted = sa.select(d.day).where(d.topic_id == COUNTED, d.term_key == TOTALS)

        def work(conn: Connection) -> list[date]:
            days = {DAY_ZERO + timedelta(days=int(n)) for (n,) in conn.execute(indexed)}
            return sorted(days - set(conn.execute(counted).scalars()))

        return self._db.read(work)


def _hold(conn: Connection, day: date) -> None:
    """Count one day at a time: a recount that read the entries before an erasure's delete must not
    write its counts after the erasure's own recount (PostgreSQL; SQLite has one writer already)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:space, :day)"),
                     {"space": LOCK_SPACE, "day": day.toordinal()})


def entries_on(conn: Connection, day: date) -> Entries:
    """Return the index entries of ``day`` (see :meth:`TermDays.entries`) in the caller's transaction."""
    t, mt = MentionTermsRow, MentionTopicRow
    start = datetime.combine(day, time(), tzinfo=UTC)
    query = (
        sa.select(mt.topic_id, t.author_id, t.terms)
        .join(mt, mt.mention_id == t.mention_id)
        .where(t.published_us >= _us(start), t.published_us < _us(start + timedelta(days=1)))
    )
    return [(str(topic), int(a), bytes(k)) for topic, a, k in _raw(conn, query)]


def replace_on(conn: Connection, day: date, rows: Sequence[tuple[str, int, int, int]]) -> int:
    """Replace the counts of ``day`` (see :meth:`TermDays.replace`) in the caller's transaction."""
    marked = [*rows, (COUNTED, TOTALS, 0, 0)]
    values = [{"topic_id": tp, "day": day, "term_key": k, "authors": a, "posts": p} for tp, k, a, p in marked]
    conn.execute(sa.delete(TermDayRow).where(TermDayRow.day == day))
    for part in _sql.chunks(values, 5000):
        conn.execute(sa.insert(TermDayRow.__table__), list(part))  # type: ignore[arg-type]
    return len(values)


def days_of(conn: Connection, mention_ids: Sequence[int]) -> set[date]:
    """Return the UTC days of the index entries of ``mention_ids``: the days their deletion changes."""
    days: set[date] = set()
    for part in _sql.chunks(sorted(set(mention_ids))):
        query = sa.select(MentionTermsRow.published_us // DAY_US).where(MentionTermsRow.mention_id.in_(part))
        days.update(DAY_ZERO + timedelta(days=int(n)) for (n,) in conn.execute(query.distinct()))
    return days


def recount_deleted(conn: Connection, days: set[date], count: DayCounter | None) -> None:
    """Bring the counts of ``days`` in line with the index once some of their entries were deleted.

    With ``count``, each day is recounted from the entries left. Without, a day with no entry left
    gets its exact count (nothing: the marker alone) and any other day loses its rows, so nothing
    of the deleted entries is summed any more and :meth:`TermDays.uncounted` lists it for the next
    trends step to recount (a retention batch does this: recounting a large day once per batch of
    its mentions would read it over and over).
    """
    t = MentionTermsRow
    for day in sorted(days):
        _hold(conn, day)
        if count is not None:
            replace_on(conn, day, count(entries_on(conn, day)))
            continue
        start = _us(datetime.combine(day, time(), tzinfo=UTC))
        left = sa.select(t.mention_id).where(t.published_us >= start, t.published_us < start + DAY_US)
        if conn.execute(left.limit(1)).first() is None:
            replace_on(conn, day, [])
        else:
            conn.execute(sa.delete(TermDayRow).where(TermDayRow.day == day))
