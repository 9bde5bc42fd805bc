"""Annotations (versioned, denormalised), topic matches, echo groups and labels."""

from __future__ import annotations

from storage_builders import batch, mention

from listener.core.model import Annotation
from storage import MentionFilter, Repository, TopicMatch


def _ann(n: int, stage: str, version: str, label: str | None, **scores: float) -> Annotation:
    return Annotation(
        source="testsrc", external_id=f"m{n}", stage=stage, version=version, label=label, scores=scores
    )


def test_unanalysed_follows_stage_and_version(repo: Repository) -> None:
    repo.upsert_batch(batch(*(mention(n) for n in range(1, 6))), source="testsrc", query_id="q")
    assert [s.mention.external_id for s in repo.unanalysed("sentiment", "1", limit=3)] == ["m1", "m2", "m3"]

    saved = repo.save_annotations(
        [_ann(n, "sentiment", "1", "neutral") for n in (1, 2, 3)] + [_ann(99, "sentiment", "1", "x")]
    )
    assert saved == 3  # m99 is not stored: ignored, not an error
    assert [s.mention.external_id for s in repo.unanalysed("sentiment", "1")] == ["m4", "m5"]
    assert len(repo.unanalysed("language", "1")) == 5
    # a new model version makes everything due again, and re-analysis overwrites in place
    assert len(repo.unanalysed("sentiment", "2")) == 5
    repo.save_annotations([_ann(1, "sentiment", "2", "negative", negative=0.7, positive=0.1)])
    stored = repo.get_mention_by_key("testsrc", "m1")
    assert stored is not None
    annotations = repo.annotations_for(stored.id)
    assert [(a.stage, a.version, a.label) for a in annotations] == [("sentiment", "2", "negative")]
    assert stored.sentiment == "negative"
    assert stored.sentiment_score is not None and abs(stored.sentiment_score + 0.6) < 1e-9


def test_reupserting_a_mention_keeps_its_analysis(repo: Repository) -> None:
    from listener.core.model import Metrics

    repo.upsert_batch(batch(mention(1)), source="testsrc", query_id="q")
    repo.save_annotations([_ann(1, "sentiment", "1", "positive"), _ann(1, "language", "1", "en")])
    # a refetch with new counts (same text) keeps the verdicts
    repo.upsert_batch(batch(mention(1, metrics=Metrics(likes=500))), source="testsrc", query_id="q")
    stored = repo.get_mention_by_key("testsrc", "m1")
    assert stored is not None
    assert (stored.mention.metrics.likes, stored.sentiment, stored.detected_lang) == (500, "positive", "en")
    assert repo.unanalysed("sentiment", "1") == []


def test_an_edited_post_is_analysed_again(repo: Repository) -> None:
    repo.upsert_batch(batch(mention(1), mention(2)), source="testsrc", query_id="q")
    repo.save_annotations([_ann(n, "sentiment", "1", "positive", positive=0.9, negative=0.05)
                           for n in (1, 2)])
    repo.save_annotations([_ann(n, "language", "1", "en") for n in (1, 2)])
    repo.upsert_batch(batch(mention(1, text="edited: actually awful"), mention(2)), source="testsrc",
                      query_id="q")
    edited = repo.get_mention_by_key("testsrc", "m1")
    same = repo.get_mention_by_key("testsrc", "m2")
    assert edited is not None and same is not None
    assert edited.mention.text == "edited: actually awful"
    # the old verdict is gone everywhere (no stale "positive" in alerts or searches) ...
    assert (edited.sentiment, edited.sentiment_score, edited.detected_lang) == (None, None, None)
    assert repo.annotations_for(edited.id) == []
    assert repo.search_mentions(MentionFilter(sentiments=("positive",))) == [same]
    # ... and every stage picks it up again; the unchanged post keeps its analysis
    assert [s.mention.external_id for s in repo.unanalysed("sentiment", "1")] == ["m1"]
    assert [s.mention.external_id for s in repo.unanalysed("language", "1")] == ["m1"]
    assert same.sentiment == "positive"


def test_topic_matches_replace_and_filter(repo: Repository) -> None:
    repo.upsert_batch(batch(mention(1), mention(2)), source="testsrc", query_id="q")
    ids = {s.mention.external_id: s.id for s in repo.search_mentions()}
    repo.save_topic_matches([TopicMatch(mention_id=ids["m1"], topic_id="brand", terms=("acme", "facture"))])
    repo.save_topic_matches([TopicMatch(mention_id=ids["m1"], topic_id="rival")])
    m1 = repo.get_mention(ids["m1"])
    assert m1 is not None and m1.topics == ("rival",) and m1.mention.topics == ("rival",)
    repo.save_topic_matches([TopicMatch(mention_id=ids["m2"], topic_id="brand")], replace=False)
    repo.save_topic_matches([TopicMatch(mention_id=ids["m2"], topic_id="rival")], replace=False)
    assert repo.count_mentions(MentionFilter(topics=("brand", "rival"))) == 2
    assert repo.count_mentions(MentionFilter(topics=("brand",))) == 1


def test_echo_groups_point_at_the_canonical_and_count(repo: Repository) -> None:
    repo.upsert_batch(batch(*(mention(n) for n in range(1, 5))), source="testsrc", query_id="q")
    ids = {s.mention.external_id: s.id for s in repo.search_mentions()}
    repo.set_echo_groups({ids["m1"]: ids["m1"], ids["m2"]: ids["m1"], ids["m3"]: ids["m1"]})
    canonical = repo.get_mention(ids["m1"])
    assert canonical is not None and canonical.echo_count == 2 and canonical.echo_of_id is None
    assert repo.count_mentions(MentionFilter(include_echoes=False)) == 2
    # regrouping m3 under m4 updates both counts
    repo.set_echo_groups({ids["m3"]: ids["m4"]})
    m1, m4 = repo.get_mention(ids["m1"]), repo.get_mention(ids["m4"])
    assert m1 is not None and m4 is not None
    assert (m1.echo_count, m4.echo_count) == (1, 1)
    # deleting a canonical frees its echoes
    repo.delete_mention(ids["m4"])
    m3 = repo.get_mention(ids["m3"])
    assert m3 is not None and m3.echo_of_id is None


def test_labels_are_kept_in_order(repo: Repository, clock: object) -> None:
    repo.upsert_batch(batch(mention(1), mention(2)), source="testsrc", query_id="q")
    ids = {s.mention.external_id: s.id for s in repo.search_mentions()}
    repo.save_label(ids["m1"], "sentiment", "negative")
    repo.save_label(ids["m1"], "sentiment", "neutral")
    repo.save_label(ids["m2"], "intent", "question")
    assert [(x.mention_id, x.label) for x in repo.labels("sentiment")] == [
        (ids["m1"], "negative"),
        (ids["m1"], "neutral"),
    ]
    assert len(repo.labels()) == 3
    assert [x.label for x in repo.labels(mention_id=ids["m2"])] == ["question"]
