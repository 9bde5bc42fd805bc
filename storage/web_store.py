"""The web API's storage facade: accounts, audit, inbox and workflow, each method one transaction.

It shares the :class:`~storage.Repository`'s engine (one SQLite writer at a time still holds) and
clock, and hands out only the frozen read models of :mod:`storage.web_records`. Every state change
writes its audit entry in the same transaction, so the log never misses nor invents a change.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from listener.core.clock import Clock
from storage import accounts, inbox, workflow
from storage._database import Database
from storage.repository import Repository
from storage.web_records import (
    ApiToken,
    AuditEntry,
    InboxFilter,
    InboxItem,
    InboxPage,
    InboxSort,
    Note,
    Role,
    Session,
    User,
    Workflow,
    WorkflowChange,
)


class WebStore:
    """Accounts, sessions, tokens, the audit log, the inbox and its workflow."""

    def __init__(self, database: Database, *, clock: Clock) -> None:
        self._db = database
        self._dialect = database.dialect
        self._clock = clock

    @classmethod
    def of(cls, repository: Repository, *, clock: Clock) -> WebStore:
        """Return the store sharing ``repository``'s database."""
        return cls(repository.database, clock=clock)

    # --- users --------------------------------------------------------------------------------

    def add_user(
        self,
        username: str,
        *,
        display_name: str,
        password_hash: str,
        role: Role,
        language: str = "en",
        actor_id: int | None = None,
    ) -> int:
        """Create a user; ValueError if the username is taken."""
        now = self._clock()

        def work(conn: Connection) -> int:
            if accounts.get_user(conn, username=username) is not None:
                raise ValueError(f"a user named {username!r} already exists")
            user_id = accounts.add_user(
                conn,
                username=username,
                display_name=display_name,
                password_hash=password_hash,
                role=role,
                language=language,
                now=now,
            )
            accounts.audit(
                conn,
                at=now,
                user_id=actor_id,
                action="user.add",
                target_kind="user",
                target_id=str(user_id),
                details={"username": username, "role": role},
            )
            return user_id

        return self._db.run(work)

    def user(self, *, user_id: int | None = None, username: str | None = None) -> User | None:
        """Return a user by id or username."""
        return self._db.read(lambda conn: accounts.get_user(conn, user_id=user_id, username=username))

    def users(self) -> list[User]:
        """Return every user."""
        return self._db.read(accounts.list_users)

    def password_hash(self, username: str) -> tuple[int, str, bool] | None:
        """Return ``(user_id, argon2 hash, is_active)`` of a username, for a login attempt."""
        return self._db.read(lambda conn: accounts.password_hash(conn, username))

    def update_user(
        self, user_id: int, *, actor_id: int | None, action: str, end_sessions: bool, **values: Any
    ) -> bool:
        """Change a user (role, is_active, password_hash...), audit it; False if no such user."""
        now = self._clock()
        if "password_hash" in values:
            values["password_changed_at"] = now
        shown = {k: v for k, v in values.items() if k not in ("password_hash", "password_changed_at")}

        def work(conn: Connection) -> bool:
            if not accounts.update_user(conn, user_id, values):
                return False
            if end_sessions:
                accounts.drop_sessions(conn, user_id)
            accounts.audit(
                conn,
                at=now,
                user_id=actor_id,
                action=action,
                target_kind="user",
                target_id=str(user_id),
                details=shown,
            )
            return True

        return self._db.run(work)

    def rehash_password(self, user_id: int, password_hash: str) -> None:
        """Store a stronger hash of the same password (argon2 parameters were raised)."""
        self._db.run(lambda conn: accounts.update_user(conn, user_id, {"password_hash": password_hash}))

    # --- sessions and tokens ------------------------------------------------------------------

    def start_session(
        self,
        user_id: int,
        *,
        token_hash: str,
        csrf_token: str,
        expires_at: datetime,
        replaces: str | None = None,
    ) -> None:
        """Open a session for a login, ending the browser's previous one (no session fixation)."""
        now = self._clock()

        def work(conn: Connection) -> None:
            if replaces is not None:
                accounts.drop_session(conn, replaces)
            accounts.drop_expired_sessions(conn, now)
            accounts.add_session(
                conn,
                user_id=user_id,
                token_hash=token_hash,
                csrf_token=csrf_token,
                now=now,
                expires_at=expires_at,
            )
            accounts.audit(
                conn,
                at=now,
                user_id=user_id,
                action="session.login",
                target_kind="user",
                target_id=str(user_id),
            )

        self._db.run(work)

    def session(self, token_hash: str) -> Session | None:
        """Return the live session of a cookie digest."""
        now = self._clock()
        return self._db.read(lambda conn: accounts.session(conn, token_hash, now))

    def end_session(self, token_hash: str, *, user_id: int) -> None:
        """Log out."""
        now = self._clock()

        def work(conn: Connection) -> None:
            accounts.drop_session(conn, token_hash)
            accounts.audit(
                conn,
                at=now,
                user_id=user_id,
                action="session.logout",
                target_kind="user",
                target_id=str(user_id),
            )

        self._db.run(work)

    def add_token(self, user_id: int, *, name: str, token_hash: str, prefix: str) -> int:
        """Store a new API token's digest; return its id."""
        now = self._clock()

        def work(conn: Connection) -> int:
            token_id = accounts.add_token(
                conn, user_id=user_id, name=name, token_hash=token_hash, prefix=prefix, now=now
            )
            accounts.audit(
                conn,
                at=now,
                user_id=user_id,
                action="token.add",
                target_kind="token",
                target_id=str(token_id),
                details={"name": name},
            )
            return token_id

        return self._db.run(work)

    def tokens(self, user_id: int) -> list[ApiToken]:
        """Return a user's tokens."""
        return self._db.read(lambda conn: accounts.tokens(conn, user_id))

    def user_for_token(self, token_hash: str) -> User | None:
        """Return the owner of a live token, stamping its last use."""
        now = self._clock()
        return self._db.run(lambda conn: accounts.use_token(conn, token_hash, now))

    def revoke_token(self, token_id: int, *, user_id: int) -> bool:
        """Revoke one of the user's own tokens."""
        now = self._clock()

        def work(conn: Connection) -> bool:
            done = accounts.revoke_token(conn, token_id, user_id, now)
            if done:
                accounts.audit(
                    conn,
                    at=now,
                    user_id=user_id,
                    action="token.revoke",
                    target_kind="token",
                    target_id=str(token_id),
                )
            return done

        return self._db.run(work)

    # --- audit --------------------------------------------------------------------------------

    def audit(
        self,
        *,
        user_id: int | None,
        action: str,
        target_kind: str,
        target_id: str | None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """Append an audit entry on its own (changes made elsewhere, e.g. a label)."""
        now = self._clock()
        self._db.run(
            lambda conn: accounts.audit(
                conn,
                at=now,
                user_id=user_id,
                action=action,
                target_kind=target_kind,
                target_id=target_id,
                details=details,
            )
        )

    def audit_log(
        self,
        *,
        target_kind: str | None = None,
        target_id: str | None = None,
        limit: int = 100,
        before_id: int | None = None,
    ) -> list[AuditEntry]:
        """Return audit entries, newest first."""
        return self._db.read(
            lambda conn: accounts.audit_log(
                conn, target_kind=target_kind, target_id=target_id, limit=limit, before_id=before_id
            )
        )

    # --- inbox and workflow -------------------------------------------------------------------

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

    def series(
        self, *, since: datetime, until: datetime, interval: str, topics: Sequence[str] = ()
    ) -> list[tuple[str, str, str | None, int]]:
        """Return mention counts per topic, UTC hour or day bucket, and sentiment."""
        return self._db.read(
            lambda conn: inbox.series(
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
        now = self._clock()
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

        def work(conn: Connection) -> list[int]:
            changed = workflow.apply(conn, self._dialect, ids, change, user_id=user_id, now=now)
            for mention_id in changed:
                accounts.audit(
                    conn,
                    at=now,
                    user_id=user_id,
                    action=action,
                    target_kind="mention",
                    target_id=str(mention_id),
                    details=details,
                )
            return changed

        return self._db.run(work)

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
        now = self._clock()

        def work(conn: Connection) -> int | None:
            if not workflow.existing(conn, [mention_id]):
                return None
            note_id = workflow.add_note(conn, mention_id, body, user_id=user_id, now=now)
            accounts.audit(
                conn,
                at=now,
                user_id=user_id,
                action="note.add",
                target_kind="mention",
                target_id=str(mention_id),
                details={"note_id": note_id},
            )
            return note_id

        return self._db.run(work)

    def edit_note(self, mention_id: int, note_id: int, body: str, *, user_id: int | None) -> bool:
        """Edit a note, keeping its history; False if no such note on that mention."""
        now = self._clock()

        def work(conn: Connection) -> bool:
            done = workflow.edit_note(conn, mention_id, note_id, body, user_id=user_id, now=now)
            if done:
                accounts.audit(
                    conn,
                    at=now,
                    user_id=user_id,
                    action="note.edit",
                    target_kind="mention",
                    target_id=str(mention_id),
                    details={"note_id": note_id},
                )
            return done

        return self._db.run(work)

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
