"""Topics found by the collector are stored with the batch, with their terms, and accumulate."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from listener.core.model import Author, Batch, Cursor, Mention
from storage import MentionFilter, Repository

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def _mention(external_id: str, topics: dict[str, tuple[str, ...]]) -> Mention:
    return Mention(
        source="rss", external_id=external_id, text="La box Lumio est en panne, je passe chez Ondea",
        author=Author(source="rss", external_id="a1", handle="a1"), published_at=NOW, fetched_at=NOW,
        topics=tuple(topics), matched_terms=topics,
    )


def test_topics_and_terms_stored_with_the_batch_and_accumulated(db_url: str) -> None:
    repository = Repository.from_url(db_url)
    repository.upgrade()
    try:
        first = _mention("m1", {"lumio": ("lumio",)})
        repository.upsert_batch(Batch(mentions=(first,), next_cursor=Cursor({"n": 1})), source="rss",
                                query_id="lumio")
        again = dataclasses.replace(first, topics=("ondea",), matched_terms={"ondea": ("ondea",)})
        repository.upsert_batch(Batch(mentions=(again,), next_cursor=None), source="rss", query_id="ondea")
        [stored] = repository.search_mentions(MentionFilter())
        assert sorted(stored.topics) == ["lumio", "ondea"]
        assert [s.id for s in repository.search_mentions(MentionFilter(topics=("ondea",)))] == [stored.id]
        assert repository.count_mentions(MentionFilter(topics=("fibrix",))) == 0
    finally:
        repository.close()
