"""Saved views over the API: each user lists, saves and deletes only their own; changes need CSRF and
are audited; another user's view is unreachable (404, as if it did not exist).

Runs on the shared SQLite server of ``sqlite_env`` (one per module) with real sessions and tokens.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from web_env import WebEnv, start_env, stop_env

HOSTILE = '<script>alert("view")</script>\u202e'


def test_a_view_is_saved_cleaned_listed_and_deleted_by_its_owner(sqlite_env: WebEnv) -> None:
    analyst = sqlite_env.browser("analyst")
    made = analyst.post(
        "/api/views", json={"name": " Angry ", "query": "?sentiment=negative&cursor=abc&poll=500&evil=1&q="}
    )
    assert made.status_code == 201, made.text
    view = made.json()
    assert (view["name"], view["query"], view["href"]) == (
        "Angry", "sentiment=negative", "/inbox?sentiment=negative"
    )
    again = analyst.post("/api/views", json={"name": "Angry", "query": "sentiment=negative&topic=lumio"})
    assert again.json()["id"] == view["id"]  # the same name replaces the older view
    assert [(v["name"], v["query"]) for v in analyst.get("/api/views").json()] == [
        ("Angry", "topic=lumio&sentiment=negative")
    ]
    assert analyst.delete(f"/api/views/{view['id']}").status_code == 204
    assert analyst.get("/api/views").json() == []
    analyst.close()
    actions = [
        (e.action, e.target_id, e.user_id)
        for e in sqlite_env.store.audit_log(target_kind="saved_view", target_id=str(view["id"]))
    ]
    analyst_id = sqlite_env.user_ids["analyst"]
    target = str(view["id"])
    assert actions == [("view.delete", target, analyst_id), ("view.save", target, analyst_id),
                       ("view.save", target, analyst_id)]


def test_another_users_view_is_neither_listed_nor_reachable(sqlite_env: WebEnv) -> None:
    viewer = sqlite_env.browser("viewer")
    with sqlite_env.client("admin") as admin:
        mine = viewer.post("/api/views", json={"name": "Mine", "query": "status=new"}).json()
        assert all(v["name"] != "Mine" for v in admin.get("/api/views").json())
        assert admin.delete(f"/api/views/{mine['id']}").status_code == 404  # even an admin: not theirs
        assert sqlite_env.store.saved_view(sqlite_env.user_ids["viewer"], mine["id"]) is not None
        assert [v["id"] for v in viewer.get("/api/views").json()] == [mine["id"]]
        assert viewer.delete(f"/api/views/{mine['id']}").status_code == 204
    viewer.close()


def test_a_change_without_the_csrf_header_is_refused(sqlite_env: WebEnv) -> None:
    analyst = sqlite_env.browser("analyst")
    del analyst.headers["X-CSRF-Token"]
    refused = analyst.post("/api/views", json={"name": "NoCsrf", "query": ""})
    analyst.close()
    assert refused.status_code == 403 and refused.json()["error"] == "csrf"
    assert all(v.name != "NoCsrf" for v in sqlite_env.store.saved_views(sqlite_env.user_ids["analyst"]))


def test_a_hostile_view_name_is_text(sqlite_env: WebEnv) -> None:
    analyst = sqlite_env.browser("analyst")
    made = analyst.post("/api/views", json={"name": HOSTILE, "query": "status=new"}).json()
    html = analyst.get("/inbox", params={"poll": "600000"}).text
    analyst.delete(f"/api/views/{made['id']}")
    analyst.close()
    assert HOSTILE not in html and "&lt;script&gt;alert(" in html


def test_a_failing_database_gives_an_html_page_to_browsers_and_json_to_the_api(tmp_path: Path) -> None:
    env = start_env(f"sqlite:///{tmp_path / 'listener.db'}", mentions=3)
    try:
        with env.repo.database.engine.begin() as conn:  # the inbox reads it on every page
            conn.execute(sa.text("DROP TABLE saved_views"))
        client = env.browser("viewer")
        page = client.get("/inbox", headers={"Accept-Language": "fr"})
        api = client.get("/api/views", headers={"Accept-Language": "fr"})
        client.close()
    finally:
        stop_env(env)
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert "Something went wrong" in page.text and 'href="/inbox"' in page.text  # the app's layout
    assert "saved_views" not in page.text and "Traceback" not in page.text  # no internals
    assert api.status_code == 500 and api.json() == {
        "error": "storage_error", "message": "la base de données a refusé l'opération"
    }
