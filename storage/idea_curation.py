"""What a community manager does to ideas: rename, merge, split, change status, draft and send replies.

Mixed into :class:`storage.idea_store.IdeaStore`. Every change writes an ``idea_events`` row in the same
transaction, so an idea's history is complete. Whether a status change is *allowed* is the workflow's
business (``listener.ideas.workflow``); storage records it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from listener.core.clock import Clock
from storage import _sql
from storage._database import Database
from storage._text import clean
from storage.idea_records import DraftReply, IdeaReply
from storage.schema import AuthorRow
from storage.schema_ideas import IdeaEventRow, IdeaMemberRow, IdeaReplyRow, IdeaRow, IdeaVoteRow


def _event(conn: Connection, idea_id: int, at: datetime, kind: str, **fields: str | None) -> int:
    values = {"idea_id": idea_id, "at": at, "kind": kind, **fields}
    return int(conn.execute(sa.insert(IdeaEventRow).values(**values).returning(IdeaEventRow.id)).scalar_one())


class IdeaCuration:
    """Curation and workflow writes of the idea box."""

    _db: Database
    _clock: Clock

    def rename(self, idea_id: int, title: str, *, actor: str | None = None) -> None:
        """Give an idea a community manager's title; automatic titles no longer replace it."""
        now = self._clock()

        def work(conn: Connection) -> None:
            old = conn.execute(sa.select(IdeaRow.title).where(IdeaRow.id == idea_id)).scalar_one()
            conn.execute(
                sa.update(IdeaRow)
                .where(IdeaRow.id == idea_id)
                .values(title=clean(title), is_title_locked=True, updated_at=now)
            )
            _event(conn, idea_id, now, "renamed", actor=actor, note=f"{old} -> {title}")

        self._db.run(work)

    def set_owner(self, idea_id: int, owner: str | None, *, actor: str | None = None) -> None:
        """Name who inside the company carries an idea (None: nobody); the history records the change."""
        now = self._clock()

        def work(conn: Connection) -> None:
            old = conn.execute(sa.select(IdeaRow.owner).where(IdeaRow.id == idea_id)).scalar_one()
            conn.execute(sa.update(IdeaRow).where(IdeaRow.id == idea_id).values(owner=owner, updated_at=now))
            _event(conn, idea_id, now, "owner_changed", actor=actor, note=f"{old or '–'} -> {owner or '–'}")

        self._db.run(work)

    def merge(self, target_id: int, source_id: int, *, actor: str | None = None) -> None:
        """Move every suggestion and vote of ``source_id`` into ``target_id``; the source is ``merged``."""
        now = self._clock()

        def work(conn: Connection) -> None:
            status = conn.execute(sa.select(IdeaRow.status).where(IdeaRow.id == source_id)).scalar_one()
            for table in (IdeaMemberRow, IdeaVoteRow, IdeaReplyRow):
                conn.execute(sa.update(table).where(table.idea_id == source_id).values(idea_id=target_id))
            conn.execute(
                sa.update(IdeaRow)
                .where(IdeaRow.id == source_id)
                .values(status="merged", merged_into_id=target_id, updated_at=now)
            )
            conn.execute(sa.update(IdeaRow).where(IdeaRow.id == target_id).values(updated_at=now))
            _event(
                conn,
                source_id,
                now,
                "merged",
                actor=actor,
                from_status=status,
                to_status="merged",
                note=f"into #{target_id}",
            )
            _event(conn, target_id, now, "absorbed", actor=actor, note=f"#{source_id}")

        self._db.run(work)

    def split(self, idea_id: int, mention_ids: Sequence[int], *, title: str, actor: str | None = None) -> int:
        """Move some suggestions (and the votes replying to them stay) into a new idea; return its id."""
        now = self._clock()

        def work(conn: Connection) -> int:
            source = conn.execute(sa.select(IdeaRow).where(IdeaRow.id == idea_id)).one()
            new_id = int(
                conn.execute(
                    sa.insert(IdeaRow)
                    .values(
                        scope=source.scope,
                        title=clean(title),
                        lang=source.lang,
                        is_title_locked=False,
                        status="new",
                        created_at=now,
                        updated_at=now,
                    )
                    .returning(IdeaRow.id)
                ).scalar_one()
            )
            for part in _sql.chunks(list(mention_ids)):
                conn.execute(
                    sa.update(IdeaMemberRow)
                    .where(
                        IdeaMemberRow.idea_id == idea_id, _sql.one_of(conn, IdeaMemberRow.mention_id, part)
                    )
                    .values(idea_id=new_id)
                )
            _event(conn, new_id, now, "opened", actor=actor, to_status="new", note=f"split from #{idea_id}")
            _event(
                conn,
                idea_id,
                now,
                "split",
                actor=actor,
                note=f"{len(mention_ids)} suggestion(s) to #{new_id}",
            )
            return new_id

        return self._db.run(work)

    def set_status(
        self,
        idea_id: int,
        status: str,
        *,
        actor: str | None = None,
        reason: str | None = None,
        owner: str | None = None,
        replies: Sequence[DraftReply] = (),
    ) -> int:
        """Change the status (and owner); record the event and its drafted replies; return the event id.

        ``replies`` carry ``event_id=0``: they are attached to the event written here, in the same
        transaction, so a status change never exists without its drafted replies.
        """
        now = self._clock()

        def work(conn: Connection) -> int:
            old = conn.execute(sa.select(IdeaRow.status).where(IdeaRow.id == idea_id)).scalar_one()
            values: dict[str, object] = {
                "status": status,
                "updated_at": now,
                "decline_reason": reason if status == "declined" else None,
            }
            if owner is not None:
                values["owner"] = owner
            conn.execute(sa.update(IdeaRow).where(IdeaRow.id == idea_id).values(**values))
            event_id = _event(
                conn, idea_id, now, "status", actor=actor, from_status=old, to_status=status, note=reason
            )
            rows = [
                {
                    "idea_id": idea_id,
                    "event_id": event_id,
                    "author_id": r.author_id,
                    "mention_id": r.mention_id,
                    "lang": r.lang,
                    "text": clean(r.text),
                    "state": "drafted",
                    "created_at": now,
                }
                for r in replies
            ]
            if rows:
                conn.execute(sa.insert(IdeaReplyRow), rows)
            return event_id

        return self._db.run(work)

    def replies(self, idea_id: int | None = None, *, state: str | None = None) -> list[IdeaReply]:
        """Return drafted and sent replies, oldest first."""
        table = IdeaReplyRow.__table__
        stmt = (
            sa.select(table, AuthorRow.handle)
            .join(AuthorRow, AuthorRow.id == table.c.author_id)
            .order_by(table.c.id)
        )
        if idea_id is not None:
            stmt = stmt.where(table.c.idea_id == idea_id)
        if state is not None:
            stmt = stmt.where(table.c.state == state)
        rows = self._db.read(lambda conn: conn.execute(stmt).all())
        return [
            IdeaReply(
                id=r.id,
                idea_id=r.idea_id,
                event_id=r.event_id,
                author_id=r.author_id,
                handle=r.handle,
                mention_id=r.mention_id,
                lang=r.lang,
                text=r.text,
                state=r.state,
                created_at=r.created_at,
                sent_at=r.sent_at,
            )
            for r in rows
        ]

    def mark_sent(self, reply_ids: Sequence[int]) -> int:
        """Mark drafted replies as sent (the loop is closed for those supporters); return how many changed."""
        now = self._clock()

        def work(conn: Connection) -> int:
            changed = 0
            for part in _sql.chunks(list(reply_ids)):
                result = conn.execute(
                    sa.update(IdeaReplyRow)
                    .where(_sql.one_of(conn, IdeaReplyRow.id, part), IdeaReplyRow.state == "drafted")
                    .values(state="sent", sent_at=now)
                )
                changed += int(result.rowcount or 0)
            return changed

        return self._db.run(work)

    def loops_closed(self) -> int:
        """Return how many supporters were told what became of their idea (replies sent)."""
        return int(
            self._db.read(
                lambda conn: conn.execute(
                    sa.select(sa.func.count()).select_from(IdeaReplyRow).where(IdeaReplyRow.state == "sent")
                ).scalar_one()
            )
        )
