"""The idea board reuses who is a bot and who is influential while the data is unchanged (both engines).

The board's and an idea's support are compared with the straightforward computation (``Crowd.of`` on
the spot, then ``board``) before and after new mentions change a supporter's influence.
"""

from __future__ import annotations

from datetime import timedelta

from web_env import NOW, WebEnv, make_mention, seed

from listener.core.model import Metrics
from listener.idea_box.board import Crowd, board
from storage import MentionFilter
from storage.idea_records import NewIdea, NewMember


def _direct(env: WebEnv) -> dict[int, dict[str, object]]:
    crowd = Crowd.of(env.repo, now=NOW, days=30.0)
    rows = board(env.repo, now=NOW, crowd=crowd)
    return {r.idea.id: {"people": r.support.people, "influence": r.support.influence,
                        "score": r.support.score} for r in rows}


def _served(env: WebEnv) -> dict[int, dict[str, object]]:
    with env.client("viewer") as client:
        items = client.get("/api/ideas", params={"days": 30}).json()["items"]
        detail = client.get(f"/api/ideas/{items[0]['idea']['id']}").json()
    assert detail["support"]["score"] == items[0]["support"]["score"]
    return {i["idea"]["id"]: {k: i["support"][k] for k in ("people", "influence", "score")} for i in items}


def test_the_board_follows_the_crowd_it_would_compute(env: WebEnv) -> None:
    supporters = [make_mention(800 + k, author_n=20 + k, text=f"lumio please add a dark mode {k}",
                               published_at=NOW - timedelta(days=k + 1)) for k in range(8)]
    seed(env.repo, supporters)
    ids = {m.mention.external_id: m.id for m in env.repo.search_mentions(MentionFilter(limit=None))}
    ideas = env.repo.ideas()
    ideas.save_grouping(
        [NewIdea(key=-1, scope="brand:lumio", title="dark mode", lang="en"),
         NewIdea(key=-2, scope="brand:lumio", title="pdf invoices", lang="en")],
        [NewMember(idea_id=-1 - k % 2, mention_id=ids[f"m{800 + k}"], similarity=0.9, vector=bytes(16))
         for k in range(8)],
    )
    before = _served(env)
    assert before == _direct(env) and len(before) == 2
    assert _served(env) == before  # reused: the same answer
    loud = [make_mention(900 + k, author_n=21, published_at=NOW - timedelta(hours=k + 1),
                         metrics=Metrics(likes=5000, reposts=900)) for k in range(3)]
    seed(env.repo, loud)  # a supporter's new, much-shared posts raise their influence
    after = _served(env)
    assert after == _direct(env)
    assert after != before
