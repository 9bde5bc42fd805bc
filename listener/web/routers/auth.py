"""Signing in and out, the current user, and personal API tokens (each user sees only their own)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from listener.web.errors import ERROR_RESPONSES, ApiError
from listener.web.schemas import RowId
from listener.web.schemas_accounts import LoginIn, NewTokenOut, SessionOut, TokenIn, TokenOut, UserOut
from listener.web.security import (
    SESSION_COOKIE,
    Principal,
    Viewer,
    digest,
    hash_password,
    needs_rehash,
    new_api_token,
    new_secret,
    verify_password,
)

router = APIRouter(prefix="/api", tags=["auth"], responses=ERROR_RESPONSES)


def _client(request: Request) -> str:
    return "ip:" + (request.client.host if request.client else "unknown")


@router.post("/auth/login", response_model=SessionOut)
def login(payload: LoginIn, request: Request, response: Response) -> SessionOut:
    """Check the password, then open a fresh session (any session the browser held is ended)."""
    state = request.app.state
    user_key = "user:" + payload.username.casefold()
    wait = state.limiter.retry_after(user_key, _client(request))
    if wait is not None:
        raise ApiError(429, "too_many_logins", headers={"Retry-After": str(wait)})
    found = state.store.password_hash(payload.username)
    is_ok = verify_password(found[1] if found else None, payload.password)
    if found is None or not is_ok or not found[2]:
        state.limiter.failed(user_key, _client(request))
        raise ApiError(401, "bad_login")
    user_id, stored_hash, _ = found
    state.limiter.succeeded(user_key)
    if needs_rehash(stored_hash):
        state.store.rehash_password(user_id, hash_password(payload.password))
    token, csrf = new_secret(), new_secret()
    old = request.cookies.get(SESSION_COOKIE)
    state.store.start_session(
        user_id,
        token_hash=digest(token),
        csrf_token=csrf,
        expires_at=state.clock() + state.settings.web.session_lifetime,
        replaces=digest(old) if old else None,
    )
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        path="/",
        secure=state.settings.web.secure_cookie,
        max_age=int(state.settings.web.session_lifetime.total_seconds()),
    )
    user = state.store.user(user_id=user_id)
    return SessionOut(user=UserOut.of(user), csrf_token=csrf)


@router.post("/auth/logout", status_code=204)
def logout(request: Request, response: Response, principal: Principal = Viewer) -> Response:
    """End the current session and clear its cookie."""
    if principal.session_hash is not None:
        request.app.state.store.end_session(principal.session_hash, user_id=principal.user.id)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get("/auth/me", response_model=SessionOut)
def me(principal: Principal = Viewer) -> SessionOut:
    """Return the signed-in user (and the session's CSRF token)."""
    csrf = principal.session.csrf_token if principal.session else None
    return SessionOut(user=UserOut.of(principal.user), csrf_token=csrf)


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(request: Request, principal: Principal = Viewer) -> list[TokenOut]:
    """Return your API tokens (never the tokens themselves)."""
    return [TokenOut.of(t) for t in request.app.state.store.tokens(principal.user.id)]


@router.post("/tokens", response_model=NewTokenOut, status_code=201)
def create_token(payload: TokenIn, request: Request, principal: Principal = Viewer) -> NewTokenOut:
    """Create an API token; its value is in this response only."""
    store = request.app.state.store
    token = new_api_token()
    token_id = store.add_token(
        principal.user.id, name=payload.name, token_hash=digest(token), prefix=token[:8]
    )
    made = next(t for t in store.tokens(principal.user.id) if t.id == token_id)
    return NewTokenOut(**TokenOut.of(made).model_dump(), token=token)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: RowId, request: Request, principal: Principal = Viewer) -> Response:
    """Revoke one of your tokens (another user's token is "not found")."""
    if not request.app.state.store.revoke_token(token_id, user_id=principal.user.id):
        raise ApiError(404, "not_found")
    return Response(status_code=204)
