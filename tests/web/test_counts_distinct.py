"""The web API counts like the digest and the alerts: distinct posts, with echoes apart.

Grouping two mentions under a third (what the echo stage does for reposts) takes them out of the
series' totals and the share of voice, and shows them as that bucket's ``echoes``; before, a repost
counted as one more post there while the digest and alerts left it out.
"""

from __future__ import annotations

from typing import Any

from web_env import WebEnv


def _by_topic(points: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for p in points:
        total, echoes = out.get(p["topic"], (0, 0))
        out[p["topic"]] = (total + p["total"], echoes + p["echoes"])
    return out


def test_series_and_share_of_voice_count_distinct_posts(sqlite_env: WebEnv) -> None:
    env = sqlite_env
    with env.client("viewer") as client:
        before = _by_topic(client.get("/api/series").json())
        share_before = {s["topic"]: s["count"] for s in client.get("/api/share-of-voice").json()}
        ids = []
        for n in (40, 41, 43):  # three "lumio" mentions (n % 3 != 0)
            stored = env.repo.get_mention_by_key("testsrc", f"m{n}")
            assert stored is not None and stored.topics == ("lumio",)
            ids.append(stored.id)
        env.repo.set_echo_groups({ids[1]: ids[0], ids[2]: ids[0]})
        after = _by_topic(client.get("/api/series").json())
        share_after = {s["topic"]: s["count"] for s in client.get("/api/share-of-voice").json()}
    total, echoes = before["lumio"]
    assert after["lumio"] == (total - 2, echoes + 2)
    assert after["ondea"] == before["ondea"]
    assert share_after["lumio"] == share_before["lumio"] - 2
