"""The term index: each mention's terms, tokenised once, read back by window for rising terms.

Storage does not tokenise (that is ``analysis``): :meth:`TermIndex.stale` hands out the mentions
whose entry is missing or older than the mention, the caller computes the entries and
:meth:`TermIndex.save` stores them. Incremental like the rollups: a refresh touches only new and
changed mentions. An entry is deleted with its mention (retention, erasure: foreign key cascade), and
erasure re-dates the mentions it scrubs so their entries are made again from the scrubbed text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from listener.core.clock import Clock
from storage import _sql
from storage._database import Database
from storage.schema import AuthorRow, MentionRow, MentionTopicRow
from storage.schema_trends import MentionTermsRow


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexRows:
    """The index over a period, column by column (what ``analysis.rising_index`` reads)."""

    mention_ids: list[int]
    author_ids: list[int]
    published_us: list[int]
    sizes: list[int]
    keys: bytes


def _us(at: datetime) -> int:
    return (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


class TermIndex:
    """Read and maintain the term index on one database."""

    def __init__(self, database: Database, clock: Clock, dialect: str) -> None:
        self._db = database
        self._clock = clock
        self._dialect = dialect

    def stale(self, limit: int = 5000) -> list[tuple[int, int, datetime, str]]:
        """Return ``(id, author_id, published_at, text)`` of mentions to index, oldest id first.

        New mentions (id above the newest indexed) and mentions changed since the last indexing.
        ``text`` is the title and the text, as trends read them.
        """
        m, t = MentionRow, MentionTermsRow

        def work(conn: Connection) -> list[tuple[int, int, datetime, str]]:
            newest = sa.select(sa.func.max(t.mention_id), sa.func.max(t.indexed_at))
            newest_id, newest_at = conn.execute(newest).one()
            query = sa.select(m.id, m.author_id, m.published_at, m.title, m.text).order_by(m.id).limit(limit)
            if newest_id is not None:
                changed = sa.and_(
                    m.updated_at >= newest_at,
                    ~sa.exists().where(t.mention_id == m.id, t.indexed_at >= m.updated_at),
                )
                query = query.where(sa.or_(m.id > newest_id, changed))
            return [
                (i, a, p, f"{title}\n{text}" if title else text)
                for i, a, p, title, text in conn.execute(query)
            ]

        return self._db.read(work)

    def save(self, entries: Sequence[tuple[int, int, datetime, bytes]]) -> int:
        """Store ``(mention_id, author_id, published_at, keys)`` entries (replacing older ones)."""
        if not entries:
            return 0
        now = self._clock()
        rows = [
            {"mention_id": i, "author_id": a, "published_us": _us(p), "indexed_at": now, "terms": k}
            for i, a, p, k in entries
        ]

        def work(conn: Connection) -> int:
            stmt = _sql.insert(self._dialect, MentionTermsRow.__table__)  # type: ignore[arg-type]
            stmt = stmt.on_conflict_do_update(
                index_elements=["mention_id"],
                set_={c: stmt.excluded[c] for c in ("author_id", "published_us", "indexed_at", "terms")},
            )
            ids = [r["mention_id"] for r in rows]
            alive = sa.select(MentionRow.id).where(_sql.one_of(conn, MentionRow.id, ids))
            live = set(conn.execute(alive).scalars())
            kept = [r for r in rows if r["mention_id"] in live]  # a mention deleted meanwhile stays gone
            for part in _sql.chunks(kept, 1000):
                conn.execute(stmt, list(part))
            return len(kept)

        return self._db.run(work)

    def window(self, topic: str | None, since: datetime, until: datetime) -> IndexRows:
        """Return the entries of the mentions (of ``topic``, or all) published in ``[since, until)``."""
        t = MentionTermsRow
        query = sa.select(t.mention_id, t.author_id, t.published_us, t.terms).where(
            t.published_us >= _us(since), t.published_us < _us(until)
        )
        if topic:
            of_topic = sa.select(MentionTopicRow.mention_id).where(MentionTopicRow.topic_id == topic)
            query = query.where(t.mention_id.in_(of_topic))

        def work(conn: Connection) -> IndexRows:
            # a million rows: the driver's plain tuples, without SQLAlchemy's per-row processing
            # (half the read's time); only integers and a configured topic id are inlined
            sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
            cursor = conn.connection.cursor()
            try:
                cursor.execute(sql)
                rows = cursor.fetchall()
            finally:
                cursor.close()
            blobs = [bytes(r[3]) for r in rows]
            return IndexRows(
                mention_ids=[r[0] for r in rows],
                author_ids=[r[1] for r in rows],
                published_us=[r[2] for r in rows],
                sizes=[len(b) // 8 for b in blobs],
                keys=b"".join(blobs),
            )

        return self._db.read(work)

    def author_reach(self, author_ids: Sequence[int]) -> dict[int, float]:
        """Return how far each author can carry: followers, or karma when larger (what ``reach`` says).

        One read per 5,000 authors: a rising common word has hundreds of thousands of mentions but
        far fewer authors, and the mentions' reach is their author's.
        """
        au = AuthorRow
        followers, karma = sa.func.coalesce(au.followers, 0), sa.func.coalesce(au.karma, 0)
        far = sa.case((followers >= karma, followers), else_=karma)

        def work(conn: Connection) -> dict[int, float]:
            found: dict[int, float] = {}
            for part in _sql.chunks(sorted(set(author_ids))):
                query = sa.select(au.id, far).where(_sql.one_of(conn, au.id, part))
                found.update({i: float(r or 0) for i, r in conn.execute(query)})
            return found

        return self._db.read(work)

    def texts(self, mention_ids: Sequence[int]) -> dict[int, str]:
        """Return the title and text of these mentions, as trends read them."""
        m = MentionRow

        def work(conn: Connection) -> dict[int, str]:
            found: dict[int, str] = {}
            for part in _sql.chunks(sorted(set(mention_ids))):
                query = sa.select(m.id, m.title, m.text).where(_sql.one_of(conn, m.id, part))
                rows = conn.execute(query)
                found.update({i: f"{head}\n{text}" if head else text for i, head, text in rows})
            return found

        return self._db.read(work)
