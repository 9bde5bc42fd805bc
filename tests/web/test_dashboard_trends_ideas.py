"""The Trends and Ideas pages over HTTP (no browser): every role and both languages, hostile text inert,
empty periods said plainly, and only analysts get the idea forms (which go through the API).

The world is the trends API tests' own (``test_trends_ideas_api._world``): two quiet weeks, an outage
today ("panne", with a hostile post among its mentions), a competitor and three ideas.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
import test_trends_ideas_api as world
from web_env import WebEnv, start_env, stop_env

HOSTILE_TITLE = '<img src=x onerror=alert(1)> \u202eevil\u202c'


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebEnv]:
    path: Path = tmp_path_factory.mktemp("trends-pages") / "listener.db"
    env = start_env(f"sqlite:///{path}")
    world._world(env)
    yield env
    stop_env(env)


def _idea_ids(api: WebEnv) -> list[int]:
    with api.client("viewer") as client:
        return [i["idea"]["id"] for i in client.get("/api/ideas").json()["items"]]


def _pages(api: WebEnv) -> tuple[str, ...]:
    first = _idea_ids(api)[0]
    return ("/trends", "/trends?days=1&topic=ondea", "/trends?days=30&topic=nope", "/ideas", "/ideas?days=90",
            f"/ideas/{first}")


@pytest.mark.parametrize("role", ["viewer", "analyst", "admin"])
def test_trends_and_ideas_render_for_each_role_in_both_languages(api: WebEnv, role: str) -> None:
    client = api.browser(role)
    try:
        for lang, heading in (("fr", "Termes en hausse"), ("en", "Rising terms")):
            assert client.post("/ui/language", json={"language": lang}).status_code == 204
            for path in _pages(api):
                response = client.get(path)
                assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:300]}"
                assert f'lang="{lang}"' in response.text and "<script>" not in response.text
                assert '<a href="/trends"' in response.text and '<a href="/ideas"' in response.text
            assert heading in client.get("/trends").text
    finally:
        client.post("/ui/language", json={"language": "en"})
        client.close()


def test_trends_tell_what_drove_the_outage_and_link_to_its_mentions(api: WebEnv) -> None:
    with closing(api.browser("viewer")) as client:
        html = client.get("/trends", params={"days": "1", "topic": "lumio"}).text
    assert "panne" in html and "/mentions/" in html  # the rising term, with example mentions
    assert "What drove this" in html and "/inbox?since=" in html and "topic=lumio" in html
    assert "Ondea" in html and "Brand against each competitor" in html  # share of voice, brand vs rival
    assert '<script>alert("x")' not in html and "&lt;script&gt;alert(" in html  # the hostile post is text
    assert 'dir="auto"' in html


def test_an_empty_period_says_not_enough_data_in_both_languages(api: WebEnv) -> None:
    with closing(api.browser("viewer")) as client:
        english = client.get("/trends", params={"topic": "lumio"}).text  # no stored vectors: no themes
        client.post("/ui/language", json={"language": "fr"})
        french = client.get("/ideas").text  # no idea asked of the competitor
        client.post("/ui/language", json={"language": "en"})
    themes = english.split('id="themes-h"')[1]
    assert "Not enough data yet." in themes
    assert "Pas encore assez de données." in french.split('id="theirs-h"')[1]


def test_a_viewer_gets_no_form_and_an_analyst_changes_status_through_the_api(api: WebEnv) -> None:
    idea_id = _idea_ids(api)[0]
    with closing(api.browser("viewer")) as viewer:
        seen = viewer.get(f"/ideas/{idea_id}").text
        assert 'id="idea-status"' not in seen and 'id="idea-rename"' not in seen and "<form id=" not in seen
        assert viewer.post(f"/api/ideas/{idea_id}/status", json={"status": "under_review"}).status_code == 403
    with closing(api.browser("analyst")) as analyst:
        page = analyst.get(f"/ideas/{idea_id}").text
        assert 'id="idea-status"' in page and 'id="idea-rename"' in page
        assert all(f'<label for="i-{name}">' in page for name in ("status", "reason", "title"))
        changed = analyst.post(f"/api/ideas/{idea_id}/status", json={"status": "under_review"})
        renamed = analyst.patch(f"/api/ideas/{idea_id}", json={"title": HOSTILE_TITLE})
        assert changed.status_code == 200 and renamed.status_code == 200, changed.text + renamed.text
        analyst.post("/ui/language", json={"language": "fr"})
        detail = analyst.get(f"/ideas/{idea_id}").text
        board = analyst.get("/ideas").text
        analyst.post("/ui/language", json={"language": "en"})
    assert "à l&#39;étude" in detail and "brouillon" in detail  # new status, and the replies it drafted
    for html in (detail, board):
        assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
        assert '<bdi dir="auto">&lt;img' in html


def test_a_merged_idea_points_to_its_target_and_offers_no_status(api: WebEnv) -> None:
    *_, target, source = _idea_ids(api)
    with closing(api.browser("analyst")) as analyst:
        merged = analyst.post(f"/api/ideas/{target}/merge", json={"sources": [source]})
        assert merged.status_code == 200, merged.text
        html = analyst.get(f"/ideas/{source}").text
    assert f'<a href="/ideas/{target}">' in html and "Merged into" in html
    assert 'id="idea-status"' not in html
