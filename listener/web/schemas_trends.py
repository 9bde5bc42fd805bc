"""Pydantic schemas of the trends endpoints: series, share of voice, rising terms, bursts, themes, aspects.

Built from the frozen dataclasses of ``analysis`` with ``from_attributes``, so a field is declared once
here and never copied by hand. Infinite ratios (a theme that is new in the period) travel as ``null``
with a flag, never as a JSON ``Infinity``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

Status = Literal["ok", "not_enough_data"]
ReasonValues = dict[str, int | str]
"""The numbers of a reason, by the names its sentence uses (``analysis.trend_reasons.ENGLISH``)."""


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)


class SeriesRowOut(_Out):
    """One bucket of one topic: volume, sentiment, net sentiment and share of voice."""

    bucket: datetime
    topic: str
    total: int
    positive: int
    negative: int
    complaints: int
    reach: int
    net_sentiment: float | None
    share_of_voice: float | None


class TrendSeriesOut(_Out):
    """A series per topic, every bucket of the period present (empty ones as zeros)."""

    grain: Literal["hour", "day", "week"]
    since: datetime
    until: datetime
    topics: list[str]
    pruned_days: int
    """Days whose counts come from retention's ``daily_counts`` (their mentions were deleted)."""
    rows: list[SeriesRowOut]


class VoiceShareOut(_Out):
    """One topic's share of the period's volume, negative volume and reach."""

    topic: str
    role: str
    volume: int
    negative: int
    reach: int
    share_volume: float
    share_negative: float
    share_reach: float
    net_sentiment: float | None


class RivalryOut(_Out):
    """The brand against one competitor (shares within the pair)."""

    brand: str
    competitor: str
    brand_share_volume: float
    brand_share_negative: float
    brand_share_reach: float


class VoiceOut(_Out):
    """Share of voice over a period, brand against each competitor, and the series behind it."""

    since: datetime
    until: datetime
    shares: list[VoiceShareOut]
    rivalries: list[RivalryOut]
    rows: list[SeriesRowOut]


class MentionBriefOut(_Out):
    """Enough of a mention to show it beside a trend: its id, author, text and link."""

    id: int
    source: str
    author_handle: str
    published_at: datetime
    text: str
    url: str | None
    sentiment: str | None


class RisingTermOut(_Out):
    """A term above its own baseline: distinct authors, expected authors, z-score, G² and its mentions."""

    term: str
    kind: str
    count: int
    expected: float
    z: float
    g2: float
    ratio: float
    group: int
    mention_ids: list[int]
    examples: list[MentionBriefOut]


class TermGroupOut(_Out):
    """Rising terms found in the same mentions; ``label`` is the most used."""

    label: str
    terms: list[str]
    count: int
    mention_ids: list[int]


class RisingOut(_Out):
    """Rising terms of a window, or ``not_enough_data`` and why."""

    status: Status
    reason: str
    reason_code: str = ""
    """What ``reason`` says, for a client that words it itself (``analysis.trend_reasons.ReasonCode``)."""
    reason_values: ReasonValues = {}
    topic: str | None
    window_start: datetime | None
    window_end: datetime | None
    window_mentions: int
    baseline_windows: int
    """Earlier windows of the window's length, with mentions, that made the baseline."""
    usual_reason: str = ""
    """Set when the period's shorter windows stood in for the usual comparison: why they had to."""
    usual_reason_code: str = ""
    usual_reason_values: ReasonValues = {}
    terms: list[RisingTermOut]
    groups: list[TermGroupOut]


class BurstOut(_Out):
    """Consecutive hours above the seasonal expectation."""

    start: datetime
    end: datetime
    count: int
    expected: float
    peak_z: float
    peak_at: datetime


class BurstsOut(_Out):
    """The bursts of one topic's hourly counts in a period."""

    topic: str
    measure: Literal["negative", "total"]
    since: datetime
    until: datetime
    status: Status = "ok"
    reason: str = ""
    reason_code: str = ""
    reason_values: ReasonValues = {}
    history_days: int = 0
    """Whole days of hourly counts the topic has before ``until``."""
    baseline_days: int = 3
    """Days before an hour its expectation needs: 3 (seasonal baseline) or 1 on a short history."""
    bursts: list[BurstOut]


class StoryExampleOut(_Out):
    """A representative mention of a spike."""

    id: int
    author: str
    text: str
    url: str | None


class RivalMoveOut(_Out):
    """A competitor's mentions in the spike's hours against its usual count for that long."""

    topic: str
    count: int
    usual: float


class SpikeStoryOut(_Out):
    """What drove a spike: themes, rising terms, sources, top authors, echoes, examples, competitors."""

    topic: str
    start: datetime
    end: datetime
    mentions: int
    negative: int
    themes: list[tuple[str, int]]
    terms: list[str]
    sources: list[tuple[str, int]]
    authors: list[tuple[str, int, float]]
    echo_share: float
    examples: list[StoryExampleOut]
    competitors: list[RivalMoveOut]


class ThemeOut(_Out):
    """A theme: its label and distinctive terms, size, languages and a representative mention."""

    id: int
    label: str
    terms: list[str]
    size: int
    distinct: int
    langs: list[str]
    mention_ids: list[int]
    representative: MentionBriefOut | None


class FlagBearerOut(_Out):
    """An author carrying a theme of discontent."""

    handle: str
    mentions: int
    reach: float


class DiscontentOut(_Out):
    """A theme of discontent and why it ranks where it does."""

    theme_id: int
    label: str
    score: float
    volume: int
    negativity: float
    reach: float
    trend: float | None
    """Mentions in the second half of the period over the first half; null when it is new."""
    is_new: bool
    churn_share: float
    flag_bearers: list[FlagBearerOut]
    representative: MentionBriefOut | None


class ThemesOut(_Out):
    """Themes of a topic and period (and, when asked, the themes of discontent ranked)."""

    status: Status
    reason: str
    reason_code: str = ""
    reason_values: ReasonValues = {}
    mentions: int
    noise: int
    themes: list[ThemeOut]
    discontent: list[DiscontentOut]


class AspectTagOut(_Out):
    """A mention tagged with an aspect, and why."""

    mention_id: int
    aspect: str
    score: float
    explanation: str
    """In the reader's language."""
    seed: str
    """The aspect's seed phrase closest to the mention."""
    cue: str | None
    """The aspect's cue word found in the mention, if any."""
    lead: float | None
    """How far ahead of the next aspect, when that is what made the tag."""


class AspectsOut(_Out):
    """Aspects customers talk about in a period: counts per aspect and the tagged mentions."""

    status: Status
    reason: str
    reason_code: str = ""
    reason_values: ReasonValues = {}
    mentions: int
    counts: dict[str, int]
    tags: list[AspectTagOut]
