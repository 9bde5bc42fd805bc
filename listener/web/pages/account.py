"""Signing in (the form; the API's ``/api/auth/login`` does the work), the reader's language, and settings.

Settings shows users and roles (admins), the reader's API tokens (created and revoked through the API),
and the alert and routing rules in force, read-only.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict

from alerts.i18n import Lang
from listener.web.pages.render import SignedIn, page
from listener.web.security import Principal, Viewer, authenticate

router = APIRouter(include_in_schema=False)


def safe_next(value: str | None) -> str:
    """Return a same-site path to go to after signing in (never another host)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request, next: Annotated[str | None, Query(max_length=2000)] = None
) -> Response:
    """Show the sign-in form (or go on when already signed in)."""
    if authenticate(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return page(request, None, "login.html", title="Sign in", next=safe_next(next))


class LanguageIn(BaseModel):
    """The reader's new language."""

    model_config = ConfigDict(extra="forbid")
    language: Lang


@router.post("/ui/language", status_code=204)
def set_language(payload: LanguageIn, request: Request, principal: Principal = Viewer) -> Response:
    """Store the reader's language (their preference; every page is then rendered in it)."""
    request.app.state.store.update_user(
        principal.user.id,
        actor_id=principal.user.id,
        action="user.language",
        end_sessions=False,
        language=payload.language,
    )
    return Response(status_code=204)


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, principal: Principal = SignedIn) -> HTMLResponse:
    """Show users and roles (admins), your API tokens, and the rules in force."""
    state = request.app.state
    settings = state.settings
    return page(
        request,
        principal,
        "settings.html",
        title="Settings",
        users=state.store.users() if principal.at_least("admin") else [],
        tokens=state.store.tokens(principal.user.id),
        rules=[r.model_dump(mode="json") for r in settings.alerts.rules],
        routing=settings.routing.model_dump(mode="json"),
        topics=settings.topics,
    )
