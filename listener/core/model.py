"""The data contract every layer speaks: mentions, authors, queries, cursors, batches, annotations, alerts.

This module is a leaf: it imports only the standard library, so any layer may import it without
pulling in SQLAlchemy, httpx or transformers. Pydantic is kept to the edges (config, API); here we use
frozen, slotted, keyword-only dataclasses, because constructing a mention must do no I/O and cannot fail
on validation: connectors normalise the data *before* they build one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, ClassVar, Literal, Protocol

JSON = Any
"""A JSON-compatible value (dict, list, str, int, float, bool or None)."""

ReferenceKind = Literal["reply", "quote", "repost"]
Sentiment = Literal["negative", "neutral", "positive"]
Severity = Literal["info", "warning", "critical"]


def utc(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime; naive values are taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class Author:
    """Who wrote a mention, as the source describes them; identity is ``(source, external_id)``.

    ``external_id`` is the platform's stable account id where it has one (a Twitter user id, a
    Bluesky DID), else the handle. Counts are ``None`` when the source does not say, which is not
    the same as zero.
    """

    source: str
    external_id: str
    handle: str
    display_name: str | None = None
    url: str | None = None
    followers: int | None = None
    following: int | None = None
    posts_count: int | None = None
    karma: int | None = None
    """Reddit link + comment karma; HN karma. Kept apart from followers: the scales differ."""
    verified: bool | None = None
    created_at: datetime | None = None
    """When the account was created (used for bot and influence scoring)."""

    @property
    def key(self) -> str:
        """Return the namespaced author id, ``"source:external_id"``."""
        return f"{self.source}:{self.external_id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Metrics:
    """Engagement counts at fetch time; ``None`` means the source does not report that count."""

    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    quotes: int | None = None
    score: int | None = None
    """Reddit score, HN points."""
    views: int | None = None

    def total(self) -> int:
        """Return the sum of the counts the source reports (a crude engagement figure)."""
        parts = (self.likes, self.reposts, self.replies, self.quotes, self.score)
        return sum(p for p in parts if p)


@dataclass(frozen=True, slots=True, kw_only=True)
class Reference:
    """A link from a mention to another post on the same source: what it replies to, quotes or reposts."""

    kind: ReferenceKind
    external_id: str
    author_external_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Mention:
    """One public post, comment, article or feed item that may talk about a watched topic.

    Identity is ``(source, external_id)``: storing the same mention twice updates it in place.
    ``id`` is the storage row id, set only on mentions read back from the database.
    """

    source: str
    external_id: str
    text: str
    author: Author
    published_at: datetime
    fetched_at: datetime
    url: str | None = None
    title: str | None = None
    lang: str | None = None
    """The language the source declares (BCP-47 code); analysis detects its own."""
    metrics: Metrics = field(default_factory=Metrics)
    in_reply_to: str | None = None
    """External id of the parent post (a reply, a Reddit comment's parent)."""
    conversation_id: str | None = None
    """Thread root: a tweet's conversation id, a Reddit submission, an HN story."""
    references: tuple[Reference, ...] = ()
    hashtags: tuple[str, ...] = ()
    mentioned_handles: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    query_id: str | None = None
    """The topic query that fetched this mention (a mention may later match other topics too)."""
    topics: tuple[str, ...] = ()
    """Ids of the topics whose queries this mention matched locally."""
    matched_terms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Topic id -> the query terms that matched, kept to explain later why a mention was flagged."""
    raw: Mapping[str, JSON] = field(default_factory=dict)
    """The original payload as the source returned it, kept for re-analysis."""
    id: int | None = None

    @property
    def key(self) -> tuple[str, str]:
        """Return the identity of this mention, ``(source, external_id)``."""
        return (self.source, self.external_id)

    @property
    def reposted_id(self) -> str | None:
        """Return the external id this mention reposts (a retweet, a boost), if it is an echo."""
        for ref in self.references:
            if ref.kind == "repost":
                return ref.external_id
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Query:
    """What to watch: one topic's boolean query, handed to every connector for every fetch.

    ``expression`` uses the listener query language (``listener.core.query``); each connector translates
    it to its provider's search syntax and the local matcher filters what comes back.
    """

    id: str
    name: str
    expression: str
    role: Literal["brand", "competitor", "campaign", "other"] = "brand"
    languages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a connector stopped last time for one query: an opaque JSON mapping only it interprets.

    Examples: ``{"since_id": "123"}``, ``{"etag": "...", "last_modified": "...", "newest_at": 1700000000}``.
    """

    data: Mapping[str, JSON]

    def to_json(self) -> str:
        """Serialise for storage; keys are sorted so equal cursors have equal text."""
        return json.dumps(dict(self.data), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Cursor:
        """Parse a cursor stored by :meth:`to_json`."""
        value = json.loads(text)
        if not isinstance(value, dict):
            raise ValueError("a cursor must be a JSON object")
        return cls(MappingProxyType(value))

    def get(self, key: str, default: JSON = None) -> JSON:
        """Return one field of the cursor."""
        return self.data.get(key, default)


@dataclass(frozen=True, slots=True, kw_only=True)
class Batch:
    """What one connector run returns: new mentions and the cursor to store with them, atomically."""

    mentions: tuple[Mention, ...]
    next_cursor: Cursor | None
    is_not_modified: bool = False
    skipped: int = 0
    """Items the connector could not map (each was logged at WARNING)."""
    requests: int = 0
    """HTTP requests made, for quota accounting."""


class Connector(Protocol):
    """A source of mentions. Stateless between calls: the caller loads and saves the cursor."""

    name: ClassVar[str]

    def fetch(self, query: Query, cursor: Cursor | None) -> Batch:
        """Return what is new for ``query`` since ``cursor`` (everything recent when it is None)."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Annotation:
    """One analysis stage's verdict on one mention, versioned so a new model triggers re-analysis.

    ``stage`` is e.g. ``"language"``, ``"sentiment"``, ``"intent"``, ``"signals"``; ``label`` the
    winning class (or None), ``scores`` the per-class probabilities, ``explanation`` the cue words
    or nearest examples a community manager reads to see why.
    """

    source: str
    external_id: str
    stage: str
    version: str
    label: str | None
    scores: Mapping[str, float] = field(default_factory=dict)
    explanation: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        """Return the identity of the annotated mention."""
        return (self.source, self.external_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class Alert:
    """A warning for a community manager; ``dedupe_key`` is stored before sending so none goes twice."""

    rule_id: str
    kind: str
    subject: str
    """What the alert is about: usually a topic id, or an author key."""
    severity: Severity
    window_start: datetime
    window_end: datetime
    title: str
    summary: str
    details: Mapping[str, JSON] = field(default_factory=dict)
    mention_ids: tuple[int, ...] = ()
    is_resolution: bool = False
    """True for the "it has calmed down" notice that closes an alert thread."""

    @property
    def dedupe_key(self) -> str:
        """Return ``rule_id|subject|window_start`` (plus ``|resolved`` for the closing notice)."""
        base = f"{self.rule_id}|{self.subject}|{self.window_start.isoformat()}"
        return base + "|resolved" if self.is_resolution else base


@dataclass(frozen=True, slots=True, kw_only=True)
class WindowMention:
    """One stored mention as alerts and the digest read it: text, link, author reach, sentiment, intents.

    The one read model of that side: storage builds it from its rows (``Repository.window_mentions``),
    the rules and the digest read it; nothing copies it field by field from another shape.
    """

    id: int
    source: str
    text: str
    published_at: datetime
    author_key: str
    """``"source:external_id"`` of the author."""
    author_handle: str
    url: str | None = None
    title: str | None = None
    topics: tuple[str, ...] = ()
    followers: int | None = None
    karma: int | None = None
    influence: float | None = None
    """An influence score from analysis when it exists; reach falls back to followers/karma."""
    sentiment: Sentiment | None = None
    """``None`` until the sentiment stage has run on this mention."""
    sentiment_score: float | None = None
    """p(positive) - p(negative) from the sentiment stage, when it gave probabilities."""
    negative_margin: float = 0.0
    """How clearly negative a mention must be to count in alerts: p(negative) - p(positive) >= this."""
    intents: tuple[str, ...] = ()
    """Intent labels from analysis, e.g. ``("complaint",)``, ``("question",)``."""
    engagement: int = 0
    is_answered: bool = False
    """True when the brand (or anyone) already replied; the digest lists open questions only."""
    echo_of: int | None = None
    """The id of the original this mention echoes (a repost or copy grouped under it), else None.

    Every figure a user sees counts distinct posts: an echo is counted once, under its original,
    and shown as "+N echoes" there (``echoes``), never as another post or another voice.
    """
    echoes: int = 0
    """How many stored mentions echo this one (0 for an echo itself)."""

    @property
    def reach(self) -> float:
        """Return the author's reach: the influence score if known, else the larger of followers and karma."""
        if self.influence is not None:
            return self.influence
        return float(max(self.followers or 0, self.karma or 0))

    @property
    def is_negative(self) -> bool:
        """Return True when the sentiment stage labelled this mention negative, clearly enough.

        The top label alone is right about 3 times in 4 on tweets; requiring a margin between
        p(negative) and p(positive) trades some recall for alerts that can be trusted.
        """
        if self.sentiment != "negative":
            return False
        return self.sentiment_score is None or -self.sentiment_score >= self.negative_margin
