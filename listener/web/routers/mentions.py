"""The inbox: filtered, searched, sorted mentions with keyset paging, facets, and one mention's detail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from listener.web.errors import ERROR_RESPONSES, ApiError
from listener.web.filters import Sort, inbox_filter
from listener.web.report_cache import ReportCache
from listener.web.schemas import (
    AuthorCardOut,
    ExplanationOut,
    FacetsOut,
    InboxPageOut,
    MentionDetailOut,
    MentionOut,
    NoteOut,
    RowId,
)
from listener.web.security import Principal, Viewer
from storage import WebStore
from storage.web_records import InboxFilter

router = APIRouter(prefix="/api", tags=["mentions"], responses=ERROR_RESPONSES)


@router.get("/mentions", response_model=InboxPageOut)
def inbox(
    request: Request,
    flt: Annotated[InboxFilter, Depends(inbox_filter)],
    sort: Sort = "time",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    _: Principal = Viewer,
) -> InboxPageOut:
    """Return one page of mentions matching the filters; follow ``next_cursor`` for the next page."""
    try:
        page = request.app.state.store.inbox(flt, sort=sort, limit=limit, cursor=cursor)
    except ValueError as err:
        raise ApiError(400, "bad_cursor") from err
    return InboxPageOut(
        items=[MentionOut.of(i.stored, i.workflow) for i in page.items], next_cursor=page.next_cursor
    )


@router.get("/mentions/facets", response_model=FacetsOut)
def facets(
    request: Request, flt: Annotated[InboxFilter, Depends(inbox_filter)], _: Principal = Viewer
) -> FacetsOut:
    """Return counts per status, sentiment, source, language, department and topic for the filters."""
    return FacetsOut(facets=cached_facets(request, flt))


def cached_facets(request: Request, flt: InboxFilter) -> dict[str, dict[str, int]]:
    """The facet counts of ``flt``, counted once while nothing they count has changed.

    Counting reads every matching mention (seconds at a million): eight colleagues opening the same
    inbox count it once, and any new mention, analysis or workflow change counts it again.
    """
    store: WebStore = request.app.state.store
    cache: ReportCache = request.app.state.facets
    return cache.get(("facets", flt), store.facets_version(), lambda: store.facets(flt))


@router.get("/mentions/{mention_id}", response_model=MentionDetailOut)
def detail(mention_id: RowId, request: Request, _: Principal = Viewer) -> MentionDetailOut:
    """Return a mention with why it was flagged, its echoes, its thread, its author and its notes."""
    state = request.app.state
    stored = state.repository.get_mention(mention_id)
    if stored is None:
        raise ApiError(404, "not_found")
    echo_ids, thread_ids = state.store.related(mention_id)
    others = {i: state.repository.get_mention(i) for i in {*echo_ids, *thread_ids}}
    workflows = state.store.workflows([mention_id, *others])
    author = state.repository.get_author(stored.author_id)

    def out(ids: list[int]) -> list[MentionOut]:
        return [MentionOut.of(s, workflows[i]) for i in ids if (s := others.get(i)) is not None]

    return MentionDetailOut(
        mention=MentionOut.of(stored, workflows[mention_id]),
        explanations=[
            ExplanationOut(
                stage=a.stage,
                version=a.version,
                label=a.label,
                scores={k: float(v) for k, v in a.scores.items()},
                explanation=a.explanation,
            )
            for a in state.repository.annotations_for(mention_id)
        ],
        matched_terms={k: list(v) for k, v in state.store.matched_terms(mention_id).items()},
        echoes=out(echo_ids),
        thread=out(thread_ids),
        author=AuthorCardOut.of(author) if author else None,
        notes=[NoteOut.of(n) for n in state.store.notes(mention_id)],
    )
