"""Every route x every role (plus anonymous) gets the status its decision says; a new route needs one.

``DECISIONS`` is the authorisation table: the least role each route needs ("anonymous" for public
ones). The test fails when the application has a route missing from the table (or the other way
round), then calls each route as anonymous, viewer, analyst and admin and checks that the weaker ones
get 401/403 and the allowed ones get past authorisation.
"""

from __future__ import annotations

from typing import Any

import pytest
from web_env import PASSWORD, WebEnv

from listener.web.security import RANK

DECISIONS: dict[tuple[str, str], str] = {
    ("GET", "/api/health"): "anonymous",
    ("GET", "/api/openapi.json"): "anonymous",
    ("GET", "/api/docs"): "anonymous",
    ("POST", "/api/auth/login"): "anonymous",
    ("POST", "/api/auth/logout"): "viewer",
    ("GET", "/api/auth/me"): "viewer",
    ("GET", "/api/tokens"): "viewer",
    ("POST", "/api/tokens"): "viewer",
    ("DELETE", "/api/tokens/{token_id}"): "viewer",
    ("GET", "/api/users"): "analyst",
    ("POST", "/api/users"): "admin",
    ("PATCH", "/api/users/{user_id}"): "admin",
    ("GET", "/api/audit"): "admin",
    ("GET", "/api/mentions"): "viewer",
    ("GET", "/api/mentions/facets"): "viewer",
    ("GET", "/api/mentions/{mention_id}"): "viewer",
    ("PATCH", "/api/mentions/{mention_id}/workflow"): "analyst",
    ("POST", "/api/mentions/bulk"): "analyst",
    ("POST", "/api/mentions/{mention_id}/notes"): "analyst",
    ("PUT", "/api/mentions/{mention_id}/notes/{note_id}"): "analyst",
    ("POST", "/api/mentions/{mention_id}/labels"): "analyst",
    ("GET", "/api/authors"): "viewer",
    ("GET", "/api/authors/{author_id}"): "viewer",
    ("DELETE", "/api/authors/{author_id}"): "admin",
    ("GET", "/api/alerts"): "viewer",
    ("GET", "/api/alerts/{alert_id}"): "viewer",
    ("GET", "/api/sources"): "viewer",
    ("GET", "/api/series"): "viewer",
    ("GET", "/api/share-of-voice"): "viewer",
    ("GET", "/api/routing"): "viewer",
    ("GET", "/api/exports/mentions.csv"): "analyst",
    ("GET", "/api/exports/mentions.parquet"): "analyst",
    # The dashboard's pages: an anonymous visitor is sent to the login page (303) instead of a 401.
    ("GET", "/"): "viewer",
    ("GET", "/inbox"): "viewer",
    ("GET", "/inbox/new"): "viewer",
    ("GET", "/inbox/facets"): "viewer",
    ("GET", "/overview/first"): "viewer",
    ("GET", "/mentions/{mention_id}"): "viewer",
    ("GET", "/people"): "viewer",
    ("GET", "/people/{key:path}"): "viewer",
    ("GET", "/trends"): "viewer",
    ("GET", "/ideas"): "viewer",
    ("GET", "/ideas/{idea_id}"): "viewer",
    ("GET", "/alerts"): "viewer",
    ("GET", "/alerts/{alert_id}"): "viewer",
    ("GET", "/sources"): "viewer",
    ("GET", "/settings"): "viewer",
    ("GET", "/login"): "anonymous",
    ("POST", "/ui/language"): "viewer",
    ("GET", "/api/trends/series"): "viewer",
    ("GET", "/api/trends/share-of-voice"): "viewer",
    ("GET", "/api/trends/rising"): "viewer",
    ("GET", "/api/trends/bursts"): "viewer",
    ("GET", "/api/trends/story"): "viewer",
    ("GET", "/api/trends/themes"): "viewer",
    ("GET", "/api/trends/aspects"): "viewer",
    ("GET", "/api/ideas"): "viewer",
    ("GET", "/api/ideas/replies"): "viewer",
    ("POST", "/api/ideas/replies/sent"): "analyst",
    ("GET", "/api/ideas/{idea_id}"): "viewer",
    ("PATCH", "/api/ideas/{idea_id}"): "analyst",
    ("POST", "/api/ideas/{idea_id}/status"): "analyst",
    ("POST", "/api/ideas/{idea_id}/merge"): "analyst",
    ("POST", "/api/ideas/{idea_id}/split"): "analyst",
    ("PUT", "/api/ideas/{idea_id}/owner"): "analyst",
    # Saved views: everyone keeps their own (the store keys each on its owner; IDOR in test_saved_views).
    ("GET", "/api/views"): "viewer",
    ("POST", "/api/views"): "viewer",
    ("DELETE", "/api/views/{view_id}"): "viewer",
}
MOUNTS = {"/api/docs/assets", "/api/docs/local", "/ui/static"}
"""Static file mounts (public: Swagger UI's files, our start-up script, the dashboard's script and style)."""

# A harmless request per route: ids that do not exist, bodies that are valid, so an allowed caller
# gets past authorisation (404/2xx/422) and never changes the seeded data other tests read.
PATHS = {
    "token_id": "999999",
    "user_id": "999999",
    "mention_id": "999999",
    "note_id": "999999",
    "author_id": "999999",
    "alert_id": "999999",
    "idea_id": "999999",
    "view_id": "999999",
}
BODIES: dict[tuple[str, str], object] = {
    ("POST", "/api/auth/login"): {"username": "viewer", "password": PASSWORD},
    ("POST", "/api/tokens"): {"name": "route-test"},
    ("POST", "/api/users"): {"username": "x", "password": "short"},
    ("PATCH", "/api/users/{user_id}"): {"role": "viewer"},
    ("PATCH", "/api/mentions/{mention_id}/workflow"): {"status": "handled"},
    ("POST", "/api/mentions/bulk"): {"ids": [999999], "change": {"status": "handled"}},
    ("POST", "/api/mentions/{mention_id}/notes"): {"body": "x"},
    ("PUT", "/api/mentions/{mention_id}/notes/{note_id}"): {"body": "x"},
    ("POST", "/api/mentions/{mention_id}/labels"): {"label": "negative"},
    ("POST", "/ui/language"): {"language": "en"},
    ("POST", "/api/ideas/replies/sent"): {"ids": [999999]},
    ("PATCH", "/api/ideas/{idea_id}"): {"title": "x"},
    ("POST", "/api/ideas/{idea_id}/status"): {"status": "planned"},
    ("POST", "/api/ideas/{idea_id}/merge"): {"sources": [999998]},
    ("POST", "/api/ideas/{idea_id}/split"): {"mention_ids": [999999]},
    ("PUT", "/api/ideas/{idea_id}/owner"): {"owner": "x"},
    ("POST", "/api/views"): {"name": "route-test", "query": "status=new"},
}
CALLERS = ("anonymous", "viewer", "analyst", "admin")


def _walk(routes: list[Any], found: set[tuple[str, str]], mounts: set[str]) -> None:
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI >= 0.16x wraps included routers
        if included is not None:
            _walk(list(included.routes), found, mounts)
        elif getattr(route, "methods", None) is not None:
            found.update((m, route.path) for m in route.methods if m != "HEAD")
        else:
            mounts.add(route.path)


def _routes(env: WebEnv) -> tuple[set[tuple[str, str]], set[str]]:
    app = env.server._server.config.app  # type: ignore[union-attr]
    routes: set[tuple[str, str]] = set()
    mounts: set[str] = set()
    _walk(list(app.routes), routes, mounts)
    return routes, mounts


def test_every_route_has_a_decision(sqlite_env: WebEnv) -> None:
    routes, mounts = _routes(sqlite_env)
    assert routes - set(DECISIONS) == set(), "routes without an authorisation decision"
    assert set(DECISIONS) - routes == set(), "decisions for routes that no longer exist"
    assert mounts == MOUNTS


def _allowed(caller: str, needed: str) -> bool:
    if needed == "anonymous":
        return True
    return caller != "anonymous" and RANK[caller] >= RANK[needed]


@pytest.mark.parametrize("caller", CALLERS)
def test_each_caller_gets_what_the_table_says(sqlite_env: WebEnv, caller: str) -> None:
    client = sqlite_env.anonymous() if caller == "anonymous" else sqlite_env.client(caller)
    wrong = []
    with client:
        for (method, template), needed in sorted(DECISIONS.items()):
            if template == "/api/auth/logout" and caller != "anonymous":
                continue  # a token has no session to end; logout is covered in test_security
            path = template.replace("{key:path}", "999999").format(**PATHS)
            response = client.request(method, path, json=BODIES.get((method, template)))
            client.cookies.clear()  # the login route signs the caller in: keep each call's identity
            if _allowed(caller, needed):
                ok = response.status_code not in (401, 403)  # 200, 201, 204, 404 or 422: past the gate
            else:
                refused = 401 if caller == "anonymous" else 403
                if caller == "anonymous" and method == "GET" and not path.startswith("/api/"):
                    refused = 303  # a page sends the visitor to /login
                ok = response.status_code == refused
            if not ok:
                wrong.append(f"{caller} {method} {path} -> {response.status_code} (needs {needed})")
    assert wrong == []


def test_browser_session_obeys_the_same_roles(sqlite_env: WebEnv) -> None:
    viewer = sqlite_env.browser("viewer")
    assert viewer.get("/api/mentions").status_code == 200
    assert viewer.patch("/api/mentions/1/workflow", json={"status": "handled"}).status_code == 403
    assert viewer.get("/api/exports/mentions.csv").status_code == 403
    viewer.close()
