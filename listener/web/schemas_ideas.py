"""Pydantic schemas of the idea box endpoints: the ranked board, one idea, its workflow and replies.

Built from ``storage.idea_records`` and ``analysis.ideas.ranking`` with ``from_attributes``. A
supporter is shown by public handle only (what the board and the drafted replies need).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

IdeaStatus = Literal["new", "under_review", "planned", "shipped", "declined"]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IdeaOut(_Out):
    """An idea as stored."""

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


class SupportOut(_Out):
    """Why an idea ranks where it does: people, votes, engagement, influence, recency; bots left out."""

    people: int
    suggesters: int
    voters: int
    engagement: int
    influence: float
    newest_at: datetime | None
    score: float
    bots_left_out: int
    new_people: int
    langs: dict[str, int]


class BoardItemOut(_Out):
    """One idea on the ranked board."""

    rank: int
    idea: IdeaOut
    support: SupportOut


class BoardPageOut(_Out):
    """One page of the ranked board; pass ``next_offset`` as ``offset`` for the next (null at the end)."""

    items: list[BoardItemOut]
    total: int
    next_offset: int | None


class PostOut(_Out):
    """A suggestion or a vote of an idea, by a supporter."""

    kind: Literal["suggestion", "vote"]
    mention_id: int
    author_id: int
    handle: str
    lang: str | None
    published_at: datetime
    engagement: int
    text: str
    similarity: float


class EventOut(_Out):
    """One step of an idea's history."""

    id: int
    at: datetime
    kind: str
    actor: str | None
    from_status: str | None
    to_status: str | None
    note: str | None


class ReplyOut(_Out):
    """A reply to a supporter, drafted on a status change (``sent`` once posted: a loop closed)."""

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


class IdeaDetailOut(_Out):
    """One idea: support, suggestions and votes, history and replies."""

    idea: IdeaOut
    support: SupportOut | None
    posts: list[PostOut]
    history: list[EventOut]
    replies: list[ReplyOut]


class StatusIn(_In):
    """Move an idea; declining needs a reason."""

    status: IdeaStatus
    reason: Annotated[str | None, Field(max_length=2000)] = None
    owner: Annotated[str | None, Field(max_length=255)] = None


class DraftOut(_Out):
    """A reply drafted by a status change, in the supporter's language."""

    author_id: int
    mention_id: int
    lang: str
    text: str


class StatusOut(_Out):
    """What a status change did."""

    idea: IdeaOut
    event_id: int
    replies: list[DraftOut]


class RenameIn(_In):
    """A community manager's title (automatic titles no longer replace it)."""

    title: Annotated[str, Field(min_length=1, max_length=300)]


class OwnerIn(_In):
    """Who carries the idea inside the company (a name or a team); null or empty: nobody."""

    owner: Annotated[str | None, Field(max_length=255)] = None


class MergeIn(_In):
    """Ideas whose suggestions, votes and replies move into this one."""

    sources: Annotated[list[Annotated[int, Field(ge=1, le=2**62)]], Field(min_length=1, max_length=50)]


class SplitIn(_In):
    """Suggestions (mention ids) that leave for a new idea; some, not all, of the idea's suggestions."""

    mention_ids: Annotated[list[Annotated[int, Field(ge=1, le=2**62)]], Field(min_length=1, max_length=500)]
    title: Annotated[str | None, Field(max_length=300)] = None


class RepliesSentIn(_In):
    """Drafted replies the community manager posted."""

    ids: Annotated[list[Annotated[int, Field(ge=1, le=2**62)]], Field(min_length=1, max_length=1000)]


class RepliesSentOut(_Out):
    """How many replies changed to sent, and the loops closed so far."""

    changed: int
    loops_closed: int
