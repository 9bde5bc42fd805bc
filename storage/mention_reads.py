"""Mentions, read side: one query joining each mention with its author, and the read model it builds.

``base_query`` + ``records`` are the only way rows become :class:`StoredMention`, so every reader
(get, search, the analysis queue) sees the same shape; the write side lives in ``storage/mentions.py``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql import Select

from listener.core.model import Author, Mention, Metrics, Reference, WindowMention
from storage import _fts, _sql
from storage.records import MentionFilter, StoredMention
from storage.schema import AuthorRow, MentionRow, MentionTopicRow

_AUTHOR_COLUMNS = (
    AuthorRow.source.label("a_source"),
    AuthorRow.external_id.label("a_external_id"),
    AuthorRow.handle.label("a_handle"),
    AuthorRow.display_name.label("a_display_name"),
    AuthorRow.url.label("a_url"),
    AuthorRow.followers.label("a_followers"),
    AuthorRow.following.label("a_following"),
    AuthorRow.posts_count.label("a_posts_count"),
    AuthorRow.karma.label("a_karma"),
    AuthorRow.verified.label("a_verified"),
    AuthorRow.created_at.label("a_created_at"),
)


def base_query() -> Select[Any]:
    """Select every mention column joined with its author."""
    return sa.select(MentionRow.__table__, *_AUTHOR_COLUMNS).join(
        AuthorRow, AuthorRow.id == MentionRow.author_id
    )


def _record(row: Row[Any], topics: tuple[str, ...]) -> StoredMention:
    m = row._mapping
    author = Author(
        source=m["a_source"],
        external_id=m["a_external_id"],
        handle=m["a_handle"],
        display_name=m["a_display_name"],
        url=m["a_url"],
        followers=m["a_followers"],
        following=m["a_following"],
        posts_count=m["a_posts_count"],
        karma=m["a_karma"],
        verified=m["a_verified"],
        created_at=m["a_created_at"],
    )
    mention = Mention(
        id=m["id"],
        source=m["source"],
        external_id=m["external_id"],
        text=m["text"],
        author=author,
        published_at=m["published_at"],
        fetched_at=m["fetched_at"],
        url=m["url"],
        title=m["title"],
        lang=m["lang"],
        metrics=Metrics(
            likes=m["likes"],
            reposts=m["reposts"],
            replies=m["replies"],
            quotes=m["quotes"],
            score=m["score"],
            views=m["views"],
        ),
        in_reply_to=m["in_reply_to"],
        conversation_id=m["conversation_id"],
        references=tuple(Reference(**ref) for ref in _sql.loads_list(m["references"])),
        hashtags=_sql.loads_list(m["hashtags"]),
        mentioned_handles=_sql.loads_list(m["mentioned_handles"]),
        links=_sql.loads_list(m["links"]),
        query_id=m["query_id"],
        topics=topics,
        raw=json.loads(m["raw"]) if m["raw"] else {},
    )
    return StoredMention(
        id=m["id"],
        mention=mention,
        author_id=m["author_id"],
        first_seen_at=m["first_seen_at"],
        updated_at=m["updated_at"],
        detected_lang=m["detected_lang"],
        sentiment=m["sentiment"],
        sentiment_score=m["sentiment_score"],
        intents=_sql.loads_list(m["intents"]),
        echo_of_id=m["echo_of_id"],
        echo_count=m["echo_count"],
        topics=topics,
    )


def stored_topics(conn: Connection) -> list[str]:
    """Return every topic id some stored mention matches (sorted)."""
    return sorted(conn.execute(sa.select(MentionTopicRow.topic_id).distinct()).scalars())


def topics_of(conn: Connection, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """Return the matched topic ids of each mention (sorted)."""
    found: dict[int, list[str]] = {}
    for part in _sql.chunks(ids):
        rows = conn.execute(
            sa.select(MentionTopicRow.mention_id, MentionTopicRow.topic_id).where(
                _sql.one_of(conn, MentionTopicRow.mention_id, part)
            )
        )
        for mention_id, topic_id in rows:
            found.setdefault(mention_id, []).append(topic_id)
    return {k: tuple(sorted(v)) for k, v in found.items()}


def records(conn: Connection, query: Select[Any]) -> list[StoredMention]:
    """Run a :func:`base_query` derivative and build the read models, topics included."""
    rows = conn.execute(query).all()
    topics = topics_of(conn, [row._mapping["id"] for row in rows])
    return [_record(row, topics.get(row._mapping["id"], ())) for row in rows]


def get(conn: Connection, mention_id: int) -> StoredMention | None:
    """Return one mention by row id."""
    found = records(conn, base_query().where(MentionRow.id == mention_id))
    return found[0] if found else None


def get_many(conn: Connection, mention_ids: Sequence[int]) -> list[StoredMention]:
    """Return the mentions of these row ids that exist (in no particular order)."""
    found: list[StoredMention] = []
    for part in _sql.chunks(sorted(set(mention_ids))):
        found += records(conn, base_query().where(_sql.one_of(conn, MentionRow.id, part)))
    return found


def get_by_key(conn: Connection, source: str, external_id: str) -> StoredMention | None:
    """Return one mention by its identity."""
    found = records(
        conn, base_query().where(MentionRow.source == source, MentionRow.external_id == external_id)
    )
    return found[0] if found else None


def _conditions(dialect: str, flt: MentionFilter) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if flt.text:
        clause = _fts.match(dialect, flt.text)
        if clause is not None:
            where.append(clause)
    if flt.topics:
        where.append(
            sa.exists().where(
                MentionTopicRow.mention_id == MentionRow.id, MentionTopicRow.topic_id.in_(flt.topics)
            )
        )
    if flt.sources:
        where.append(MentionRow.source.in_(flt.sources))
    if flt.langs:
        where.append(sa.func.coalesce(MentionRow.detected_lang, MentionRow.lang).in_(flt.langs))
    if flt.sentiments:
        where.append(MentionRow.sentiment.in_(flt.sentiments))
    if flt.intents:
        where.append(sa.or_(*(MentionRow.intents.contains(json.dumps(i)) for i in flt.intents)))
    if flt.since is not None:
        where.append(MentionRow.published_at >= flt.since)
    if flt.until is not None:
        where.append(MentionRow.published_at < flt.until)
    if flt.author_id is not None:
        where.append(MentionRow.author_id == flt.author_id)
    if flt.query_id is not None:
        where.append(MentionRow.query_id == flt.query_id)
    if not flt.include_echoes:
        where.append(MentionRow.echo_of_id.is_(None))
    if flt.min_id is not None:
        where.append(MentionRow.id > flt.min_id)
    return where


def search(conn: Connection, dialect: str, flt: MentionFilter) -> list[StoredMention]:
    """Return the mentions matching ``flt`` in its order, paged by ``limit``/``offset``."""
    order = {
        "newest": (MentionRow.published_at.desc(), MentionRow.id.desc()),
        "oldest": (MentionRow.published_at.asc(), MentionRow.id.asc()),
        "id": (MentionRow.id.asc(),),
    }[flt.order]
    query = base_query().where(*_conditions(dialect, flt)).order_by(*order).offset(flt.offset)
    if flt.limit is not None:
        query = query.limit(flt.limit)
    return records(conn, query)


def labels(
    conn: Connection, dialect: str, flt: MentionFilter
) -> list[tuple[int, str | None, tuple[str, ...]]]:
    """Return ``(id, sentiment, intents)`` of the mentions :func:`search` returns, without their text."""
    query = (
        sa.select(MentionRow.id, MentionRow.sentiment, MentionRow.intents)
        .join(AuthorRow, AuthorRow.id == MentionRow.author_id)
        .where(*_conditions(dialect, flt))
    )
    return [(int(i), s, tuple(_sql.loads_list(t))) for i, s, t in conn.execute(query)]


def count(conn: Connection, dialect: str, flt: MentionFilter) -> int:
    """Return how many mentions match ``flt`` (ignoring its paging)."""
    query = sa.select(sa.func.count()).select_from(MentionRow).where(*_conditions(dialect, flt))
    return int(conn.execute(query).scalar_one())


_SENTIMENTS = frozenset({"negative", "neutral", "positive"})


def _window_mention(m: Any, topics: tuple[str, ...], *, is_answered: bool,
                    negative_margin: float) -> WindowMention:
    metrics = Metrics(likes=m["likes"], reposts=m["reposts"], replies=m["replies"], quotes=m["quotes"],
                      score=m["score"])
    sentiment = m["sentiment"] if m["sentiment"] in _SENTIMENTS else None
    return WindowMention(
        id=m["id"], source=m["source"], text=m["text"], title=m["title"], url=m["url"],
        published_at=m["published_at"], author_key=f"{m['a_source']}:{m['a_external_id']}",
        author_handle=m["a_handle"], topics=topics, followers=m["a_followers"], karma=m["a_karma"],
        sentiment=sentiment, sentiment_score=m["sentiment_score"], negative_margin=negative_margin,
        intents=_sql.loads_list(m["intents"]), engagement=metrics.total(), is_answered=is_answered,
        echo_of=m["echo_of_id"], echoes=m["echo_count"] or 0,
    )


def margin_for(lang: str | None, negative_margin: float, by_language: Mapping[str, float] | None) -> float:
    """The negative margin of a mention in ``lang``: its language's own if set, else the general one."""
    if not by_language:
        return negative_margin
    return by_language.get((lang or "").split("-")[0].lower(), negative_margin)


def window_mentions(conn: Connection, dialect: str, flt: MentionFilter, *,
                    negative_margin: float = 0.0,
                    margins_by_language: Mapping[str, float] | None = None) -> list[WindowMention]:
    """Return what alerts and the digest read, built from the rows in one step (oldest first).

    A question or complaint counts as answered once any mention of the same read replies to it.
    ``margins_by_language`` overrides ``negative_margin`` for mentions in those (detected) languages.
    """
    query = base_query().where(*_conditions(dialect, flt)).order_by(MentionRow.published_at.asc(),
                                                                     MentionRow.id.asc())
    if flt.limit is not None:
        query = query.limit(flt.limit)
    rows = [row._mapping for row in conn.execute(query).all()]
    topics = topics_of(conn, [m["id"] for m in rows])
    replied = {(m["source"], m["in_reply_to"]) for m in rows if m["in_reply_to"]}
    return [_window_mention(m, topics.get(m["id"], ()),
                            negative_margin=margin_for(m["detected_lang"] or m["lang"], negative_margin,
                                                       margins_by_language),
                            is_answered=(m["source"], m["external_id"]) in replied) for m in rows]
