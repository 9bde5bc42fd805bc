"""Live influence: refreshed from storage incrementally, equal to scoring everything at once."""

from __future__ import annotations

from pathlib import Path

from analysis.influence import score_authors
from listener.core.model import Batch
from listener.jobs.influence import LiveInfluence
from storage import Repository
from storage.records import MentionFilter
from tests._authors_factory import NOW, author, mention


def test_refresh_reads_only_new_rows_and_matches_a_full_score(tmp_path: Path) -> None:
    repo = Repository.from_url(f"sqlite:///{tmp_path / 'live.db'}", clock=lambda: NOW)
    repo.upgrade()
    small, star = author("small", followers=100), author("star", followers=90_000)
    first = [mention("c", small, likes=30, reposts=10), mention("s", star)]
    later = [
        mention(f"r{i}", author(f"f{i}", followers=20), reply_to=first[0], hours_ago=0.5) for i in range(4)
    ]
    live = LiveInfluence(batch=2)
    try:
        repo.upsert_batch(Batch(mentions=tuple(first), next_cursor=None), source="twitter", query_id="brand")
        assert live.refresh(repo) == 2
        assert live.refresh(repo) == 0  # nothing new: nothing read
        repo.upsert_batch(Batch(mentions=tuple(later), next_cursor=None), source="twitter", query_id="brand")
        assert live.refresh(repo) == 4
        stored = [s.mention for s in repo.search_mentions(MentionFilter(limit=None))]
    finally:
        repo.close()
    got = [(r.key, r.score) for r in live.scores(NOW)]
    assert got == [(r.key, r.score) for r in score_authors(stored, now=NOW)]
    assert got[0][0] == "twitter:small"
    # the collector's topics are stored with the rows, so the topic's index saw them all
    assert [(r.key, r.score) for r in live.scores(NOW, topic="brand")] == got
    assert live.scores(NOW, topic="elsewhere") == []
