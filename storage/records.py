"""Read models and small value objects the storage layer hands out: frozen dataclasses, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from listener.core.model import Alert, Author, Mention


@dataclass(frozen=True, slots=True, kw_only=True)
class UpsertResult:
    """What one :meth:`Repository.upsert_batch` did.

    ``inserted`` new mentions; ``updated`` already stored ones whose content or counts changed;
    ``unchanged`` already stored and identical (nothing written); ``skipped`` tombstoned (deleted
    mentions, forgotten authors) or repeated inside the batch.
    """

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredMention:
    """A stored mention with its row id, analysis results and matched topics.

    ``mention`` is the contract object (its ``id`` and ``topics`` are filled in), so analysis stages
    can take ``[s.mention for s in stored]`` directly.
    """

    id: int
    mention: Mention
    author_id: int
    first_seen_at: datetime
    updated_at: datetime
    detected_lang: str | None = None
    sentiment: str | None = None
    sentiment_score: float | None = None
    intents: tuple[str, ...] = ()
    echo_of_id: int | None = None
    echo_count: int = 0
    topics: tuple[str, ...] = ()

    @property
    def lang(self) -> str | None:
        """Return the detected language, else the one the source declared."""
        return self.detected_lang or self.mention.lang


@dataclass(frozen=True, slots=True, kw_only=True)
class MentionFilter:
    """What :meth:`Repository.search_mentions` and :meth:`Repository.count_mentions` select.

    Every given criterion must hold (AND); inside a tuple any value may match (OR). ``text`` is a
    full-text query, accent- and case-insensitive: words (all required), ``"a phrase"``, ``prefix*``.
    """

    text: str | None = None
    topics: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    """Matches the detected language, or the declared one when none was detected."""
    sentiments: tuple[str, ...] = ()
    intents: tuple[str, ...] = ()
    since: datetime | None = None
    """Published at or after."""
    until: datetime | None = None
    """Published strictly before."""
    author_id: int | None = None
    query_id: str | None = None
    include_echoes: bool = True
    """False keeps only canonical mentions (drops reposts and copies grouped under another)."""
    min_id: int | None = None
    """Only rows with ``id > min_id`` (incremental readers)."""
    order: Literal["newest", "oldest", "id"] = "newest"
    limit: int | None = 100
    offset: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class TopicMatch:
    """A mention matched a topic's query on these terms."""

    mention_id: int
    topic_id: str
    terms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredAuthor:
    """An author with its row id and what we observed about it."""

    id: int
    author: Author
    first_seen_at: datetime
    last_seen_at: datetime
    mention_count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceHealth:
    """How one (source, query) job has been doing."""

    source: str
    query_id: str
    last_run_at: datetime | None
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str | None
    consecutive_failures: int
    items_fetched_total: int
    last_items: int
    next_run_not_before: datetime | None
    duration_ms: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredAlert:
    """An alert as recorded, with its row id."""

    id: int
    alert: Alert
    created_at: datetime


DeliveryOutcome = Literal["sent", "failed"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryRecord:
    """One attempt to deliver an alert on a channel."""

    id: int
    alert_id: int
    channel: str
    attempt: int
    outcome: str
    error: str | None
    sent_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingDelivery:
    """An alert whose last attempt on ``channel`` failed and that may be retried."""

    alert: StoredAlert
    channel: str
    attempts: int
    last_error: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class LabelRecord:
    """A community manager's correction."""

    id: int
    mention_id: int
    stage: str
    label: str
    created_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class JobRun:
    """One recorded run of a scheduled job."""

    id: int
    job_id: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str | None
    error: str | None
    items: int | None
