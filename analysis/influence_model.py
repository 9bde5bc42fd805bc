"""The value objects of the influence score: its settings, one author's result, one mention's engagement.

Kept apart from :mod:`analysis.influence` (which re-exports them) so the scoring engine stays small;
the formula itself is documented there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from listener.core.model import Mention

EDGE_WEIGHTS: Mapping[str, float] = {"reply": 1.0, "quote": 1.5, "repost": 1.0, "mention": 0.5}
"""How strongly each kind of interaction points at the author addressed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class InfluenceSettings:
    """The documented knobs of the influence score."""

    half_life_days: float = 14.0
    """Age at which a mention's engagement, an edge, or an author's freshness counts half."""
    reach_weight: float = 0.25
    engagement_weight: float = 0.40
    network_weight: float = 0.35
    damping: float = 0.85
    """PageRank damping factor (the usual 0.85)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthorInfluence:
    """One author's influence score with every component that produced it."""

    key: str
    source: str
    handle: str
    score: float
    """0-100."""
    reach: float
    """Share of the source's authors with a smaller audience (0 when unknown)."""
    freshness: float
    engagement: float
    """Share of the source's authors whose mentions earned less."""
    network: float
    """Share of the source's authors with a lower PageRank."""
    audience: int | None
    """Raw followers (or karma) as the source reported them."""
    audience_kind: str | None
    """``"followers"``, ``"karma"`` or None when unknown."""
    engagement_raw: float
    """Decayed engagement points at ``now``."""
    pagerank: float
    mentions: int
    last_seen_at: datetime | None
    points: Mapping[str, float] = field(default_factory=dict)
    """How many of the 100 points each component contributed (sums to ``score``)."""

    def explain(self) -> str:
        """Return a one-line, human-readable breakdown of the score."""
        aud = f"{self.audience:,} {self.audience_kind}" if self.audience is not None else "audience unknown"
        return (
            f"{self.score:.1f} = reach {self.points['reach']:.1f} ({aud}, above {self.reach:.0%} of "
            f"{self.source} authors, freshness {self.freshness:.2f}) + engagement "
            f"{self.points['engagement']:.1f} ({self.engagement_raw:,.1f} pts, above "
            f"{self.engagement:.0%}) + network {self.points['network']:.1f} (above {self.network:.0%})"
        )


def mention_engagement(mention: Mention, echoes: int = 0) -> float:
    """Return the engagement points one mention earned for its own author (0 for a plain repost)."""
    if mention.reposted_id is not None:
        return 0.0
    m = mention.metrics
    shares = (m.reposts or 0) + (m.quotes or 0)
    shares = max(shares, echoes)
    return float((m.likes or 0) + 2 * shares + 2 * (m.replies or 0) + max(m.score or 0, 0))
