"""The inbox workflow: status, assignee, department and tags per mention, and notes with their history.

Echoes follow their canonical mention: a change applied to a canonical mention is applied to every
mention grouped under it (``echo_of_id``), so handling the original handles its reposts and copies.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage import _sql
from storage._text import clean
from storage.schema import MentionRow
from storage.schema_web import NoteRevisionRow, NoteRow, TagRow, WorkflowRow
from storage.web_records import Note, NoteRevision, Status, Workflow, WorkflowChange


def tags_of(conn: Connection, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """Return each mention's tags, sorted."""
    found: dict[int, list[str]] = {}
    for part in _sql.chunks(sorted(set(ids))):
        rows = conn.execute(
            sa.select(TagRow.mention_id, TagRow.tag).where(_sql.one_of(conn, TagRow.mention_id, part))
        )
        for mention_id, tag in rows:
            found.setdefault(mention_id, []).append(tag)
    return {k: tuple(sorted(v)) for k, v in found.items()}


def workflows(conn: Connection, ids: Sequence[int]) -> dict[int, Workflow]:
    """Return the workflow of each mention (a ``new`` default for untouched ones)."""
    tags = tags_of(conn, ids)
    found = {i: Workflow(mention_id=i, tags=tags.get(i, ())) for i in ids}
    for part in _sql.chunks(sorted(set(ids))):
        rows = conn.execute(sa.select(WorkflowRow).where(_sql.one_of(conn, WorkflowRow.mention_id, part)))
        for r in rows:
            found[r.mention_id] = Workflow(
                mention_id=r.mention_id,
                status=cast(Status, r.status),
                assignee_id=r.assignee_id,
                department=r.department,
                routed_by=r.routed_by,
                updated_at=r.updated_at,
                tags=tags.get(r.mention_id, ()),
            )
    return found


def with_echoes(conn: Connection, ids: Sequence[int]) -> list[int]:
    """Return ``ids`` plus every mention echoing one of them (sorted, no repeats)."""
    everything = set(ids)
    for part in _sql.chunks(sorted(set(ids))):
        rows = conn.execute(sa.select(MentionRow.id).where(_sql.one_of(conn, MentionRow.echo_of_id, part)))
        everything.update(r for (r,) in rows)
    return sorted(everything)


def existing(conn: Connection, ids: Sequence[int]) -> list[int]:
    """Return which of ``ids`` are stored mentions."""
    found: list[int] = []
    for part in _sql.chunks(sorted(set(ids))):
        found.extend(
            r for (r,) in conn.execute(sa.select(MentionRow.id).where(_sql.one_of(conn, MentionRow.id, part)))
        )
    return sorted(found)


def _values(change: WorkflowChange) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if change.status is not None:
        values["status"] = change.status
    if change.assignee_id is not None or change.clear_assignee:
        values["assignee_id"] = None if change.clear_assignee else change.assignee_id
    if change.department is not None or change.clear_department:
        values["department"] = None if change.clear_department else clean(change.department or "")
        values["routed_by"] = change.routed_by
    return values


def apply(
    conn: Connection,
    dialect: str,
    ids: Sequence[int],
    change: WorkflowChange,
    *,
    user_id: int | None,
    now: datetime,
) -> list[int]:
    """Apply ``change`` to the mentions ``ids`` and their echoes; return the ids changed."""
    targets = with_echoes(conn, existing(conn, ids))
    if not targets:
        return []
    values = _values(change)
    if values:
        insert = _sql.insert(dialect, WorkflowRow.__table__)  # type: ignore[arg-type]
        stmt = insert.on_conflict_do_update(
            index_elements=["mention_id"],
            set_={**{k: insert.excluded[k] for k in values}, "updated_at": now, "updated_by": user_id},
        )
        base = {"status": "new", "assignee_id": None, "department": None, "routed_by": None}
        conn.execute(
            stmt,
            [{**base, **values, "mention_id": i, "updated_at": now, "updated_by": user_id} for i in targets],
        )
    for tag in change.remove_tags:
        for part in _sql.chunks(targets):
            conn.execute(
                sa.delete(TagRow).where(TagRow.tag == clean(tag), _sql.one_of(conn, TagRow.mention_id, part))
            )
    if change.add_tags:
        tag_insert = _sql.insert(dialect, TagRow.__table__)  # type: ignore[arg-type]
        conn.execute(
            tag_insert.on_conflict_do_nothing(index_elements=["mention_id", "tag"]),
            [{"mention_id": i, "tag": clean(t)} for i in targets for t in sorted(set(change.add_tags))],
        )
    return targets


def unrouted(conn: Connection, ids: Sequence[int]) -> list[int]:
    """Return which of ``ids`` have no department yet (routing never overrides a person's choice)."""
    routed: set[int] = set()
    for part in _sql.chunks(sorted(set(ids))):
        rows = conn.execute(
            sa.select(WorkflowRow.mention_id).where(
                _sql.one_of(conn, WorkflowRow.mention_id, part), WorkflowRow.department.is_not(None)
            )
        )
        routed.update(r for (r,) in rows)
    return [i for i in ids if i not in routed]


# --- notes ------------------------------------------------------------------------------------


def add_note(conn: Connection, mention_id: int, body: str, *, user_id: int | None, now: datetime) -> int:
    """Add a note to a mention; return its id."""
    result = conn.execute(
        sa.insert(NoteRow)
        .values(mention_id=mention_id, author_id=user_id, body=clean(body), created_at=now, updated_at=now)
        .returning(NoteRow.id)
    )
    return int(result.scalar_one())


def edit_note(
    conn: Connection, mention_id: int, note_id: int, body: str, *, user_id: int | None, now: datetime
) -> bool:
    """Replace a note's text, keeping the previous one in its history; False if no such note."""
    old = conn.execute(
        sa.select(NoteRow.body).where(NoteRow.id == note_id, NoteRow.mention_id == mention_id)
    ).scalar()
    if old is None:
        return False
    conn.execute(
        sa.insert(NoteRevisionRow).values(note_id=note_id, body=old, edited_at=now, edited_by=user_id)
    )
    conn.execute(sa.update(NoteRow).where(NoteRow.id == note_id).values(body=clean(body), updated_at=now))
    return True


def notes(conn: Connection, mention_id: int) -> list[Note]:
    """Return a mention's notes, oldest first, each with its edit history."""
    rows = list(
        conn.execute(
            sa.select(NoteRow).where(NoteRow.mention_id == mention_id).order_by(NoteRow.id)
        )
    )
    history: dict[int, list[NoteRevision]] = {}
    if rows:
        revisions = conn.execute(
            sa.select(NoteRevisionRow)
            .where(NoteRevisionRow.note_id.in_([r.id for r in rows]))
            .order_by(NoteRevisionRow.id)
        )
        for rev in revisions:
            history.setdefault(rev.note_id, []).append(
                NoteRevision(body=rev.body, edited_at=rev.edited_at, edited_by=rev.edited_by)
            )
    return [
        Note(
            id=r.id,
            mention_id=r.mention_id,
            author_id=r.author_id,
            body=r.body,
            created_at=r.created_at,
            updated_at=r.updated_at,
            history=tuple(history.get(r.id, ())),
        )
        for r in rows
    ]
