"""Accounts: users, browser sessions, personal API tokens and the audit log (SQL only, no crypto).

Hashing is the caller's job (the web layer uses argon2 for passwords, SHA-256 for random tokens);
this module stores and compares digests, so a database dump gives nobody a way in.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from storage._text import dumps
from storage.schema_web import ApiTokenRow, AuditRow, SessionRow, UserRow
from storage.web_records import ApiToken, AuditEntry, Role, Session, User


def _user(row: Row[*tuple[Any, ...]]) -> User:
    return User(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=cast(Role, row.role),
        is_active=bool(row.is_active),
        language=row.language,
        created_at=row.created_at,
        password_changed_at=row.password_changed_at,
    )


_USER_COLUMNS = (
    UserRow.id,
    UserRow.username,
    UserRow.display_name,
    UserRow.role,
    UserRow.is_active,
    UserRow.language,
    UserRow.created_at,
    UserRow.password_changed_at,
)


def add_user(
    conn: Connection,
    *,
    username: str,
    display_name: str,
    password_hash: str,
    role: Role,
    language: str,
    now: datetime,
) -> int:
    """Insert a user; return its id (the caller checked the name is free)."""
    result = conn.execute(
        sa.insert(UserRow)
        .values(
            username=username,
            display_name=display_name,
            password_hash=password_hash,
            role=role,
            is_active=True,
            language=language,
            created_at=now,
            password_changed_at=now,
        )
        .returning(UserRow.id)
    )
    return int(result.scalar_one())


def get_user(conn: Connection, *, user_id: int | None = None, username: str | None = None) -> User | None:
    """Return a user by id or username."""
    query = sa.select(*_USER_COLUMNS)
    query = (
        query.where(UserRow.id == user_id)
        if user_id is not None
        else query.where(UserRow.username == username)
    )
    row = conn.execute(query).first()
    return _user(row) if row is not None else None


def password_hash(conn: Connection, username: str) -> tuple[int, str, bool] | None:
    """Return ``(user_id, hash, is_active)`` for a login attempt."""
    row = conn.execute(
        sa.select(UserRow.id, UserRow.password_hash, UserRow.is_active).where(UserRow.username == username)
    ).first()
    return (row.id, row.password_hash, bool(row.is_active)) if row is not None else None


def list_users(conn: Connection) -> list[User]:
    """Return every user by username."""
    return [_user(r) for r in conn.execute(sa.select(*_USER_COLUMNS).order_by(UserRow.username))]


def update_user(conn: Connection, user_id: int, values: Mapping[str, Any]) -> bool:
    """Change some columns of a user; False if it does not exist."""
    result = conn.execute(sa.update(UserRow).where(UserRow.id == user_id).values(**values))
    return result.rowcount > 0


def drop_sessions(conn: Connection, user_id: int) -> None:
    """End every session of a user (password reset, disabling, role change)."""
    conn.execute(sa.delete(SessionRow).where(SessionRow.user_id == user_id))


# --- sessions ---------------------------------------------------------------------------------


def add_session(
    conn: Connection, *, user_id: int, token_hash: str, csrf_token: str, now: datetime, expires_at: datetime
) -> None:
    """Store a new session (the previous ones of the same browser were dropped by the caller)."""
    conn.execute(
        sa.insert(SessionRow).values(
            user_id=user_id,
            token_hash=token_hash,
            csrf_token=csrf_token,
            created_at=now,
            expires_at=expires_at,
        )
    )


def session(conn: Connection, token_hash: str, now: datetime) -> Session | None:
    """Return the live session of a cookie digest for an active user, None if unknown or expired."""
    row = conn.execute(
        sa.select(
            SessionRow.id,
            SessionRow.csrf_token,
            SessionRow.created_at,
            SessionRow.expires_at,
            SessionRow.user_id,
        )
        .join(UserRow, UserRow.id == SessionRow.user_id)
        .where(SessionRow.token_hash == token_hash, SessionRow.expires_at > now, UserRow.is_active.is_(True))
    ).first()
    if row is None:
        return None
    user = get_user(conn, user_id=row.user_id)
    if user is None:
        return None
    return Session(
        id=row.id, user=user, csrf_token=row.csrf_token, created_at=row.created_at, expires_at=row.expires_at
    )


def drop_session(conn: Connection, token_hash: str) -> None:
    """End one session (logout)."""
    conn.execute(sa.delete(SessionRow).where(SessionRow.token_hash == token_hash))


def drop_expired_sessions(conn: Connection, now: datetime) -> int:
    """Delete sessions past their expiry; return how many."""
    return conn.execute(sa.delete(SessionRow).where(SessionRow.expires_at <= now)).rowcount


# --- API tokens -------------------------------------------------------------------------------


def _token(row: Row[*tuple[Any, ...]]) -> ApiToken:
    return ApiToken(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        prefix=row.prefix,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


_TOKEN_COLUMNS = (
    ApiTokenRow.id,
    ApiTokenRow.user_id,
    ApiTokenRow.name,
    ApiTokenRow.prefix,
    ApiTokenRow.created_at,
    ApiTokenRow.last_used_at,
    ApiTokenRow.revoked_at,
)


def add_token(
    conn: Connection, *, user_id: int, name: str, token_hash: str, prefix: str, now: datetime
) -> int:
    """Store a token's digest; return its id."""
    result = conn.execute(
        sa.insert(ApiTokenRow)
        .values(user_id=user_id, name=name, token_hash=token_hash, prefix=prefix, created_at=now)
        .returning(ApiTokenRow.id)
    )
    return int(result.scalar_one())


def tokens(conn: Connection, user_id: int) -> list[ApiToken]:
    """Return a user's tokens, newest first (revoked ones too)."""
    rows = conn.execute(
        sa.select(*_TOKEN_COLUMNS).where(ApiTokenRow.user_id == user_id).order_by(ApiTokenRow.id.desc())
    )
    return [_token(r) for r in rows]


def token_owner(conn: Connection, token_hash: str) -> tuple[int, int, datetime | None] | None:
    """Return ``(token_id, user_id, last_used_at)`` of a live token of an active user."""
    row = conn.execute(
        sa.select(ApiTokenRow.id, ApiTokenRow.user_id, ApiTokenRow.last_used_at)
        .join(UserRow, UserRow.id == ApiTokenRow.user_id)
        .where(
            ApiTokenRow.token_hash == token_hash,
            ApiTokenRow.revoked_at.is_(None),
            UserRow.is_active.is_(True),
        )
    ).first()
    return (row.id, row.user_id, row.last_used_at) if row is not None else None


def stamp_token(conn: Connection, token_id: int, now: datetime) -> None:
    """Record that a token was just used."""
    conn.execute(sa.update(ApiTokenRow).where(ApiTokenRow.id == token_id).values(last_used_at=now))


def revoke_token(conn: Connection, token_id: int, user_id: int, now: datetime) -> bool:
    """Revoke one of ``user_id``'s tokens; False if that user has no such live token."""
    result = conn.execute(
        sa.update(ApiTokenRow)
        .where(ApiTokenRow.id == token_id, ApiTokenRow.user_id == user_id, ApiTokenRow.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount > 0


# --- audit ------------------------------------------------------------------------------------


def audit(
    conn: Connection,
    *,
    at: datetime,
    user_id: int | None,
    action: str,
    target_kind: str,
    target_id: str | None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Append one entry to the audit log."""
    conn.execute(
        sa.insert(AuditRow).values(
            at=at,
            user_id=user_id,
            action=action,
            target_kind=target_kind,
            target_id=target_id,
            details=dumps(dict(details or {})),
        )
    )


def audit_log(
    conn: Connection, *, target_kind: str | None, target_id: str | None, limit: int, before_id: int | None
) -> list[AuditEntry]:
    """Return audit entries, newest first."""
    query = sa.select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
    if target_kind is not None:
        query = query.where(AuditRow.target_kind == target_kind)
    if target_id is not None:
        query = query.where(AuditRow.target_id == target_id)
    if before_id is not None:
        query = query.where(AuditRow.id < before_id)
    return [
        AuditEntry(
            id=r.id,
            at=r.at,
            user_id=r.user_id,
            action=r.action,
            target_kind=r.target_kind,
            target_id=r.target_id,
            details=json.loads(r.details or "{}"),
        )
        for r in conn.execute(query)
    ]
