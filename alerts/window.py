"""What alert rules read: the mentions of one time window plus each topic's recent history of counts.

The rules are pure functions over this value, so they can be called in tests with a hand-built window
and an explicit ``now``. Storage (or an adapter in ``listener/``) builds it from the database; nothing
here touches I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType

from listener.core.model import Sentiment


@dataclass(frozen=True, slots=True, kw_only=True)
class WindowMention:
    """One stored mention as the rules see it: text, link, author reach, sentiment and intents."""

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


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryBucket:
    """Counts of one topic's mentions in one past interval (usually as long as the rule's window)."""

    start: datetime
    negative: int
    total: int | None = None
    """All mentions of the bucket, when the reader counted them (spike rules use ``negative`` only)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Window:
    """The input of every rule: the mentions of ``[start, end)`` and per-topic history of counts.

    ``history`` maps a topic id to its past buckets, oldest first, each ``bucket`` long (each rule
    uses only the buckets that end before its own window starts, so one read serves rules with
    different window lengths); a topic
    absent from it simply has no history yet (a fresh install), and spike rules then stay silent
    rather than guess a baseline.
    """

    start: datetime
    end: datetime
    mentions: tuple[WindowMention, ...] = ()
    history: Mapping[str, tuple[HistoryBucket, ...]] = field(default_factory=lambda: MappingProxyType({}))
    bucket: timedelta = timedelta(hours=1)

    def topics(self) -> tuple[str, ...]:
        """Return every topic id present in the mentions or the history, sorted."""
        seen = {t for m in self.mentions for t in m.topics} | set(self.history)
        return tuple(sorted(seen))

    def for_topic(self, topic: str) -> tuple[WindowMention, ...]:
        """Return the mentions of this window that matched ``topic``."""
        return tuple(m for m in self.mentions if topic in m.topics)

    def since(self, start: datetime) -> Window:
        """Return the same window narrowed to mentions published at or after ``start``."""
        kept = tuple(m for m in self.mentions if m.published_at >= start)
        return Window(start=max(start, self.start), end=self.end, mentions=kept, history=self.history,
                      bucket=self.bucket)
