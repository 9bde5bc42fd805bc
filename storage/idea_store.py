"""The idea box's storage: ideas, members, votes, refusals, history and replies, each call one transaction.

Reached through :meth:`storage.Repository.ideas`. Placement itself is the caller's (pure code in
``analysis.ideas``): this module stores what it decided and reads back what ranking and replies need.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from listener.core.clock import Clock
from storage import _sql
from storage._database import Database
from storage._text import clean
from storage.erasure import FORGOTTEN_TEXT
from storage.erasure_ideas import UNEMBEDDED
from storage.idea_curation import IdeaCuration, _event
from storage.idea_records import IdeaEvent, IdeaPost, IdeaRecord, NewIdea, NewMember
from storage.schema import AuthorRow, MentionRow
from storage.schema_ideas import (
    IdeaEventRow,
    IdeaMemberRow,
    IdeaRefusalRow,
    IdeaRow,
    IdeaVoteRow,
)


def _idea(row: Row[Any]) -> IdeaRecord:
    return IdeaRecord(
        id=row.id,
        scope=row.scope,
        title=row.title,
        lang=row.lang,
        is_title_locked=bool(row.is_title_locked),
        status=row.status,
        owner=row.owner,
        decline_reason=row.decline_reason,
        merged_into_id=row.merged_into_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


_POST_COLUMNS = (
    MentionRow.id.label("mention_id"),
    MentionRow.author_id,
    AuthorRow.source,
    AuthorRow.external_id,
    AuthorRow.handle,
    sa.func.coalesce(MentionRow.detected_lang, MentionRow.lang).label("lang"),
    MentionRow.published_at,
    (
        sa.func.coalesce(MentionRow.likes, 0)
        + sa.func.coalesce(MentionRow.reposts, 0)
        + sa.func.coalesce(MentionRow.score, 0)
        + MentionRow.echo_count
    ).label("engagement"),
    MentionRow.text,
)


def _post(row: Any, kind: str) -> IdeaPost:
    return IdeaPost(
        kind="suggestion" if kind == "suggestion" else "vote",
        mention_id=row.mention_id,
        author_id=row.author_id,
        author_key=f"{row.source}:{row.external_id}",
        handle=row.handle,
        lang=row.lang,
        published_at=row.published_at,
        engagement=max(int(row.engagement), 0),
        text=row.text,
        similarity=float(getattr(row, "similarity", 1.0)),
        vector=bytes(getattr(row, "vector", b"") or b""),
    )


def _has_vector() -> sa.ColumnElement[bool]:
    """Tell members with a vector from those an erasure emptied (:data:`storage.erasure_ideas.UNEMBEDDED`)."""
    return sa.func.length(IdeaMemberRow.vector) > len(UNEMBEDDED)


class IdeaStore(IdeaCuration):
    """Ideas on SQLite or PostgreSQL; every method runs in one transaction of the repository's database."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    # --- grouping -----------------------------------------------------------------------------

    def processed(self, mention_ids: Sequence[int]) -> set[int]:
        """Return which of these mentions already are a member, a vote or a refusal."""

        def work(conn: Connection) -> set[int]:
            done: set[int] = set()
            for table in (IdeaMemberRow, IdeaVoteRow, IdeaRefusalRow):
                for part in _sql.chunks(list(mention_ids)):
                    rows = conn.execute(
                        sa.select(table.mention_id).where(_sql.one_of(conn, table.mention_id, part))
                    )
                    done.update(int(r[0]) for r in rows)
            return done

        return self._db.read(work)

    def idea_of(self, mention_ids: Sequence[int]) -> dict[int, int]:
        """Return the idea each of these mentions belongs to (as a suggestion), for votes replying to them."""

        def work(conn: Connection) -> dict[int, int]:
            found: dict[int, int] = {}
            for part in _sql.chunks(list(mention_ids)):
                rows = conn.execute(
                    sa.select(IdeaMemberRow.mention_id, IdeaMemberRow.idea_id).where(
                        _sql.one_of(conn, IdeaMemberRow.mention_id, part)
                    )
                )
                found.update({int(m): int(i) for m, i in rows})
            return found

        return self._db.read(work)

    def open_vectors(self, scope: str) -> list[tuple[int, str | None, list[bytes]]]:
        """Return ``(idea id, lang, member vectors)`` of the scope's live ideas (merged ones excluded)."""

        def work(conn: Connection) -> list[tuple[int, str | None, list[bytes]]]:
            rows = conn.execute(
                sa.select(IdeaRow.id, IdeaRow.lang, IdeaMemberRow.vector)
                .join(IdeaMemberRow, IdeaMemberRow.idea_id == IdeaRow.id)
                .where(IdeaRow.scope == scope, IdeaRow.status != "merged", _has_vector())
                .order_by(IdeaRow.id, IdeaMemberRow.id)
            )
            out: dict[int, tuple[str | None, list[bytes]]] = {}
            for idea_id, lang, vector in rows:
                out.setdefault(int(idea_id), (lang, []))[1].append(bytes(vector))
            return [(i, lang, vectors) for i, (lang, vectors) in out.items()]

        return self._db.read(work)

    def save_grouping(
        self,
        ideas: Sequence[NewIdea],
        members: Sequence[NewMember],
        *,
        votes: Sequence[tuple[int, int]] = (),
        refusals: Sequence[tuple[int, str]] = (),
    ) -> dict[int, int]:
        """Store one run's new ideas, members, votes ``(idea, mention)`` and refusals ``(mention, reason)``.

        Returns the real id of each new idea's temporary key. A mention already placed is left where
        it is (a second run over the same mentions changes nothing).
        """
        now = self._clock()

        def work(conn: Connection) -> dict[int, int]:
            real: dict[int, int] = {}
            for idea in ideas:
                idea_id = conn.execute(
                    sa.insert(IdeaRow)
                    .values(
                        scope=idea.scope,
                        title=clean(idea.title),
                        lang=idea.lang,
                        is_title_locked=False,
                        status="new",
                        created_at=now,
                        updated_at=now,
                    )
                    .returning(IdeaRow.id)
                ).scalar_one()
                real[idea.key] = int(idea_id)
                _event(conn, int(idea_id), now, "opened", to_status="new")
            dialect = conn.dialect.name
            member_rows: list[dict[str, Any]] = [
                {
                    "idea_id": real.get(m.idea_id, m.idea_id),
                    "mention_id": m.mention_id,
                    "similarity": m.similarity,
                    "vector": m.vector,
                    "added_at": now,
                }
                for m in members
            ]
            vote_rows: list[dict[str, Any]] = [
                {"idea_id": real.get(i, i), "mention_id": m, "added_at": now} for i, m in votes
            ]
            refusal_rows: list[dict[str, Any]] = [
                {"mention_id": m, "reason": r, "added_at": now} for m, r in refusals
            ]
            tables: tuple[tuple[Any, list[dict[str, Any]]], ...] = (
                (IdeaMemberRow.__table__, member_rows),
                (IdeaVoteRow.__table__, vote_rows),
                (IdeaRefusalRow.__table__, refusal_rows),
            )
            for table, rows in tables:
                for part in _sql.chunks(rows, 1000):
                    stmt = _sql.insert(dialect, table).values(list(part))
                    conn.execute(stmt.on_conflict_do_nothing(index_elements=["mention_id"]))
            touched: set[int] = {row["idea_id"] for row in member_rows} | {
                row["idea_id"] for row in vote_rows
            }
            for ids in _sql.chunks(sorted(touched)):
                conn.execute(
                    sa.update(IdeaRow).where(_sql.one_of(conn, IdeaRow.id, ids)).values(updated_at=now)
                )
            return real

        return self._db.run(work)

    def retitle(self, idea_id: int, title: str, lang: str | None) -> None:
        """Set the automatic title (ignored once a community manager renamed the idea)."""
        self._db.run(
            lambda conn: conn.execute(
                sa.update(IdeaRow)
                .where(IdeaRow.id == idea_id, IdeaRow.is_title_locked.is_(False))
                .values(title=clean(title), lang=lang)
            )
        )

    def blanked(self) -> list[int]:
        """Return the ideas whose automatic title an erasure blanked (quoting the erased), to title again."""
        is_blank = sa.and_(IdeaRow.title == FORGOTTEN_TEXT, IdeaRow.is_title_locked.is_(False))
        query = sa.select(IdeaRow.id).where(is_blank).order_by(IdeaRow.id)
        return self._db.read(lambda conn: [int(i) for i in conn.execute(query).scalars()])

    def unembedded(self) -> list[tuple[int, str]]:
        """Return ``(mention id, text)`` of the members an erasure scrubbed, whose vector is to make again."""
        query = (
            sa.select(IdeaMemberRow.mention_id, MentionRow.text)
            .join(MentionRow, MentionRow.id == IdeaMemberRow.mention_id)
            .where(sa.not_(_has_vector()))
            .order_by(IdeaMemberRow.mention_id)
        )
        return self._db.read(lambda conn: [(int(i), str(t)) for i, t in conn.execute(query)])

    def save_vectors(self, vectors: Sequence[tuple[int, bytes]]) -> None:
        """Give members ``(mention id, vector)`` their vector again (only those still without one)."""

        def work(conn: Connection) -> None:
            for mention_id, vector in vectors:
                conn.execute(
                    sa.update(IdeaMemberRow)
                    .where(IdeaMemberRow.mention_id == mention_id, sa.not_(_has_vector()))
                    .values(vector=vector)
                )

        self._db.run(work)

    def refusals(self) -> dict[str, int]:
        """Return how many candidates were refused, per reason."""

        def work(conn: Connection) -> dict[str, int]:
            rows = conn.execute(
                sa.select(IdeaRefusalRow.reason, sa.func.count()).group_by(IdeaRefusalRow.reason)
            )
            return {str(r): int(n) for r, n in rows}

        return self._db.read(work)

    # --- reading ------------------------------------------------------------------------------

    def get(self, idea_id: int) -> IdeaRecord | None:
        """Return one idea."""
        row = self._db.read(
            lambda conn: conn.execute(sa.select(IdeaRow).where(IdeaRow.id == idea_id)).first()
        )
        return _idea(row) if row is not None else None

    def search(self, *, scope: str | None = None, statuses: Sequence[str] = ()) -> list[IdeaRecord]:
        """Return ideas (oldest first), optionally of one scope and some statuses."""
        stmt = sa.select(IdeaRow).order_by(IdeaRow.id)
        if scope is not None:
            stmt = stmt.where(IdeaRow.scope == scope)
        if statuses:
            stmt = stmt.where(IdeaRow.status.in_(list(statuses)))
        return [_idea(r) for r in self._db.read(lambda conn: conn.execute(stmt).all())]

    def posts(self, idea_ids: Sequence[int], *, with_vectors: bool = False) -> dict[int, list[IdeaPost]]:
        """Return each idea's suggestions and votes with their authors, oldest first."""

        def work(conn: Connection) -> dict[int, list[IdeaPost]]:
            out: dict[int, list[IdeaPost]] = {i: [] for i in idea_ids}
            extra = (
                [IdeaMemberRow.similarity, IdeaMemberRow.vector]
                if with_vectors
                else [IdeaMemberRow.similarity]
            )
            for part in _sql.chunks(list(idea_ids)):
                members = conn.execute(
                    sa.select(IdeaMemberRow.idea_id, *_POST_COLUMNS, *extra)
                    .join(MentionRow, MentionRow.id == IdeaMemberRow.mention_id)
                    .join(AuthorRow, AuthorRow.id == MentionRow.author_id)
                    .where(_sql.one_of(conn, IdeaMemberRow.idea_id, part))
                    .order_by(MentionRow.published_at, MentionRow.id)
                )
                for row in members:
                    out[int(row.idea_id)].append(_post(row, "suggestion"))
                votes = conn.execute(
                    sa.select(IdeaVoteRow.idea_id, *_POST_COLUMNS)
                    .join(MentionRow, MentionRow.id == IdeaVoteRow.mention_id)
                    .join(AuthorRow, AuthorRow.id == MentionRow.author_id)
                    .where(_sql.one_of(conn, IdeaVoteRow.idea_id, part))
                    .order_by(MentionRow.published_at, MentionRow.id)
                )
                for row in votes:
                    out[int(row.idea_id)].append(_post(row, "vote"))
            return out

        return self._db.read(work)

    def history(self, idea_id: int) -> list[IdeaEvent]:
        """Return an idea's events, oldest first."""
        rows = self._db.read(
            lambda conn: conn.execute(
                sa.select(IdeaEventRow)
                .where(IdeaEventRow.idea_id == idea_id)
                .order_by(IdeaEventRow.at, IdeaEventRow.id)
            ).all()
        )
        return [
            IdeaEvent(
                id=r.id,
                idea_id=r.idea_id,
                at=r.at,
                kind=r.kind,
                actor=r.actor,
                from_status=r.from_status,
                to_status=r.to_status,
                note=r.note,
            )
            for r in rows
        ]
