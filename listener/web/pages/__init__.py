"""The dashboard: server-rendered pages over the API's reads, in French and English.

Pages are read-only routes; every change (workflow, labels, notes, tokens, erasure) goes through the
API with the session cookie and the CSRF header, so the API's role checks and audit log cover the
dashboard too. Our own script and stylesheet are served from ``/ui/static`` (no CDN, no third-party
file): the Content-Security-Policy forbids inline scripts, so nothing in a page can run but them.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from listener.web.pages import (
    account,
    error_pages,
    ideas,
    inbox,
    monitoring,
    overview,
    overview_first,
    people,
    trends,
)
from listener.web.pages.render import TEMPLATES, LoginRedirect

STATIC = TEMPLATES.parent / "ui_static"
ROUTERS = (
    overview.router, overview_first.router, inbox.router, people.router, trends.router, ideas.router,
    monitoring.router, account.router,
)


def _to_login(request: Request, _exc: Exception) -> Response:
    wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse("/login?next=" + quote(wanted, safe=""), status_code=303)


def install(app: FastAPI) -> None:
    """Add the dashboard's pages and static files to the application."""
    for router in ROUTERS:
        app.include_router(router)
    app.add_exception_handler(LoginRedirect, _to_login)
    error_pages.install(app)
    app.mount("/ui/static", StaticFiles(directory=STATIC), name="ui-static")
