"""What the trend, theme and spike-story functions read: one mention reduced to plain fields.

These functions are pure (no I/O, no clock): the application reads stored mentions, turns each into a
:class:`TrendMention` and passes them in with an explicit ``now``. Keeping the input this small lets
tests build thousands of them by hand, and lets an API call the same functions later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

COMPLAINT = "complaint"


@dataclass(frozen=True, slots=True, kw_only=True)
class TrendMention:
    """One mention as trends see it: text, time, author and reach, sentiment, intents, topics."""

    id: int
    text: str
    published_at: datetime
    source: str = ""
    lang: str | None = None
    author: str = ""
    """A stable author key (``"source:external_id"``) or handle."""
    author_handle: str = ""
    reach: float = 0.0
    """Followers or karma (or an influence score): how far the mention can carry."""
    sentiment: str | None = None
    sentiment_score: float | None = None
    """p(positive) - p(negative) when the sentiment stage gave probabilities."""
    intents: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    echo_of: int | None = None
    """The canonical mention this one repeats (repost, copy); None for an original."""
    url: str | None = None

    @property
    def negativity(self) -> float:
        """How negative, in [0, 1]: from the score when known, else 1 for a negative label."""
        if self.sentiment_score is not None:
            return max(0.0, -self.sentiment_score) if self.sentiment == "negative" else 0.0
        return 1.0 if self.sentiment == "negative" else 0.0

    @property
    def is_negative(self) -> bool:
        """Labelled negative by the sentiment stage."""
        return self.sentiment == "negative"

    @property
    def is_complaint(self) -> bool:
        """Labelled a complaint by the intent stage."""
        return COMPLAINT in self.intents
