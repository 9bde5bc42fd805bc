"""Support and ranking of ideas: the crowd's validation, which one loud account or a bot farm cannot buy.

An idea's support is made of *people*: the distinct authors who suggested it and those who voted for it
with an agreeing reply, each counted once however often they posted. Engagement (likes, reposts,
echoes) and the supporters' influence add to it, but each is capped by the number of people, so a
viral post by one account is worth at most 2 people, never 50. Authors already marked as bots are left
out entirely. Recency weighs the rest: an idea nobody has backed for weeks drifts down.

    score = (people + min(0.25 x log2(1 + engagement), 0.5 x people)
                    + 0.5 x sum(influence / 100 over people))
            x (0.5 + 0.5 x 2 ** (-days since the newest support / half_life))

where each author's engagement is their best post's, at most ``engagement_cap``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

ContributionKind = Literal["suggestion", "vote"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RankSettings:
    """Weights of the ranking (see the module docstring)."""

    half_life_days: float = 14.0
    engagement_cap: int = 500
    engagement_weight: float = 0.25
    influence_weight: float = 0.5


@dataclass(frozen=True, slots=True, kw_only=True)
class Contribution:
    """One act of support: a suggestion that joined the idea, or an agreeing reply to one of them."""

    author_key: str
    kind: ContributionKind
    at: datetime
    engagement: int = 0
    """Likes + reposts (+ score) the post earned, and its echoes (reposts, copies)."""
    lang: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Support:
    """An idea's support, broken down so a community manager can see why it ranks where it does."""

    idea_id: int
    people: int
    suggesters: int
    voters: int
    engagement: int
    influence: float
    """Sum of the supporters' influence scores divided by 100 (0 to ``people``)."""
    newest_at: datetime | None
    score: float
    bots_left_out: int = 0
    new_people: int = 0
    """People whose first support came at or after ``since`` (the digest's "rising")."""
    langs: Mapping[str, int] = field(default_factory=dict)


def support(
    idea_id: int,
    contributions: Iterable[Contribution],
    *,
    now: datetime,
    bots: frozenset[str] = frozenset(),
    influence: Mapping[str, float] | None = None,
    since: datetime | None = None,
    settings: RankSettings | None = None,
) -> Support:
    """Fold an idea's contributions into its support and score, bots left out, each person once."""
    s = settings or RankSettings()
    scores = influence or {}
    best: dict[str, int] = {}
    first: dict[str, datetime] = {}
    kinds: dict[str, set[str]] = {}
    author_lang: dict[str, str] = {}
    bots_seen: set[str] = set()
    newest: datetime | None = None
    for item in contributions:
        if item.author_key in bots:
            bots_seen.add(item.author_key)
            continue
        best[item.author_key] = max(best.get(item.author_key, 0), min(item.engagement, s.engagement_cap))
        first[item.author_key] = min(first.get(item.author_key, item.at), item.at)
        kinds.setdefault(item.author_key, set()).add(item.kind)
        if item.lang:
            author_lang.setdefault(item.author_key, item.lang)
        newest = item.at if newest is None else max(newest, item.at)
    people = len(best)
    suggesters = sum(1 for k in kinds.values() if "suggestion" in k)
    engagement = sum(best.values())
    influence_sum = sum(min(max(scores.get(key, 0.0), 0.0), 100.0) / 100.0 for key in best)
    base = (
        people
        + min(s.engagement_weight * math.log2(1 + engagement), 0.5 * people)
        + s.influence_weight * influence_sum
    )
    age_days = max((now - newest).total_seconds() / 86_400.0, 0.0) if newest else 0.0
    recency = 0.5 + 0.5 * 2.0 ** (-age_days / s.half_life_days)
    return Support(
        idea_id=idea_id,
        people=people,
        suggesters=suggesters,
        voters=people - suggesters,
        engagement=engagement,
        influence=round(influence_sum, 3),
        newest_at=newest,
        score=round(base * recency, 4),
        bots_left_out=len(bots_seen),
        new_people=sum(1 for at in first.values() if since is not None and at >= since),
        langs=dict(Counter(author_lang.values())),
    )


def rank(supports: Sequence[Support]) -> list[Support]:
    """Return ideas best first: score, then people, then the newest support, then id (stable)."""
    return sorted(
        supports,
        key=lambda x: (-x.score, -x.people, -(x.newest_at.timestamp() if x.newest_at else 0.0), x.idea_id),
    )


def rising(supports: Sequence[Support], *, min_new_people: int = 2) -> list[Support]:
    """Return the ideas that gained at least ``min_new_people`` supporters since the digest's start."""
    return [x for x in rank(supports) if x.new_people >= min_new_people]
