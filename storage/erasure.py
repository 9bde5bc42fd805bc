"""Erase an author everywhere (GDPR right to erasure), keep the aggregate counts, block re-collection.

What goes, in one transaction:

- the author row and every mention they wrote (``storage.authors.forget``); by foreign-key cascade
  their annotations, topic matches and labels; on SQLite the FTS index entries (trigger);
- in *other* people's mentions: the author's id in ``references``, their handle in
  ``mentioned_handles``, ``@handle`` in the text (and its search words), and any JSON string in
  ``raw`` equal to their id, handle or display name (e.g. Twitter's ``in_reply_to_user_id`` or
  ``entities.mentions``). Other people's words stay;
- in alerts: the erased mention ids from ``mention_ids``, and the author's key, handle, display name
  or texts wherever they appear in subject, title, summary, details or dedupe key;
- term index entries (``mention_terms``) and theme vectors (``mention_vectors``): the author's by
  cascade; a scrubbed mention's are deleted and the mention re-dated, so the next refresh makes them
  again from the scrubbed text; its idea-member vector is emptied for the next ideas run to make;
- cached vectors (``analysis.embedding_cache``, outside the database): the report carries the author's
  texts and the scrubbed mentions' old ones for the caller to forget (``listener.analyse``);
- what our users wrote: the author's names in notes (and their earlier versions), tags and saved
  views (``storage.erasure_user_text``);
- in the idea box, beyond the cascades: an automatic title quoting one of their suggestions, and
  that quote and their names in the idea's history and drafted replies (``storage.erasure_ideas``);
- per-day term counts (``term_days``) of every day those index entries were on: recounted from the
  entries left, in the same transaction, with the counter the repository was given (``wiring`` gives
  ``analysis.rising_days.day_counts``); without one, a day with entries left loses its rows until the
  next trends step recounts it (``storage.term_days.recount_deleted``). Either way a term only the
  author used is counted nowhere once the erasure commits.

What stays, on purpose:

- **aggregate counts**: before deleting, each erased mention is folded into
  ``erased_mention_counts`` (day, source, topic - ``*`` for all topics -, sentiment) so volumes
  over time do not change when someone is forgotten: ``live count + erased count`` is the honest
  total. Echo counts on other people's canonical mentions are left as they were;
- **tombstones**: ``author_tombstones`` (source, external id) so the upsert skips the author from
  now on, and ``mention_tombstones`` for each erased mention. They hold identifiers, nothing else;
- **the audit log**, an integrity record, is never rewritten: older entries keep what they held. The
  erasure adds one ``author.erase`` entry naming the tombstone row, with counts only.

On SQLite ``secure_delete`` is switched on for the erasure, so freed pages are zeroed instead of
keeping the deleted text in the file. On PostgreSQL the repository vacuums ``TOUCHED_TABLES``
afterwards. Other people's reposts and copies of the author's texts lose those words
(``[forgotten mention]``) and any URL or link naming the author.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column

from storage import _sql, erasure_ideas, erasure_user_text, term_days
from storage import authors as author_rows
from storage._text import dumps, search_text
from storage.schema import SHORT, AlertRow, AuthorRow, Base, MentionRow, MentionTopicRow
from storage.schema_trends import MentionTermsRow, MentionVectorRow
from storage.term_days import DayCounter

FORGOTTEN = "[forgotten]"
FORGOTTEN_TEXT = "[forgotten mention]"
TOUCHED_TABLES = (
    "mentions", "mention_topics", "annotations", "labels", "authors", "alerts", "mention_terms",
    "mention_vectors", "term_days", "ideas", "idea_events", "idea_replies", "idea_members",
    "mention_notes", "note_revisions", "mention_tags", "saved_views",
)
"""Tables an erasure deletes from or rewrites (PostgreSQL vacuums them afterwards)."""
ALL_TOPICS = "*"


class ErasedMentionCountRow(Base):
    """How many mentions were erased, per day, source, topic and sentiment (aggregates stay intact)."""

    __tablename__ = "erased_mention_counts"
    __table_args__ = (
        sa.UniqueConstraint("day", "source", "topic_id", "sentiment", name="uq_erased_mention_counts_key"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date)
    source: Mapped[str] = mapped_column(sa.String(SHORT))
    topic_id: Mapped[str] = mapped_column(sa.String(SHORT))
    """A topic id, or ``*`` for the all-topics total (a mention counts once there)."""
    sentiment: Mapped[str] = mapped_column(sa.String(32))
    """The stored sentiment label, or ``""`` when the mention was never analysed."""
    count: Mapped[int] = mapped_column(sa.BigInteger)


@dataclass(frozen=True, slots=True, kw_only=True)
class ErasureReport:
    """What one erasure did."""

    key: str
    found: bool
    mentions: int
    references_scrubbed: int
    alerts_scrubbed: int
    user_texts_scrubbed: int = 0
    """Notes, note versions, tags and saved views that lost the author's names."""
    texts: tuple[str, ...] = field(default=(), repr=False)
    """The erased mentions' texts, in memory only, so the caller can purge caches keyed by them."""
    scrubbed_texts: tuple[str, ...] = field(default=(), repr=False)
    """Other people's scrubbed mentions' texts *before* the scrub (caches may hold vectors of them)."""

    @property
    def cached_texts(self) -> tuple[str, ...]:
        """Every text whose cached vectors must go (``listener.analyse.forget_cached_texts``)."""
        return (*self.texts, *self.scrubbed_texts)


@dataclass(frozen=True, slots=True, kw_only=True)
class ErasedCount:
    """Erased mentions of one day, source, topic (``*``: all) and sentiment (``""``: none)."""

    day: date
    source: str
    topic_id: str
    sentiment: str
    count: int


class _Identity:
    """The strings that identify the forgotten author, and how to blank them out.

    Three strengths: other people's *text* loses only explicit ``@handle`` / ``u/handle`` mentions
    (their words stay theirs); *raw payloads* also lose any string equal to the author's id, handle or
    display name, and copies of the author's own texts (a reply's payload embeds its parent);
    *alerts*, which are about the author, lose the handle and display name as words too.
    """

    def __init__(self, key: str, external_id: str, handle: str | None, display_name: str | None) -> None:
        self.key = key
        self.handle = (handle or "").lstrip("@")
        self.exact = {s.lower() for s in (key, external_id, self.handle, display_name) if s and len(s) >= 3}
        self.needles = sorted({*self.exact, *(s.lower() for s in (external_id, self.handle) if s)})
        handle_re = re.escape(self.handle) if self.handle else None
        self.tagged = re.compile(rf"(?:@|\bu/){handle_re}(?![\w-])", re.I) if handle_re else None
        words = [re.escape(s) for s in (key, self.handle, display_name) if s and len(s) >= 3]
        self.named = re.compile(r"@?(?<![\w.])(?:" + "|".join(words) + r")(?!\w)", re.I) if words else None
        self.texts: list[re.Pattern[str]] = []
        self.heads: list[str] = []

    def add_text(self, text: str) -> None:
        """Also blank out copies of one of the author's own texts, whole or a snippet of its start.

        Words are matched with any whitespace between them, so a repost that re-wrapped the lines
        still counts as a copy. ``heads`` keeps the start of each text for the SQL pre-filter.
        """
        words = text.split()
        head = " ".join(words)[:30]
        if len(head) < 12:
            return
        self.heads.append(head)
        self.texts.append(re.compile(r"\s+".join(re.escape(w) for w in words)))
        self.texts.append(re.compile(r"\s+".join(re.escape(w) for w in head.split()) + r"[^\n\"]*"))

    def scrub_text(self, value: str) -> str:
        """Return someone else's text without explicit tags of the author."""
        return self.tagged.sub("@" + FORGOTTEN, value) if self.tagged else value

    def scrub_words(self, value: str) -> str:
        """Return someone else's text or title without copies of the author's texts, nor tags of them."""
        for pattern in self.texts:
            value = pattern.sub(FORGOTTEN_TEXT, value)
        return self.scrub_text(value)

    def names(self, value: str | None) -> bool:
        """Say whether a URL (or any identifier string) contains the author's id or handle."""
        return value is not None and any(n in value.lower() for n in self.needles)

    def scrub_raw(self, value: str, *, named: bool = False) -> str:
        """Return a payload (or alert, when ``named``) string without the author's identifiers or texts."""
        if value.lower() in self.exact:
            return FORGOTTEN
        for pattern in self.texts:
            value = pattern.sub(FORGOTTEN_TEXT, value)
        if named and self.named:
            value = self.named.sub(FORGOTTEN, value)  # then a handle too short to be a word, if tagged
        return self.scrub_text(value)

    def scrub_json(self, value: Any, *, named: bool = False) -> Any:
        """Return a copy of a JSON value with identifying strings replaced."""
        if isinstance(value, str):
            return self.scrub_raw(value, named=named)
        if isinstance(value, list):
            return [self.scrub_json(v, named=named) for v in value]
        if isinstance(value, dict):
            return {k: self.scrub_json(v, named=named) for k, v in value.items()}
        return value

    def likes(self, *columns: Any) -> sa.ColumnElement[bool]:
        """Return a SQL pre-filter: any column contains the author's id or handle (case-insensitive)."""
        return sa.or_(*(sa.func.lower(c).contains(n, autoescape=True) for c in columns for n in self.needles))


def _fold_counts(conn: Connection, dialect: str, mention_ids: Sequence[int]) -> None:
    counts: Counter[tuple[date, str, str, str]] = Counter()
    for part in _sql.chunks(mention_ids):
        rows = conn.execute(
            sa.select(MentionRow.id, MentionRow.published_at, MentionRow.source, MentionRow.sentiment).where(
                MentionRow.id.in_(part)
            )
        ).all()
        topics: dict[int, list[str]] = {}
        for mention_id, topic in conn.execute(
            sa.select(MentionTopicRow.mention_id, MentionTopicRow.topic_id).where(
                MentionTopicRow.mention_id.in_(part)
            )
        ):
            topics.setdefault(mention_id, []).append(topic)
        for mention_id, published, source, sentiment in rows:
            for topic in [ALL_TOPICS, *sorted(set(topics.get(mention_id, [])))]:
                counts[(published.date(), source, topic, sentiment or "")] += 1
    if not counts:
        return
    table = ErasedMentionCountRow.__table__
    stmt = _sql.insert(dialect, table)  # type: ignore[arg-type]
    stmt = stmt.on_conflict_do_update(
        index_elements=["day", "source", "topic_id", "sentiment"],
        set_={"count": table.c.count + stmt.excluded["count"]},
    )
    conn.execute(
        stmt,
        [
            {"day": d, "source": s, "topic_id": t, "sentiment": sent, "count": n}
            for (d, s, t, sent), n in sorted(counts.items())
        ],
    )


def _scrub_mentions(
    conn: Connection, who: _Identity, author_id: int, erased: set[int], now: datetime
) -> dict[int, str]:
    """Remove the author's identifiers and copied words from other people's mentions; return old texts by id.

    Candidates are the rows naming the author (id or handle in any column), echoing one of their
    mentions (reposts, copies) or containing the start of one of their texts.
    """
    columns = (MentionRow.references, MentionRow.mentioned_handles, MentionRow.raw, MentionRow.text)
    candidates = [
        who.likes(*columns, MentionRow.url, MentionRow.title, MentionRow.links),
        *(MentionRow.text.contains(head, autoescape=True) for head in who.heads),
    ]
    for part in _sql.chunks(sorted(erased)):
        candidates.append(MentionRow.echo_of_id.in_(part))
    query = sa.select(
        MentionRow.id,
        MentionRow.url,
        MentionRow.title,
        MentionRow.text,
        MentionRow.links,
        MentionRow.references,
        MentionRow.mentioned_handles,
        MentionRow.raw,
    ).where(MentionRow.author_id != author_id, sa.or_(*candidates))
    changed: dict[int, str] = {}
    for row_id, url, title, text, links, references, handles, raw in conn.execute(query).all():
        refs = [dict(r) for r in _sql.loads_list(references)]
        for ref in refs:
            if str(ref.get("author_external_id") or "").lower() in who.exact:
                ref["author_external_id"] = None
        kept = [h for h in _sql.loads_list(handles) if str(h).lstrip("@").lower() not in who.exact]
        new_text = who.scrub_words(text)
        new_title = who.scrub_words(title) if title is not None else None
        values = {
            "url": None if who.names(url) else url,
            "title": new_title,
            "text": new_text,
            "links": dumps([link for link in _sql.loads_list(links) if not who.names(str(link))]),
            "references": dumps(refs),
            "mentioned_handles": dumps(kept),
            "raw": dumps(who.scrub_json(_sql.loads_dict(raw))),
        }
        before = {
            "url": url,
            "title": title,
            "text": text,
            "links": links,
            "references": references,
            "mentioned_handles": handles,
            "raw": raw,
        }
        if values == before:
            continue
        values["search_text"] = search_text(new_title, new_text)
        # re-dated so its term index entry is made again from the scrubbed text
        conn.execute(sa.update(MentionRow).where(MentionRow.id == row_id).values(**values, updated_at=now))
        changed[row_id] = text
    return changed


def _forget_terms_and_vectors(conn: Connection, scrubbed: Sequence[int]) -> None:
    """Delete what scrubbed mentions' old texts made: term index entries and theme vectors."""
    for part in _sql.chunks(scrubbed):
        conn.execute(sa.delete(MentionTermsRow).where(MentionTermsRow.mention_id.in_(part)))
        conn.execute(sa.delete(MentionVectorRow).where(MentionVectorRow.mention_id.in_(part)))
    erasure_ideas.forget_member_vectors(conn, scrubbed)


def _scrub_alerts(conn: Connection, who: _Identity, erased: set[int]) -> int:
    """Remove erased mention ids and the author's identifiers from alerts; return how many changed."""
    changed = 0
    columns = ("dedupe_key", "subject", "title", "summary", "details", "mention_ids")
    rows = conn.execute(sa.select(AlertRow.id, *(getattr(AlertRow, c) for c in columns))).all()
    for row in rows:
        before = dict(zip(columns, row[1:], strict=True))
        values = {
            c: who.scrub_raw(before[c], named=True) for c in ("dedupe_key", "subject", "title", "summary")
        }
        values["details"] = dumps(who.scrub_json(_sql.loads_dict(before["details"]), named=True))
        ids = [int(i) for i in _sql.loads_list(before["mention_ids"])]
        values["mention_ids"] = dumps([i for i in ids if i not in erased])
        if values != before:
            conn.execute(sa.update(AlertRow).where(AlertRow.id == row[0]).values(**values))
            changed += 1
    return changed


def erase_author(
    conn: Connection, dialect: str, key: tuple[str, str], now: datetime, count_day: DayCounter | None = None,
    *, user_id: int | None = None,
) -> ErasureReport:
    """Erase one author everywhere, tombstone them, and audit it as done by ``user_id`` (module docstring).

    ``count_day`` recounts the per-day term counts of the days the erasure changes (see
    :func:`storage.term_days.recount_deleted`).
    """
    source, external_id = key
    author = conn.execute(
        sa.select(AuthorRow.id, AuthorRow.handle, AuthorRow.display_name).where(
            AuthorRow.source == source, AuthorRow.external_id == external_id
        )
    ).first()
    if dialect == "sqlite":
        conn.exec_driver_sql("PRAGMA secure_delete = ON")
    if author is None:
        author_rows.forget(conn, dialect, key, now)  # still tombstone: never collect them
        erasure_user_text.audit_erasure(conn, key, now=now, user_id=user_id, counts={"mentions": 0})
        return ErasureReport(
            key=f"{source}:{external_id}", found=False, mentions=0, references_scrubbed=0, alerts_scrubbed=0
        )
    author_id, handle, display_name = author
    who = _Identity(f"{source}:{external_id}", external_id, handle, display_name)
    own = conn.execute(
        sa.select(MentionRow.id, MentionRow.text).where(MentionRow.author_id == author_id)
    ).all()
    for _, text in own:
        who.add_text(text)
    erased = {int(i) for i, _ in own}
    _fold_counts(conn, dialect, sorted(erased))
    old_texts = _scrub_mentions(conn, who, author_id, erased, now)
    scrubbed = sorted(old_texts)
    days = term_days.days_of(conn, [*erased, *scrubbed])
    _forget_terms_and_vectors(conn, scrubbed)
    named = partial(who.scrub_raw, named=True)
    erasure_ideas.scrub_ideas(conn, erased=sorted(erased), scrubbed=scrubbed, texts=[t for _, t in own],
                              scrub=named, blank=FORGOTTEN_TEXT)
    alerts = _scrub_alerts(conn, who, erased)
    notes = erasure_user_text.scrub_user_text(conn, scrub=named, likes=who.likes, heads=who.heads)
    deleted = author_rows.forget(conn, dialect, key, now)
    term_days.recount_deleted(conn, days, count_day)
    if dialect == "sqlite":
        # FTS5 keeps deleted words in old index segments until they are merged: merge them now
        conn.exec_driver_sql("INSERT INTO mentions_fts(mentions_fts) VALUES ('optimize')")
    counts = {"mentions": deleted, "references_scrubbed": len(scrubbed), "alerts_scrubbed": alerts,
              "user_texts_scrubbed": notes}
    erasure_user_text.audit_erasure(conn, key, now=now, user_id=user_id, counts=counts)
    return ErasureReport(key=who.key, found=True, **counts, texts=tuple(text for _, text in own),
                         scrubbed_texts=tuple(old_texts[i] for i in scrubbed))


def erased_counts(
    conn: Connection, *, since: date | None = None, until: date | None = None, topic_id: str = ALL_TOPICS
) -> list[ErasedCount]:
    """Return erased-mention counts for a topic (``*``: all topics), oldest day first."""
    query = sa.select(
        ErasedMentionCountRow.day,
        ErasedMentionCountRow.source,
        ErasedMentionCountRow.topic_id,
        ErasedMentionCountRow.sentiment,
        ErasedMentionCountRow.count,
    ).where(ErasedMentionCountRow.topic_id == topic_id)
    if since is not None:
        query = query.where(ErasedMentionCountRow.day >= since)
    if until is not None:
        query = query.where(ErasedMentionCountRow.day < until)
    query = query.order_by(
        ErasedMentionCountRow.day, ErasedMentionCountRow.source, ErasedMentionCountRow.sentiment
    )
    return [
        ErasedCount(day=d, source=s, topic_id=t, sentiment=sent, count=int(n))
        for d, s, t, sent, n in conn.execute(query)
    ]
