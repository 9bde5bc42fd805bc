"""Themes of discontent and competitive openings, from themes already found (``analysis.themes``).

Why a separate step: finding themes is about what people talk about; ranking them is about what
hurts. A theme of discontent is a theme of negative or complaint mentions, ranked by
``volume × negativity × reach`` (reach as ``log10(2 + summed reach)``, so one celebrity does not
outweigh a hundred customers), with its trend (second half of the period against the first), its
flag-bearers (the far-reaching authors who carry it) and its churn-risk share (mentions with a churn
cue: "je résilie", "switching to").

Openings: when brand and competitor mentions are clustered together, a theme where a competitor's
customers complain and the brand's do not is an opening; the reverse is a weak spot.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from analysis import lexicon
from analysis.themes import Theme
from analysis.trend_input import TrendMention


@dataclass(frozen=True, slots=True, kw_only=True)
class FlagBearer:
    """An author carrying a theme: how many of its mentions, and how far they reach."""

    author: str
    handle: str
    mentions: int
    reach: float


@dataclass(frozen=True, slots=True, kw_only=True)
class DiscontentTheme:
    """A theme of negative and complaint mentions, with why it ranks where it does."""

    theme: Theme
    score: float
    volume: int
    negativity: float
    """Mean negativity in [0, 1] of its mentions."""
    reach: float
    trend: float
    """Mentions in the second half of the period divided by the first half (inf: new)."""
    churn_share: float
    flag_bearers: tuple[FlagBearer, ...]


def is_discontent(m: TrendMention) -> bool:
    """Negative or a complaint: what themes of discontent are made of."""
    return m.is_negative or m.is_complaint


def churn_risk(text: str) -> bool:
    """True when the text carries a churn cue (cancel, switch, résilier, je passe chez...)."""
    return bool(lexicon.matches(text, lexicon.CHURN))


def rank_discontent(
    themes: Sequence[Theme],
    mentions: Sequence[TrendMention],
    *,
    since: datetime,
    until: datetime,
    flag_bearers: int = 3,
) -> list[DiscontentTheme]:
    """Rank themes (found over discontent mentions) by volume x negativity x reach, highest first."""
    by_id = {m.id: m for m in mentions}
    middle = since + (until - since) / 2
    ranked: list[DiscontentTheme] = []
    for theme in themes:
        members = [by_id[i] for i in theme.mention_ids if i in by_id]
        if not members:
            continue
        negativity = sum(max(m.negativity, 0.5 if m.is_complaint else 0.0) for m in members) / len(members)
        reach = sum(m.reach for m in members)
        early = sum(1 for m in members if m.published_at < middle)
        late = len(members) - early
        trend = late / early if early else math.inf
        churn = sum(1 for m in members if churn_risk(m.text)) / len(members)
        authors: Counter[str] = Counter(m.author for m in members)
        info = {m.author: m for m in members}
        bearers = sorted(authors, key=lambda a: (-(info[a].reach + 1) * authors[a], a))[:flag_bearers]
        ranked.append(
            DiscontentTheme(
                theme=theme,
                score=len(members) * negativity * math.log10(2 + reach),
                volume=len(members),
                negativity=negativity,
                reach=reach,
                trend=trend,
                churn_share=churn,
                flag_bearers=tuple(
                    FlagBearer(
                        author=a, handle=info[a].author_handle or a, mentions=authors[a], reach=info[a].reach
                    )
                    for a in bearers
                ),
            )
        )
    return sorted(ranked, key=lambda d: (-d.score, d.theme.id))


@dataclass(frozen=True, slots=True, kw_only=True)
class Opening:
    """A theme where one side is criticised and the other is not."""

    theme: Theme
    criticised: str
    spared: str
    criticised_count: int
    spared_count: int


def openings(
    themes: Sequence[Theme],
    mentions: Sequence[TrendMention],
    *,
    brand: str,
    competitors: Sequence[str],
    min_count: int = 3,
    max_share: float = 0.1,
) -> list[Opening]:
    """Themes where a competitor is criticised and the brand is not (and the reverse).

    ``mentions`` are the discontent mentions of brand and competitors clustered together; a side is
    spared when it holds at most ``max_share`` of the theme's mentions of the pair.
    """
    by_id: Mapping[int, TrendMention] = {m.id: m for m in mentions}
    found: list[Opening] = []
    for theme in themes:
        topics = Counter(t for i in theme.mention_ids if i in by_id for t in by_id[i].topics)
        for rival in competitors:
            pair = {brand: topics.get(brand, 0), rival: topics.get(rival, 0)}
            total = sum(pair.values())
            for criticised, spared in ((rival, brand), (brand, rival)):
                if pair[criticised] >= min_count and pair[spared] <= max_share * total:
                    found.append(
                        Opening(
                            theme=theme,
                            criticised=criticised,
                            spared=spared,
                            criticised_count=pair[criticised],
                            spared_count=pair[spared],
                        )
                    )
    return sorted(found, key=lambda o: (-o.criticised_count, o.theme.id, o.criticised))
