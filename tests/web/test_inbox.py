"""The inbox on SQLite and PostgreSQL: filters, sorts, keyset paging under inserts, facets, workflow."""

from __future__ import annotations

from datetime import timedelta

from web_env import NOW, WebEnv, make_mention, seed

from listener.core.model import Author


def _all_ids(client, **params) -> list[int]:  # type: ignore[no-untyped-def]
    ids: list[int] = []
    cursor = None
    while True:
        page = client.get(
            "/api/mentions", params={**params, "limit": 7, **({"cursor": cursor} if cursor else {})}
        )
        assert page.status_code == 200, page.text
        body = page.json()
        ids += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return ids


def test_filters_and_sorts(env: WebEnv) -> None:
    with env.client("viewer") as client:
        negative = client.get("/api/mentions", params={"sentiment": "negative", "limit": 200}).json()["items"]
        assert negative and all(m["sentiment"] == "negative" for m in negative)
        complaints = client.get("/api/mentions", params={"intent": "complaint", "limit": 200}).json()["items"]
        assert complaints and all("complaint" in m["intents"] for m in complaints)
        churn = client.get("/api/mentions", params={"signal": "churn", "limit": 200}).json()["items"]
        assert len(churn) == 10
        big = client.get("/api/mentions", params={"influence_above": 1000, "limit": 200}).json()["items"]
        assert big and all(m["author"]["followers"] >= 1000 for m in big)
        found = client.get("/api/mentions", params={"q": "number 17"}).json()["items"]
        assert [m["external_id"] for m in found] == ["m17"]
        by_time = client.get("/api/mentions", params={"limit": 200}).json()["items"]
        times = [m["published_at"] for m in by_time]
        assert times == sorted(times, reverse=True)
        by_influence = client.get("/api/mentions", params={"sort": "influence", "limit": 200}).json()["items"]
        followers = [m["author"]["followers"] for m in by_influence]
        assert followers == sorted(followers, reverse=True)
        by_negativity = client.get("/api/mentions", params={"sort": "negativity", "limit": 200}).json()[
            "items"
        ]
        assert by_negativity[0]["sentiment"] == "negative"
        bad = client.get("/api/mentions", params={"cursor": "not-a-cursor"})
        assert bad.status_code == 400 and bad.json()["error"] == "bad_cursor"


def test_cursor_pages_are_stable_under_inserts(env: WebEnv) -> None:
    with env.client("viewer") as client:
        first = client.get("/api/mentions", params={"limit": 10, "topic": "lumio"}).json()
        seed(env.repo, [make_mention(1000 + n, published_at=NOW + timedelta(minutes=n)) for n in range(1, 4)])
        rest = []
        cursor = first["next_cursor"]
        while cursor:
            page = client.get(
                "/api/mentions", params={"limit": 10, "topic": "lumio", "cursor": cursor}
            ).json()
            rest += [m["id"] for m in page["items"]]
            cursor = page["next_cursor"]
        seen = [m["id"] for m in first["items"]] + rest
        assert len(seen) == len(set(seen)) == 40  # the 40 older lumio mentions, none twice, none skipped
        assert set(_all_ids(client, topic="lumio")) >= set(seen)


def test_facets_count_the_current_filter(env: WebEnv) -> None:
    with env.client("viewer") as client:
        facets = client.get("/api/mentions/facets", params={"topic": "ondea"}).json()["facets"]
        total = facets["total"][""]
        listed = client.get("/api/mentions", params={"topic": "ondea", "limit": 200}).json()["items"]
        assert facets["topic"]["ondea"] == total == len(listed) >= 20
        assert sum(facets["sentiment"].values()) == sum(facets["status"].values()) == total


def test_workflow_bulk_notes_audit_and_echoes(env: WebEnv) -> None:
    original = env.repo.get_mention_by_key("testsrc", "m30")
    copy = env.repo.get_mention_by_key("testsrc", "m31")
    assert original is not None and copy is not None
    env.repo.set_echo_groups({copy.id: original.id})
    analyst_id = env.user_ids["analyst"]
    with env.client("analyst") as client:
        changed = client.patch(
            f"/api/mentions/{original.id}/workflow",
            json={"status": "handled", "assignee_id": analyst_id, "add_tags": ["vip"]},
        ).json()
        assert sorted(changed["changed"]) == sorted([original.id, copy.id])  # the echo follows
        echo = client.get(f"/api/mentions/{copy.id}").json()["mention"]["workflow"]
        assert echo["status"] == "handled" and echo["assignee_id"] == analyst_id and echo["tags"] == ["vip"]
        mine = client.get("/api/mentions", params={"assignee": analyst_id, "status": "handled"}).json()[
            "items"
        ]
        assert {m["id"] for m in mine} >= {original.id}
        tagged = client.get("/api/mentions", params={"tag": "vip"}).json()["items"]
        assert {m["id"] for m in tagged} == {original.id, copy.id}
        bulk = client.post(
            "/api/mentions/bulk",
            params={"topic": "ondea", "sentiment": "negative"},
            json={"change": {"department": "support"}},
        ).json()
        assert len(bulk["changed"]) >= 1
        routed = client.get("/api/mentions/facets", params={"department": "support"}).json()["facets"]
        assert routed["total"][""] == len(bulk["changed"])
        note = client.post(f"/api/mentions/{original.id}/notes", json={"body": "called back"}).json()
        edited = client.put(
            f"/api/mentions/{original.id}/notes/{note['id']}", json={"body": "called back twice"}
        )
        assert edited.json()["history"][0]["body"] == "called back"
        label = client.post(f"/api/mentions/{original.id}/labels", json={"label": "complaint"}).json()
        assert label["stage"] == "intent"
        assert [x.label for x in env.repo.labels("intent", mention_id=original.id)] == ["complaint"]
        assert client.post(f"/api/mentions/{original.id}/labels", json={"label": "angry"}).status_code == 422
    with env.client("admin") as admin:
        audit = admin.get(
            "/api/audit", params={"target_kind": "mention", "target_id": str(original.id)}
        ).json()
        actions = [e["action"] for e in audit]
        assert {"workflow.change", "note.add", "note.edit", "label.add"} <= set(actions)
        assert all(e["user_id"] == analyst_id for e in audit)


def test_detail_has_explanations_terms_thread_and_author(env: WebEnv) -> None:
    parent = make_mention(500, text="lumio is down again", conversation_id="m500")
    reply = make_mention(
        501,
        text="same here with lumio",
        in_reply_to="m500",
        conversation_id="m500",
        author=Author(source="testsrc", external_id="u9", handle="replier", followers=3),
    )
    seed(env.repo, [parent, reply])
    stored = env.repo.get_mention_by_key("testsrc", "m500")
    assert stored is not None
    with env.client("viewer") as client:
        detail = client.get(f"/api/mentions/{stored.id}").json()
        assert {e["stage"] for e in detail["explanations"]} == {"sentiment", "intent", "signals"}
        assert detail["matched_terms"] == {"ondea": ["ondea"]} or detail["matched_terms"] == {
            "lumio": ["lumio"]
        }
        assert [m["external_id"] for m in detail["thread"]] == ["m501"]
        assert detail["author"]["handle"] == "user0"
        assert client.get("/api/mentions/999999").status_code == 404
