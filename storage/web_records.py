"""Read models of the web tables: users, tokens, audit entries, workflow, notes, inbox pages and facets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from storage.records import MentionFilter, StoredMention

Role = Literal["admin", "analyst", "viewer"]
ROLES: tuple[Role, ...] = ("admin", "analyst", "viewer")
Status = Literal["new", "in_progress", "handled", "ignored"]
STATUSES: tuple[Status, ...] = ("new", "in_progress", "handled", "ignored")
InboxSort = Literal["time", "influence", "negativity"]


@dataclass(frozen=True, slots=True, kw_only=True)
class User:
    """An account of the web API (never carries its password hash out of storage)."""

    id: int
    username: str
    display_name: str
    role: Role
    is_active: bool
    language: str
    created_at: datetime
    password_changed_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Session:
    """A live browser session."""

    id: int
    user: User
    csrf_token: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiToken:
    """A personal API token's metadata (the token itself is shown once and never stored)."""

    id: int
    user_id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    """Who changed what, when."""

    id: int
    at: datetime
    user_id: int | None
    action: str
    target_kind: str
    target_id: str | None
    details: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class NoteRevision:
    """A note's text before one edit."""

    body: str
    edited_at: datetime
    edited_by: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Note:
    """A note on a mention, with its edit history (oldest first)."""

    id: int
    mention_id: int
    author_id: int | None
    body: str
    created_at: datetime
    updated_at: datetime
    history: tuple[NoteRevision, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Workflow:
    """The inbox state of a mention (``new`` and empty when nobody touched it)."""

    mention_id: int
    status: Status = "new"
    assignee_id: int | None = None
    department: str | None = None
    routed_by: str | None = None
    updated_at: datetime | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkflowChange:
    """What to change on mentions; None leaves a field as it is, ``clear_*`` empties it."""

    status: Status | None = None
    assignee_id: int | None = None
    clear_assignee: bool = False
    department: str | None = None
    clear_department: bool = False
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    routed_by: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InboxFilter:
    """The inbox: every :class:`MentionFilter` criterion plus the workflow and analysis ones."""

    base: MentionFilter = field(default_factory=lambda: MentionFilter(limit=None))
    statuses: tuple[Status, ...] = ()
    assignee_id: int | None = None
    is_unassigned: bool = False
    departments: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    signals: tuple[str, ...] = ()
    influence_above: int | None = None
    """Authors with at least this many followers."""
    has_echoes: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InboxItem:
    """One inbox row: the mention and its workflow."""

    stored: StoredMention
    workflow: Workflow


@dataclass(frozen=True, slots=True, kw_only=True)
class InboxPage:
    """One page of the inbox and the cursor of the next (None at the end)."""

    items: tuple[InboxItem, ...]
    next_cursor: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SavedView:
    """A user's named inbox filter: ``query`` is the inbox's query string."""

    id: int
    user_id: int
    name: str
    query: str
    created_at: datetime
