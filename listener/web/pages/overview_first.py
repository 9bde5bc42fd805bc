"""The overview's "unhappy customers to answer first": loaded after the page, like the inbox's counts.

Five people, each by their most influential negative post about the brand that nobody has handled yet
in the period, picked by the inbox's own filter and influence sort (so the list is the top of the inbox
view it links to). Competitors' unhappy customers are not ours to answer. Sorting every such post of a
month by influence costs more than the rest of the overview together (at 200k mentions it doubled the
page's time), so the page renders its figures at once and its script fetches this list from
``/overview/first``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from listener.web.filters import inbox_filter
from listener.web.pages.render import SignedIn, fragment
from listener.web.routers.mentions import inbox
from listener.web.schemas import MentionOut
from listener.web.security import Principal

router = APIRouter(include_in_schema=False)
FIRST = 5
"""How many unhappy customers the overview names (the inbox link lists them all)."""
_When = Annotated[str, Query(max_length=40)]


def _iso(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def _brand_topics(request: Request, chosen: tuple[str, ...] | list[str]) -> list[str]:
    brand = [t.id for t in request.app.state.settings.topics if t.role == "brand"]
    return [t for t in chosen if t in brand] or brand


def first_links(request: Request, start: datetime, end: datetime, chosen: tuple[str, ...]) -> tuple[str, str]:
    """Return where the page fetches the list, and the inbox view of every such mention."""
    topics = [("topic", t) for t in _brand_topics(request, chosen)]
    span = [("since", _iso(start)), ("until", _iso(end))]
    inbox_query = [("sentiment", "negative"), ("status", "new"), *topics, *span, ("sort", "influence")]
    return "/overview/first?" + urlencode([*span, *topics]), "/inbox?" + urlencode(inbox_query)


@router.get("/overview/first", response_class=HTMLResponse)
def first_to_answer(
    request: Request,
    since: _When,
    until: _When,
    topic: Annotated[list[str] | None, Query(max_length=50)] = None,
    principal: Principal = SignedIn,
) -> HTMLResponse:
    """Return (HTML) the five most influential unhappy customers of the brand not yet answered."""
    topics = _brand_topics(request, topic or [])
    flt = inbox_filter(request, topic=topics or None, sentiment=["negative"], status=["new"],
                       since=since, until=until, echoes=False)
    found = inbox(request, flt, sort="influence", limit=50, cursor=None, _=principal)
    people: dict[int, MentionOut] = {}
    for item in found.items:  # five people, each by their most influential post
        people.setdefault(item.author.id, item)
    html = fragment(request, principal, "_first.html", first=list(people.values())[:FIRST])
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})
