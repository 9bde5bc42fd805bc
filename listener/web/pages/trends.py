"""The trends page: per topic and period, rising terms, bursts and what drove them, share of voice and
the themes of discontent.

Every figure comes from the trends API's own handlers (``listener.web.routers.trends``), so the page,
``/api/trends/*`` and ``listener trends`` give the same answers. Each burst carries its story (themes,
terms, authors, competitors) and a link to the inbox filtered to its span and topic; each example
mention links to its page. A period without enough data says so plainly, with the reason; on a short
history (a new install, the demo's week) rising terms and bursts use the shorter baselines the API
falls back to, and the page says which window was compared with which baseline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from listener.web.pages.charts import inbox_link
from listener.web.pages.render import SignedIn, page
from listener.web.routers import trends as api
from listener.web.schemas_trends import BurstOut, BurstsOut, RisingOut, RisingTermOut, SpikeStoryOut
from listener.web.security import Principal

router = APIRouter(include_in_schema=False)
Days = Literal["1", "7", "30"]
STORIES = 5
"""Bursts whose story the page tells (the strongest first); the others are listed with their link."""
RISING_WINDOW = {"1": (24.0, 14), "7": (168.0, 4), "30": (168.0, 4)}
"""Per period: the rising-terms window in hours and how many past windows make its baseline."""


@dataclass(frozen=True, slots=True)
class Burst:
    """A burst, where its mentions are in the inbox, and (for the strongest) what drove it."""

    burst: BurstOut
    href: str
    story: SpikeStoryOut | None


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _leading_terms(rising: RisingOut | None) -> list[tuple[RisingTermOut, list[str]]]:
    """Return the strongest term of each co-occurring group, with the group's other terms beside it.

    Terms are counted folded ("resilie"); they are shown as their example mentions spell them ("résilié").
    """
    from analysis.terms import readable, spellings

    if rising is None:
        return []
    forms = spellings(e.text for t in rising.terms for e in t.examples)
    out: list[tuple[RisingTermOut, list[str]]] = []
    seen: set[int] = set()
    for term in rising.terms:
        if term.group in seen:
            continue
        seen.add(term.group)
        group = rising.groups[term.group].terms if term.group < len(rising.groups) else []
        shown = term.model_copy(update={"term": readable(term.term, forms)})
        out.append((shown, [readable(t, forms) for t in group if t != term.term]))
    return out


def _bursts(request: Request, topic: str, since: str, principal: Principal) -> tuple[BurstsOut, list[Burst]]:
    found = api.bursts(request, topic=topic, measure="total", since=since, until=None, _=principal)
    strongest = sorted(found.bursts, key=lambda b: -b.peak_z)[:STORIES]
    out = []
    for b in sorted(found.bursts, key=lambda b: b.start, reverse=True):
        story = None
        if b in strongest:
            story = api.story(request, start=_iso(b.start), end=_iso(b.end), topic=topic, _=principal)
        out.append(Burst(burst=b, href=inbox_link(b.start, b.end, (topic,)), story=story))
    return found, out


@router.get("/trends", response_class=HTMLResponse)
def trends(
    request: Request,
    days: Days = "7",
    topic: Annotated[str | None, Query(max_length=255)] = None,
    principal: Principal = SignedIn,
) -> HTMLResponse:
    """Show a topic's rising terms, bursts with their story, share of voice and themes of discontent."""
    from analysis.bursts import FULL_DAYS

    topics = request.app.state.settings.topics
    brands = [t.id for t in topics if t.role == "brand"] + [t.id for t in topics]
    chosen = topic if topic in {t.id for t in topics} else next(iter(brands), None)
    since = f"{days}d"
    hours, baseline = RISING_WINDOW[days]
    voice = api.share_of_voice(request, since=since, until=None, grain="day", _=principal)
    rising = bursts = found = themes = None
    if chosen is not None:
        rising = api.rising(
            request, topic=chosen, window_hours=hours, baseline_windows=baseline, limit=20, since=since,
            _=principal,
        )
        found, bursts = _bursts(request, chosen, since, principal)
        themes = api.themes(request, topic=chosen, since=since, until=None, discontent=True, _=principal)
    return page(
        request,
        principal,
        "trends.html",
        title="Trends",
        days=days,
        topic=chosen,
        topics=topics,
        names={t.id: t.name for t in topics},
        voice=voice,
        rising=rising,
        leading=_leading_terms(rising),
        bursts=bursts,
        burst_search=found,
        full_days=FULL_DAYS,
        usual=(hours, baseline),
        themes=themes,
    )
