"""Saved views: a user's named inbox filters, each change audited; nobody reaches another user's views.

Every read and delete is keyed on ``(user_id, id)``, never on the id alone, so a guessed id of someone
else's view finds nothing (the API answers 404, not 403: it does not tell that the id exists).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage.audited import Audit, AuditedWrites
from storage.schema_web import SavedViewRow
from storage.web_records import SavedView

MAX_VIEWS = 50
"""How many views one user may keep (the inbox lists them all in one menu)."""


def _view(row: Any) -> SavedView:
    return SavedView(
        id=row.id, user_id=row.user_id, name=row.name, query=row.query, created_at=row.created_at
    )


def _find(
    conn: Connection, user_id: int, *, view_id: int | None = None, name: str | None = None
) -> SavedView | None:
    query = sa.select(SavedViewRow).where(SavedViewRow.user_id == user_id)
    if view_id is not None:
        query = query.where(SavedViewRow.id == view_id)
    if name is not None:
        query = query.where(SavedViewRow.name == name)
    row = conn.execute(query).first()
    return None if row is None else _view(row)


class SavedViewMethods(AuditedWrites):
    """The saved-view part of :class:`storage.WebStore`."""

    def saved_views(self, user_id: int) -> list[SavedView]:
        """Return ``user_id``'s own views, by name."""
        query = sa.select(SavedViewRow).where(SavedViewRow.user_id == user_id).order_by(SavedViewRow.name)
        return self._db.read(lambda conn: [_view(r) for r in conn.execute(query)])

    def saved_view(self, user_id: int, view_id: int) -> SavedView | None:
        """Return one of ``user_id``'s views (None for another user's)."""
        return self._db.read(lambda conn: _find(conn, user_id, view_id=view_id))

    def save_view(self, user_id: int, *, name: str, query: str) -> SavedView:
        """Save (or overwrite, same name) a view; ValueError past :data:`MAX_VIEWS` views."""

        def work(conn: Connection, now: datetime) -> SavedView:
            found = _find(conn, user_id, name=name)
            if found is not None:
                conn.execute(sa.update(SavedViewRow).where(SavedViewRow.id == found.id).values(query=query))
                return SavedView(
                    id=found.id, user_id=user_id, name=name, query=query, created_at=found.created_at
                )
            count = conn.execute(
                sa.select(sa.func.count()).select_from(SavedViewRow).where(SavedViewRow.user_id == user_id)
            ).scalar_one()
            if count >= MAX_VIEWS:
                raise ValueError(f"a user keeps at most {MAX_VIEWS} views")
            new_id = conn.execute(
                sa.insert(SavedViewRow)
                .values(user_id=user_id, name=name, query=query, created_at=now)
                .returning(SavedViewRow.id)
            ).scalar_one()
            return SavedView(id=int(new_id), user_id=user_id, name=name, query=query, created_at=now)

        return self._audited(
            work, lambda view: [Audit("view.save", "saved_view", view.id, {"name": name, "query": query})],
            user_id=user_id,
        )

    def delete_view(self, user_id: int, view_id: int) -> bool:
        """Delete one of ``user_id``'s views; False if they have no such view."""

        def work(conn: Connection, _now: datetime) -> bool:
            result = conn.execute(
                sa.delete(SavedViewRow).where(SavedViewRow.id == view_id, SavedViewRow.user_id == user_id)
            )
            return result.rowcount > 0

        return self._audited(work, lambda done: [Audit("view.delete", "saved_view", view_id)] if done else [],
                             user_id=user_id)
