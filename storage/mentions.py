"""Mentions, write side: the idempotent batch upsert, tombstones and deletion (reads: ``mention_reads.py``).

The upsert is one ``INSERT ... ON CONFLICT (source, external_id) DO UPDATE ... WHERE <something
changed>`` run as a Core executemany over rows sorted by key (a stable lock order, so two PostgreSQL
writers with overlapping batches cannot deadlock each other). On PostgreSQL the keys not stored yet
(the look-up for edited posts already tells which) are first ``COPY``-ed straight into the table, under a
savepoint: a concurrent writer that inserted one of them meanwhile makes that COPY leave nothing, and
those rows join the upsert. ``first_seen_at`` and the analysis
columns are never in the update set; ``query_id`` keeps the first query that found the mention.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from listener.core.model import Mention
from storage import _sql, authors
from storage._text import clean, clean_opt, dumps, search_text
from storage.records import UpsertResult
from storage.schema import AnnotationRow, MentionRow, MentionTombstoneRow

logger = logging.getLogger(__name__)

_CONTENT = (
    "author_id",
    "url",
    "title",
    "text",
    "search_text",
    "lang",
    "published_at",
    "likes",
    "reposts",
    "replies",
    "quotes",
    "score",
    "views",
    "in_reply_to",
    "conversation_id",
    "references",
    "hashtags",
    "mentioned_handles",
    "links",
    "raw",
)
"""Columns a refetch may change; a row is rewritten only when one of them differs."""


def _on_conflict(stmt: Any) -> Any:
    table = MentionRow.__table__
    excluded = stmt.excluded
    update: dict[str, Any] = {name: excluded[name] for name in _CONTENT}
    update["fetched_at"] = excluded.fetched_at
    update["updated_at"] = excluded.updated_at
    update["query_id"] = sa.func.coalesce(table.c.query_id, excluded.query_id)
    changed = sa.or_(*(table.c[name].is_distinct_from(excluded[name]) for name in _CONTENT))
    return stmt.on_conflict_do_update(index_elements=["source", "external_id"], set_=update, where=changed)


def _strings(values: Sequence[str]) -> str:
    return dumps([clean(v) for v in values]) if values else "[]"


def to_row(mention: Mention, author_id: int, query_id: str | None, now: datetime) -> dict[str, Any]:
    """Return the column values of ``mention`` as stored (cleaned text, JSON text, folded search words)."""
    metrics = mention.metrics
    return {
        "source": mention.source,
        "external_id": clean(mention.external_id),
        "author_id": author_id,
        "url": clean_opt(mention.url),
        "title": clean_opt(mention.title),
        "text": clean(mention.text),
        "search_text": search_text(mention.title, mention.text),
        "lang": clean_opt(mention.lang),
        "published_at": mention.published_at,
        "fetched_at": mention.fetched_at,
        "first_seen_at": now,
        "updated_at": now,
        "likes": _sql.count(metrics.likes),
        "reposts": _sql.count(metrics.reposts),
        "replies": _sql.count(metrics.replies),
        "quotes": _sql.count(metrics.quotes),
        "score": _sql.count(metrics.score),
        "views": _sql.count(metrics.views),
        "in_reply_to": clean_opt(mention.in_reply_to),
        "conversation_id": clean_opt(mention.conversation_id),
        "references": dumps(
            [
                {"kind": r.kind, "external_id": r.external_id, "author_external_id": r.author_external_id}
                for r in mention.references
            ]
        ),
        "hashtags": _strings(mention.hashtags),
        "mentioned_handles": _strings(mention.mentioned_handles),
        "links": _strings(mention.links),
        "query_id": mention.query_id or query_id,
        "raw": dumps(dict(mention.raw)),
        "detected_lang": None,
        "sentiment": None,
        "sentiment_score": None,
        "intents": "[]",
        "echo_of_id": None,
        "echo_count": 0,
    }


def tombstoned(conn: Connection, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    """Return which mention keys were deleted on purpose."""
    return _sql.existing_keys(
        conn, MentionTombstoneRow.source, MentionTombstoneRow.external_id, keys, is_sparse=True
    )


def upsert(
    conn: Connection, dialect: str, batch: Sequence[Mention], query_id: str | None, now: datetime
) -> UpsertResult:
    """Store ``batch`` (in the caller's transaction): insert new, refresh changed, skip tombstoned."""
    latest: dict[tuple[str, str], Mention] = {}
    for mention in batch:
        latest[(mention.source, clean(mention.external_id))] = mention
    live = _live_keys(conn, latest)
    skipped = len(batch) - len(live)
    if not live:
        return UpsertResult(skipped=skipped)
    table = MentionRow.__table__
    # Which mentions are new decides the authors' mention_count, added in the author upsert itself.
    # Exact on SQLite (one writer at a time); on PostgreSQL a concurrent writer may insert the same
    # mention meanwhile, so RETURNING (xmax = 0) below says what really happened and we correct.
    stored = _stored_texts(conn, live)
    existing = set(stored)
    edited = [
        mention_id
        for key, (mention_id, text, title) in stored.items()
        if text != clean(latest[key].text) or title != clean_opt(latest[key].title)
    ]
    expected = Counter(_author_key(latest[k]) for k in live if k not in existing)
    author_ids = authors.upsert(conn, dialect, authors.merge(latest[k].author for k in live), now, expected)

    def row_of(key: tuple[str, str]) -> dict[str, Any]:
        return to_row(latest[key], author_ids[_author_key(latest[key])], query_id, now)

    if dialect == "postgresql":
        # new keys go straight in with COPY, each row built while the server stores the previous ones;
        # if a concurrent writer inserted one of them meanwhile, nothing of that COPY stays and they
        # are upserted with the others
        fresh = [key for key in live if key not in existing]
        copied = bool(fresh) and _sql.copy_insert(conn, table, map(row_of, fresh))  # type: ignore[arg-type]
        rows = [row_of(key) for key in (live if not copied else [k for k in live if k in existing])]
        # xmax = 0 on a returned row means this statement inserted it
        written = _sql.bulk_upsert_returning(conn, table, rows, _on_conflict, "(xmax = 0), author_id")  # type: ignore[arg-type]
        actual = Counter(author_id for is_new, author_id in written if is_new)
        upserted_new = sum(actual.values())
        if copied:
            actual.update(author_ids[_author_key(latest[key])] for key in fresh)
        inserted = sum(actual.values())
        updated = len(written) - upserted_new
        unchanged = len(live) - inserted - updated
        correction = Counter({author_ids[key]: n for key, n in expected.items()})
        correction.subtract(actual)
        fixes = {i: -n for i, n in correction.items() if n}
        if fixes:
            logger.debug(
                "storage: a concurrent writer inserted some mentions first, fixing %d counts", len(fixes)
            )
            authors.add_mention_counts(conn, dialect, fixes)
    else:
        changed = _sql.bulk_upsert(conn, table, [row_of(key) for key in live], _on_conflict)  # type: ignore[arg-type]
        inserted = len(live) - len(existing)
        updated = max(0, changed - inserted)
        unchanged = len(existing) - updated
    if edited:
        _forget_analysis(conn, edited)
    return UpsertResult(inserted=inserted, updated=updated, unchanged=unchanged, skipped=skipped)


_Stored = dict[tuple[str, str], tuple[int, str, str | None]]


def _stored_texts(conn: Connection, keys: Sequence[tuple[str, str]]) -> _Stored:
    """Id, text and title of the mentions already stored under ``keys`` (to spot edited posts)."""
    by_source: dict[str, list[str]] = {}
    for source, external_id in keys:
        by_source.setdefault(source, []).append(external_id)
    found: _Stored = {}
    for source, ids in by_source.items():
        for part in _sql.chunks(ids):
            rows = conn.execute(
                sa.select(MentionRow.external_id, MentionRow.id, MentionRow.text, MentionRow.title).where(
                    MentionRow.source == source, _sql.one_of(conn, MentionRow.external_id, part)
                )
            )
            found.update(((source, r.external_id), (r.id, r.text, r.title)) for r in rows)
    return found


def _forget_analysis(conn: Connection, mention_ids: Sequence[int]) -> None:
    """An edited post is a new text: drop its annotations so the analysis stage reads it again.

    The summary columns go too, so alerts and searches do not show the old verdict meanwhile.
    """
    logger.debug("storage: %d edited mentions will be analysed again", len(mention_ids))
    for part in _sql.chunks(sorted(mention_ids)):
        conn.execute(sa.delete(AnnotationRow).where(_sql.one_of(conn, AnnotationRow.mention_id, part)))
        conn.execute(
            sa.update(MentionRow)
            .where(_sql.one_of(conn, MentionRow.id, part))
            .values(detected_lang=None, sentiment=None, sentiment_score=None, intents="[]")
        )


def _author_key(mention: Mention) -> tuple[str, str]:
    return (mention.author.source, clean(mention.author.external_id))


def _live_keys(conn: Connection, latest: Mapping[tuple[str, str], Mention]) -> list[tuple[str, str]]:
    """Return the keys to store, sorted (a stable lock order): not deleted, not by a forgotten author."""
    keys = sorted(latest)
    dead = tombstoned(conn, keys)
    dead_authors = authors.tombstoned(conn, {_author_key(m) for m in latest.values()})
    return [k for k in keys if k not in dead and _author_key(latest[k]) not in dead_authors]


def delete(conn: Connection, dialect: str, mention_id: int) -> bool:
    """Delete one mention and tombstone it so no later fetch brings it back."""
    key = conn.execute(
        sa.select(MentionRow.source, MentionRow.external_id, MentionRow.author_id).where(
            MentionRow.id == mention_id
        )
    ).first()
    if key is None:
        return False
    tomb = _sql.insert(dialect, MentionTombstoneRow.__table__)  # type: ignore[arg-type]
    conn.execute(
        tomb.on_conflict_do_nothing(index_elements=["source", "external_id"]),
        {"source": key.source, "external_id": key.external_id},
    )
    conn.execute(sa.delete(MentionRow).where(MentionRow.id == mention_id))
    authors.refresh_counts(conn, [key.author_id])
    return True
