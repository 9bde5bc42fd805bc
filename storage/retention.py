"""Retention: delete mentions older than a limit, keep their daily counts.

A deployment that must not keep people's posts for ever (``retention.mentions_days``, ``listener db
prune``) still needs last year's volumes for charts, spike baselines and share of voice. Before a
mention is deleted it is folded into ``daily_counts``: one row per day (UTC, of publication), topic
(``*`` for the all-topics total, where a mention counts once), source, language and sentiment, with
two figures: ``mentions`` (every stored mention, echoes included) and ``originals`` (those that echo
no other, i.e. distinct posts). So for any past day:

    mentions of that day = live rows + daily_counts (pruned) + erased_mention_counts (GDPR erasure)

The fold and the delete happen in one transaction per batch, so an interrupted prune neither loses
nor double-counts a mention. Each pruned mention leaves a tombstone (as a deleted one does) so a
source listing old items cannot bring it back and count it twice. Authors stay; their mention
count follows what is stored. Newest first: an echo is folded while it still points at the post it
echoes; an echo younger than the limit whose original was pruned counts as a distinct post from then on.

The per-day term counts (``term_days``) of the pruned mentions' days follow in the same transaction
(``storage.term_days.recount_deleted`` without a counter): a day left with no mention has no count,
a day with some left loses its counts until it is recounted (by the repository once the prune is
over, or by the next trends step), so no count outlives the mentions it counted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column

from storage import _sql, term_days
from storage import authors as author_rows
from storage.schema import SHORT, Base, MentionRow, MentionTombstoneRow, MentionTopicRow

ALL_TOPICS = "*"
KEY = ("day", "topic_id", "source", "lang", "sentiment")


class DailyCountRow(Base):
    """Mentions removed by retention, counted per day, topic (``*``: all), source, language, sentiment."""

    __tablename__ = "daily_counts"
    __table_args__ = (sa.UniqueConstraint(*KEY, name="uq_daily_counts_key"),)

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date)
    topic_id: Mapped[str] = mapped_column(sa.String(SHORT))
    source: Mapped[str] = mapped_column(sa.String(SHORT))
    lang: Mapped[str] = mapped_column(sa.String(32))
    """The detected language, else the source's, else ``""``."""
    sentiment: Mapped[str] = mapped_column(sa.String(32))
    """The stored sentiment label, or ``""`` when the mention was never analysed."""
    mentions: Mapped[int] = mapped_column(sa.BigInteger)
    originals: Mapped[int] = mapped_column(sa.BigInteger)
    """Of ``mentions``, those that were no echo (repost, copy) of another: distinct posts."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DailyCount:
    """Pruned mentions of one day, topic (``*``: all), source, language and sentiment."""

    day: date
    topic_id: str
    source: str
    lang: str
    sentiment: str
    mentions: int
    originals: int


def prune_batch(conn: Connection, dialect: str, before: datetime, limit: int) -> int:
    """Fold up to ``limit`` mentions published before ``before`` into the counts, tombstone and delete them.

    Returns how many went (0: nothing older is left).
    """
    rows = conn.execute(
        sa.select(
            MentionRow.id,
            MentionRow.source,
            MentionRow.external_id,
            MentionRow.author_id,
            MentionRow.published_at,
            sa.func.coalesce(MentionRow.detected_lang, MentionRow.lang, ""),
            sa.func.coalesce(MentionRow.sentiment, ""),
            MentionRow.echo_of_id,
        )
        .where(MentionRow.published_at < before)
        .order_by(MentionRow.published_at.desc(), MentionRow.id.desc())  # echoes go before what they echo
        .limit(limit)
    ).all()
    if not rows:
        return 0
    ids = [r[0] for r in rows]
    topics: dict[int, set[str]] = {}
    for mention_id, topic in conn.execute(
        sa.select(MentionTopicRow.mention_id, MentionTopicRow.topic_id).where(
            MentionTopicRow.mention_id.in_(ids)
        )
    ):
        topics.setdefault(mention_id, set()).add(topic)
    counts: Counter[tuple[date, str, str, str, str]] = Counter()
    originals: Counter[tuple[date, str, str, str, str]] = Counter()
    for mention_id, source, _, _, published, lang, sentiment, echo_of in rows:
        for topic in [ALL_TOPICS, *sorted(topics.get(mention_id, ()))]:
            key = (published.date(), topic, source, lang, sentiment)
            counts[key] += 1
            originals[key] += echo_of is None
    table = DailyCountRow.__table__
    stmt = _sql.insert(dialect, table)  # type: ignore[arg-type]
    stmt = stmt.on_conflict_do_update(
        index_elements=list(KEY),
        set_={
            "mentions": table.c.mentions + stmt.excluded["mentions"],
            "originals": table.c.originals + stmt.excluded["originals"],
        },
    )
    conn.execute(
        stmt, [{**dict(zip(KEY, key, strict=True)), "mentions": n, "originals": originals[key]}
               for key, n in sorted(counts.items())]
    )
    tomb = _sql.insert(dialect, MentionTombstoneRow.__table__)  # type: ignore[arg-type]
    conn.execute(
        tomb.on_conflict_do_nothing(index_elements=["source", "external_id"]),
        [{"source": r[1], "external_id": r[2]} for r in rows],
    )
    days = term_days.days_of(conn, ids)
    conn.execute(sa.delete(MentionRow).where(MentionRow.id.in_(ids)))
    term_days.recount_deleted(conn, days, None)
    author_rows.refresh_counts(conn, sorted({r[3] for r in rows}))
    return len(rows)


def daily_counts(
    conn: Connection, *, since: date | None = None, until: date | None = None, topic_id: str = ALL_TOPICS
) -> list[DailyCount]:
    """Return pruned-mention counts of a topic (``*``: all topics), oldest day first."""
    query = sa.select(DailyCountRow).where(DailyCountRow.topic_id == topic_id)
    if since is not None:
        query = query.where(DailyCountRow.day >= since)
    if until is not None:
        query = query.where(DailyCountRow.day < until)
    query = query.order_by(*(getattr(DailyCountRow, k) for k in KEY))
    return [
        DailyCount(
            day=r.day, topic_id=r.topic_id, source=r.source, lang=r.lang, sentiment=r.sentiment,
            mentions=int(r.mentions), originals=int(r.originals),
        )
        for r in conn.execute(query)
    ]
