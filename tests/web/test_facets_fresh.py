"""The inbox's counts are counted once per filter, yet never older than the last change they count.

Facet counts are cached per filter (a million mentions take seconds to count); the fingerprint that
keys them moves with every new mention and every workflow change (each writes an audit entry), so a
colleague who marks a mention handled sees the counts move at once, on the API and on the page.
"""

from __future__ import annotations

from typing import Any

import httpx
from web_env import WebEnv, make_mention, seed


def _counts(client: httpx.Client, **params: str) -> Any:
    return client.get("/api/mentions/facets", params=params).json()["facets"]


def test_counts_follow_workflow_changes_and_new_mentions(sqlite_env: WebEnv) -> None:
    with sqlite_env.client("analyst") as client:
        before = _counts(client, topic="ondea")
        assert _counts(client, topic="ondea") == before  # the same filter again: the same counts
        first = client.get("/api/mentions", params={"topic": "ondea", "status": "new"}).json()["items"][0]
        changed = client.patch(f"/api/mentions/{first['id']}/workflow", json={"status": "handled"})
        assert changed.status_code == 200, changed.text
        after = _counts(client, topic="ondea")
        assert after["status"].get("handled", 0) == before["status"].get("handled", 0) + 1
        assert after["status"]["new"] == before["status"]["new"] - 1
        page = client.get("/inbox/facets", params={"topic": "ondea", "status": "handled"})
        assert page.status_code == 200
        seed(sqlite_env.repo, [make_mention(9000, text="ondea again", topics=("ondea",))])
        grown = _counts(client, topic="ondea")
    assert grown["total"][""] == after["total"][""] + 1  # a new mention counts at once too
