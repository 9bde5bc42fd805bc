"""The idea box: ideas ranked by support, one idea with its supporters, and its workflow.

Reading is for viewers; curating (status with drafted replies, merge, split, rename, replies marked
sent) is for analysts, recorded in the idea's history under the caller's username and in the audit
log. Every rule is the CLI's (``listener.idea_box``): same transitions, same refusals.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from listener.idea_box.board import LIVE, Crowd, board
from listener.idea_box.workflow import WorkflowError, change_status
from listener.web.errors import ERROR_RESPONSES, ApiError, wants_french
from listener.web.schemas import RowId
from listener.web.schemas_ideas import (
    BoardItemOut,
    BoardPageOut,
    IdeaDetailOut,
    IdeaOut,
    IdeaStatus,
    MergeIn,
    OwnerIn,
    RenameIn,
    RepliesSentIn,
    RepliesSentOut,
    ReplyOut,
    SplitIn,
    StatusIn,
    StatusOut,
    SupportOut,
)
from listener.web.security import Analyst, Principal, Viewer
from storage.idea_records import IdeaRecord

router = APIRouter(prefix="/api/ideas", tags=["ideas"], responses=ERROR_RESPONSES)
_Days = Annotated[float, Query(gt=0, le=365, description="Support counted over the last N days")]


def _crowd(request: Request, days: float) -> Crowd:
    """Who is a bot and each author's influence over ``days``, reused while the data is unchanged.

    Scoring a month's authors is the People page's costly ranking (seconds at a million mentions); the
    board and an idea's page (twice for analysts) repeated it on every load. It is kept like the People
    rankings (:mod:`listener.web.report_cache`): a new mention, author, annotation, label or erasure
    recomputes it, an in-place change within a minute.
    """
    state = request.app.state
    return state.reports.get(  # type: ignore[no-any-return]
        ("crowd", days),
        state.repository.data_version(),
        lambda: Crowd.of(state.repository, now=state.clock(), days=days),
    )


def _idea(request: Request, idea_id: int) -> IdeaRecord:
    found: IdeaRecord | None = request.app.state.repository.ideas().get(idea_id)
    if found is None:
        raise ApiError(404, "not_found")
    return found


def _audit(request: Request, principal: Principal, action: str, idea_id: int, **details: object) -> None:
    request.app.state.store.audit(
        user_id=principal.user.id, action=action, target_kind="idea", target_id=str(idea_id), details=details
    )


@router.get("", response_model=BoardPageOut)
def ideas(
    request: Request,
    scope: Annotated[str | None, Query(max_length=300, description="brand:<topic>, campaign:<topic>")] = None,
    status: Annotated[list[IdeaStatus] | None, Query(max_length=5)] = None,
    days: _Days = 30.0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    _: Principal = Viewer,
) -> BoardPageOut:
    """Return ideas best first (support, recency, influence; bots and one loud account cannot game it)."""
    state = request.app.state
    now = state.clock()
    rows = board(
        state.repository,
        now=now,
        crowd=_crowd(request, days),
        scope=scope,
        statuses=tuple(status or LIVE),
    )
    page = rows[offset : offset + limit]
    return BoardPageOut(
        items=[
            BoardItemOut(
                rank=offset + i + 1,
                idea=IdeaOut.model_validate(r.idea),
                support=SupportOut.model_validate(r.support),
            )
            for i, r in enumerate(page)
        ],
        total=len(rows),
        next_offset=offset + limit if offset + limit < len(rows) else None,
    )


@router.get("/replies", response_model=list[ReplyOut])
def replies(
    request: Request,
    state: Annotated[str | None, Query(pattern="^(drafted|sent)$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    _: Principal = Viewer,
) -> list[ReplyOut]:
    """Return the replies drafted for supporters (oldest first), or only ``drafted`` / ``sent`` ones."""
    found = request.app.state.repository.ideas().replies(state=state)
    return [ReplyOut.model_validate(r) for r in found[:limit]]


@router.post("/replies/sent", response_model=RepliesSentOut)
def replies_sent(payload: RepliesSentIn, request: Request, principal: Principal = Analyst) -> RepliesSentOut:
    """Mark drafted replies as posted: each one closes the loop with a supporter."""
    store = request.app.state.repository.ideas()
    changed = store.mark_sent(payload.ids)
    if changed:
        request.app.state.store.audit(
            user_id=principal.user.id,
            action="idea.replies_sent",
            target_kind="idea_reply",
            target_id=",".join(str(i) for i in payload.ids[:20]),
            details={"changed": changed},
        )
    return RepliesSentOut(changed=changed, loops_closed=store.loops_closed())


@router.get("/{idea_id}", response_model=IdeaDetailOut)
def idea(idea_id: RowId, request: Request, days: _Days = 30.0, _: Principal = Viewer) -> IdeaDetailOut:
    """Return an idea with its support, suggestions and votes (by supporter), history and replies."""
    state = request.app.state
    found = _idea(request, idea_id)
    store = state.repository.ideas()
    now = state.clock()
    rows = [
        r
        for r in board(
            state.repository,
            now=now,
            crowd=_crowd(request, days),
            scope=found.scope,
            statuses=(found.status,),
        )
        if r.idea.id == idea_id
    ]
    return IdeaDetailOut.model_validate(
        {
            "idea": found,
            "support": rows[0].support if rows else None,
            "posts": store.posts([idea_id])[idea_id],
            "history": store.history(idea_id),
            "replies": store.replies(idea_id),
        }
    )


@router.patch("/{idea_id}", response_model=IdeaOut)
def rename(idea_id: RowId, payload: RenameIn, request: Request, principal: Principal = Analyst) -> IdeaOut:
    """Give an idea your own title (new suggestions no longer change it)."""
    _idea(request, idea_id)
    title = payload.title.strip()
    if not title:
        raise ApiError(422, "invalid_request", detail="title: empty")
    request.app.state.repository.ideas().rename(idea_id, title, actor=principal.user.username)
    _audit(request, principal, "idea.rename", idea_id)
    return IdeaOut.model_validate(_idea(request, idea_id))


@router.put("/{idea_id}/owner", response_model=IdeaOut)
def owner(idea_id: RowId, payload: OwnerIn, request: Request, principal: Principal = Analyst) -> IdeaOut:
    """Name who carries an idea inside the company (empty: nobody), without changing its status."""
    _idea(request, idea_id)
    name = (payload.owner or "").strip() or None
    request.app.state.repository.ideas().set_owner(idea_id, name, actor=principal.user.username)
    _audit(request, principal, "idea.owner", idea_id, owner=name)
    return IdeaOut.model_validate(_idea(request, idea_id))


@router.post("/{idea_id}/status", response_model=StatusOut)
def status(idea_id: RowId, payload: StatusIn, request: Request, principal: Principal = Analyst) -> StatusOut:
    """Move an idea (declining needs a reason) and draft a reply to each supporter in their language."""
    state = request.app.state
    _idea(request, idea_id)
    now = state.clock()
    try:
        change = change_status(
            state.repository,
            idea_id,
            payload.status,
            actor=principal.user.username,
            reason=payload.reason,
            owner=payload.owner,
            bots=Crowd.of(state.repository, now=now).bots,
            lang="fr" if wants_french(request) else "en",
        )
    except WorkflowError as err:
        raise ApiError(409, "idea_workflow", detail=str(err)) from err
    _audit(request, principal, "idea.status", idea_id, status=payload.status, replies=len(change.replies))
    return StatusOut.model_validate(
        {"idea": _idea(request, idea_id), "event_id": change.event_id, "replies": change.replies}
    )


@router.post("/{idea_id}/merge", response_model=IdeaOut)
def merge(idea_id: RowId, payload: MergeIn, request: Request, principal: Principal = Analyst) -> IdeaOut:
    """Merge other ideas into this one: their suggestions, votes and replies move; they become ``merged``."""
    target = _idea(request, idea_id)
    store = request.app.state.repository.ideas()
    sources = list(dict.fromkeys(payload.sources))
    for source in sources:
        found = store.get(source)
        if found is None:
            raise ApiError(404, "not_found", detail=f"idea {source}")
        if source == idea_id or found.status == "merged" or target.status == "merged":
            raise ApiError(409, "idea_merge", detail=f"{source} -> {idea_id}")
    for source in sources:
        store.merge(idea_id, source, actor=principal.user.username)
    _audit(request, principal, "idea.merge", idea_id, sources=sources)
    return IdeaOut.model_validate(_idea(request, idea_id))


@router.post("/{idea_id}/split", response_model=IdeaOut, status_code=201)
def split(idea_id: RowId, payload: SplitIn, request: Request, principal: Principal = Analyst) -> IdeaOut:
    """Move some (not all) of an idea's suggestions into a new idea; return the new idea."""
    from listener.idea_box.grouping_job import retitle

    found = _idea(request, idea_id)
    store = request.app.state.repository.ideas()
    members = {p.mention_id for p in store.posts([idea_id])[idea_id] if p.kind == "suggestion"}
    chosen = set(payload.mention_ids)
    if found.status == "merged" or not chosen <= members or chosen == members:
        raise ApiError(409, "idea_split", detail=f"some, not all, suggestions of {idea_id}")
    title = (payload.title or "").strip()
    new_id = store.split(idea_id, sorted(chosen), title=title or "…", actor=principal.user.username)
    retitle(store, [idea_id] + ([] if title else [new_id]))
    _audit(request, principal, "idea.split", idea_id, new_idea=new_id, suggestions=len(chosen))
    return IdeaOut.model_validate(_idea(request, new_id))
