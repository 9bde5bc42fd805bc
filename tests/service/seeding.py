"""Store hand-made mentions with their topics and sentiment labels, the way collection and analysis do."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from listener.core.model import Annotation, Author, Batch, Mention
from storage import Repository
from storage.records import TopicMatch


def mention(i: int, at: datetime, topic: str, *, text: str | None = None, followers: int = 100) -> Mention:
    """Return one mention of ``topic`` by one of 50 authors."""
    author = Author(source="demo", external_id=f"a{i % 50}", handle=f"user{i % 50}", followers=followers)
    return Mention(source="demo", external_id=f"m{i}", text=text or f"{topic} post {i}", author=author,
                   published_at=at, fetched_at=at, url=f"https://social.example/{i}", topics=(topic,),
                   query_id=topic)


def store(repo: Repository, items: Sequence[tuple[Mention, str]]) -> list[int]:
    """Store ``(mention, sentiment)`` pairs with their topic matches; return the row ids."""
    repo.upsert_batch(Batch(mentions=tuple(m for m, _ in items), next_cursor=None), source="demo",
                      query_id="seed")
    ids = []
    for m, _ in items:
        stored = repo.get_mention_by_key(m.source, m.external_id)
        assert stored is not None
        ids.append(stored.id)
    repo.save_topic_matches([TopicMatch(mention_id=i, topic_id=m.topics[0]) for i, (m, _) in zip(ids, items,
                                                                                                 strict=True)])
    repo.save_annotations([Annotation(source=m.source, external_id=m.external_id, stage="sentiment",
                                      version="test", label=label) for m, label in items])
    return ids
