"""The ideas pages: the ranked idea board (the brand's and campaigns' ideas, competitors' ideas apart)
and one idea with its supporters' posts, history and drafted replies.

Reads call the idea API's handlers (``listener.web.routers.ideas``), so the board ranks exactly as
``/api/ideas`` and ``listener ideas``. Changes (status, which drafts a reply to each supporter; rename;
owner; merging other ideas of the same scope into this one; splitting some suggestions off into a new
idea) are the API's ``/api/ideas/{id}`` routes, sent by the page's script with the session cookie and
CSRF header; only analysts and admins see those forms, a viewer reads the same page without them.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from listener.web.pages.render import SignedIn, page
from listener.web.routers import ideas as api
from listener.web.schemas import RowId
from listener.web.schemas_ideas import BoardItemOut
from listener.web.security import Principal

router = APIRouter(include_in_schema=False)
Days = Literal["7", "30", "90"]
STATUSES = ("new", "under_review", "planned", "shipped", "declined")
BOARD_SIZE = 200
COMPETITOR = "competitor:"


def _apart(items: list[BoardItemOut]) -> tuple[list[BoardItemOut], dict[str, list[BoardItemOut]]]:
    """Split the board into our ideas and, per competitor topic, what customers ask of competitors."""
    ours: list[BoardItemOut] = []
    theirs: dict[str, list[BoardItemOut]] = {}
    for item in items:
        if item.idea.scope.startswith(COMPETITOR):
            theirs.setdefault(item.idea.scope.removeprefix(COMPETITOR), []).append(item)
        else:
            ours.append(item)
    return ours, theirs


def _scope_name(request: Request, scope: str) -> str:
    names: dict[str, str] = {t.id: t.name for t in request.app.state.settings.topics}
    _kind, _sep, topic = scope.partition(":")
    return names.get(topic, topic or scope)


@router.get("/ideas", response_class=HTMLResponse)
def board(request: Request, days: Days = "30", principal: Principal = SignedIn) -> HTMLResponse:
    """Show the ideas best first, with their support and status; competitors' ideas apart."""
    found = api.ideas(
        request, scope=None, status=None, days=float(days), limit=BOARD_SIZE, offset=0, _=principal
    )
    ours, theirs = _apart(found.items)
    return page(
        request,
        principal,
        "ideas.html",
        title="Ideas",
        days=days,
        ours=ours,
        theirs=theirs,
        total=found.total,
        names={t.id: t.name for t in request.app.state.settings.topics},
        scope_name=lambda scope: _scope_name(request, scope),
    )


@router.get("/ideas/{idea_id}", response_class=HTMLResponse)
def idea_page(idea_id: RowId, request: Request, principal: Principal = SignedIn) -> HTMLResponse:
    """Show an idea: its support, supporters' suggestions and votes, history and drafted replies."""
    detail = api.idea(idea_id, request, days=30.0, _=principal)
    others = []
    if principal.at_least("analyst") and detail.idea.status != "merged":
        board = api.ideas(
            request, scope=detail.idea.scope, status=None, days=90.0, limit=BOARD_SIZE, offset=0, _=principal
        )
        others = [i.idea for i in board.items if i.idea.id != idea_id and i.idea.status != "merged"]
    return page(
        request,
        principal,
        "idea.html",
        title="Idea",
        d=detail,
        scope=_scope_name(request, detail.idea.scope),
        statuses=STATUSES,
        suggestions=[p for p in detail.posts if p.kind == "suggestion"],
        votes=[p for p in detail.posts if p.kind == "vote"],
        others=others,
    )
