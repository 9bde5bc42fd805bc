"""Trends for the API: series per topic and grain, share of voice, rising terms, bursts and their story,
themes (of discontent) and aspects.

Every route reads (viewer and up) and calls the same glue as the CLI (``listener.trends_report``,
``listener.spike_explainer``), so the API and ``listener trends/themes/sov`` give the same answers.
Series read the rollups (and the daily counts retention kept), never the mentions table; rollups, the
term index and the per-day term counts are only read here (the trends step keeps them up to date). Themes and
aspects use the sentence vectors already stored and never load a model in a request: without them the
answer is ``not_enough_data`` with the reason. Texts are returned exactly as stored (JSON keeps them inert).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from analysis.trend_reasons import Reason
from listener.web.errors import ERROR_RESPONSES, ApiError
from listener.web.filters import parse_when
from listener.web.schemas_trends import (
    AspectsOut,
    BurstsOut,
    DiscontentOut,
    FlagBearerOut,
    MentionBriefOut,
    RisingOut,
    RisingTermOut,
    SeriesRowOut,
    SpikeStoryOut,
    TermGroupOut,
    ThemeOut,
    ThemesOut,
    TrendSeriesOut,
    VoiceOut,
)
from listener.web.security import Principal, Viewer, reader_lang

router = APIRouter(prefix="/api/trends", tags=["trends"], responses=ERROR_RESPONSES)
_When = Annotated[str | None, Query(max_length=40, description="2d, 6h, or an ISO date")]
_Topic = Annotated[str | None, Query(max_length=255, description="Topic id (default: the first brand)")]
_List = Annotated[list[str] | None, Query(max_length=50)]
MAX_SPAN = timedelta(days=800)
EXAMPLES = 3


def _reason(
    request: Request, reason: Reason | None, principal: Principal, field: str = "reason"
) -> dict[str, Any]:
    """A "not enough data" reason in the reader's language (their own, else the config's), with its code."""
    from listener.trend_reasons import reason_text

    told = reason_text(reason, reader_lang(request, principal))
    code, values = (reason.code, dict(reason.values)) if reason else ("", {})
    return {field: told, f"{field}_code": code, f"{field}_values": values}


def _roles(request: Request) -> dict[str, str]:
    return {t.id: str(t.role) for t in request.app.state.settings.topics}


def _topic(request: Request, topic: str | None) -> str:
    roles = _roles(request)
    if topic is None:
        topic = next((t for t, r in roles.items() if r == "brand"), next(iter(roles), ""))
    if topic not in roles:
        raise ApiError(400, "unknown_topic", detail=f"topics: {', '.join(roles) or 'none'}")
    return topic


def _period(
    request: Request, since: str | None, until: str | None, default: timedelta
) -> tuple[datetime, datetime]:
    now = request.app.state.clock()
    end = parse_when(until, now=now, name="until") or now
    start = parse_when(since, now=now, name="since") or end - default
    if start >= end:
        raise ApiError(400, "bad_filter", detail="since must be before until")
    if end - start > MAX_SPAN:
        raise ApiError(400, "bad_filter", detail="the period is longer than 800 days")
    return start, end


def _brief(m: Any) -> MentionBriefOut:
    return MentionBriefOut(
        id=m.id,
        source=m.source,
        author_handle=m.author_handle or m.author,
        published_at=m.published_at,
        text=m.text,
        url=m.url,
        sentiment=m.sentiment,
    )


@router.get("/series", response_model=TrendSeriesOut)
def series(
    request: Request,
    topic: _List = None,
    grain: Literal["hour", "day", "week"] = "day",
    since: _When = None,
    until: _When = None,
    source: _List = None,
    lang: _List = None,
    _: Principal = Viewer,
) -> TrendSeriesOut:
    """Return volume, sentiment, net sentiment and share of voice per topic and bucket (default: 30 days).

    Read from the rollups, so a year is fast and survives retention; with no ``topic``, every
    configured topic. Hour series are limited to 60 days.
    """
    from analysis import trends
    from listener import trends_report

    topics = [_topic(request, t) for t in topic] if topic else list(_roles(request))
    start, end = _period(request, since, until, timedelta(days=30))
    if grain == "hour" and end - start > timedelta(days=60):
        raise ApiError(400, "bad_filter", detail="hour series cover at most 60 days")
    points, pruned = trends_report.series_points(
        request.app.state.repository,
        topics,
        grain=grain,
        since=start,
        until=end,
        sources=tuple(source or ()),
        langs=tuple(lang or ()),
        refresh=False,
    )
    rows = trends.series(points, topics=topics, grain=grain, since=start, until=end) if topics else []
    return TrendSeriesOut(
        grain=grain,
        since=start,
        until=end,
        topics=topics,
        pruned_days=pruned,
        rows=[SeriesRowOut.model_validate(r) for r in rows],
    )


@router.get("/share-of-voice", response_model=VoiceOut)
def share_of_voice(
    request: Request,
    since: _When = None,
    until: _When = None,
    grain: Literal["day", "week"] = "day",
    _: Principal = Viewer,
) -> VoiceOut:
    """Return brand and competitors' shares of volume, negative volume and reach (default: 30 days)."""
    from analysis import trends
    from listener import trends_report

    roles = _roles(request)
    start, end = _period(request, since, until, timedelta(days=30))
    points, _pruned = trends_report.series_points(
        request.app.state.repository, list(roles), grain=grain, since=start, until=end, refresh=False
    )
    shares = trends.share_of_voice(points, roles)
    rows = trends.series(points, topics=list(roles), grain=grain, since=start, until=end) if roles else []
    return VoiceOut.model_validate(
        {"since": start, "until": end, "shares": shares, "rivalries": trends.rivalries(shares), "rows": rows}
    )


@router.get("/rising", response_model=RisingOut)
def rising(
    request: Request,
    topic: _Topic = None,
    window_hours: Annotated[float, Query(ge=1, le=168)] = 24.0,
    baseline_windows: Annotated[int, Query(ge=3, le=30)] = 14,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    since: _When = None,
    _: Principal = Viewer,
) -> RisingOut:
    """Return the words, hashtags, @accounts and phrases far above their own baseline in the last window.

    With ``since`` (the period), a history too short for that baseline is answered from the period's
    own shorter windows: ``usual_reason`` then says why, ``window_start``/``window_end`` which window
    was compared with the ``baseline_windows`` windows of the same length before it.
    """
    from listener import trends_report

    topic_id = _topic(request, topic)
    now = request.app.state.clock()
    period = parse_when(since, now=now, name="since") if since else None
    if period is not None and period >= now:
        raise ApiError(400, "bad_filter", detail="since must be before now")
    answer, by_id = trends_report.rising_for(
        request.app.state.repository,
        topic_id,
        now=now,
        window=timedelta(hours=window_hours),
        baseline_windows=baseline_windows,
        limit=limit,
        refresh=False,
        since=period,
    )
    return RisingOut(
        status="ok" if answer.status == "ok" else "not_enough_data",
        **_reason(request, answer.reason, _),
        topic=topic_id,
        window_start=answer.window_start,
        window_end=answer.window_end,
        window_mentions=answer.window_mentions,
        baseline_windows=answer.baseline_windows,
        **_reason(request, answer.usual_reason, _, "usual_reason"),
        terms=[
            RisingTermOut(
                term=t.term,
                kind=t.kind,
                count=t.count,
                expected=t.expected,
                z=t.z,
                g2=t.g2,
                ratio=t.ratio,
                group=t.group,
                mention_ids=list(t.mention_ids),
                examples=[_brief(by_id[i]) for i in t.mention_ids[:EXAMPLES] if i in by_id],
            )
            for t in answer.terms
        ],
        groups=[TermGroupOut.model_validate(g) for g in answer.groups],
    )


@router.get("/bursts", response_model=BurstsOut)
def bursts(
    request: Request,
    topic: _Topic = None,
    measure: Literal["negative", "total"] = "negative",
    since: _When = None,
    until: _When = None,
    _: Principal = Viewer,
) -> BurstsOut:
    """Return the hours far above a baseline that knows daily and weekly rhythms (default: 7 days).

    On a short history the first days' hours are compared with the day before (``baseline_days``);
    with less than two days, ``not_enough_data`` and why.
    """
    from analysis.bursts import bursts_on_history as find

    topic_id = _topic(request, topic)
    start, end = _period(request, since, until, timedelta(days=7))
    if end - start > timedelta(days=60):
        raise ApiError(400, "bad_filter", detail="bursts are searched over at most 60 days")
    repo = request.app.state.repository
    points = repo.rollup_series([topic_id], grain="hour", since=start - timedelta(days=35), until=end)
    counts = {p.bucket: getattr(p, measure) for p in points}
    found = find(counts, since=start, until=end)
    out = {"topic": topic_id, "measure": measure, "since": start, "until": end,
           "status": "ok" if found.reason is None else "not_enough_data",
           "history_days": found.history_days, "baseline_days": found.baseline_days, "bursts": found.bursts}
    return BurstsOut.model_validate(out | _reason(request, found.reason, _))

@router.get("/story", response_model=SpikeStoryOut)
def story(
    request: Request,
    start: Annotated[str, Query(max_length=40, description="Start of the spike (ISO, or 6h)")],
    end: Annotated[str, Query(max_length=40, description="End of the spike (ISO, or 1h)")],
    topic: _Topic = None,
    _: Principal = Viewer,
) -> SpikeStoryOut:
    """Return what drove a spike of a topic in ``[start, end)``: themes, terms, authors, competitors."""
    from listener.spike_explainer import SpikeExplainer

    topic_id = _topic(request, topic)
    begin, finish = _period(request, start, end, timedelta(hours=1))
    if finish - begin > timedelta(days=7):
        raise ApiError(400, "bad_filter", detail="a spike lasts at most 7 days")
    explainer = SpikeExplainer(request.app.state.repository, _roles(request))
    return SpikeStoryOut.model_validate(explainer.explain(topic_id, begin, finish))


@router.get("/themes", response_model=ThemesOut)
def themes(
    request: Request,
    topic: _Topic = None,
    since: _When = None,
    until: _When = None,
    discontent: bool = False,
    _: Principal = Viewer,
) -> ThemesOut:
    """Return the period's themes (``discontent``: of negative and complaint mentions, ranked).

    Default period: 7 days. Uses stored vectors only (``listener themes`` and the trends job store them).
    """
    from listener import trends_report

    topic_id = _topic(request, topic)
    start, end = _period(request, since, until, timedelta(days=7))
    if end - start > timedelta(days=92):
        raise ApiError(400, "bad_filter", detail="themes cover at most 92 days")
    report = trends_report.themes_for(
        request.app.state.repository,
        [topic_id],
        since=start,
        until=end,
        only_discontent=discontent,
        encoder=None,
    )
    found, by_id = report.themes, report.mentions

    def brief(mention_id: int) -> MentionBriefOut | None:
        m = by_id.get(mention_id)
        return _brief(m) if m is not None else None

    return ThemesOut(
        status="ok" if found.status == "ok" else "not_enough_data",
        **_reason(request, found.reason, _),
        mentions=found.mentions,
        noise=len(found.noise_ids),
        themes=[
            ThemeOut(
                id=t.id,
                label=t.label,
                terms=list(t.terms),
                size=t.size,
                distinct=t.distinct,
                langs=list(t.langs),
                mention_ids=list(t.mention_ids[:100]),
                representative=brief(t.representative_id),
            )
            for t in found.themes
        ],
        discontent=[
            DiscontentOut(
                theme_id=d.theme.id,
                label=d.theme.label,
                score=d.score,
                volume=d.volume,
                negativity=d.negativity,
                reach=d.reach,
                trend=None if d.trend == float("inf") else d.trend,
                is_new=d.trend == float("inf"),
                churn_share=d.churn_share,
                flag_bearers=[FlagBearerOut.model_validate(f) for f in d.flag_bearers],
                representative=brief(d.theme.representative_id),
            )
            for d in report.discontent
        ],
    )


@router.get("/aspects", response_model=AspectsOut)
def aspects(
    request: Request,
    topic: _Topic = None,
    since: _When = None,
    until: _When = None,
    discontent: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    _: Principal = Viewer,
) -> AspectsOut:
    """Return what customers talk about (billing, delivery, outage...) in the period (default: 7 days).

    Needs the theme encoder (to place the aspects' seed phrases); an API started without one answers
    ``not_enough_data``.
    """
    from collections import Counter
    from dataclasses import replace

    from listener import trends_report
    from listener.trend_reasons import aspect_explanation

    lang = reader_lang(request, _)
    topic_id = _topic(request, topic)
    start, end = _period(request, since, until, timedelta(days=7))
    encoder = getattr(request.app.state, "theme_encoder", None)
    if encoder is None:
        return AspectsOut(
            status="not_enough_data",
            **_reason(request, Reason("no_theme_encoder"), _),
            mentions=0,
            counts={},
            tags=[],
        )
    tags, by_id = trends_report.aspects_for(
        request.app.state.repository,
        [topic_id],
        since=start,
        until=end,
        only_discontent=discontent,
        encoder=encoder,
        chosen=request.app.state.settings.analysis.aspect_list(),
    )
    return AspectsOut.model_validate(
        {
            "status": "ok" if by_id else "not_enough_data",
            **_reason(request, None if by_id else Reason("no_stored_vector"), _),
            "mentions": len(by_id),
            "counts": dict(Counter(t.aspect for t in tags)),
            "tags": [replace(t, explanation=aspect_explanation(t, lang)) for t in tags[:limit]],
        }
    )
