"""Working the inbox: status, assignee, department and tags (one mention or in bulk), notes, corrections."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from listener.web.errors import ERROR_RESPONSES, ApiError
from listener.web.filters import inbox_filter
from listener.web.schemas import BulkIn, ChangedOut, LabelIn, LabelOut, NoteIn, NoteOut, RowId, WorkflowIn
from listener.web.security import Analyst, Principal
from storage.web_records import InboxFilter, WorkflowChange

router = APIRouter(prefix="/api", tags=["workflow"], responses=ERROR_RESPONSES)


def _change(request: Request, payload: WorkflowIn) -> WorkflowChange:
    given = payload.model_fields_set
    if payload.assignee_id is not None and request.app.state.store.user(user_id=payload.assignee_id) is None:
        raise ApiError(422, "unknown_user")
    return WorkflowChange(
        status=payload.status,
        assignee_id=payload.assignee_id,
        clear_assignee="assignee_id" in given and payload.assignee_id is None,
        department=payload.department or None,
        clear_department="department" in given and not payload.department,
        add_tags=tuple(t for t in payload.add_tags if t.strip()),
        remove_tags=tuple(t for t in payload.remove_tags if t.strip()),
    )


@router.patch("/mentions/{mention_id}/workflow", response_model=ChangedOut)
def change(
    mention_id: RowId, payload: WorkflowIn, request: Request, principal: Principal = Analyst
) -> ChangedOut:
    """Change one mention's workflow; its echoes follow it."""
    changed = request.app.state.store.change(
        [mention_id], _change(request, payload), user_id=principal.user.id
    )
    if not changed:
        raise ApiError(404, "not_found")
    return ChangedOut(changed=changed)


@router.post("/mentions/bulk", response_model=ChangedOut)
def bulk(
    payload: BulkIn,
    request: Request,
    flt: Annotated[InboxFilter, Depends(inbox_filter)],
    principal: Principal = Analyst,
) -> ChangedOut:
    """Change the listed mentions, or (no ``ids``) every mention matching the query-string filters."""
    state = request.app.state
    change = _change(request, payload.change)
    if payload.ids is not None:
        return ChangedOut(
            changed=state.store.change(payload.ids, change, user_id=principal.user.id, action="workflow.bulk")
        )
    try:
        changed = state.store.change_matching(
            flt, change, user_id=principal.user.id, limit=state.settings.web.max_bulk
        )
    except ValueError as err:
        raise ApiError(413, "too_many_rows") from err
    return ChangedOut(changed=changed)


@router.post("/mentions/{mention_id}/notes", response_model=NoteOut, status_code=201)
def add_note(mention_id: RowId, payload: NoteIn, request: Request, principal: Principal = Analyst) -> NoteOut:
    """Add a note to a mention."""
    store = request.app.state.store
    note_id = store.add_note(mention_id, payload.body, user_id=principal.user.id)
    if note_id is None:
        raise ApiError(404, "not_found")
    return NoteOut.of(next(n for n in store.notes(mention_id) if n.id == note_id))


@router.put("/mentions/{mention_id}/notes/{note_id}", response_model=NoteOut)
def edit_note(
    mention_id: RowId, note_id: RowId, payload: NoteIn, request: Request, principal: Principal = Analyst
) -> NoteOut:
    """Edit a note (its previous text is kept in its history)."""
    store = request.app.state.store
    if not store.edit_note(mention_id, note_id, payload.body, user_id=principal.user.id):
        raise ApiError(404, "not_found")
    return NoteOut.of(next(n for n in store.notes(mention_id) if n.id == note_id))


@router.post("/mentions/{mention_id}/labels", response_model=LabelOut, status_code=201)
def label(mention_id: RowId, payload: LabelIn, request: Request, principal: Principal = Analyst) -> LabelOut:
    """Correct a sentiment or intent label; ``listener train`` learns from it, ``reanalyse`` applies it."""
    from analysis.training import stage_of

    state = request.app.state
    try:
        stage = stage_of(payload.label)
    except ValueError as err:
        raise ApiError(422, "unknown_label") from err
    if state.repository.get_mention(mention_id) is None:
        raise ApiError(404, "not_found")
    label_id = state.repository.save_label(mention_id, stage, payload.label)
    state.store.audit(
        user_id=principal.user.id,
        action="label.add",
        target_kind="mention",
        target_id=str(mention_id),
        details={"stage": stage, "label": payload.label},
    )
    return LabelOut(id=label_id, mention_id=mention_id, stage=stage, label=payload.label)
