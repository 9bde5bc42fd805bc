"""Sessions, CSRF, session fixation, security headers, login limits, IDOR, and no secret in responses."""

from __future__ import annotations

import logging

import pytest
from web_env import PASSWORD, WebEnv

from listener.web.security import SESSION_COOKIE, digest


def test_login_sets_an_httponly_strict_cookie_and_logout_clears_it(sqlite_env: WebEnv) -> None:
    client = sqlite_env.anonymous()
    response = client.post("/api/auth/login", json={"username": "analyst", "password": PASSWORD})
    assert response.status_code == 200
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    token = client.cookies[SESSION_COOKIE]
    assert sqlite_env.store.session(digest(token)) is not None
    csrf = response.json()["csrf_token"]
    assert client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert sqlite_env.store.session(digest(token)) is None
    client.cookies.set(SESSION_COOKIE, token)  # replaying the old cookie gets nothing
    assert client.get("/api/auth/me").status_code == 401
    client.close()


def test_state_changes_need_the_csrf_header(sqlite_env: WebEnv) -> None:
    client = sqlite_env.browser("analyst")
    good = client.headers.pop("X-CSRF-Token")
    assert client.patch("/api/mentions/1/workflow", json={"add_tags": ["t"]}).status_code == 403
    bad = client.patch(
        "/api/mentions/1/workflow", json={"add_tags": ["t"]}, headers={"X-CSRF-Token": "x" * 43}
    )
    assert bad.status_code == 403 and bad.json()["error"] == "csrf"
    assert (
        client.patch(
            "/api/mentions/1/workflow", json={"add_tags": ["t"]}, headers={"X-CSRF-Token": good}
        ).status_code
        == 200
    )
    assert client.get("/api/mentions", params={"limit": 1}).status_code == 200  # reads need no token
    client.close()


def test_a_foreign_origin_cannot_change_state(sqlite_env: WebEnv) -> None:
    client = sqlite_env.browser("analyst")
    response = client.patch(
        "/api/mentions/1/workflow", json={"add_tags": ["t"]}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403 and response.json()["error"] == "bad_origin"
    client.close()


def test_login_issues_a_new_session_and_ends_the_presented_one(sqlite_env: WebEnv) -> None:
    client = sqlite_env.browser("viewer")
    planted = client.cookies[SESSION_COOKIE]
    client.post("/api/auth/login", json={"username": "viewer", "password": PASSWORD})
    fresh = client.cookies[SESSION_COOKIE]
    assert fresh != planted
    assert sqlite_env.store.session(digest(planted)) is None
    assert sqlite_env.store.session(digest(fresh)) is not None
    client.close()


def test_security_headers_on_every_response(sqlite_env: WebEnv) -> None:
    with sqlite_env.anonymous() as client:
        for path in ("/api/health", "/api/mentions", "/api/docs", "/api/nowhere"):
            headers = client.get(path).headers
            csp = headers["content-security-policy"]
            assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
            assert "script-src 'self'" in csp
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["x-frame-options"] == "DENY"


def test_docs_page_loads_only_local_assets(sqlite_env: WebEnv) -> None:
    with sqlite_env.anonymous() as client:
        page = client.get("/api/docs").text
        assert "http" not in page.replace('lang="en"', "")  # no absolute URL: nothing from a CDN
        for asset in (
            "/api/docs/assets/swagger-ui.css",
            "/api/docs/assets/swagger-ui-bundle.js",
            "/api/docs/local/docs-init.js",
        ):
            assert asset in page
            assert client.get(asset).status_code == 200
        assert client.get("/api/openapi.json").json()["openapi"].startswith("3.1")


def test_tokens_are_shown_once_hashed_and_private(sqlite_env: WebEnv) -> None:
    with sqlite_env.client("analyst") as analyst, sqlite_env.client("viewer") as viewer:
        made = analyst.post("/api/tokens", json={"name": "script"}).json()
        assert made["token"].startswith("lst_")
        listed = analyst.get("/api/tokens").json()
        assert all("token" not in t and "token_hash" not in t for t in listed)
        mine = next(t for t in listed if t["id"] == made["id"])
        assert mine["last_used_at"] is None
        with sqlite_env.anonymous() as fresh:
            assert (
                fresh.get("/api/auth/me", headers={"Authorization": f"Bearer {made['token']}"}).status_code
                == 200
            )
        used = next(t for t in analyst.get("/api/tokens").json() if t["id"] == made["id"])
        assert used["last_used_at"] is not None
        assert viewer.delete(f"/api/tokens/{made['id']}").status_code == 404  # IDOR: not the viewer's
        assert analyst.delete(f"/api/tokens/{made['id']}").status_code == 204
        with sqlite_env.anonymous() as fresh:
            revoked = fresh.get("/api/auth/me", headers={"Authorization": f"Bearer {made['token']}"})
            assert revoked.status_code == 401 and revoked.json()["error"] == "bad_token"


def test_a_note_is_only_edited_through_its_own_mention(sqlite_env: WebEnv) -> None:
    with sqlite_env.client("analyst") as analyst:
        note = analyst.post("/api/mentions/2/notes", json={"body": "mine"}).json()
        assert analyst.put(f"/api/mentions/3/notes/{note['id']}", json={"body": "x"}).status_code == 404
        assert analyst.get("/api/mentions/2").json()["notes"][-1]["body"] == "mine"


def test_no_password_hash_or_token_in_responses_or_logs(
    sqlite_env: WebEnv, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets = [PASSWORD, *sqlite_env.tokens.values(), "$argon2"]
    with sqlite_env.client("admin") as admin:
        bodies = [admin.get(p).text for p in ("/api/users", "/api/auth/me", "/api/tokens", "/api/audit")]
        created = admin.post("/api/users", json={"username": "newbie", "password": "another long secret"})
        bodies.append(created.text)
        bodies.append(
            admin.patch(
                f"/api/users/{created.json()['id']}", json={"password": "yet another long secret"}
            ).text
        )
        bodies.append(admin.get("/api/audit").text)
    for text in [*bodies, caplog.text]:
        for secret in [*secrets, "another long secret", "yet another long secret"]:
            assert secret not in text


def test_disabling_a_user_ends_their_access(sqlite_env: WebEnv) -> None:
    with sqlite_env.client("admin") as admin:
        made = admin.post(
            "/api/users", json={"username": "leaver", "password": "a long enough password", "role": "analyst"}
        ).json()
        with sqlite_env.anonymous() as leaver:
            assert (
                leaver.post(
                    "/api/auth/login", json={"username": "leaver", "password": "a long enough password"}
                ).status_code
                == 200
            )
            assert admin.patch(f"/api/users/{made['id']}", json={"is_active": False}).status_code == 200
            assert leaver.get("/api/auth/me").status_code == 401
        last = admin.patch(f"/api/users/{sqlite_env.user_ids['admin']}", json={"role": "viewer"})
        assert last.status_code == 409 and last.json()["error"] == "last_admin"
