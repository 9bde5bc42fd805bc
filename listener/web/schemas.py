"""Pydantic schemas at the edge of the API: what requests may carry and what responses promise.

Built from the storage read models with ``from_*`` helpers, so no ORM object and no password hash or
token digest can reach a response by accident. Text fields are returned exactly as stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from storage.records import StoredAuthor, StoredMention
from storage.web_records import Note, Workflow

Status = Literal["new", "in_progress", "handled", "ignored"]
RoleName = Literal["admin", "analyst", "viewer"]
RowId = Annotated[int, Path(ge=1, le=2**62)]
"""A row id in a path: bounded so a huge number is a 422, never a database overflow."""


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AuthorOut(_Out):
    """The author of a mention."""

    id: int
    source: str
    external_id: str
    handle: str
    display_name: str | None
    url: str | None
    followers: int | None


class MetricsOut(_Out):
    """Engagement counts as the source reported them."""

    likes: int | None
    reposts: int | None
    replies: int | None
    quotes: int | None
    score: int | None
    views: int | None


class WorkflowOut(_Out):
    """The inbox state of a mention."""

    status: Status
    assignee_id: int | None
    department: str | None
    routed_by: str | None
    updated_at: datetime | None
    tags: list[str]

    @classmethod
    def of(cls, workflow: Workflow) -> WorkflowOut:
        """Build from the read model."""
        return cls(
            status=workflow.status,
            assignee_id=workflow.assignee_id,
            department=workflow.department,
            routed_by=workflow.routed_by,
            updated_at=workflow.updated_at,
            tags=list(workflow.tags),
        )


class MentionOut(_Out):
    """A stored mention, its analysis and its workflow."""

    id: int
    source: str
    external_id: str
    url: str | None
    title: str | None
    text: str
    lang: str | None
    published_at: datetime
    first_seen_at: datetime
    author: AuthorOut
    metrics: MetricsOut
    topics: list[str]
    sentiment: str | None
    sentiment_score: float | None
    intents: list[str]
    echo_of_id: int | None
    echo_count: int
    in_reply_to: str | None
    conversation_id: str | None
    workflow: WorkflowOut

    @classmethod
    def of(cls, stored: StoredMention, workflow: Workflow) -> MentionOut:
        """Build from the storage read models."""
        m = stored.mention
        a = m.author
        metrics = m.metrics
        return cls(
            id=stored.id,
            source=m.source,
            external_id=m.external_id,
            url=m.url,
            title=m.title,
            text=m.text,
            lang=stored.lang,
            published_at=m.published_at,
            first_seen_at=stored.first_seen_at,
            author=AuthorOut(
                id=stored.author_id,
                source=a.source,
                external_id=a.external_id,
                handle=a.handle,
                display_name=a.display_name,
                url=a.url,
                followers=a.followers,
            ),
            metrics=MetricsOut(
                likes=metrics.likes,
                reposts=metrics.reposts,
                replies=metrics.replies,
                quotes=metrics.quotes,
                score=metrics.score,
                views=metrics.views,
            ),
            topics=list(stored.topics),
            sentiment=stored.sentiment,
            sentiment_score=stored.sentiment_score,
            intents=list(stored.intents),
            echo_of_id=stored.echo_of_id,
            echo_count=stored.echo_count,
            in_reply_to=m.in_reply_to,
            conversation_id=m.conversation_id,
            workflow=WorkflowOut.of(workflow),
        )


class InboxPageOut(_Out):
    """One page of the inbox; pass ``next_cursor`` as ``cursor`` for the next one (null at the end)."""

    items: list[MentionOut]
    next_cursor: str | None


class FacetsOut(_Out):
    """Counts per value of each facet for the current filter (``total`` under the empty key)."""

    facets: dict[str, dict[str, int]]


class ExplanationOut(_Out):
    """One analysis stage's verdict on a mention and why."""

    stage: str
    version: str
    label: str | None
    scores: dict[str, float]
    explanation: str | None


class NoteRevisionOut(_Out):
    """A note's text before one edit."""

    body: str
    edited_at: datetime
    edited_by: int | None


class NoteOut(_Out):
    """A note on a mention with its edit history."""

    id: int
    author_id: int | None
    body: str
    created_at: datetime
    updated_at: datetime
    history: list[NoteRevisionOut]

    @classmethod
    def of(cls, note: Note) -> NoteOut:
        """Build from the read model."""
        return cls(
            id=note.id,
            author_id=note.author_id,
            body=note.body,
            created_at=note.created_at,
            updated_at=note.updated_at,
            history=[
                NoteRevisionOut(body=r.body, edited_at=r.edited_at, edited_by=r.edited_by)
                for r in note.history
            ],
        )


class AuthorCardOut(_Out):
    """What we know about an author."""

    id: int
    source: str
    external_id: str
    handle: str
    display_name: str | None
    url: str | None
    followers: int | None
    following: int | None
    verified: bool | None
    mention_count: int
    first_seen_at: datetime
    last_seen_at: datetime

    @classmethod
    def of(cls, stored: StoredAuthor) -> AuthorCardOut:
        """Build from the read model."""
        a = stored.author
        return cls(
            id=stored.id,
            source=a.source,
            external_id=a.external_id,
            handle=a.handle,
            display_name=a.display_name,
            url=a.url,
            followers=a.followers,
            following=a.following,
            verified=a.verified,
            mention_count=stored.mention_count,
            first_seen_at=stored.first_seen_at,
            last_seen_at=stored.last_seen_at,
        )


class MentionDetailOut(_Out):
    """A mention with its explanations, matched query terms, echoes, thread, author card and notes."""

    mention: MentionOut
    explanations: list[ExplanationOut]
    matched_terms: dict[str, list[str]]
    echoes: list[MentionOut]
    thread: list[MentionOut]
    author: AuthorCardOut | None
    notes: list[NoteOut]


class WorkflowIn(_In):
    """A change of workflow; omitted fields stay as they are, ``null`` assignee/department clears them."""

    status: Status | None = None
    assignee_id: int | None = Field(default=None, ge=1, le=2**62)
    department: str | None = Field(default=None, max_length=255)
    add_tags: list[str] = Field(default_factory=list, max_length=50)
    remove_tags: list[str] = Field(default_factory=list, max_length=50)


class BulkIn(_In):
    """A workflow change applied to explicit ids, or to every mention matching the query filters."""

    ids: list[Annotated[int, Field(ge=1, le=2**62)]] | None = Field(default=None, max_length=10_000)
    change: WorkflowIn


class ChangedOut(_Out):
    """Which mentions a change touched (echoes of canonical mentions included)."""

    changed: list[int]


class NoteIn(_In):
    """The text of a note."""

    body: str = Field(min_length=1, max_length=20_000)


class LabelIn(_In):
    """A correction of the analysis (sentiment or intent label); it feeds ``listener train``."""

    label: str = Field(min_length=1, max_length=32)


class LabelOut(_Out):
    """A recorded correction."""

    id: int
    mention_id: int
    stage: str
    label: str
