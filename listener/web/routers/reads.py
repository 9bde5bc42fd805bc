"""Read endpoints for what the CLI shows: authors, alerts, sources' health, series and share of voice.

Also the admin's author erasure (GDPR) and a read-only view of the routing rules in force.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict

from alerts.i18n import Lang
from alerts.messages import headline, subject_line, why_line
from listener.web.errors import ERROR_RESPONSES, ApiError
from listener.web.filters import parse_when
from listener.web.schemas import AuthorCardOut, MentionOut, RowId
from listener.web.security import Admin, Principal, Viewer, reader_lang

router = APIRouter(prefix="/api", tags=["reads"], responses=ERROR_RESPONSES)
_Period = Annotated[str | None, Query(max_length=40, description="2d, 6h, or an ISO date")]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class InfluenceOut(_Out):
    """An author's influence score and the points each component gave."""

    key: str
    source: str
    handle: str
    score: float
    points: dict[str, float]
    audience: int | None
    mentions: int


class GrievanceOut(_Out):
    """One mention a flag-bearer complained in."""

    source: str
    external_id: str
    text: str
    published_at: datetime


class AuthorRankOut(_Out):
    """An opinion leader or a flag-bearer of discontent."""

    influence: InfluenceOut
    stance: str | None = None
    negativity: float | None = None
    flag: float | None = None
    grievances: list[GrievanceOut] = []


class AuthorsOut(_Out):
    """The period's opinion leaders and flag-bearers."""

    leaders: list[AuthorRankOut]
    flag_bearers: list[AuthorRankOut]


class ProfileOut(_Out):
    """An author's card, influence breakdown, bot verdict and recent mentions."""

    author: AuthorCardOut
    influence: InfluenceOut | None
    rank: int | None
    ranked: int
    is_bot: bool
    recent: list[MentionOut]


class AlertOut(_Out):
    """A recorded alert."""

    id: int
    rule_id: str
    kind: str
    subject: str
    severity: str
    title: str
    summary: str
    label: str
    """The rule's kind and subject in the reader's language, as e-mails name the thread."""
    headline: str
    """What happened, with its numbers, in the reader's language (``title`` stays as stored)."""
    why: str
    """Why the rule fired, in the reader's language (``summary`` stays as stored)."""
    window_start: datetime
    window_end: datetime
    is_resolution: bool
    mention_ids: list[int]
    created_at: datetime


class DeliveryOut(_Out):
    """One attempt to deliver an alert on a channel."""

    channel: str
    attempt: int
    outcome: str
    error: str | None
    sent_at: datetime


class AlertDetailOut(_Out):
    """An alert, its thread (same rule and subject) and its delivery attempts."""

    alert: AlertOut
    thread: list[AlertOut]
    deliveries: list[DeliveryOut]


class SourceHealthOut(_Out):
    """How one (source, query) job has been doing."""

    source: str
    query_id: str
    last_run_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    consecutive_failures: int
    items_fetched_total: int


class SeriesPointOut(_Out):
    """Distinct posts of one topic in one bucket, by sentiment, and the echoes grouped under them."""

    topic: str
    at: str
    total: int
    """Distinct posts: a repost or copy counts once, under its original (``echoes``)."""
    by_sentiment: dict[str, int]
    echoes: int = 0


class ShareOut(_Out):
    """One topic's volume (distinct posts, echoes not counted) and share of all topics' volume."""

    topic: str
    role: str
    count: int
    share: float


def _influence(item: Any) -> InfluenceOut:
    return InfluenceOut(
        key=item.key,
        source=item.source,
        handle=item.handle,
        score=item.score,
        points=dict(item.points),
        audience=item.audience,
        mentions=item.mentions,
    )


@router.get("/authors", response_model=AuthorsOut)
def authors(
    request: Request,
    days: Annotated[float, Query(gt=0, le=365)] = 7.0,
    topic: Annotated[str | None, Query(max_length=255)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    _: Principal = Viewer,
) -> AuthorsOut:
    """Return the opinion leaders and flag-bearers of the last ``days`` (reused while data is unchanged)."""
    state = request.app.state
    return state.reports.get(  # type: ignore[no-any-return]
        ("authors", days, topic, limit),
        state.repository.data_version(),
        lambda: _rank_authors(state.repository, state.clock(), days=days, topic=topic, limit=limit),
    )


def _rank_authors(
    repository: Any, now: datetime, *, days: float, topic: str | None, limit: int
) -> AuthorsOut:
    from listener.author_report import Period, bearers, leaders, load_activity

    activity = load_activity(repository, Period.last(days, now=now, topic=topic), now=now)
    return AuthorsOut(
        leaders=[
            AuthorRankOut(influence=_influence(x.influence), stance=x.stance)
            for x in leaders(activity, now=now, limit=limit)
        ],
        flag_bearers=[
            AuthorRankOut(
                influence=_influence(x.influence),
                negativity=x.negativity,
                flag=x.flag,
                grievances=[
                    GrievanceOut(
                        source=g.source, external_id=g.external_id, text=g.text, published_at=g.published_at
                    )
                    for g in x.grievances
                ],
            )
            for x in bearers(activity, now=now, limit=limit)
        ],
    )


@router.get("/authors/{author_id}", response_model=ProfileOut)
def author_profile(author_id: RowId, request: Request, _: Principal = Viewer) -> ProfileOut:
    """Return an author's profile with the score breakdown."""
    from listener.author_report import profile

    state = request.app.state
    found = profile(state.repository, str(author_id), now=state.clock())
    if found is None:
        raise ApiError(404, "not_found")
    workflows = state.store.workflows([s.id for s in found.recent])
    return ProfileOut(
        author=AuthorCardOut.of(found.author),
        influence=_influence(found.influence) if found.influence else None,
        rank=found.rank,
        ranked=found.ranked,
        is_bot=bool(found.bot and found.bot.is_bot),
        recent=[MentionOut.of(s, workflows[s.id]) for s in found.recent],
    )


@router.delete("/authors/{author_id}", status_code=204)
def erase_author(author_id: RowId, request: Request, principal: Principal = Admin) -> Response:
    """Erase an author and their mentions everywhere (GDPR); they are never collected again."""
    state = request.app.state
    author = state.repository.get_author(author_id)
    if author is None:
        raise ApiError(404, "not_found")
    report = state.repository.erase_author(  # audited in the erasure's transaction
        author.author.source, author.author.external_id, user_id=principal.user.id
    )
    state.reports.clear()
    from listener.analyse import forget_cached_texts

    forget_cached_texts(state.settings.data_dir, report.cached_texts)
    return Response(status_code=204)


def _alert(stored: Any, lang: Lang) -> AlertOut:
    a = stored.alert
    return AlertOut(
        id=stored.id,
        rule_id=a.rule_id,
        kind=a.kind,
        subject=a.subject,
        severity=a.severity,
        title=a.title,
        summary=a.summary,
        label=subject_line(a, lang),
        headline=headline(a, lang),
        why=why_line(a, lang),
        window_start=a.window_start,
        window_end=a.window_end,
        is_resolution=a.is_resolution,
        mention_ids=list(a.mention_ids),
        created_at=stored.created_at,
    )


@router.get("/alerts", response_model=list[AlertOut])
def alerts(
    request: Request,
    since: _Period = None,
    rule_id: Annotated[str | None, Query(max_length=255)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    _: Principal = Viewer,
) -> list[AlertOut]:
    """Return recorded alerts, newest first."""
    start = parse_when(since, now=request.app.state.clock(), name="since")
    lang = reader_lang(request, _)
    found = request.app.state.repository.alerts(since=start, rule_id=rule_id, limit=limit)
    return [_alert(s, lang) for s in found]


@router.get("/alerts/{alert_id}", response_model=AlertDetailOut)
def alert_detail(alert_id: RowId, request: Request, _: Principal = Viewer) -> AlertDetailOut:
    """Return an alert with its thread and every delivery attempt."""
    repo = request.app.state.repository
    stored = repo.get_alert(alert_id)
    if stored is None:
        raise ApiError(404, "not_found")
    thread = [
        s
        for s in repo.alerts(rule_id=stored.alert.rule_id, limit=200)
        if s.alert.subject == stored.alert.subject
    ]
    lang = reader_lang(request, _)
    return AlertDetailOut(
        alert=_alert(stored, lang),
        thread=[_alert(s, lang) for s in reversed(thread)],
        deliveries=[
            DeliveryOut(
                channel=d.channel, attempt=d.attempt, outcome=d.outcome, error=d.error, sent_at=d.sent_at
            )
            for d in repo.deliveries(alert_id)
        ],
    )


@router.get("/sources", response_model=list[SourceHealthOut])
def sources(request: Request, _: Principal = Viewer) -> list[SourceHealthOut]:
    """Return the health of every (source, query) job."""
    return [
        SourceHealthOut(
            source=h.source,
            query_id=h.query_id,
            last_run_at=h.last_run_at,
            last_success_at=h.last_success_at,
            last_error=h.last_error,
            consecutive_failures=h.consecutive_failures,
            items_fetched_total=h.items_fetched_total,
        )
        for h in request.app.state.repository.source_health()
    ]


def _period(request: Request, since: str | None, until: str | None) -> tuple[datetime, datetime]:
    now = request.app.state.clock()
    end = parse_when(until, now=now, name="until") or now
    start = parse_when(since, now=now, name="since") or end - timedelta(days=7)
    if start >= end:
        raise ApiError(400, "bad_filter", detail="since must be before until")
    return start, end


@router.get("/series", response_model=list[SeriesPointOut])
def series(
    request: Request,
    since: _Period = None,
    until: _Period = None,
    interval: Literal["hour", "day"] = "day",
    topic: Annotated[list[str] | None, Query(max_length=50)] = None,
    _: Principal = Viewer,
) -> list[SeriesPointOut]:
    """Return distinct posts by sentiment per topic per UTC hour or day (default: the last 7 days)."""
    start, end = _period(request, since, until)
    points: dict[tuple[str, str], dict[str, int]] = {}
    echoes: dict[tuple[str, str], int] = {}
    for name, at, sentiment, n, echoed in request.app.state.store.series(
        since=start, until=end, interval=interval, topics=tuple(topic or ())
    ):
        bucket = points.setdefault((name, at), {})
        bucket[sentiment or "unknown"] = bucket.get(sentiment or "unknown", 0) + n
        echoes[(name, at)] = echoes.get((name, at), 0) + echoed
    return [SeriesPointOut(topic=t, at=at, total=sum(c.values()), by_sentiment=c, echoes=echoes[(t, at)])
            for (t, at), c in points.items()]


@router.get("/share-of-voice", response_model=list[ShareOut])
def share_of_voice(
    request: Request, since: _Period = None, until: _Period = None, _: Principal = Viewer
) -> list[ShareOut]:
    """Return each configured topic's share of the mentions in the period (default: 7 days)."""
    start, end = _period(request, since, until)
    rows = request.app.state.store.series(since=start, until=end, interval="day")
    return shares_from(request, ((name, n) for name, _at, _s, n, _echoes in rows))


def shares_from(request: Request, counts: Iterable[tuple[str, int]]) -> list[ShareOut]:
    """Each topic's share of ``(topic, count)`` pairs, largest first (the API's and the overview's)."""
    totals: dict[str, int] = {}
    for name, n in counts:
        totals[name] = totals.get(name, 0) + n
    roles = {t.id: t.role for t in request.app.state.settings.topics}
    total = sum(totals.values()) or 1
    return [
        ShareOut(topic=t, role=roles.get(t, "other"), count=n, share=round(n / total, 4))
        for t, n in sorted(totals.items(), key=lambda kv: -kv[1])
    ]


@router.get("/routing")
def routing(request: Request, _: Principal = Viewer) -> dict[str, Any]:
    """Return the departments and routing rules in force (read-only view of the config)."""
    return request.app.state.settings.routing.model_dump(mode="json")  # type: ignore[no-any-return]
