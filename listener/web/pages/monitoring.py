"""The alerts pages (threads, messages, delivery attempts) and the sources page (health of every job).

An alert about a configured topic also shows what drove it (themes, rising terms, top authors,
examples, competitors in the same hours): the Trends API's story of the alert's window, so "what was
this spike about" is answered on the page the overview's alert list leads to.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from listener.web.pages.render import SignedIn, page
from listener.web.routers.reads import alert_detail, alerts, sources
from listener.web.routers.trends import story
from listener.web.schemas import RowId
from listener.web.security import Principal

router = APIRouter(include_in_schema=False)
STORY_SPAN = timedelta(days=7)
"""The longest alert window told as a story (the story API's own bound)."""


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(
    request: Request,
    since: Literal["1d", "7d", "30d"] = "7d",
    rule_id: Annotated[str | None, Query(max_length=255)] = None,
    principal: Principal = SignedIn,
) -> HTMLResponse:
    """List recorded alerts, newest first, grouped by thread (same rule and subject)."""
    found = alerts(request, since=since, rule_id=rule_id, limit=200, _=principal)
    threads: dict[tuple[str, str], list[object]] = {}
    for alert in found:
        threads.setdefault((alert.rule_id, alert.subject), []).append(alert)
    return page(request, principal, "alerts.html", title="Alerts", threads=threads, since=since)


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
def alert_page(alert_id: RowId, request: Request, principal: Principal = SignedIn) -> HTMLResponse:
    """Show an alert, its thread and every delivery attempt."""
    found = alert_detail(alert_id, request, _=principal)
    settings = request.app.state.settings
    alert = found.alert
    told = None
    is_topic = alert.subject in {t.id for t in settings.topics}
    if is_topic and alert.window_end - alert.window_start <= STORY_SPAN:
        told = story(request, start=alert.window_start.isoformat(), end=alert.window_end.isoformat(),
                     topic=alert.subject, _=principal)
    since, until = (w.isoformat().replace("+00:00", "Z") for w in (alert.window_start, alert.window_end))
    query = urlencode([("since", since), ("until", until), ("topic", alert.subject)])
    return page(request, principal, "alert.html", title="Alert", d=found, story=told,
                names={t.id: t.name for t in settings.topics}, inbox_href=f"/inbox?{query}")


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request, principal: Principal = SignedIn) -> HTMLResponse:
    """Show the health of every (source, query) job."""
    return page(request, principal, "sources.html", title="Sources", rows=sources(request, _=principal))
