"""The inbox query: mentions LEFT JOIN their workflow, filtered, sorted, keyset-paged; facets; series.

Paging is by keyset, never by offset: the cursor holds the last row's sort key and id, and the next
page starts strictly after it, so mentions inserted meanwhile never shift or repeat a page (newer ones
appear on a fresh first page). Sort keys: ``time`` (published, newest first), ``influence`` (author's
followers, most first), ``negativity`` (sentiment score, most negative first); ties by id, descending.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Select

from storage import _fts
from storage import mention_reads as mentions
from storage.rollups import as_utc as rollup_utc
from storage.schema import AnnotationRow, AuthorRow, MentionRow, MentionTopicRow
from storage.schema_web import TagRow, WorkflowRow
from storage.web_records import InboxFilter, InboxItem, InboxPage, InboxSort, Status, Workflow
from storage.workflow import tags_of

_STATUS = sa.func.coalesce(WorkflowRow.status, "new")
_LANG = sa.func.coalesce(MentionRow.detected_lang, MentionRow.lang)
_KEYS: dict[str, Any] = {
    "time": MentionRow.published_at,
    "influence": sa.func.coalesce(AuthorRow.followers, -1),
    "negativity": sa.func.coalesce(MentionRow.sentiment_score, 2.0),
}
_ASCENDING = {"negativity"}


def _joined(query: Select[Any]) -> Select[Any]:
    return query.outerjoin(WorkflowRow, WorkflowRow.mention_id == MentionRow.id)


def conditions(dialect: str, flt: InboxFilter) -> list[sa.ColumnElement[bool]]:
    """Return the WHERE clauses of an inbox filter (mentions, authors and workflow are joined)."""
    where = mentions._conditions(dialect, flt.base)
    if flt.statuses:
        where.append(_STATUS.in_(flt.statuses))
    if flt.assignee_id is not None:
        where.append(WorkflowRow.assignee_id == flt.assignee_id)
    if flt.is_unassigned:
        where.append(WorkflowRow.assignee_id.is_(None))
    if flt.departments:
        where.append(WorkflowRow.department.in_(flt.departments))
    if flt.tags:
        where.append(sa.exists().where(TagRow.mention_id == MentionRow.id, TagRow.tag.in_(flt.tags)))
    if flt.signals:
        where.append(
            sa.exists().where(
                AnnotationRow.mention_id == MentionRow.id,
                AnnotationRow.stage == "signals",
                AnnotationRow.label.in_(flt.signals),
            )
        )
    if flt.influence_above is not None:
        where.append(AuthorRow.followers >= flt.influence_above)
    if flt.has_echoes is not None:
        where.append(MentionRow.echo_count > 0 if flt.has_echoes else MentionRow.echo_count == 0)
    return where


def encode_cursor(sort: InboxSort, key: Any, row_id: int) -> str:
    """Return the opaque cursor after a row."""
    value = key.isoformat() if isinstance(key, datetime) else key
    raw = json.dumps([sort, value, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(sort: InboxSort, cursor: str) -> tuple[Any, int]:
    """Return ``(key, id)`` from a cursor; ValueError when it is not one of ours for this sort."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        kind, value, row_id = json.loads(raw)
    except (ValueError, TypeError) as err:
        raise ValueError("not a valid cursor") from err
    if kind != sort or not isinstance(row_id, int) or isinstance(row_id, bool):
        raise ValueError("the cursor belongs to another sort order")
    try:
        if sort == "time":
            key: Any = datetime.fromisoformat(value)
        elif sort == "influence":
            key = int(value)
        else:
            key = float(value)
    except (ValueError, TypeError) as err:
        raise ValueError("not a valid cursor") from err
    return key, row_id


def _after(sort: InboxSort, key: Any, row_id: int) -> sa.ColumnElement[bool]:
    column = _KEYS[sort]
    beyond = column > key if sort in _ASCENDING else column < key
    # The bound the OR implies, said on its own: an index range starts at the cursor. Without it
    # PostgreSQL walked the dates from the newest and filtered out every row before the cursor,
    # so a 1M-row export read 250M rows (each page of 2,000 reading all the pages before it).
    bound = column >= key if sort in _ASCENDING else column <= key
    return sa.and_(bound, sa.or_(beyond, sa.and_(column == key, MentionRow.id < row_id)))


def _order(sort: InboxSort) -> tuple[Any, ...]:
    column = _KEYS[sort]
    return (column.asc() if sort in _ASCENDING else column.desc(), MentionRow.id.desc())


_WORKFLOW_COLUMNS = (
    WorkflowRow.status.label("w_status"),
    WorkflowRow.assignee_id.label("w_assignee_id"),
    WorkflowRow.department.label("w_department"),
    WorkflowRow.routed_by.label("w_routed_by"),
    WorkflowRow.updated_at.label("w_updated_at"),
)


_WINDOWS = (timedelta(days=1), timedelta(days=7), timedelta(days=30), timedelta(days=365))


def _words(search: str, ids: tuple[int, int] | None = None) -> sa.ColumnElement[bool]:
    clause = _fts.match("sqlite", search, ids)
    assert clause is not None  # page() passes only a search with a word
    return clause


def _newest_first(conn: Connection, query: Select[Any], flt: InboxFilter, top: datetime | None, *,
                  limit: int, search: str | None) -> Sequence[Any]:
    """Run a newest-first page over growing periods ending at ``top``: a day, a week, a month, a year, all.

    Why: with several filters at once (topic, sentiment, words, status), PostgreSQL estimates that few
    rows match, reads every match through the indexes and sorts them (1.1 s at 1M mentions) instead of
    walking the dates backwards. Bounded by a period, the same query reads only that period's rows.
    A period that already holds ``limit`` rows holds the newest ones, so the page is the same.
    ``search``: SQLite's full-text words, left out of ``query`` and matched here within the period's
    ids (listing every match of a common word took 100 ms a page at 1M mentions).
    """
    unbounded = query.where(_words(search)) if search else query
    if top is None:
        top = conn.execute(sa.select(sa.func.max(MentionRow.published_at))).scalar()
    if top is None:  # no mention at all
        return conn.execute(unbounded.limit(limit)).all()
    top = rollup_utc(top)
    for window in _WINDOWS:
        start = top - window
        if flt.base.since is not None and rollup_utc(flt.base.since) >= start:
            break
        bounded = query.where(MentionRow.published_at >= start)
        if search:
            span = sa.select(sa.func.min(MentionRow.id), sa.func.max(MentionRow.id)).where(
                MentionRow.published_at >= start, MentionRow.published_at <= top
            )
            lo, hi = conn.execute(span).one()
            bounded = bounded.where(_words(search, (lo or 0, hi or 0)))
        rows = conn.execute(bounded.limit(limit)).all()
        if len(rows) >= limit:
            return rows
    return conn.execute(unbounded.limit(limit)).all()


_BANDS = (64, 1024)
"""The most followed authors a most-followed-first page reads first, then more, then everyone."""


def _most_followed_first(conn: Connection, query: Select[Any], *, limit: int) -> Sequence[Any]:
    """Run a most-followed-first page over growing bands of authors: the 64 most followed, 1,024, all.

    Why: sorting by followers, PostgreSQL read every match through the sentiment or date index and
    sorted it (the overview's "answer first" list over a month, a saved view over all time: 0.5-1 s at
    1M mentions). Given the band's authors as a list, it reads only their mentions by author (30 ms).
    Every author followed at least as much as the band's last one is in the band (ties included), so
    every row outside it sorts after every row inside: a band that fills the page gives the same page.
    Not on SQLite: without statistics it keeps the sentiment index either way, and a sparse filter
    would pay three reads for one.
    """
    key = _KEYS["influence"]
    for band in _BANDS:
        floor = sa.select(key).order_by(key.desc()).offset(band - 1).limit(1).scalar_subquery()
        authors = list(conn.execute(sa.select(AuthorRow.id).where(key >= floor)).scalars())
        if not authors:  # fewer authors than the band: the whole query reads no more
            break
        rows = conn.execute(query.where(MentionRow.author_id.in_(authors)).limit(limit)).all()
        if len(rows) >= limit:
            return rows
    return conn.execute(query.limit(limit)).all()


def page(
    conn: Connection, dialect: str, flt: InboxFilter, *, sort: InboxSort, limit: int, cursor: str | None
) -> InboxPage:
    """Return one page of the inbox; ``cursor`` comes from the previous page (ValueError if forged)."""
    search = flt.base.text if dialect == "sqlite" and sort == "time" and flt.base.text else None
    if search and _fts.match(dialect, search) is None:
        search = None  # no searchable word: no condition, as conditions() does
    where = conditions(dialect, replace(flt, base=replace(flt.base, text=None)) if search else flt)
    after = decode_cursor(sort, cursor) if cursor else None
    if after is not None:
        where.append(_after(sort, *after))
    query = _joined(mentions.base_query().add_columns(*_WORKFLOW_COLUMNS, _KEYS[sort].label("sort_key")))
    query = query.where(*where).order_by(*_order(sort))
    if sort == "time":
        top = flt.base.until if after is None else after[0]
        rows = list(_newest_first(conn, query, flt, top, limit=limit + 1, search=search))
    elif sort == "influence" and dialect == "postgresql":
        rows = list(_most_followed_first(conn, query, limit=limit + 1))
    else:
        rows = list(conn.execute(query.limit(limit + 1)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    ids = [r._mapping["id"] for r in rows]
    topics = mentions.topics_of(conn, ids)
    tags = tags_of(conn, ids)
    items = []
    for row in rows:
        m = row._mapping
        stored = mentions._record(row, topics.get(m["id"], ()))
        workflow = Workflow(
            mention_id=m["id"],
            status=cast(Status, m["w_status"] or "new"),
            assignee_id=m["w_assignee_id"],
            department=m["w_department"],
            routed_by=m["w_routed_by"],
            updated_at=m["w_updated_at"],
            tags=tags.get(m["id"], ()),
        )
        items.append(InboxItem(stored=stored, workflow=workflow))
    next_cursor = encode_cursor(sort, rows[-1]._mapping["sort_key"], ids[-1]) if more and rows else None
    return InboxPage(items=tuple(items), next_cursor=next_cursor)


def matching_ids(conn: Connection, dialect: str, flt: InboxFilter, *, limit: int) -> list[int]:
    """Return the ids of up to ``limit`` mentions matching a filter (bulk actions)."""
    query = _joined(sa.select(MentionRow.id).join(AuthorRow, AuthorRow.id == MentionRow.author_id))
    return [
        r
        for (r,) in conn.execute(query.where(*conditions(dialect, flt)).order_by(MentionRow.id).limit(limit))
    ]


_FACETS: dict[str, Any] = {
    "status": _STATUS,
    "sentiment": MentionRow.sentiment,
    "source": MentionRow.source,
    "lang": _LANG,
    "department": WorkflowRow.department,
}


def facets(conn: Connection, dialect: str, flt: InboxFilter) -> dict[str, dict[str, int]]:
    """Return, for the filter, the count of mentions per value of each facet (topics included)."""
    where = conditions(dialect, flt)
    base = _joined(sa.select().select_from(MentionRow))
    if flt.influence_above is not None:  # the only criterion reading authors
        base = base.join(AuthorRow, AuthorRow.id == MentionRow.author_id)
    # One scan grouped by every facet column at once (their combinations are few), folded here.
    columns = list(_FACETS.values())
    found: dict[str, dict[str, int]] = {name: {} for name in _FACETS}
    total = 0
    for row in conn.execute(base.add_columns(*columns, sa.func.count()).where(*where).group_by(*columns)):
        count = int(row[-1])
        total += count
        for name, value in zip(_FACETS, row[:-1], strict=True):
            key = str(value) if value is not None else ""
            found[name][key] = found[name].get(key, 0) + count
    # The matching mentions first, then their topics. Joined in one query, SQLite read every row of
    # mention_topics in topic order and looked each mention up (11 s at 1M mentions for a week's facets).
    matching = base.add_columns(MentionRow.id.label("id")).where(*where).cte("matching")
    matching = matching.prefix_with("MATERIALIZED")
    matched = sa.orm.aliased(MentionTopicRow)  # the topic filter's EXISTS reads the table itself
    topic_rows = conn.execute(
        sa.select(matched.topic_id, sa.func.count())
        .select_from(matching)
        .join(matched, matched.mention_id == matching.c.id)
        .group_by(matched.topic_id)
    )
    found["topic"] = {str(t): int(n) for t, n in topic_rows}
    found["total"] = {"": total}
    return found


def _bucket(dialect: str, interval: str) -> Any:
    if dialect == "postgresql":
        return sa.func.date_trunc(interval, sa.func.timezone("UTC", MentionRow.published_at))
    # SQLite keeps naive UTC text ("2026-03-10 12:34:56.000000"): cutting it is 3x cheaper than strftime.
    day = sa.func.substr(MentionRow.published_at, 1, 10)
    if interval == "hour":
        return day + "T" + sa.func.substr(MentionRow.published_at, 12, 2) + ":00:00"
    return day + "T00:00:00"


def series(
    conn: Connection, dialect: str, *, since: datetime, until: datetime, interval: str, topics: Sequence[str]
) -> list[tuple[str, str, str | None, int, int]]:
    """Return ``(topic, bucket start ISO, sentiment, distinct posts, echoes)`` for ``[since, until)``.

    Distinct posts are the mentions that echo no other; echoes (reposts, copies grouped under an
    original by the echo stage) are counted apart, as every figure a user reads counts them.
    """
    bucket = _bucket(dialect, interval).label("bucket")
    echoes = sa.func.sum(sa.case((MentionRow.echo_of_id.is_not(None), 1), else_=0))
    query = (
        sa.select(MentionTopicRow.topic_id, bucket, MentionRow.sentiment, sa.func.count(), echoes)
        .join(MentionRow, MentionRow.id == MentionTopicRow.mention_id)
        .where(MentionRow.published_at >= since, MentionRow.published_at < until)
        .group_by(MentionTopicRow.topic_id, bucket, MentionRow.sentiment)
        .order_by(MentionTopicRow.topic_id, bucket)
    )
    if topics:
        query = query.where(MentionTopicRow.topic_id.in_(topics))
    out = []
    for topic, at, sentiment, n, echoed in conn.execute(query):
        when = at.strftime("%Y-%m-%dT%H:%M:%S") if isinstance(at, datetime) else str(at)
        out.append((str(topic), when + "Z", sentiment, int(n) - int(echoed or 0), int(echoed or 0)))
    return out


def matched_terms(conn: Connection, mention_id: int) -> dict[str, tuple[str, ...]]:
    """Return, per matched topic, the query terms the mention matched."""
    rows = conn.execute(
        sa.select(MentionTopicRow.topic_id, MentionTopicRow.terms).where(
            MentionTopicRow.mention_id == mention_id
        )
    )
    return {topic: tuple(json.loads(terms or "[]")) for topic, terms in rows}


def echo_ids(conn: Connection, mention_id: int, *, limit: int) -> list[int]:
    """Return the ids of the mentions echoing one, oldest first."""
    query = (
        sa.select(MentionRow.id)
        .where(MentionRow.echo_of_id == mention_id)
        .order_by(MentionRow.id)
        .limit(limit)
    )
    return [r for (r,) in conn.execute(query)]


def thread_ids(conn: Connection, mention_id: int, *, limit: int) -> list[int]:
    """Return the ids of the mentions in the same conversation (replies, parent), by publication."""
    row = conn.execute(
        sa.select(
            MentionRow.source, MentionRow.external_id, MentionRow.conversation_id, MentionRow.in_reply_to
        ).where(MentionRow.id == mention_id)
    ).first()
    if row is None:
        return []
    # One indexed lookup per relation (an OR across them makes the planner scan by date instead).
    lookups = [MentionRow.in_reply_to == row.external_id]
    if row.conversation_id:
        lookups += [
            MentionRow.conversation_id == row.conversation_id,
            MentionRow.external_id == row.conversation_id,
        ]
    if row.in_reply_to:
        lookups.append(MentionRow.external_id == row.in_reply_to)
    found: set[int] = set()
    for condition in lookups:
        hits = conn.execute(
            sa.select(MentionRow.id).where(MentionRow.source == row.source, condition).limit(limit + 1)
        )
        found.update(r for (r,) in hits)
    found.discard(mention_id)
    if not found:
        return []
    query = (
        sa.select(MentionRow.id)
        .where(MentionRow.id.in_(sorted(found)))
        .order_by(MentionRow.published_at, MentionRow.id)
        .limit(limit)
    )
    return [r for (r,) in conn.execute(query)]
