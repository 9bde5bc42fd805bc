"""Build the FastAPI application from its collaborators: ``create_app(repository, store, clock, settings)``.

Nothing here opens a database or reads the config: the caller (the CLI today, ``listener.wiring``
tomorrow) passes them in, which is also how tests run the real app on a temporary database. Every
response carries the security headers; a state change coming from another site's page (its Origin is
not ours) is refused before any route runs. The interactive docs at ``/api/docs`` load Swagger UI from
the installed ``fastapi-offline`` package and our own start-up script: no CDN, no inline script.
The referrer policy is ``same-origin``: with ``no-referrer`` Chromium sends ``Origin: null`` on the
pages' own POSTs, which the origin guard (rightly) refuses.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from listener import __version__
from listener.config import Settings
from listener.core.clock import Clock
from listener.web import errors, pages
from listener.web.report_cache import ReportCache
from listener.web.routers import ALL
from listener.web.security import SAFE_METHODS, LoginLimiter
from storage import Repository, WebStore

if TYPE_CHECKING:
    from analysis.theme_vectors import ThemeEncoder

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>listener API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/local/docs-init.js"></script></body></html>
"""


def _swagger_assets() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


def _is_foreign(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin == "null"
    return urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower()


def create_app(
    repository: Repository,
    store: WebStore,
    *,
    clock: Clock,
    settings: Settings,
    theme_encoder: Callable[[], ThemeEncoder] | None = None,
) -> FastAPI:
    """Return the web API over these collaborators (``theme_encoder``: loaded on first aspects request)."""
    app = FastAPI(
        title="listener API",
        version=__version__,
        summary="Mentions, inbox workflow, authors, alerts and exports of a listener instance.",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.repository = repository
    app.state.store = store
    app.state.clock = clock
    app.state.settings = settings
    app.state.theme_encoder = theme_encoder
    app.state.reports = ReportCache(clock=clock)
    app.state.facets = ReportCache(clock=clock, size=256)  # the inbox's counts, per filter
    app.state.limiter = LoginLimiter(
        attempts=settings.web.login_attempts, window=settings.web.login_window, clock=clock
    )
    errors.install(app)

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.method not in SAFE_METHODS and _is_foreign(request):
            response: Response = JSONResponse(errors.body(request, "bad_origin"), status_code=403)
        else:
            response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith("/api/") and not request.url.path.startswith("/api/docs"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    for router in ALL:
        app.include_router(router)

    @app.get("/api/health", tags=["meta"])
    def health() -> dict[str, str]:
        """Tell a load balancer the process answers (no authentication, no data)."""
        return {"status": "ok"}

    @app.get("/api/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(DOCS_PAGE)

    pages.install(app)
    app.mount("/api/docs/assets", StaticFiles(directory=_swagger_assets()), name="docs-assets")
    app.mount(
        "/api/docs/local", StaticFiles(directory=str(files("listener.web") / "static")), name="docs-local"
    )
    return app
