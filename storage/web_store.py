"""The web API's storage facade: accounts, audit, inbox and workflow, each method one transaction.

It shares the :class:`~storage.Repository`'s engine (one SQLite writer at a time still holds) and
clock, and hands out only the frozen read models of :mod:`storage.web_records`. Every state change
writes its audit entry in the same transaction, so the log never misses nor invents a change.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection

from listener.core.clock import Clock
from storage import accounts
from storage._database import Database
from storage.audited import Audit
from storage.inbox_store import InboxMethods
from storage.repository import Repository
from storage.saved_views import SavedViewMethods
from storage.web_records import (
    ApiToken,
    AuditEntry,
    Role,
    Session,
    User,
)

TOKEN_STAMP_EVERY = timedelta(minutes=1)
"""How stale a token's ``last_used_at`` may get before a request refreshes it."""


class WebStore(InboxMethods, SavedViewMethods):
    """Accounts, sessions, tokens and the audit log; the inbox, workflow and saved views from the mixins."""

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

        def work(conn: Connection, now: datetime) -> int:
            if accounts.get_user(conn, username=username) is not None:
                raise ValueError(f"a user named {username!r} already exists")
            return accounts.add_user(conn, username=username, display_name=display_name,
                                     password_hash=password_hash, role=role, language=language, now=now)

        details = {"username": username, "role": role}
        return self._audited(work, lambda user_id: [Audit("user.add", "user", user_id, details)],
                             user_id=actor_id)

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
        if "password_hash" in values:
            values["password_changed_at"] = self._clock()
        shown = {k: v for k, v in values.items() if k not in ("password_hash", "password_changed_at")}

        def work(conn: Connection, _now: datetime) -> bool:
            if not accounts.update_user(conn, user_id, values):
                return False
            if end_sessions:
                accounts.drop_sessions(conn, user_id)
            return True

        return self._audited(work, lambda done: [Audit(action, "user", user_id, shown)] if done else [],
                             user_id=actor_id)

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

        def work(conn: Connection, now: datetime) -> None:
            if replaces is not None:
                accounts.drop_session(conn, replaces)
            accounts.drop_expired_sessions(conn, now)
            accounts.add_session(conn, user_id=user_id, token_hash=token_hash, csrf_token=csrf_token, now=now,
                                 expires_at=expires_at)

        self._audited(work, lambda _: [Audit("session.login", "user", user_id)], user_id=user_id)

    def session(self, token_hash: str) -> Session | None:
        """Return the live session of a cookie digest."""
        now = self._clock()
        return self._db.read(lambda conn: accounts.session(conn, token_hash, now))

    def end_session(self, token_hash: str, *, user_id: int) -> None:
        """Log out."""
        self._audited(lambda conn, _now: accounts.drop_session(conn, token_hash),
                      lambda _: [Audit("session.logout", "user", user_id)], user_id=user_id)

    def add_token(self, user_id: int, *, name: str, token_hash: str, prefix: str) -> int:
        """Store a new API token's digest; return its id."""

        def work(conn: Connection, now: datetime) -> int:
            return accounts.add_token(conn, user_id=user_id, name=name, token_hash=token_hash, prefix=prefix,
                                      now=now)

        return self._audited(work, lambda token_id: [Audit("token.add", "token", token_id, {"name": name})],
                             user_id=user_id)

    def tokens(self, user_id: int) -> list[ApiToken]:
        """Return a user's tokens."""
        return self._db.read(lambda conn: accounts.tokens(conn, user_id))

    def user_for_token(self, token_hash: str) -> User | None:
        """Return the owner of a live token, stamping its last use (at most once a minute).

        Reads first and writes only when the stamp is stale, so scripts calling the API many times a
        second do not queue on SQLite's single writer.
        """
        now = self._clock()
        found = self._db.read(lambda conn: accounts.token_owner(conn, token_hash))
        if found is None:
            return None
        token_id, user_id, last_used_at = found
        if last_used_at is None or last_used_at < now - TOKEN_STAMP_EVERY:
            self._db.run(lambda conn: accounts.stamp_token(conn, token_id, now))
        return self.user(user_id=user_id)

    def revoke_token(self, token_id: int, *, user_id: int) -> bool:
        """Revoke one of the user's own tokens."""
        return self._audited(lambda conn, now: accounts.revoke_token(conn, token_id, user_id, now),
                             lambda done: [Audit("token.revoke", "token", token_id)] if done else [],
                             user_id=user_id)

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
        self._audited(lambda _conn, _now: None, lambda _: [Audit(action, target_kind, target_id, details)],
                      user_id=user_id)

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
