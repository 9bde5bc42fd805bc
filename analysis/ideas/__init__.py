"""The idea box's pure logic: group suggestions into ideas, tell votes and refusals apart, rank support.

No storage, no clock, no model: vectors come from an injected ``embed`` callable and time from ``now``.
"""

from __future__ import annotations

from analysis.ideas.candidates import is_agreement, is_demand, refusal
from analysis.ideas.grouping import DEFAULT_THRESHOLD, IdeaIndex, central, group, idea_text, short_title
from analysis.ideas.ranking import Contribution, RankSettings, Support, rank, rising, support

__all__ = [
    "DEFAULT_THRESHOLD",
    "Contribution",
    "IdeaIndex",
    "RankSettings",
    "Support",
    "central",
    "group",
    "idea_text",
    "is_agreement",
    "is_demand",
    "rank",
    "refusal",
    "rising",
    "short_title",
    "support",
]
