"""The inbox page (filters, search, facets, bulk actions, folded echoes), its new-rows poll, and one mention.

Reads go through the API's own handlers and filter (:func:`listener.web.filters.inbox_filter`), so a
page shows exactly what ``/api/mentions`` returns for the same query string; changes are made by the
page's script through the API (session cookie plus the CSRF header), never by a page route.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from alerts.i18n import translator
from listener.web.filters import Sort, inbox_filter
from listener.web.pages.render import SignedIn, fragment, page
from listener.web.routers.mentions import cached_facets, detail, inbox
from listener.web.routers.views import clean_query
from listener.web.schemas import MentionOut, RowId
from listener.web.security import Principal, reader_lang
from storage.web_records import InboxFilter

router = APIRouter(include_in_schema=False)
FACETS = ("status", "sentiment", "topic", "source", "lang", "department")
STATUSES = ("new", "in_progress", "handled", "ignored")
SENTIMENTS = ("negative", "neutral", "positive")


def page_filter(request: Request, flt: Annotated[InboxFilter, Depends(inbox_filter)]) -> InboxFilter:
    """Return the inbox filter, with echoes folded under their canonical mention unless asked for."""
    if "echoes" in request.query_params:
        return flt
    return replace(flt, base=replace(flt.base, include_echoes=False))


def _echoes(request: Request, items: list[MentionOut]) -> dict[int, list[MentionOut]]:
    state = request.app.state
    out: dict[int, list[MentionOut]] = {}
    for item in items:
        if not item.echo_count:
            continue
        ids, _thread = state.store.related(item.id, limit=5)
        found = [s for i in ids if (s := state.repository.get_mention(i)) is not None]
        flows = state.store.workflows([s.id for s in found])
        out[item.id] = [MentionOut.of(s, flows[s.id]) for s in found]
    return out


def _poll_ms(request: Request) -> int:
    """Return how often the page asks for new mentions (``?poll=`` in ms, for tests; 10 s by default)."""
    try:
        return min(max(int(request.query_params.get("poll", "10000")), 500), 600_000)
    except ValueError:
        return 10_000


def _query_without(request: Request, *names: str) -> list[tuple[str, str]]:
    return [(k, v) for k, v in request.query_params.multi_items() if k not in names]


@router.get("/inbox", response_class=HTMLResponse)
def inbox_page(
    request: Request,
    flt: Annotated[InboxFilter, Depends(page_filter)],
    sort: Sort = "time",
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    principal: Principal = SignedIn,
) -> HTMLResponse:
    """Show one page of the inbox for the filters in the query string."""
    state = request.app.state
    found = inbox(request, flt, sort=sort, limit=50, cursor=cursor, _=principal)
    users = {u.id: u for u in state.store.users()}
    query = _query_without(request, "cursor", "poll")
    view_query = clean_query(urlencode(query))
    return page(
        request,
        principal,
        "inbox.html",
        title="Inbox",
        items=found.items,
        echoes=_echoes(request, found.items),
        users=users,
        assignable=[u for u in users.values() if u.is_active],
        departments=state.settings.routing.departments,
        views=state.store.saved_views(principal.user.id),
        view_query=view_query,
        statuses=STATUSES,
        sentiments=SENTIMENTS,
        topics=state.settings.topics,
        params=request.query_params,
        sort=sort,
        query_string=urlencode(query),
        next_href=(
            "/inbox?" + urlencode([*query, ("cursor", found.next_cursor)]) if found.next_cursor else None
        ),
        newest_id=max((i.id for i in found.items), default=0),
        folded="echoes" not in request.query_params,
        poll=_poll_ms(request),
        status_labels={s: translator(reader_lang(request, principal))(s) for s in STATUSES},
    )


@router.get("/inbox/facets", response_class=HTMLResponse)
def facet_counts(
    request: Request,
    flt: Annotated[InboxFilter, Depends(page_filter)],
    principal: Principal = SignedIn,
) -> HTMLResponse:
    """Return the counts per facet (HTML) for the filters: the page loads them after its rows.

    Counting scans every matching mention, the rows need one page of them: split, the rows show first.
    """
    base = _query_without(request, "cursor", "poll")
    links = {
        name: [
            (value, count, "/inbox?" + urlencode([*((k, v) for k, v in base if k != name), (name, value)]))
            for value, count in sorted(counts.items(), key=lambda kv: -kv[1])
            if value
        ]
        for name, counts in cached_facets(request, flt).items()
        if name in FACETS
    }
    html = fragment(request, principal, "_facets.html", facets=links, facet_names=FACETS)
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


@router.get("/inbox/new", response_class=HTMLResponse)
def new_rows(
    request: Request,
    flt: Annotated[InboxFilter, Depends(page_filter)],
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
    principal: Principal = SignedIn,
) -> HTMLResponse:
    """Return the rows (HTML) of mentions stored after ``after`` that match the filters: the page polls it."""
    found = inbox(request, flt, sort="time", limit=50, cursor=None, _=principal)
    fresh = [i for i in found.items if i.id > after]
    users = {u.id: u for u in request.app.state.store.users()}
    html = fragment(
        request, principal, "_inbox_rows.html", items=fresh, echoes=_echoes(request, fresh), users=users
    )
    return HTMLResponse(html, headers={"Cache-Control": "no-store", "X-New-Count": str(len(fresh))})


@router.get("/mentions/{mention_id}", response_class=HTMLResponse)
def mention_page(
    mention_id: RowId, request: Request, principal: Principal = SignedIn
) -> HTMLResponse:
    """Show one mention: why it was flagged, its echoes and thread, its author, and its workflow."""
    from analysis.datasets import SENTIMENT_LABELS
    from analysis.training import INTENT_LABELS

    found = detail(mention_id, request, _=principal)
    labels = request.app.state.repository.labels(mention_id=mention_id)
    return page(
        request,
        principal,
        "mention.html",
        title="Mention",
        d=found,
        m=found.mention,
        users={u.id: u for u in request.app.state.store.users()},
        assignable=[
            u for u in request.app.state.store.users()
            if u.is_active or u.id == found.mention.workflow.assignee_id
        ],
        statuses=STATUSES,
        sentiment_labels=SENTIMENT_LABELS,
        intent_labels=INTENT_LABELS,
        labels=labels,
    )
