"""Retention on a real SQLite file and PostgreSQL: old mentions go, their daily counts stay exact."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from storage_builders import T0, author, batch, mention

from listener.core.model import Annotation
from storage import Repository
from storage.records import MentionFilter, TopicMatch


def _world(repo: Repository) -> None:
    """60 mentions over 30 days in two languages and sources, two topics, sentiments, one echo."""
    items = []
    for n in range(60):
        at = T0 - timedelta(days=30) + timedelta(hours=12 * n)
        source = "rss" if n % 3 else "testsrc"
        items.append(mention(n, source=source, published_at=at, lang="fr" if n % 2 else "en",
                             author=author(n % 4, source=source)))
    for source in ("rss", "testsrc"):
        repo.upsert_batch(batch(*(m for m in items if m.source == source)), source=source, query_id="brand")
    repo.save_annotations(
        Annotation(source=m.source, external_id=m.external_id, stage="sentiment", version="t",
                   label=("negative", "neutral", "positive")[n % 3], scores={"negative": 0.5})
        for n, m in enumerate(items) if n % 5
    )
    ids = {s.mention.external_id: s.id for s in repo.search_mentions(MentionFilter(limit=None))}
    repo.save_topic_matches(
        TopicMatch(mention_id=i, topic_id="acme" if int(ext[1:]) % 2 else "rival", terms=("x",))
        for ext, i in ids.items() if int(ext[1:]) % 7
    )
    repo.set_echo_groups({ids["m3"]: ids["m0"]})


def _live(repo: Repository) -> Counter[tuple[str, str, str, str, str]]:
    """Count stored mentions per day, topic (``*``: all), source, language and sentiment."""
    counts: Counter[tuple[str, str, str, str, str]] = Counter()
    for s in repo.search_mentions(MentionFilter(limit=None)):
        day = s.mention.published_at.date().isoformat()
        lang = s.mention.lang or ""
        for topic in ("*", *s.topics):
            counts[(day, topic, s.mention.source, lang, s.sentiment or "")] += 1
    return counts


def _kept(repo: Repository) -> Counter[tuple[str, str, str, str, str]]:
    counts: Counter[tuple[str, str, str, str, str]] = Counter()
    for topic in ("*", "acme", "rival"):
        for row in repo.daily_counts(topic_id=topic):
            counts[(row.day.isoformat(), row.topic_id, row.source, row.lang, row.sentiment)] += row.mentions
    return counts


def test_prune_deletes_old_mentions_and_keeps_exact_daily_counts(repo: Repository) -> None:
    _world(repo)
    before = _live(repo)
    cutoff = T0 - timedelta(days=15)
    old = repo.count_mentions(MentionFilter(until=cutoff))
    assert old == 30

    assert repo.prune_mentions(cutoff, batch=7) == old  # several batches
    assert repo.count_mentions(MentionFilter(until=cutoff)) == 0
    assert repo.count_mentions() == 30
    assert _live(repo) + _kept(repo) == before  # no mention lost or counted twice, per every key
    everything = repo.daily_counts()
    assert sum(r.mentions for r in everything) == 30
    assert sum(r.mentions - r.originals for r in everything) == 1  # m3 echoed m0: one non-distinct post
    assert repo.prune_mentions(cutoff) == 0  # again: nothing left, counts unchanged
    assert _live(repo) + _kept(repo) == before


def test_a_pruned_mention_is_not_collected_again(repo: Repository) -> None:
    _world(repo)
    repo.prune_mentions(T0 - timedelta(days=15))
    old = mention(0, source="testsrc", published_at=T0 - timedelta(days=30))
    again = repo.upsert_batch(batch(old), source="testsrc", query_id="q")
    assert again.inserted == 0 and again.skipped == 1
    assert sum(r.mentions for r in repo.daily_counts()) == 30
