"""Read models of the idea box, as storage hands them out (no SQLAlchemy row leaves the package)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

IDEA_STATUSES = ("new", "under_review", "planned", "shipped", "declined", "merged")
"""Every status an idea can hold; ``merged`` ideas live on only as a pointer to their target."""


@dataclass(frozen=True, slots=True, kw_only=True)
class IdeaRecord:
    """One idea as stored."""

    id: int
    scope: str
    title: str
    lang: str | None
    is_title_locked: bool
    status: str
    owner: str | None
    decline_reason: str | None
    merged_into_id: int | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class IdeaPost:
    """A suggestion or a vote of an idea, with what ranking and replies need to know of it."""

    kind: Literal["suggestion", "vote"]
    mention_id: int
    author_id: int
    author_key: str
    handle: str
    lang: str | None
    published_at: datetime
    engagement: int
    """Likes + reposts + score + echoes."""
    text: str
    similarity: float = 1.0
    vector: bytes = b""


@dataclass(frozen=True, slots=True, kw_only=True)
class NewIdea:
    """An idea the grouping opened in this run; ``key`` is a temporary negative id members point at."""

    key: int
    scope: str
    title: str
    lang: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class NewMember:
    """A suggestion placed in an idea (an existing id, or a :class:`NewIdea` key)."""

    idea_id: int
    mention_id: int
    similarity: float
    vector: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class IdeaEvent:
    """One step of an idea's history."""

    id: int
    idea_id: int
    at: datetime
    kind: str
    actor: str | None
    from_status: str | None
    to_status: str | None
    note: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftReply:
    """A reply to one supporter, drafted on a status change."""

    idea_id: int
    event_id: int
    author_id: int
    mention_id: int
    lang: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class IdeaReply:
    """A stored reply (drafted, or sent: a loop closed)."""

    id: int
    idea_id: int
    event_id: int
    author_id: int
    handle: str
    mention_id: int
    lang: str
    text: str
    state: str
    created_at: datetime
    sent_at: datetime | None
