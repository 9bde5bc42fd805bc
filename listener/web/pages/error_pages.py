"""Errors on the dashboard's pages as HTML pages (layout, navigation, French or English); the API keeps JSON.

A browser that opens ``/mentions/999`` or a mistyped address should land on a page of the app that
says what happened and leads back, not on a JSON body. So for a GET outside ``/api/`` the handlers
here render ``error.html``; every other request (the API, and the pages' own POSTs made by our
script) goes to the JSON handlers of :mod:`listener.web.errors`, which stay the one place mapping
our error tree to statuses. A server error never shows internals, on a page or in JSON.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from listener.core.errors import DatabaseUnavailable, ListenerError
from listener.web import errors
from listener.web.pages.render import page
from listener.web.security import Principal, authenticate

logger = logging.getLogger(__name__)
Handler = Callable[[Request, Exception], Response]


def _(message: str) -> str:
    """Mark a message for extraction (the template translates it when rendering)."""
    return message


PAGES: dict[int, tuple[str, str]] = {
    400: (_("This address is not valid"), _("A value in the address is not one the page understands.")),
    401: (_("Sign in first"), _("This page is for signed-in users.")),
    403: (_("Not allowed"), _("Your role does not allow this page.")),
    404: (
        _("Page not found"),
        _("There is nothing at this address: it may have been mistyped, or the item was erased."),
    ),
    422: (_("This address is not valid"), _("A value in the address is not one the page understands.")),
    500: (
        _("Something went wrong"),
        _("The server failed to show this page. Try again; if it goes on, tell your administrator."),
    ),
    503: (_("Try again in a moment"), _("The database is unavailable for now.")),
}


def _is_page(request: Request) -> bool:
    return request.method in ("GET", "HEAD") and not request.url.path.startswith("/api/")


def _reader(request: Request) -> Principal | None:
    """Return the signed-in reader for the navigation, or None (also when the database cannot say)."""
    try:
        return authenticate(request)
    except (errors.ApiError, ListenerError):
        return None


def _status(exc: Exception) -> int:
    if isinstance(exc, errors.ApiError):
        return exc.status
    if isinstance(exc, StarletteHTTPException):
        return exc.status_code
    if isinstance(exc, RequestValidationError):
        return 422
    if isinstance(exc, DatabaseUnavailable):
        return 503
    return 500


def error_page(request: Request, exc: Exception) -> Response:
    """Render the error page for ``exc`` (its status, the reader's language, the app's layout)."""
    status = _status(exc)
    known = status if status in PAGES else (500 if status >= 500 else 400)
    heading, text = PAGES[known]
    reader = _reader(request)  # None when the database cannot tell: the page then has no navigation
    headers = {"Retry-After": "5"} if status == 503 else None
    response = page(request, reader, "error.html", status=status, title=heading, heading=heading, text=text,
                    code=status)
    if headers:
        response.headers.update(headers)
    return response


def _either(json_handler: Handler) -> Handler:
    def handle(request: Request, exc: Exception) -> Response:
        if _is_page(request):
            if _status(exc) >= 500:
                logger.error("web: page failed with %s", type(exc).__name__, extra={"path": request.url.path})
            return error_page(request, exc)
        return json_handler(request, exc)

    return handle


def _server_error(request: Request, exc: Exception) -> Response:
    """Answer an unexpected exception (Starlette re-raises it afterwards: the server logs the traceback)."""
    if _is_page(request):
        return error_page(request, exc)
    return errors.server_error(request, exc)


def install(app: FastAPI) -> None:
    """Put the page-or-JSON handlers in front of the JSON ones :func:`listener.web.errors.install` set."""
    for kind, json_handler in errors.HANDLERS.items():
        app.add_exception_handler(kind, _either(json_handler))
    app.add_exception_handler(Exception, _server_error)
