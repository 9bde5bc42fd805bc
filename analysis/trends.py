"""Series and share of voice from rolled-up counts: the numbers behind trend charts and ``listener sov``.

pandas stays inside this module (STYLE): it fills empty buckets with zeros, folds days into weeks
and computes shares; only frozen dataclasses leave. Input points are anything with the fields of
``storage.rollups.RollupPoint`` (bucket, topic_id, total, positive, neutral, negative, complaints,
echoes, reach, negative_reach), so the application passes storage's points straight in.

Definitions: net sentiment = (positive - negative) / total; share of voice of a topic in a bucket =
its volume / the volume of all topics asked for in that bucket (brand and competitors together).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import pandas as pd

GRAINS = ("hour", "day", "week")
FIELDS = ("total", "positive", "neutral", "negative", "complaints", "echoes", "reach", "negative_reach")


class Point(Protocol):
    """One rolled-up bucket of one topic (``storage.rollups.RollupPoint`` has these fields)."""

    @property
    def bucket(self) -> datetime: ...
    @property
    def topic_id(self) -> str: ...
    @property
    def total(self) -> int: ...
    @property
    def positive(self) -> int: ...
    @property
    def neutral(self) -> int: ...
    @property
    def negative(self) -> int: ...
    @property
    def complaints(self) -> int: ...
    @property
    def echoes(self) -> int: ...
    @property
    def reach(self) -> int: ...
    @property
    def negative_reach(self) -> int: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class SeriesRow:
    """One bucket of one topic's series."""

    bucket: datetime
    topic: str
    total: int
    positive: int
    negative: int
    complaints: int
    reach: int
    net_sentiment: float | None
    """(positive - negative) / total; None for an empty bucket."""
    share_of_voice: float | None
    """This topic's share of the volume of every topic asked for; None when all were silent."""


@dataclass(frozen=True, slots=True, kw_only=True)
class VoiceShare:
    """One topic's share of the period: of volume, of negative volume, of reach."""

    topic: str
    role: str
    volume: int
    negative: int
    reach: int
    share_volume: float
    share_negative: float
    share_reach: float
    net_sentiment: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Rivalry:
    """Brand against one competitor over the period (shares within the pair)."""

    brand: str
    competitor: str
    brand_share_volume: float
    brand_share_negative: float
    brand_share_reach: float


def _frame(points: Sequence[Point]) -> pd.DataFrame:
    rows = [{"bucket": p.bucket, "topic": p.topic_id, **{f: getattr(p, f) for f in FIELDS}} for p in points]
    frame = pd.DataFrame(rows, columns=["bucket", "topic", *FIELDS])
    frame["bucket"] = pd.to_datetime(frame["bucket"], utc=True)
    return frame


def series(
    points: Sequence[Point], *, topics: Sequence[str], grain: str, since: datetime, until: datetime
) -> list[SeriesRow]:
    """Return every bucket of ``[since, until)`` for each topic, empty buckets as zeros.

    ``grain="week"`` folds day points into ISO weeks (starting Monday, UTC); feed it day points.
    """
    if grain not in GRAINS:
        raise ValueError(f"trends: grain must be one of {', '.join(GRAINS)}, got {grain!r}")
    frame = _frame(points)
    freq = {"hour": "h", "day": "D", "week": "W-MON"}[grain]
    if grain == "week":
        frame["bucket"] = frame["bucket"].dt.floor("D") - pd.to_timedelta(
            frame["bucket"].dt.day_of_week, unit="D"
        )
        start = pd.Timestamp(since).floor("D") - pd.Timedelta(days=pd.Timestamp(since).weekday())
        index = pd.date_range(start, pd.Timestamp(until), freq="7D", inclusive="left")
    else:
        index = pd.date_range(
            pd.Timestamp(since).floor(freq), pd.Timestamp(until), freq=freq, inclusive="left"
        )
    grouped = frame.groupby(["topic", "bucket"])[list(FIELDS)].sum()
    full = pd.MultiIndex.from_product([list(topics), index], names=["topic", "bucket"])
    table = grouped.reindex(full, fill_value=0).reset_index()
    volume = table.groupby("bucket")["total"].transform("sum")
    out: list[SeriesRow] = []
    for row in table.itertuples(index=False):
        r: Any = row
        total = int(r.total)
        all_topics = int(volume.iloc[len(out)])
        out.append(
            SeriesRow(
                bucket=r.bucket.to_pydatetime(),
                topic=str(r.topic),
                total=total,
                positive=int(r.positive),
                negative=int(r.negative),
                complaints=int(r.complaints),
                reach=int(r.reach),
                net_sentiment=(int(r.positive) - int(r.negative)) / total if total else None,
                share_of_voice=total / all_topics if all_topics else None,
            )
        )
    return out


def share_of_voice(points: Sequence[Point], roles: Mapping[str, str]) -> list[VoiceShare]:
    """Return each topic's share of volume, negative volume and reach over all the points, largest first."""
    frame = _frame(points)
    frame = frame[frame["topic"].isin(list(roles))]
    sums = frame.groupby("topic")[list(FIELDS)].sum().reindex(list(roles), fill_value=0)
    totals = sums.sum()

    def share(value: float, column: str) -> float:
        whole = float(totals[column])
        return float(value) / whole if whole else 0.0

    shares = [
        VoiceShare(
            topic=str(topic),
            role=roles[str(topic)],
            volume=int(r["total"]),
            negative=int(r["negative"]),
            reach=int(r["reach"]),
            share_volume=share(r["total"], "total"),
            share_negative=share(r["negative"], "negative"),
            share_reach=share(r["reach"], "reach"),
            net_sentiment=(int(r["positive"]) - int(r["negative"])) / int(r["total"])
            if int(r["total"])
            else None,
        )
        for topic, r in sums.iterrows()
    ]
    return sorted(shares, key=lambda s: (-s.volume, s.topic))


def rivalries(shares: Sequence[VoiceShare]) -> list[Rivalry]:
    """Return brand vs each competitor: the brand's share of the pair's volume, negatives and reach."""
    brands = [s for s in shares if s.role == "brand"]
    rivals = [s for s in shares if s.role == "competitor"]

    def part(a: int, b: int) -> float:
        return a / (a + b) if a + b else 0.0

    return [
        Rivalry(
            brand=b.topic,
            competitor=c.topic,
            brand_share_volume=part(b.volume, c.volume),
            brand_share_negative=part(b.negative, c.negative),
            brand_share_reach=part(b.reach, c.reach),
        )
        for b in brands
        for c in rivals
    ]


def period_bounds(now: datetime, days: int, grain: str) -> tuple[datetime, datetime]:
    """Return ``[since, until)`` covering the last ``days`` days up to the end of ``now``'s bucket."""
    if grain == "hour":
        end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    else:
        end = now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return end - timedelta(days=days), end
