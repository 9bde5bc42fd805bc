"""Failed sign-ins are limited per username and per address (its own server: the limit would lock the
loopback address out of the other modules' sign-ins)."""

from __future__ import annotations

from web_env import PASSWORD, WebEnv


def test_logins_are_rate_limited(sqlite_env: WebEnv) -> None:
    with sqlite_env.anonymous() as client:
        for _ in range(3):
            wrong = client.post(
                "/api/auth/login",
                json={"username": "admin", "password": "nope"},
                headers={"Accept-Language": "fr-FR"},
            )
            assert wrong.status_code == 401
            assert wrong.json()["message"] == "identifiant ou mot de passe incorrect"
        limited = client.post("/api/auth/login", json={"username": "admin", "password": PASSWORD})
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
        other = client.post("/api/auth/login", json={"username": "viewer", "password": PASSWORD})
        assert other.status_code == 429  # the address is limited too, not only the username
