"""What an erasure changes in what our own users wrote (notes, tags, saved views), and its audit entry.

A community manager's note on someone else's post ("@jane_doeuf again, see her thread"), a tag named
after the author, a saved inbox view that searches for them: our users' words, about the author. The
erasure keeps those words and drops the author's names with the strength alerts get
(``storage.erasure._Identity.scrub_raw`` with ``named``: the ``@handle``, the handle and the display
name as words, copies of the author's texts). A note's earlier versions (``note_revisions``) too.

The audit log is left as it is: it is the integrity record of who changed what, and an erasure never
rewrites it, so an entry written before the erasure keeps a tag or a saved view's name and query as
they were then (``view.save``, workflow changes). The erasure adds one entry of its own,
``author.erase``, whose target is the tombstone row (``author_tombstones``, which already keeps the
account's source and id, nothing else) and whose details are counts: the log says that an erasure
happened, when and by whom, without a copy of the author's identifiers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage import accounts
from storage._text import clean
from storage.schema import SHORT, AuthorTombstoneRow
from storage.schema_web import NoteRevisionRow, NoteRow, SavedViewRow, TagRow

Scrub = Callable[[str], str]
"""Return a string without the erased author's names and copies of their texts."""
Match = Callable[[Any], sa.ColumnElement[bool]]
"""Return a SQL pre-filter: the column may name the author or copy their words (the scrub decides)."""
ACTION = "author.erase"


def _scrub_bodies(
    conn: Connection, table: type[NoteRow | NoteRevisionRow], scrub: Scrub, match: Match
) -> int:
    changed = 0
    for row_id, body in conn.execute(sa.select(table.id, table.body).where(match(table.body))).all():
        if (new := clean(scrub(body))) != body:
            conn.execute(sa.update(table).where(table.id == row_id).values(body=new))
            changed += 1
    return changed


def _scrub_tags(conn: Connection, scrub: Scrub, match: Match) -> int:
    """Rename tags naming the author; a mention that already has the renamed tag loses the duplicate."""
    query = sa.select(TagRow.id, TagRow.mention_id, TagRow.tag).where(match(TagRow.tag)).order_by(TagRow.id)
    changed = 0
    for tag_id, mention_id, tag in conn.execute(query).all():
        new = clean(scrub(tag))[:SHORT]
        if new == tag:
            continue
        taken = sa.select(TagRow.id).where(TagRow.mention_id == mention_id, TagRow.tag == new)
        if conn.execute(taken).first() is None:
            conn.execute(sa.update(TagRow).where(TagRow.id == tag_id).values(tag=new))
        else:
            conn.execute(sa.delete(TagRow).where(TagRow.id == tag_id))
        changed += 1
    return changed


def _scrub_views(conn: Connection, scrub: Scrub) -> int:
    """Scrub saved views' names and query values (URL-encoded, so no SQL pre-filter: there are few).

    Names are unique per user: a scrubbed name another of the user's views already has gets the
    view's id appended, so no view is lost.
    """
    rows = conn.execute(
        sa.select(SavedViewRow.id, SavedViewRow.user_id, SavedViewRow.name, SavedViewRow.query)
    ).all()
    names = {(user_id, name) for _, user_id, name, _ in rows}
    changed = 0
    for view_id, user_id, name, query in rows:
        pairs = parse_qsl(query, keep_blank_values=True)
        new_query = urlencode([(k, clean(scrub(v))) for k, v in pairs])
        new_name = clean(scrub(name))[:SHORT]
        if new_name != name and (user_id, new_name) in names:
            new_name = f"{new_name[: SHORT - 12]} ({view_id})"
        if new_name == name and new_query == urlencode(pairs):
            continue
        names.add((user_id, new_name))
        conn.execute(
            sa.update(SavedViewRow).where(SavedViewRow.id == view_id).values(name=new_name, query=new_query)
        )
        changed += 1
    return changed


def scrub_user_text(
    conn: Connection, *, scrub: Scrub, likes: Callable[..., sa.ColumnElement[bool]], heads: Sequence[str]
) -> int:
    """Drop the author's names from notes, note versions, tags and saved views; return rows changed.

    ``likes(column)`` tells whether a column holds one of the author's identifiers, ``heads`` are the
    starts of their texts: together, the SQL pre-filter of the rows ``scrub`` may change.
    """

    def match(column: Any) -> sa.ColumnElement[bool]:
        return sa.or_(likes(column), *(column.contains(h, autoescape=True) for h in heads))

    return (
        _scrub_bodies(conn, NoteRow, scrub, match)
        + _scrub_bodies(conn, NoteRevisionRow, scrub, match)
        + _scrub_tags(conn, scrub, match)
        + _scrub_views(conn, scrub)
    )


def audit_erasure(
    conn: Connection, key: tuple[str, str], *, now: datetime, user_id: int | None, counts: Mapping[str, int]
) -> None:
    """Write the erasure's one audit entry: its target is the tombstone, its details only counts."""
    source, external_id = key
    tombstone = conn.execute(
        sa.select(AuthorTombstoneRow.id).where(
            AuthorTombstoneRow.source == source, AuthorTombstoneRow.external_id == external_id
        )
    ).scalar_one()
    accounts.audit(conn, at=now, user_id=user_id, action=ACTION, target_kind="author_tombstone",
                   target_id=str(tombstone), details=dict(counts))
