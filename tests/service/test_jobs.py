"""The jobs the wiring schedules, called the way the scheduler (or a worker) calls them: ``job(now)``.

Real SQLite repository on a file; the echo and influence jobs, and the read model alerts and the
digest get from storage (``Repository.window_mentions``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from listener.core.model import Batch
from listener.jobs.echoes import EchoJob
from listener.jobs.influence import InfluenceJob
from storage import MentionFilter, Repository
from tests._authors_factory import NOW, author, mention


@pytest.fixture
def repository(tmp_path: Path) -> Iterator[Repository]:
    repo = Repository.from_url(f"sqlite:///{tmp_path / 'jobs.db'}", clock=lambda: NOW)
    repo.upgrade()
    original = mention("o1", author("brand", followers=5_000), text="la fibre est en panne depuis ce matin",
                       likes=12)
    question = mention("q1", author("asker", followers=3), text="quand revient la fibre ?", hours_ago=0.8)
    rows = [
        original,
        mention("e1", author("fan", followers=10), text="la fibre est en panne depuis ce matin",
                repost_of=original, hours_ago=0.5),
        question,
        mention("a1", author("brand", followers=5_000), text="@asker ce soir", reply_to=question,
                hours_ago=0.2),
        mention("old", author("old", followers=1), text="a post from last month", hours_ago=24 * 30),
    ]
    repo.upsert_batch(Batch(mentions=tuple(rows), next_cursor=None), source="twitter", query_id="brand")
    try:
        yield repo
    finally:
        repo.close()


def test_echo_job_groups_the_recent_window(repository: Repository) -> None:
    result = EchoJob(repository, lookback=timedelta(days=3))(NOW)
    assert result.items == 1
    echo = repository.get_mention_by_key("twitter", "e1")
    original = repository.get_mention_by_key("twitter", "o1")
    assert echo is not None and original is not None and echo.echo_of_id == original.id
    # a second run starts from the stored watermark: nothing new to group, and the grouping stays
    assert EchoJob(repository, lookback=timedelta(days=3))(NOW).items == 0
    again = repository.get_mention_by_key("twitter", "e1")
    assert again is not None and again.echo_of_id == original.id


def test_influence_job_reads_only_what_is_new(repository: Repository) -> None:
    job = InfluenceJob(repository)
    assert job(NOW).items == 5
    assert job(NOW).items == 0
    ranked = job.live.scores(NOW)
    assert ranked and ranked[0].key == "twitter:brand"


def test_window_mentions_is_the_read_model_built_by_storage(repository: Repository) -> None:
    since, until = NOW - timedelta(days=1), NOW
    view = repository.window_mentions(since, until, negative_margin=0.2)
    stored = repository.search_mentions(MentionFilter(since=since, until=until, order="oldest", limit=None))
    assert [m.id for m in view] == [s.id for s in stored]
    by_id = {m.id: m for m in view}
    for s in stored:
        m = by_id[s.id]
        assert (m.source, m.text, m.published_at, m.topics) == (
            s.mention.source, s.mention.text, s.mention.published_at, s.topics)
        assert (m.author_key, m.author_handle, m.followers) == (
            s.mention.author.key, s.mention.author.handle, s.mention.author.followers)
        assert m.engagement == s.mention.metrics.total() and m.negative_margin == 0.2
    answered = {m.id for m in view if m.is_answered}
    question = repository.get_mention_by_key("twitter", "q1")
    assert question is not None and answered == {question.id}
