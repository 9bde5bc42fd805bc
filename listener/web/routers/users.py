"""Users and the audit log: admins manage accounts; analysts may list users to assign mentions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from listener.web.errors import ERROR_RESPONSES, ApiError
from listener.web.schemas import RowId
from listener.web.schemas_accounts import AuditOut, UserChangeIn, UserIn, UserOut
from listener.web.security import Admin, Analyst, Principal, hash_password

router = APIRouter(prefix="/api", tags=["users"], responses=ERROR_RESPONSES)


@router.get("/users", response_model=list[UserOut])
def list_users(request: Request, _: Principal = Analyst) -> list[UserOut]:
    """Return every user."""
    return [UserOut.of(u) for u in request.app.state.store.users()]


@router.post("/users", response_model=UserOut, status_code=201)
def add_user(payload: UserIn, request: Request, principal: Principal = Admin) -> UserOut:
    """Create a user."""
    store = request.app.state.store
    try:
        user_id = store.add_user(
            payload.username,
            display_name=payload.display_name or payload.username,
            password_hash=hash_password(payload.password),
            role=payload.role,
            language=payload.language,
            actor_id=principal.user.id,
        )
    except ValueError as err:
        raise ApiError(409, "username_taken") from err
    return UserOut.of(store.user(user_id=user_id))


@router.patch("/users/{user_id}", response_model=UserOut)
def change_user(
    user_id: RowId, payload: UserChangeIn, request: Request, principal: Principal = Admin
) -> UserOut:
    """Change a user's role, enable or disable them, or reset their password (ends their sessions)."""
    store = request.app.state.store
    user = store.user(user_id=user_id)
    if user is None:
        raise ApiError(404, "not_found")
    demoting = (payload.role not in (None, "admin")) or payload.is_active is False
    if user.role == "admin" and demoting:
        admins = [u for u in store.users() if u.role == "admin" and u.is_active]
        if len(admins) <= 1:
            raise ApiError(409, "last_admin")
    values: dict[str, Any] = {}
    if payload.role is not None:
        values["role"] = payload.role
    if payload.is_active is not None:
        values["is_active"] = payload.is_active
    if payload.password is not None:
        values["password_hash"] = hash_password(payload.password)
    if values:
        store.update_user(
            user_id, actor_id=principal.user.id, action="user.change", end_sessions=True, **values
        )
    return UserOut.of(store.user(user_id=user_id))


@router.get("/audit", response_model=list[AuditOut])
def audit(
    request: Request,
    target_kind: Annotated[str | None, Query(max_length=64)] = None,
    target_id: Annotated[str | None, Query(max_length=255)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    _: Principal = Admin,
) -> list[AuditOut]:
    """Return the audit log, newest first (page with ``before`` = the last id seen)."""
    entries = request.app.state.store.audit_log(
        target_kind=target_kind, target_id=target_id, limit=limit, before_id=before
    )
    return [AuditOut.of(e) for e in entries]
