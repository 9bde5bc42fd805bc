"""The overview page: volume, sentiment and net sentiment over a period, share of voice, alerts and spikes.

The figures come from the same storage reads as ``/api/series`` and ``/api/share-of-voice``; the chart
is SVG drawn on the server (:mod:`listener.web.pages.charts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from alerts.messages import subject_line
from listener.web.pages.charts import buckets_from_series, inbox_link, volume_chart
from listener.web.pages.overview_first import first_links
from listener.web.pages.render import SignedIn, formats_for, page
from listener.web.routers.reads import shares_from
from listener.web.security import Principal, reader_lang

router = APIRouter(include_in_schema=False)
Period = Literal["today", "7d", "30d", "custom"]
MAX_CUSTOM_DAYS = 366
"""The longest custom period (a year and a day): longer ones would draw thousands of daily bars."""
DateText = Annotated[str | None, Query(max_length=40)]
SPIKE_KINDS = frozenset({"volume_spike", "negative_spike"})
SEVERITY = {"critical": 0, "warning": 1, "info": 2}


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


def _(message: str) -> str:
    """Mark a message for extraction (the template translates it when rendering)."""
    return message


def _custom(
    request: Request, now: datetime, first: str | None, last: str | None
) -> tuple[datetime, datetime, timedelta, str] | str:
    """Return the custom period's bounds, step and interval, or the message saying what is wrong.

    ``first`` and ``last`` are days (YYYY-MM-DD) in the configured time zone, both included: the period
    runs from ``first``'s local midnight to the midnight after ``last`` (or now, if sooner).
    """
    try:
        day_from = date.fromisoformat(first or "")
        day_to = date.fromisoformat(last or "")
    except ValueError:
        return _("Give both dates of the custom period as YYYY-MM-DD.")
    if day_from > day_to:
        return _("The start date must be on or before the end date.")
    if (day_to - day_from).days + 1 > MAX_CUSTOM_DAYS:
        return _("A custom period may last at most 366 days.")
    tz = formats_for(request, None).tz
    start = datetime.combine(day_from, time(), tzinfo=tz).astimezone(UTC)
    end = min(datetime.combine(day_to + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC), now)
    if start >= now:
        return _("The custom period must start before now.")
    if end - start <= timedelta(days=3):
        return start, end, timedelta(hours=1), "hour"
    return start, end, timedelta(days=1), "day"


def _start(period: Period, now: datetime, request: Request) -> tuple[datetime, timedelta, str]:
    if period == "today":
        local = now.astimezone(formats_for(request, None).tz)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
        start = min(midnight.replace(minute=0), now - timedelta(hours=1))  # right after midnight: 1 h
        return start, timedelta(hours=1), "hour"
    days = 7 if period == "7d" else 30
    start = (now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, timedelta(days=1), "day"


@dataclass(frozen=True, slots=True)
class Standing:
    """One topic's sentiment over the period: who is doing better shows in ``net``."""

    topic: str
    total: int
    negative: float | None
    net: float | None


def _standings(rows: list[tuple[str, str, str | None, int]]) -> dict[str, Standing]:
    """Return each topic's negative share and net sentiment (positive minus negative, over all)."""
    sums: dict[str, list[int]] = {}
    for topic, _at, sentiment, n in rows:
        slot = sums.setdefault(topic, [0, 0, 0])  # total, negative, positive
        slot[0] += n
        if sentiment == "negative":
            slot[1] += n
        elif sentiment == "positive":
            slot[2] += n
    return {
        t: Standing(topic=t, total=total, negative=neg / total if total else None,
                    net=(pos - neg) / total if total else None)
        for t, (total, neg, pos) in sums.items()
    }


def _alert_rank(stored: Any) -> tuple[bool, int, float]:
    """Order the period's alerts for a reader: open before resolved, critical first, then newest."""
    alert = stored.alert
    return alert.is_resolution, SEVERITY.get(alert.severity, len(SEVERITY)), -alert.window_start.timestamp()


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
    *,
    period: Period = "7d",
    topic: Annotated[list[str] | None, Query(max_length=50)] = None,
    date_from: Annotated[str | None, Query(alias="from", max_length=40)] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=40)] = None,
    principal: Principal = SignedIn,
) -> HTMLResponse:
    """Show where the brand stands: volume and sentiment over time, share of voice, alerts, spikes.

    A custom period (``period=custom&from=&to=``) that is not valid shows its reason above the form,
    with the 7-day figures, and answers 400 so a script can tell.
    """
    state = request.app.state
    now = state.clock()
    configured = tuple(t.id for t in state.settings.topics)
    chosen = tuple(t for t in (topic or ()) if t in configured)
    problem = None
    end = now
    if period == "custom":
        found = _custom(request, now, date_from, date_to)
        if isinstance(found, str):
            problem, period = found, "7d"
        else:
            start, end, step, interval = found
    if period != "custom":
        start, step, interval = _start(period, now, request)
    # Distinct posts, as every figure counts them (README "How figures count"); echoes are left out.
    rows = [(t, at, sentiment, n) for t, at, sentiment, n, _echoes
            in state.store.series(since=start, until=end, interval=interval, topics=chosen)]
    buckets = buckets_from_series(rows, start=start, end=end, step=step)
    stored_alerts = [s for s in state.repository.alerts(since=start, limit=200) if s.alert.window_start < end]
    marks = [
        (
            s.id,
            s.alert.window_start,
            subject_line(s.alert, reader_lang(request, principal)),
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
    standings = _standings(rows)
    rivals = [s for s in standings.values() if s.net is not None and s.total and s.topic in configured
              and next(t.role for t in state.settings.topics if t.id == s.topic) == "competitor"]
    best_rival = max(rivals, key=lambda s: s.net or 0.0, default=None)
    first_src, first_href = first_links(request, start, end, chosen)
    return page(
        request,
        principal,
        "overview.html",
        title="Overview",
        status=400 if problem else 200,
        period=period,
        periods=("today", "7d", "30d"),
        problem=problem,
        tz_name=state.settings.timezone,
        date_from=date_from or "",
        date_to=date_to or "",
        topics=state.settings.topics,
        names={t.id: t.name for t in state.settings.topics},
        chosen=chosen,
        chart=chart,
        buckets=buckets,
        interval=interval,
        shares=shares,
        standings=standings,
        best_rival=best_rival,
        first_src=first_src,
        first_href=first_href,
        alerts=sorted(stored_alerts, key=_alert_rank)[:20],
        alert_label=lambda alert: subject_line(alert, reader_lang(request, principal)),
        total=total,
        negative_share=negative / total if total else None,
        net=(positive - negative) / total if total else None,
        changes=_since_yesterday(request, now, chosen),
    )
