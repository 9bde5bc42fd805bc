"""The trends and idea-box endpoints on a real server: what they answer, who may change what, hostile text.

One module-wide API over SQLite: the ``web_env`` hour of 60 mentions, plus two weeks of quiet
background and a day where many people say "panne" (a rising term and a burst), one hostile text, old
mentions pruned by retention (the series still shows them) and three ideas grouped by the lexical
embedder, then one run of the trends step (the API only reads what it maintains). Tests only read,
except the idea workflow ones, which work on their own ideas.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from web_env import NOW, WebEnv, make_mention, seed, start_env, stop_env

from analysis.ideas.lexical import LexicalEmbedder
from listener.core.model import Annotation, Author, Batch, Mention
from listener.idea_box.grouping_job import refresh_ideas
from listener.jobs.trends import TrendsStep

HOSTILE = '<script>alert("x")</script> panne \u202e"}]{ \' OR 1=1 --'


def _post(n: int, text: str, hours_ago: float, who: int, *, topic: str = "lumio") -> Mention:
    return make_mention(
        n, text=text, published_at=NOW - timedelta(hours=hours_ago), topics=(topic,),
        author=Author(source="testsrc", external_id=f"u{who}", handle=f"user{who}", followers=who),
        matched_terms={topic: (topic,)},
    )


def _world(env: WebEnv) -> None:
    posts: list[Mention] = []
    n = 1000
    for day in range(1, 15):  # two quiet weeks: the same few words every day
        for k in range(6):
            n += 1
            posts.append(_post(n, f"lumio forfait internet maison {k}", 24 * day + 2 + k, 100 + k))
    for k in range(20):  # today: twenty people report an outage
        n += 1
        posts.append(_post(n, f"lumio panne internet depuis ce matin, quartier {k}", 3 + k / 10, 200 + k))
    n += 1
    posts.append(_post(n, HOSTILE, 2.5, 299))
    seed(env.repo, posts)
    old = [_post(5000 + k, "lumio vieux message", 24 * 200 + k, 300 + k) for k in range(4)]
    seed(env.repo, old)
    env.repo.prune_mentions(NOW - timedelta(days=150))
    ideas = [
        ("Lumio please add a dark mode to the mobile app", "ann", "en"),
        ("Lumio please add a dark mode to the mobile app, mode sombre", "bea", "fr"),
        ("Lumio should export invoices as PDF files", "cat", "en"),
        ("Lumio should export invoices as PDF files please", "dee", "en"),
        ("Lumio could offer a family plan for kids", "eve", "en"),
    ]
    mentions = [
        Mention(
            source="ideas", external_id=f"i{k}", text=text,
            author=Author(source="ideas", external_id=who, handle=who),
            published_at=NOW - timedelta(days=1, minutes=k), fetched_at=NOW, lang=lang, topics=("lumio",),
        )
        for k, (text, who, lang) in enumerate(ideas)
    ]
    env.repo.upsert_batch(Batch(mentions=tuple(mentions), next_cursor=None), source="ideas", query_id="lumio")
    env.repo.save_annotations(
        [
            Annotation(source="ideas", external_id=m.external_id, stage=stage, version="1", label=label,
                       scores={label: 0.9})
            for m in mentions
            for stage, label in (("intent", "suggestion"), ("language", m.lang or "en"))
        ]
    )
    refresh_ideas(env.repo, LexicalEmbedder(), env.settings.queries(), threshold=0.45, cross_threshold=0.45)
    TrendsStep(env.repo)(NOW)  # the API only reads the rollups and the term index: the job fills them


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebEnv]:
    path: Path = tmp_path_factory.mktemp("trends") / "listener.db"
    env = start_env(f"sqlite:///{path}")
    _world(env)
    yield env
    stop_env(env)


def test_series_reads_rollups_and_the_counts_retention_kept(api: WebEnv) -> None:
    with api.client("viewer") as client:
        hourly = client.get("/api/trends/series", params={"topic": "lumio", "grain": "hour", "since": "2h"})
        yearly = client.get("/api/trends/series", params={"since": "365d", "grain": "week"})
        daily = client.get("/api/trends/series", params={"topic": ["lumio", "ondea"], "since": "250d"})
    assert hourly.status_code == 200, hourly.text
    assert sum(r["total"] for r in hourly.json()["rows"]) == 40  # web_env: two of every three are lumio
    assert yearly.status_code == 200 and yearly.json()["grain"] == "week"
    body = daily.json()
    assert body["pruned_days"] == 1  # the four old mentions live on as retention's daily counts
    lumio = [r for r in body["rows"] if r["topic"] == "lumio"]
    assert sum(r["total"] for r in lumio) == 40 + 14 * 6 + 21 + 5 + 4
    assert {r["topic"] for r in body["rows"]} == {"lumio", "ondea"}
    assert all(r["share_of_voice"] is None or 0 <= r["share_of_voice"] <= 1 for r in body["rows"])


def test_share_of_voice_compares_the_brand_with_its_competitor(api: WebEnv) -> None:
    with api.client("viewer") as client:
        body = client.get("/api/trends/share-of-voice", params={"since": "1d"}).json()
    shares = {s["topic"]: s for s in body["shares"]}
    assert shares["lumio"]["role"] == "brand" and shares["ondea"]["role"] == "competitor"
    assert shares["lumio"]["volume"] > shares["ondea"]["volume"] == 20
    assert body["rivalries"][0]["competitor"] == "ondea"


def test_rising_terms_name_the_outage_with_its_mentions_and_keep_hostile_text_inert(api: WebEnv) -> None:
    with api.client("viewer") as client:
        response = client.get("/api/trends/rising", params={"topic": "lumio", "window_hours": 24})
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok", body["reason"]
    terms = {t["term"]: t for t in body["terms"]}
    assert "panne" in terms and terms["panne"]["count"] >= 20 and terms["panne"]["kind"] == "word"
    assert "forfait" not in terms and "internet" not in terms  # usual words do not rise
    assert len(terms["panne"]["examples"]) == 3
    with api.client("viewer") as client:
        story = client.get(
            "/api/trends/story",
            params={"start": (NOW - timedelta(hours=4)).isoformat(), "end": NOW.isoformat()},
        )
    assert story.status_code == 200, story.text
    texts = [e["text"] for e in story.json()["examples"]]
    assert story.json()["mentions"] >= 21 and len(texts) <= 3
    assert terms["panne"]["examples"][0]["text"] == HOSTILE  # the farthest-reaching one, byte for byte
    assert response.headers["x-content-type-options"] == "nosniff"


def test_bursts_themes_and_aspects_answer_honestly(api: WebEnv) -> None:
    with api.client("viewer") as client:
        bursts = client.get("/api/trends/bursts", params={"measure": "total", "since": "2d"})
        themes = client.get("/api/trends/themes", params={"topic": "lumio", "discontent": True})
        aspects = client.get("/api/trends/aspects", params={"topic": "lumio"})
        french = {"Accept-Language": "fr"}
        unknown = client.get("/api/trends/rising", params={"topic": "nope"}, headers=french)
        backwards = client.get("/api/trends/series", params={"since": "1d", "until": "2d"})
    assert bursts.status_code == 200 and bursts.json()["bursts"], bursts.text  # the outage hours stand out
    assert themes.status_code == 200 and themes.json()["status"] == "not_enough_data"
    assert "vector" in themes.json()["reason"] and themes.json()["reason_code"] == "vectors_missing"
    assert aspects.json()["status"] == "not_enough_data"
    assert aspects.json()["reason_code"] == "no_theme_encoder"
    assert bursts.json()["reason_code"] == "" and bursts.json()["reason_values"] == {}
    assert unknown.status_code == 400 and unknown.json()["error"] == "unknown_topic"
    assert "sujet" in unknown.json()["message"]
    assert backwards.status_code == 400


def _ids(api: WebEnv) -> dict[str, int]:
    with api.client("viewer") as client:
        items = client.get("/api/ideas").json()["items"]
    return {("dark" if "dark" in i["idea"]["title"].lower() else "pdf" if "pdf" in i["idea"]["title"].lower()
             else "family"): i["idea"]["id"] for i in items}


def test_ideas_board_is_ranked_and_detail_lists_supporters(api: WebEnv) -> None:
    with api.client("viewer") as client:
        page = client.get("/api/ideas", params={"limit": 1})
        detail = client.get(f"/api/ideas/{_ids(api)['dark']}")
    body = page.json()
    assert body["total"] == 3 and body["next_offset"] == 1 and body["items"][0]["rank"] == 1
    assert body["items"][0]["support"]["people"] == 2
    posts = detail.json()["posts"]
    assert sorted(p["handle"] for p in posts) == ["ann", "bea"]
    assert detail.json()["support"]["langs"] == {"en": 1, "fr": 1}


def test_idea_workflow_drafts_replies_and_is_for_analysts(api: WebEnv) -> None:
    ids = _ids(api)
    with api.client("viewer") as viewer:
        assert viewer.post(f"/api/ideas/{ids['dark']}/status", json={"status": "planned"}).status_code == 403
    with api.client("analyst") as client:
        refused = client.post(f"/api/ideas/{ids['pdf']}/status", json={"status": "declined"})
        planned = client.post(f"/api/ideas/{ids['dark']}/status", json={"status": "planned", "owner": "app"})
        renamed = client.patch(f"/api/ideas/{ids['dark']}", json={"title": "Dark mode"})
        drafted = client.get("/api/ideas/replies", params={"state": "drafted"}).json()
        sent = client.post("/api/ideas/replies/sent", json={"ids": [drafted[0]["id"]]})
        itself = client.post(f"/api/ideas/{ids['pdf']}/merge", json={"sources": [ids["pdf"]]})
        merged = client.post(f"/api/ideas/{ids['pdf']}/merge", json={"sources": [ids["family"]]})
        members = [p["mention_id"] for p in client.get(f"/api/ideas/{ids['pdf']}").json()["posts"]]
        split_all = client.post(f"/api/ideas/{ids['pdf']}/split", json={"mention_ids": members})
        one = {"mention_ids": members[:1], "title": "Kids"}
        split = client.post(f"/api/ideas/{ids['pdf']}/split", json=one)
        history = client.get(f"/api/ideas/{ids['dark']}").json()["history"]
    assert refused.status_code == 409 and refused.json()["error"] == "idea_workflow"
    assert planned.status_code == 200, planned.text
    assert sorted(r["lang"] for r in planned.json()["replies"]) == ["en", "fr"]
    assert planned.json()["idea"]["status"] == "planned" and planned.json()["idea"]["owner"] == "app"
    assert renamed.json()["title"] == "Dark mode" and renamed.json()["is_title_locked"]
    assert sent.json() == {"changed": 1, "loops_closed": 1}
    assert itself.status_code == 409
    assert merged.status_code == 200 and len(members) == 3
    assert split_all.status_code == 409
    assert split.status_code == 201 and split.json()["title"] == "Kids"
    assert [(e["kind"], e["actor"]) for e in history][-2:] == [("status", "analyst"), ("renamed", "analyst")]
