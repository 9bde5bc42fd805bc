"""One place turning errors into JSON: ``{"error": code, "message": text}`` in French or English.

The language follows ``Accept-Language`` (French when it prefers ``fr``, English otherwise). Our error
tree maps to statuses here and nowhere else: a bad filter or cursor is 400, an unavailable database
503 with ``Retry-After``, a storage refusal 500 without internals. Tracebacks never reach a client.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from listener.core.errors import ConfigError, DatabaseUnavailable, ListenerError, StorageError

logger = logging.getLogger(__name__)

MESSAGES: dict[str, tuple[str, str]] = {
    "login_required": ("sign in first", "connectez-vous d'abord"),
    "bad_login": ("wrong username or password", "identifiant ou mot de passe incorrect"),
    "too_many_logins": (
        "too many failed sign-ins, try again later",
        "trop d'échecs de connexion, réessayez plus tard",
    ),
    "bad_token": ("this API token is unknown or revoked", "ce jeton d'API est inconnu ou révoqué"),
    "csrf": ("missing or wrong X-CSRF-Token header", "en-tête X-CSRF-Token absent ou incorrect"),
    "bad_origin": ("request from another site refused", "requête d'un autre site refusée"),
    "forbidden_role": ("your role does not allow this", "votre rôle ne le permet pas"),
    "not_found": ("not found", "introuvable"),
    "method_not_allowed": ("method not allowed", "méthode non autorisée"),
    "invalid_request": ("invalid request", "requête invalide"),
    "bad_cursor": (
        "this cursor is not valid for this listing",
        "ce curseur n'est pas valable pour cette liste",
    ),
    "bad_filter": ("invalid filter", "filtre invalide"),
    "username_taken": ("this username is taken", "cet identifiant est déjà pris"),
    "unknown_user": ("no such user", "utilisateur inconnu"),
    "unknown_label": ("unknown label", "étiquette inconnue"),
    "too_many_rows": (
        "the filter selects too many mentions for one action",
        "le filtre sélectionne trop de mentions pour une seule action",
    ),
    "last_admin": (
        "the last active admin cannot be demoted or disabled",
        "le dernier administrateur actif ne peut être rétrogradé ni désactivé",
    ),
    "unknown_topic": ("no such topic in the configuration", "ce sujet n'existe pas dans la configuration"),
    "idea_workflow": ("this status change is not allowed", "ce changement de statut n'est pas permis"),
    "idea_merge": (
        "an idea cannot be merged into itself or into a merged idea",
        "une idée ne peut être fusionnée avec elle-même ni avec une idée déjà fusionnée",
    ),
    "idea_split": (
        "choose some, not all, of the idea's suggestions",
        "choisissez certaines suggestions de l'idée, pas toutes",
    ),
    "too_many_views": (
        "you keep too many saved views, delete one first",
        "vous avez trop de vues enregistrées, supprimez-en une d'abord",
    ),
    "database_unavailable": (
        "the database is unavailable, retry shortly",
        "la base de données est indisponible, réessayez bientôt",
    ),
    "storage_error": ("the database refused the operation", "la base de données a refusé l'opération"),
    "server_error": ("the server failed", "le serveur a échoué"),
}


class ErrorOut(BaseModel):
    """Every error body: a stable code, a sentence in the client's language, and details if any."""

    error: str
    message: str
    detail: Any = None


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut} for status in (400, 401, 403, 404, 409, 413, 422, 429, 503)
}
"""What routers declare, so the OpenAPI document describes the error bodies this module writes."""


class ApiError(Exception):
    """An error the client caused or must know about: a status, a stable code and its message."""

    def __init__(
        self, status: int, code: str, *, detail: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers or {}


def wants_french(request: Request) -> bool:
    """Tell whether the client prefers French."""
    return request.headers.get("accept-language", "").strip().lower().startswith("fr")


def body(request: Request, code: str, detail: Any = None) -> dict[str, Any]:
    """Return the JSON error body in the client's language."""
    english, french = MESSAGES.get(code, (code, code))
    out: dict[str, Any] = {"error": code, "message": french if wants_french(request) else english}
    if detail is not None:
        out["detail"] = detail
    return out


def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(body(request, exc.code, exc.detail), status_code=exc.status, headers=exc.headers)


def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    detail = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in exc.errors()]
    return JSONResponse(body(request, "invalid_request", detail), status_code=422)


def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "invalid_request")
    return JSONResponse(body(request, code), status_code=exc.status_code, headers=exc.headers)


def _listener(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, DatabaseUnavailable):
        logger.warning("web: database unavailable", extra={"path": request.url.path})
        return JSONResponse(
            body(request, "database_unavailable"), status_code=503, headers={"Retry-After": "5"}
        )
    if isinstance(exc, ConfigError):
        return JSONResponse(body(request, "bad_filter", str(exc)), status_code=400)
    if isinstance(exc, StorageError):
        logger.error("web: storage refused a request", extra={"path": request.url.path})
        return JSONResponse(body(request, "storage_error"), status_code=500)
    logger.error("web: unexpected listener error %s", type(exc).__name__, extra={"path": request.url.path})
    return JSONResponse(body(request, "server_error"), status_code=500)


def server_error(request: Request, _exc: Exception) -> JSONResponse:
    """Answer an unexpected failure with a 500 and no internals (the caller logs it)."""
    return JSONResponse(body(request, "server_error"), status_code=500)


HANDLERS: dict[type[Exception], Callable[[Request, Exception], JSONResponse]] = {
    ApiError: _api_error,
    RequestValidationError: _validation,
    StarletteHTTPException: _http,
    ListenerError: _listener,
}
"""Each error class and its JSON handler (the dashboard's pages put an HTML one in front of them)."""


def install(app: FastAPI) -> None:
    """Register the handlers on an application."""
    for kind, handler in HANDLERS.items():
        app.add_exception_handler(kind, handler)
