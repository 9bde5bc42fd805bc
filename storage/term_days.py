"""Per-day term counts: distinct authors and posts per (topic, UTC day, term key), read by rising terms.

Why: rising terms over a window of a million mentions read every mention's term keys (the term
index) and sorted tens of millions of (author, term) pairs on each call (85 s at 1M). A day's counts
change only when one of its mentions is (re-)indexed, so they are counted once, when that happens,
and a call sums a few hundred thousand (day, term) rows instead. Storage does not count: the caller
reads a day's index entries (:meth:`TermDays.entries`), counts them (``analysis.rising_days``) and
stores the result (:meth:`TermDays.replace`). Kept when retention prunes mentions (like the rollups).
"""

from __future__ import annotations

from collections.abc import Sequence
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

    def entries(self, day: date) -> list[tuple[str, int, bytes]]:
        """Return ``(topic_id, author_id, keys)`` of the entries of ``day``, one per mention and topic."""
        t, mt = MentionTermsRow, MentionTopicRow
        start = datetime.combine(day, time(), tzinfo=UTC)
        query = (
            sa.select(mt.topic_id, t.author_id, t.terms)
            .join(mt, mt.mention_id == t.mention_id)
            .where(t.published_us >= _us(start), t.published_us < _us(start + timedelta(days=1)))
        )

        def work(conn: Connection) -> list[tuple[str, int, bytes]]:
            return [(str(topic), int(a), bytes(k)) for topic, a, k in _raw(conn, query)]

        return self._db.read(work)

    def replace(self, day: date, rows: Sequence[tuple[str, int, int, int]]) -> int:
        """Replace the counts of ``day`` by ``(topic_id, term_key, authors, posts)`` rows; return how many.

        A marker row (topic ``""``) records that the day was counted, so :meth:`uncounted` skips it.
        """
        table = TermDayRow.__table__
        marked = [*rows, (COUNTED, TOTALS, 0, 0)]
        values = [
            {"topic_id": tp, "day": day, "term_key": k, "authors": a, "posts": p} for tp, k, a, p in marked
        ]

        def work(conn: Connection) -> int:
            conn.execute(sa.delete(TermDayRow).where(TermDayRow.day == day))
            for part in _sql.chunks(values, 5000):
                conn.execute(sa.insert(table), list(part))  # type: ignore[arg-type]
            return len(values)

        return self._db.run(work)

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
            epoch = date(1970, 1, 1)
            days = {epoch + timedelta(days=int(n)) for (n,) in conn.execute(indexed)}
            return sorted(days - set(conn.execute(counted).scalars()))

        return self._db.read(work)
