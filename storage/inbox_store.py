"""The inbox half of :class:`storage.WebStore`: pages, facets, series, workflow changes and notes.

Each method is one transaction; every workflow change writes its audit entries in that transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy.engine import Connection

from storage import data_version, inbox, series_read, workflow
from storage.audited import Audit, AuditedWrites
from storage.web_records import InboxFilter, InboxItem, InboxPage, InboxSort, Note, Workflow, WorkflowChange


class InboxMethods(AuditedWrites):
    """The inbox and its workflow, over the engine and clock the store was built with."""

    def inbox(
        self, flt: InboxFilter, *, sort: InboxSort = "time", limit: int = 50, cursor: str | None = None
    ) -> InboxPage:
        """Return one inbox page (ValueError for a forged or foreign cursor)."""
        return self._db.read(
            lambda conn: inbox.page(conn, self._dialect, flt, sort=sort, limit=limit, cursor=cursor)
        )

    def iter_inbox(
        self, flt: InboxFilter, *, sort: InboxSort = "time", batch: int = 2000
    ) -> Iterator[InboxItem]:
        """Yield every matching item, one short transaction per batch (memory stays flat)."""
        cursor: str | None = None
        while True:
            found = self.inbox(flt, sort=sort, limit=batch, cursor=cursor)
            yield from found.items
            if found.next_cursor is None:
                return
            cursor = found.next_cursor

    def facets(self, flt: InboxFilter) -> dict[str, dict[str, int]]:
        """Return counts per status, sentiment, source, language, department and topic."""
        return self._db.read(lambda conn: inbox.facets(conn, self._dialect, flt))

    def facets_version(self) -> tuple[int, ...]:
        """Return a fingerprint that changes whenever a facet count may (``data_version.with_workflow``)."""
        return self._db.read(data_version.with_workflow)

    def series(
        self, *, since: datetime, until: datetime, interval: str, topics: Sequence[str] = ()
    ) -> list[tuple[str, str, str | None, int, int]]:
        """Return distinct posts and echoes per topic, UTC hour or day bucket, and sentiment.

        Read from the rollups where they are current (``storage.series_read``), from the mentions
        elsewhere: the same answer as counting the mentions.
        """
        return self._db.read(
            lambda conn: series_read.series(
                conn, self._dialect, since=since, until=until, interval=interval, topics=topics
            )
        )

    def workflows(self, ids: Sequence[int]) -> dict[int, Workflow]:
        """Return the workflow of each mention."""
        return self._db.read(lambda conn: workflow.workflows(conn, ids))

    def change(
        self,
        ids: Sequence[int],
        change: WorkflowChange,
        *,
        user_id: int | None,
        action: str = "workflow.change",
    ) -> list[int]:
        """Apply a workflow change to mentions and their echoes, audited; return the ids changed."""
        details = {
            k: v
            for k, v in {
                "status": change.status,
                "assignee_id": change.assignee_id,
                "department": change.department,
                "clear_assignee": change.clear_assignee or None,
                "clear_department": change.clear_department or None,
                "add_tags": list(change.add_tags) or None,
                "remove_tags": list(change.remove_tags) or None,
                "routed_by": change.routed_by,
            }.items()
            if v is not None
        }

        def work(conn: Connection, now: datetime) -> list[int]:
            return workflow.apply(conn, self._dialect, ids, change, user_id=user_id, now=now)

        return self._audited(work, lambda changed: [Audit(action, "mention", i, details) for i in changed],
                             user_id=user_id)

    def change_matching(
        self, flt: InboxFilter, change: WorkflowChange, *, user_id: int | None, limit: int = 10_000
    ) -> list[int]:
        """Apply a change to every mention matching a filter (bulk); ValueError past ``limit`` of them."""
        ids = self._db.read(lambda conn: inbox.matching_ids(conn, self._dialect, flt, limit=limit + 1))
        if len(ids) > limit:
            raise ValueError(f"the filter selects more than {limit} mentions")
        return self.change(ids, change, user_id=user_id, action="workflow.bulk")

    def unrouted(self, ids: Sequence[int]) -> list[int]:
        """Return which mentions have no department yet."""
        return self._db.read(lambda conn: workflow.unrouted(conn, ids))

    def add_note(self, mention_id: int, body: str, *, user_id: int | None) -> int | None:
        """Add a note; None if the mention does not exist."""

        def work(conn: Connection, now: datetime) -> int | None:
            if not workflow.existing(conn, [mention_id]):
                return None
            return workflow.add_note(conn, mention_id, body, user_id=user_id, now=now)

        def audits(note_id: int | None) -> list[Audit]:
            return [] if note_id is None else [Audit("note.add", "mention", mention_id, {"note_id": note_id})]

        return self._audited(work, audits, user_id=user_id)

    def edit_note(self, mention_id: int, note_id: int, body: str, *, user_id: int | None) -> bool:
        """Edit a note, keeping its history; False if no such note on that mention."""
        return self._audited(
            lambda conn, now: workflow.edit_note(conn, mention_id, note_id, body, user_id=user_id, now=now),
            lambda done: [Audit("note.edit", "mention", mention_id, {"note_id": note_id})] if done else [],
            user_id=user_id)

    def notes(self, mention_id: int) -> list[Note]:
        """Return a mention's notes with their history."""
        return self._db.read(lambda conn: workflow.notes(conn, mention_id))

    def matched_terms(self, mention_id: int) -> dict[str, tuple[str, ...]]:
        """Return the query terms a mention matched, per topic."""
        return self._db.read(lambda conn: inbox.matched_terms(conn, mention_id))

    def related(self, mention_id: int, *, limit: int = 50) -> tuple[list[int], list[int]]:
        """Return the ids of a mention's echoes and of its thread."""
        return self._db.read(
            lambda conn: (
                inbox.echo_ids(conn, mention_id, limit=limit),
                inbox.thread_ids(conn, mention_id, limit=limit),
            )
        )
