"""What alert rules read: the mentions of one time window plus each topic's recent history of counts.

The rules are pure functions over this value, so they can be called in tests with a hand-built window
and an explicit ``now``. Its mentions are the contract's read model :class:`WindowMention` (defined in
``listener/core/model.py``, re-exported here), which storage builds straight from its rows
(``Repository.window_mentions``); nothing here touches I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType

from listener.core.model import WindowMention

__all__ = ["HistoryBucket", "Window", "WindowMention"]


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
