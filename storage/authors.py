"""Authors: upserted with their mentions, never overwritten by unknowns, forgettable on request (GDPR)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from listener.core.model import Author
from storage import _sql
from storage._text import clean, clean_opt
from storage.records import StoredAuthor
from storage.schema import AuthorRow, AuthorTombstoneRow, MentionRow, MentionTombstoneRow

_KEEP_KNOWN = (
    "display_name",
    "url",
    "followers",
    "following",
    "posts_count",
    "karma",
    "verified",
    "created_at",
)
"""Columns where a ``None`` from the source means "not said this time", so the stored value stays."""

AuthorOrder = Literal["followers", "mentions", "last_seen"]


def merge(authors: Iterable[Author]) -> list[Author]:
    """Collapse repeats of the same author in one batch, later non-None values winning; sort by key."""
    merged: dict[tuple[str, str], Author] = {}
    for author in authors:
        key = (author.source, author.external_id)
        previous = merged.get(key)
        if previous is None:
            merged[key] = author
            continue
        fields: dict[str, Any] = {"handle": author.handle}
        for name in _KEEP_KNOWN:
            value = getattr(author, name)
            fields[name] = value if value is not None else getattr(previous, name)
        merged[key] = Author(source=author.source, external_id=author.external_id, **fields)
    return [merged[key] for key in sorted(merged)]


def _row(author: Author, now: datetime, new_mentions: int) -> dict[str, Any]:
    return {
        "source": author.source,
        "external_id": clean(author.external_id),
        "handle": clean(author.handle),
        "display_name": clean_opt(author.display_name),
        "url": clean_opt(author.url),
        "followers": _sql.count(author.followers),
        "following": _sql.count(author.following),
        "posts_count": _sql.count(author.posts_count),
        "karma": _sql.count(author.karma),
        "verified": author.verified,
        "created_at": author.created_at,
        "first_seen_at": now,
        "last_seen_at": now,
        "mention_count": new_mentions,
    }


def _on_conflict(stmt: Any) -> Any:
    current = AuthorRow.__table__.c
    update: dict[str, Any] = {
        "handle": stmt.excluded.handle,
        "last_seen_at": stmt.excluded.last_seen_at,
        "mention_count": current.mention_count + stmt.excluded.mention_count,
    }
    for name in _KEEP_KNOWN:
        update[name] = sa.func.coalesce(stmt.excluded[name], current[name])
    return stmt.on_conflict_do_update(index_elements=["source", "external_id"], set_=update)


def upsert(
    conn: Connection,
    dialect: str,
    authors: Sequence[Author],
    now: datetime,
    new_mentions: Mapping[tuple[str, str], int] | None = None,
) -> dict[tuple[str, str], int]:
    """Insert or refresh ``authors`` (already merged and sorted); return their row ids by key.

    ``new_mentions`` (by author key) is added to ``mention_count`` in the same statement; the
    caller corrects it with :func:`add_mention_counts` if the mention upsert disagrees.
    """
    if not authors:
        return {}
    added = new_mentions or {}
    rows = [_row(a, now, added.get((a.source, clean(a.external_id)), 0)) for a in authors]
    ids: dict[tuple[str, str], int] = {}
    if dialect == "postgresql":
        table: sa.Table = AuthorRow.__table__  # type: ignore[assignment]
        returned = _sql.bulk_upsert_returning(conn, table, rows, _on_conflict, "source, external_id, id")
        return {(source, external_id): row_id for source, external_id, row_id in returned}
    _sql.bulk_upsert(conn, AuthorRow.__table__, rows, _on_conflict)  # type: ignore[arg-type]
    keys = [(a.source, clean(a.external_id)) for a in authors]
    for source in {k[0] for k in keys}:
        wanted = [k[1] for k in keys if k[0] == source]
        for part in _sql.chunks(wanted):
            found = conn.execute(
                sa.select(AuthorRow.external_id, AuthorRow.id).where(
                    AuthorRow.source == source, _sql.one_of(conn, AuthorRow.external_id, part)
                )
            )
            ids.update({(source, ext): row_id for ext, row_id in found})
    return ids


def add_mention_counts(conn: Connection, dialect: str, added: Mapping[int, int]) -> None:
    """Add newly inserted mentions to their authors' ``mention_count`` (in id order: stable locks)."""
    if not added:
        return
    ids = sorted(added)
    if dialect == "postgresql":
        conn.execute(
            sa.text(
                "UPDATE authors SET mention_count = authors.mention_count + d.n FROM "
                "unnest(CAST(:ids AS BIGINT[]), CAST(:ns AS BIGINT[])) AS d(id, n) WHERE authors.id = d.id"
            ),
            {"ids": ids, "ns": [added[i] for i in ids]},
        )
        return
    conn.execute(
        sa.update(AuthorRow)
        .where(AuthorRow.id == sa.bindparam("author_id"))
        .values(mention_count=AuthorRow.mention_count + sa.bindparam("added")),
        [{"author_id": i, "added": added[i]} for i in ids],
    )


def refresh_counts(conn: Connection, author_ids: Iterable[int]) -> None:
    """Recompute ``mention_count`` of these authors from the mentions table (exact under concurrency)."""
    counted = (
        sa.select(sa.func.count(MentionRow.id)).where(MentionRow.author_id == AuthorRow.id).scalar_subquery()
    )
    for part in _sql.chunks(sorted(set(author_ids))):
        conn.execute(
            sa.update(AuthorRow).where(_sql.one_of(conn, AuthorRow.id, part)).values(mention_count=counted)
        )


def tombstoned(conn: Connection, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Return which author keys were forgotten."""
    return _sql.existing_keys(
        conn, AuthorTombstoneRow.source, AuthorTombstoneRow.external_id, keys, is_sparse=True
    )


_COLUMNS = (
    AuthorRow.id,
    AuthorRow.source,
    AuthorRow.external_id,
    AuthorRow.handle,
    AuthorRow.display_name,
    AuthorRow.url,
    AuthorRow.followers,
    AuthorRow.following,
    AuthorRow.posts_count,
    AuthorRow.karma,
    AuthorRow.verified,
    AuthorRow.created_at,
    AuthorRow.first_seen_at,
    AuthorRow.last_seen_at,
    AuthorRow.mention_count,
)


def to_record(row: Row[*tuple[Any, ...]]) -> StoredAuthor:
    """Build the read model from a row selected with the author columns."""
    m = row._mapping
    author = Author(
        source=m["source"],
        external_id=m["external_id"],
        handle=m["handle"],
        display_name=m["display_name"],
        url=m["url"],
        followers=m["followers"],
        following=m["following"],
        posts_count=m["posts_count"],
        karma=m["karma"],
        verified=m["verified"],
        created_at=m["created_at"],
    )
    return StoredAuthor(
        id=m["id"],
        author=author,
        first_seen_at=m["first_seen_at"],
        last_seen_at=m["last_seen_at"],
        mention_count=m["mention_count"],
    )


def get(
    conn: Connection, *, author_id: int | None = None, key: tuple[str, str] | None = None
) -> StoredAuthor | None:
    """Return one author by row id or by ``(source, external_id)``."""
    query = sa.select(*_COLUMNS)
    if author_id is not None:
        query = query.where(AuthorRow.id == author_id)
    elif key is not None:
        query = query.where(AuthorRow.source == key[0], AuthorRow.external_id == key[1])
    else:
        raise ValueError("get needs author_id or key")
    row = conn.execute(query).first()
    return None if row is None else to_record(row)


def search(
    conn: Connection,
    *,
    source: str | None,
    min_followers: int | None,
    order: AuthorOrder,
    limit: int | None,
    offset: int,
    handle: str | None = None,
) -> list[StoredAuthor]:
    """Return authors, most followed (or most active, or most recently seen) first."""
    query = sa.select(*_COLUMNS)
    if source is not None:
        query = query.where(AuthorRow.source == source)
    if handle is not None:  # case-insensitive, with or without the leading @
        wanted = handle.lstrip("@").lower()
        query = query.where(sa.func.lower(AuthorRow.handle).in_((wanted, "@" + wanted)))
    if min_followers is not None:
        query = query.where(AuthorRow.followers >= min_followers)
    sorts: dict[str, sa.UnaryExpression[Any]] = {
        "followers": AuthorRow.followers.desc().nulls_last(),
        "mentions": AuthorRow.mention_count.desc(),
        "last_seen": AuthorRow.last_seen_at.desc(),
    }
    sort = sorts[order]
    query = query.order_by(sort, AuthorRow.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [to_record(row) for row in conn.execute(query)]


def forget(conn: Connection, dialect: str, key: tuple[str, str], now: datetime) -> int:
    """Delete an author and all their mentions, tombstoning both; return how many mentions went."""
    source, external_id = key
    tomb = _sql.insert(dialect, AuthorTombstoneRow.__table__)  # type: ignore[arg-type]
    conn.execute(
        tomb.on_conflict_do_nothing(index_elements=["source", "external_id"]),
        {"source": source, "external_id": external_id, "forgotten_at": now},
    )
    author_id = conn.execute(
        sa.select(AuthorRow.id).where(AuthorRow.source == source, AuthorRow.external_id == external_id)
    ).scalar()
    if author_id is None:
        return 0
    keys = conn.execute(
        sa.select(MentionRow.source, MentionRow.external_id).where(MentionRow.author_id == author_id)
    ).all()
    if keys:
        mtomb = _sql.insert(dialect, MentionTombstoneRow.__table__)  # type: ignore[arg-type]
        conn.execute(
            mtomb.on_conflict_do_nothing(index_elements=["source", "external_id"]),
            [{"source": s, "external_id": e} for s, e in keys],
        )
    conn.execute(sa.delete(MentionRow).where(MentionRow.author_id == author_id))
    conn.execute(sa.delete(AuthorRow).where(AuthorRow.id == author_id))
    return len(keys)
