"""The people pages: opinion leaders and flag-bearers of discontent per topic and period, and one author.

Erasure is the API's ``DELETE /api/authors/{id}`` (admins only), called by the page's script after the
admin confirms by typing the author's handle.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from listener.web.errors import ApiError
from listener.web.pages.render import SignedIn, page
from listener.web.routers.reads import authors
from listener.web.schemas import AuthorCardOut, MentionOut
from listener.web.security import Principal

router = APIRouter(include_in_schema=False)
Days = Literal["1", "7", "30"]


@router.get("/people", response_class=HTMLResponse)
def people(
    request: Request,
    days: Days = "7",
    topic: Annotated[str | None, Query(max_length=255)] = None,
    principal: Principal = SignedIn,
) -> HTMLResponse:
    """Show the period's opinion leaders and flag-bearers, each flag-bearer with their grievances."""
    configured = {t.id for t in request.app.state.settings.topics}
    chosen = topic if topic in configured else None
    found = authors(request, days=float(days), topic=chosen, limit=20, _=principal)
    return page(
        request,
        principal,
        "people.html",
        title="People",
        found=found,
        days=days,
        topic=chosen,
        topics=request.app.state.settings.topics,
    )


@router.get("/people/{key:path}", response_class=HTMLResponse)
def author_page(
    request: Request,
    key: Annotated[str, Path(max_length=300)],
    principal: Principal = SignedIn,
) -> HTMLResponse:
    """Show an author: card, influence breakdown, bot verdict and recent mentions."""
    from listener.author_report import profile

    state = request.app.state
    try:
        found = profile(state.repository, key, now=state.clock())
    except ValueError as err:
        raise ApiError(404, "not_found") from err
    if found is None:
        raise ApiError(404, "not_found")
    flows = state.store.workflows([s.id for s in found.recent])
    return page(
        request,
        principal,
        "author.html",
        title="Author",
        card=AuthorCardOut.of(found.author),
        influence=found.influence,
        rank=found.rank,
        ranked=found.ranked,
        is_bot=bool(found.bot and found.bot.is_bot),
        recent=[MentionOut.of(s, flows[s.id]) for s in found.recent],
    )
