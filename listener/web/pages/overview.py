"""The overview page: volume, sentiment and net sentiment over a period, share of voice, alerts and spikes.

The figures come from the same storage reads as ``/api/series`` and ``/api/share-of-voice``; the chart
is SVG drawn on the server (:mod:`listener.web.pages.charts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from listener.web.pages.charts import buckets_from_series, inbox_link, volume_chart
from listener.web.pages.render import SignedIn, formats_for, page
from listener.web.routers.reads import shares_from
from listener.web.security import Principal

router = APIRouter(include_in_schema=False)
Period = Literal["today", "7d", "30d"]
SPIKE_KINDS = frozenset({"volume_spike", "negative_spike"})


@dataclass(frozen=True, slots=True)
class Change:
    """One topic's last 24 hours against the 24 hours before."""

    topic: str
    name: str
    role: str
    volume: int
    previous: int
    negative: float | None
    previous_negative: float | None
    href: str

    @property
    def volume_change(self) -> float | None:
        """Return the relative change of volume (None when there was nothing before)."""
        return (self.volume - self.previous) / self.previous if self.previous else None

    @property
    def negative_change(self) -> float | None:
        """Return the change of the negative share, in points of share."""
        if self.negative is None or self.previous_negative is None:
            return None
        return self.negative - self.previous_negative


def _start(period: Period, now: datetime, request: Request) -> tuple[datetime, timedelta, str]:
    if period == "today":
        local = now.astimezone(formats_for(request, None).tz)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
        start = min(midnight.replace(minute=0), now - timedelta(hours=1))  # right after midnight: 1 h
        return start, timedelta(hours=1), "hour"
    days = 7 if period == "7d" else 30
    start = (now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, timedelta(days=1), "day"


def _since_yesterday(request: Request, now: datetime, topics: tuple[str, ...]) -> list[Change]:
    state = request.app.state
    cut = now - timedelta(hours=24)
    sums: dict[str, list[int]] = {}
    for topic, at, sentiment, n, _echoes in state.store.series(
        since=now - timedelta(hours=48), until=now, interval="hour", topics=topics
    ):
        slot = sums.setdefault(topic, [0, 0, 0, 0])  # volume, negative, previous volume, previous negative
        is_recent = datetime.fromisoformat(at.replace("Z", "+00:00")) >= cut.replace(minute=0, second=0)
        slot[0 if is_recent else 2] += n
        if sentiment == "negative":
            slot[1 if is_recent else 3] += n
    names = {t.id: (t.name, t.role) for t in state.settings.topics}
    out = []
    for topic in topics or tuple(names):
        volume, negative, previous, previous_negative = sums.get(topic, [0, 0, 0, 0])
        name, role = names.get(topic, (topic, "other"))
        out.append(
            Change(
                topic=topic,
                name=name,
                role=role,
                volume=volume,
                previous=previous,
                negative=negative / volume if volume else None,
                previous_negative=previous_negative / previous if previous else None,
                href=inbox_link(cut, now, (topic,)),
            )
        )
    return out


@router.get("/", response_class=HTMLResponse)
def overview(
    request: Request,
    period: Period = "7d",
    topic: Annotated[list[str] | None, Query(max_length=50)] = None,
    principal: Principal = SignedIn,
) -> HTMLResponse:
    """Show where the brand stands: volume and sentiment over time, share of voice, alerts, spikes."""
    state = request.app.state
    now = state.clock()
    configured = tuple(t.id for t in state.settings.topics)
    chosen = tuple(t for t in (topic or ()) if t in configured)
    start, step, interval = _start(period, now, request)
    # Distinct posts, as every figure counts them (README "How figures count"); echoes are left out.
    rows = [(t, at, sentiment, n) for t, at, sentiment, n, _echoes
            in state.store.series(since=start, until=now, interval=interval, topics=chosen)]
    buckets = buckets_from_series(rows, start=start, end=now, step=step)
    stored_alerts = state.repository.alerts(since=start, limit=200)
    marks = [
        (
            s.id,
            s.alert.window_start,
            s.alert.title,
            s.alert.kind in SPIKE_KINDS,
            s.alert.subject if s.alert.subject in configured else None,
        )
        for s in stored_alerts
        if not chosen or s.alert.subject in chosen or s.alert.subject not in configured
    ]
    chart = volume_chart(buckets, topics=chosen, alerts=marks)
    shares = shares_from(request, ((name, n) for name, _at, _sentiment, n in rows))
    total = sum(b.total for b in buckets)
    negative = sum(b.counts.get("negative", 0) for b in buckets)
    positive = sum(b.counts.get("positive", 0) for b in buckets)
    return page(
        request,
        principal,
        "overview.html",
        title="Overview",
        period=period,
        periods=("today", "7d", "30d"),
        topics=state.settings.topics,
        names={t.id: t.name for t in state.settings.topics},
        chosen=chosen,
        chart=chart,
        buckets=buckets,
        interval=interval,
        shares=shares,
        alerts=stored_alerts[:20],
        total=total,
        negative_share=negative / total if total else None,
        net=(positive - negative) / total if total else None,
        changes=_since_yesterday(request, now, chosen),
    )
