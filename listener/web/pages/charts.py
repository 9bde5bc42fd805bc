"""Server-side charts: the geometry of the overview's volume and net-sentiment chart, drawn as SVG.

No chart library and no script: Python computes bars, the net-sentiment line and the spike markers,
and ``templates/_volume_chart.html`` draws them (escaped like any template). Every bar and marker is a
link to the inbox filtered to its time span (and the spike's topic), so a click answers "what was
that about?".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

WIDTH = 720
HEIGHT = 220
TOP = 12
BOTTOM = 28
LEFT = 44
SENTIMENTS = ("negative", "neutral", "positive", "unknown")


@dataclass(frozen=True, slots=True)
class Bucket:
    """Mentions of every chosen topic in one hour or day, by sentiment."""

    start: datetime
    end: datetime
    counts: dict[str, int]

    @property
    def total(self) -> int:
        """Return the bucket's volume."""
        return sum(self.counts.values())

    @property
    def net(self) -> float | None:
        """Return (positive - negative) / total, or None for an empty bucket."""
        total = self.total
        if not total:
            return None
        return (self.counts.get("positive", 0) - self.counts.get("negative", 0)) / total


@dataclass(frozen=True, slots=True)
class Segment:
    """One sentiment's part of a bar."""

    sentiment: str
    y: float
    height: float


@dataclass(frozen=True, slots=True)
class Bar:
    """One bucket's stacked bar and where clicking it leads."""

    x: float
    width: float
    segments: tuple[Segment, ...]
    bucket: Bucket
    href: str


@dataclass(frozen=True, slots=True)
class Marker:
    """An alert or spike drawn over the bucket it started in."""

    x: float
    title: str
    href: str
    is_spike: bool
    alert_id: int


@dataclass(frozen=True, slots=True)
class VolumeChart:
    """Everything the SVG template draws."""

    width: int
    height: int
    bars: tuple[Bar, ...]
    net_points: str
    markers: tuple[Marker, ...]
    peak: int
    ticks: tuple[tuple[float, datetime], ...]
    zero_y: float
    top: int
    left: int
    bottom_y: float


def inbox_link(start: datetime, end: datetime, topics: tuple[str, ...] = ()) -> str:
    """Return the inbox URL for one time span (UTC ISO bounds) and topics."""
    query: list[tuple[str, str]] = [
        ("since", start.isoformat().replace("+00:00", "Z")),
        ("until", end.isoformat().replace("+00:00", "Z")),
    ]
    query.extend(("topic", t) for t in topics)
    return "/inbox?" + urlencode(query)


def buckets_from_series(
    rows: list[tuple[str, str, str | None, int]], *, start: datetime, end: datetime, step: timedelta
) -> list[Bucket]:
    """Sum ``(topic, bucket ISO, sentiment, n)`` rows into consecutive buckets (empty ones included)."""
    counts: dict[datetime, dict[str, int]] = {}
    for _topic, at, sentiment, n in rows:
        when = datetime.fromisoformat(at.replace("Z", "+00:00"))
        slot = counts.setdefault(when, {})
        key = sentiment if sentiment in SENTIMENTS else "unknown"
        slot[key] = slot.get(key, 0) + n
    first = start.replace(minute=0, second=0, microsecond=0)
    if step >= timedelta(days=1):
        first = first.replace(hour=0)
    out = []
    slot_start = first
    while slot_start < end:
        out.append(Bucket(start=slot_start, end=slot_start + step, counts=counts.get(slot_start, {})))
        slot_start += step
    return out


def volume_chart(
    buckets: list[Bucket],
    *,
    topics: tuple[str, ...],
    alerts: list[tuple[int, datetime, str, bool, str | None]],
) -> VolumeChart:
    """Lay out stacked bars, the net-sentiment line (-1..1 on the same height) and alert markers.

    ``alerts`` holds ``(alert id, window start, title, is spike, topic or None)``.
    """
    plot_w = WIDTH - LEFT - 8
    plot_h = HEIGHT - TOP - BOTTOM
    bottom = TOP + plot_h
    peak = max((b.total for b in buckets), default=0) or 1
    slot = plot_w / max(len(buckets), 1)
    bars = []
    points = []
    for i, bucket in enumerate(buckets):
        x = LEFT + i * slot
        y = float(bottom)
        segments = []
        for sentiment in SENTIMENTS:
            n = bucket.counts.get(sentiment, 0)
            if not n:
                continue
            h = n / peak * plot_h
            y -= h
            segments.append(Segment(sentiment=sentiment, y=round(y, 1), height=round(h, 1)))
        bars.append(
            Bar(
                x=round(x + slot * 0.1, 1),
                width=round(max(slot * 0.8, 1.0), 1),
                segments=tuple(segments),
                bucket=bucket,
                href=inbox_link(bucket.start, bucket.end, topics),
            )
        )
        if bucket.net is not None:
            points.append(f"{x + slot / 2:.1f},{TOP + (1 - bucket.net) / 2 * plot_h:.1f}")
    markers = []
    for alert_id, when, title, is_spike, topic in sorted(alerts, key=lambda a: a[3]):  # spikes on top
        index = next((i for i, b in enumerate(buckets) if b.start <= when < b.end), None)
        if index is None:
            continue
        bucket = buckets[index]
        markers.append(
            Marker(
                x=round(LEFT + (index + 0.5) * slot, 1),
                title=title,
                href=inbox_link(bucket.start, bucket.end, (topic,) if topic else topics),
                is_spike=is_spike,
                alert_id=alert_id,
            )
        )
    every = max(1, len(buckets) // 7)
    ticks = tuple((LEFT + (i + 0.5) * slot, b.start) for i, b in enumerate(buckets) if i % every == 0)
    return VolumeChart(
        width=WIDTH,
        height=HEIGHT,
        bars=tuple(bars),
        net_points=" ".join(points),
        markers=tuple(markers),
        peak=peak,
        ticks=ticks,
        zero_y=TOP + plot_h / 2,
        top=TOP,
        left=LEFT,
        bottom_y=bottom,
    )
