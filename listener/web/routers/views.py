"""Saved views: each user's named inbox filters (list, save, delete), reachable only by their owner.

A view is the inbox's query string under a name. Only the inbox's own filter parameters are kept
(no cursor, no poll interval, nothing unknown), so applying a view is opening ``/inbox?<query>``.
Another user's view answers 404 like a missing one. Saving and deleting are changes: a browser session
sends the CSRF header, and the store writes an audit entry in the same transaction.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Request, Response
from pydantic import Field

from listener.web.errors import ERROR_RESPONSES, ApiError
from listener.web.schemas import RowId, _In, _Out
from listener.web.security import Principal, Viewer
from storage.web_records import SavedView

router = APIRouter(prefix="/api", tags=["views"], responses=ERROR_RESPONSES)
KEPT = (
    "q", "topic", "source", "lang", "sentiment", "intent", "since", "until", "echoes", "status", "assignee",
    "unassigned", "department", "tag", "signal", "author", "influence_above", "has_echoes", "sort",
)
"""The inbox parameters a view keeps (those of :func:`listener.web.filters.inbox_filter`, and the sort)."""


def clean_query(query: str) -> str:
    """Return ``query`` with only the inbox's filter parameters, empty values dropped, in a stable order."""
    pairs = [(k, v) for k, v in parse_qsl(query.lstrip("?"), keep_blank_values=False) if k in KEPT]
    return urlencode(sorted(pairs, key=lambda kv: KEPT.index(kv[0])))


class ViewIn(_In):
    """A view to save: a name and the inbox query string it stands for."""

    name: str = Field(min_length=1, max_length=100)
    query: str = Field(default="", max_length=2000)


class ViewOut(_Out):
    """A saved view and the inbox address that applies it."""

    id: int
    name: str
    query: str
    href: str

    @classmethod
    def of(cls, view: SavedView) -> ViewOut:
        """Build from the read model."""
        return cls(id=view.id, name=view.name, query=view.query, href="/inbox?" + view.query)


@router.get("/views", response_model=list[ViewOut])
def list_views(request: Request, principal: Principal = Viewer) -> list[ViewOut]:
    """Return the caller's own saved views, by name."""
    return [ViewOut.of(v) for v in request.app.state.store.saved_views(principal.user.id)]


@router.post("/views", response_model=ViewOut, status_code=201)
def save_view(payload: ViewIn, request: Request, principal: Principal = Viewer) -> ViewOut:
    """Save the current inbox filter under a name (the same name replaces the caller's older view)."""
    name = payload.name.strip()
    if not name:
        raise ApiError(422, "invalid_request")
    try:
        view = request.app.state.store.save_view(
            principal.user.id, name=name, query=clean_query(payload.query)
        )
    except ValueError as err:
        raise ApiError(409, "too_many_views") from err
    return ViewOut.of(view)


@router.delete("/views/{view_id}", status_code=204)
def delete_view(view_id: RowId, request: Request, principal: Principal = Viewer) -> Response:
    """Delete one of the caller's views (another user's view is 404, as if it did not exist)."""
    if not request.app.state.store.delete_view(principal.user.id, view_id):
        raise ApiError(404, "not_found")
    return Response(status_code=204)
