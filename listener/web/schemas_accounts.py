"""Schemas of accounts at the edge of the API: users, sign-in, tokens and the audit log.

No schema here has a field for a password hash or a token digest; a new token's value appears once,
in :class:`NewTokenOut`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from listener.web.schemas import RoleName, _In, _Out
from storage.web_records import ApiToken, AuditEntry, User


class UserOut(_Out):
    """A user (never with a password or its hash)."""

    id: int
    username: str
    display_name: str
    role: RoleName
    is_active: bool
    language: str
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserOut:
        """Build from the read model."""
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            is_active=user.is_active,
            language=user.language,
            created_at=user.created_at,
        )


class UserIn(_In):
    """A new user."""

    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
    display_name: str = Field(default="", max_length=255)
    password: str = Field(min_length=12, max_length=1024)
    role: RoleName = "viewer"
    language: Literal["fr", "en"] = "en"


class UserChangeIn(_In):
    """A change to a user by an admin."""

    role: RoleName | None = None
    is_active: bool | None = None
    password: str | None = Field(default=None, min_length=12, max_length=1024)


class LoginIn(_In):
    """Credentials for a browser session."""

    username: str = Field(min_length=1, max_length=255)
    password: str = Field(min_length=1, max_length=1024)


class SessionOut(_Out):
    """The signed-in user and the CSRF token to echo in ``X-CSRF-Token`` on every change."""

    user: UserOut
    csrf_token: str | None


class TokenIn(_In):
    """A name for a new API token."""

    name: str = Field(min_length=1, max_length=100)


class TokenOut(_Out):
    """A token's metadata."""

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, token: ApiToken) -> TokenOut:
        """Build from the read model."""
        return cls(
            id=token.id,
            name=token.name,
            prefix=token.prefix,
            created_at=token.created_at,
            last_used_at=token.last_used_at,
            revoked_at=token.revoked_at,
        )


class NewTokenOut(TokenOut):
    """A new token: ``token`` is shown this once and never again."""

    token: str


class AuditOut(_Out):
    """One audit entry."""

    id: int
    at: datetime
    user_id: int | None
    action: str
    target_kind: str
    target_id: str | None
    details: dict[str, Any]

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditOut:
        """Build from the read model."""
        return cls(
            id=entry.id,
            at=entry.at,
            user_id=entry.user_id,
            action=entry.action,
            target_kind=entry.target_kind,
            target_id=entry.target_id,
            details=entry.details,
        )
