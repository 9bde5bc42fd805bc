"""The dashboard's pages over HTTP (no browser): each renders for each role, in French and English,
anonymous visitors are sent to the login form, and dates and numbers follow the zone and the locale."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from web_env import WebEnv

from listener.web.pages.account import safe_next
from listener.web.pages.render import Formats

PAGES = ("/", "/?period=today", "/?period=30d", "/inbox", "/inbox?echoes=true&sort=influence",
         "/inbox/new?after=0", "/inbox/facets?sentiment=negative", "/mentions/1", "/people", "/people/1",
         "/people/testsrc:u1", "/alerts", "/sources", "/settings")


@pytest.mark.parametrize("role", ["viewer", "admin"])
def test_every_page_renders_for_a_signed_in_user(sqlite_env: WebEnv, role: str) -> None:
    client = sqlite_env.browser(role)
    try:
        for path in PAGES:
            response = client.get(path)
            assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:200]}"
            assert response.headers["referrer-policy"] == "same-origin"  # no-referrer sends Origin: null
            assert response.headers["cache-control"] == "no-store"
            assert "<script>" not in response.text  # our one script is a file: the CSP allows no inline
    finally:
        client.close()


def test_a_page_speaks_the_users_language(sqlite_env: WebEnv) -> None:
    client = sqlite_env.browser("viewer")
    try:
        assert client.post("/ui/language", json={"language": "fr"}).status_code == 204
        french = client.get("/inbox").text
        assert "Boîte de réception" in french and 'lang="fr"' in french
        assert client.post("/ui/language", json={"language": "xx"}).status_code == 422
        client.post("/ui/language", json={"language": "en"})
        assert "Flag-bearers of discontent" in client.get("/people").text
    finally:
        client.close()


def test_anonymous_visitors_are_sent_to_the_login_form(sqlite_env: WebEnv) -> None:
    with sqlite_env.anonymous() as client:
        response = client.get("/inbox?sentiment=negative")
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=%2Finbox%3Fsentiment%3Dnegative"
        assert "Sign in" in client.get("/login").text
        assert "Se connecter" in client.get("/login?lang=fr").text
        assert client.post("/ui/language", json={"language": "fr"}).status_code == 401


@pytest.mark.parametrize(
    ("wanted", "went"),
    [
        ("/inbox?q=a", "/inbox?q=a"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil", "/"),
    ],
)
def test_after_login_only_our_own_pages(wanted: str, went: str) -> None:
    assert safe_next(wanted) == went


def test_dates_follow_the_zone_and_numbers_the_locale() -> None:
    noon = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    paris = Formats(lang="fr", tz=ZoneInfo("Europe/Paris"))
    assert "13:00" in paris.when(noon)
    assert paris.num(1234567).replace("\u202f", " ").replace("\xa0", " ") == "1 234 567"
    assert Formats(lang="en", tz=ZoneInfo("UTC")).num(1234567) == "1,234,567"
    assert paris.pct(0.25).startswith("25")
