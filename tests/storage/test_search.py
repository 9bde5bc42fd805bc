"""Full-text search, accent- and case-insensitive both ways, with phrases and prefixes, plus filters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from storage_builders import T0, author, batch, mention

from listener.core.model import Annotation
from storage import MentionFilter, Repository, TopicMatch

TEXTS = {
    1: "La facture d'électricité a encore augmenté, c'est scandaleux",
    2: "Electricity bill went up again for EDF customers",
    3: "Mon cœur dit oui à la nouvelle offre",
    4: "Die Straße ist gesperrt, panne de courant",
    5: "RIEN à voir: une FACTURATION de gaz",
}


@pytest.fixture
def filled(repo: Repository) -> Repository:
    repo.upsert_batch(
        batch(*(mention(n, text=t, title=None) for n, t in TEXTS.items())), source="testsrc", query_id="q"
    )
    return repo


def _found(repo: Repository, query: str) -> set[int]:
    return {int(s.mention.external_id[1:]) for s in repo.search_mentions(MentionFilter(text=query))}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("electricite", {1}),
        ("ÉLECTRICITÉ", {1}),
        ("électricité", {1}),
        ("coeur", {3}),
        ("cœur", {3}),
        ("strasse", {4}),
        ("Straße", {4}),
        ("factur*", {1, 5}),
        ("FACTUR*", {1, 5}),
        ('"facture d electricite"', {1}),
        ('"electricite facture"', set()),
        ("electricity edf", {2}),
        ("electricity panne", set()),
        ("d'électricité", {1}),
    ],
)
def test_search_is_accent_and_case_insensitive(filled: Repository, query: str, expected: set[int]) -> None:
    assert _found(filled, query) == expected


@pytest.mark.parametrize(
    "query", ['"', "*", "AND", "NEAR(", "a OR", "-x", "'; drop table mentions; --", "(((", ":*", "&|!"]
)
def test_odd_queries_never_raise(filled: Repository, query: str) -> None:
    filled.search_mentions(MentionFilter(text=query))
    assert filled.count_mentions() == 5


def test_search_follows_updates_and_deletes(filled: Repository) -> None:
    filled.upsert_batch(batch(mention(2, text="now about gas only")), source="testsrc", query_id="q")
    assert _found(filled, "electricity") == set()
    assert _found(filled, "gas") == {2}
    stored = filled.get_mention_by_key("testsrc", "m2")
    assert stored is not None
    filled.delete_mention(stored.id)
    assert _found(filled, "gas") == set()


def test_title_is_searchable(repo: Repository) -> None:
    repo.upsert_batch(batch(mention(1, text="body", title="Grève à la SNCF")), source="testsrc", query_id="q")
    assert _found(repo, "greve sncf") == {1}


def test_filters_combine(filled: Repository) -> None:
    ids = {s.mention.external_id: s.id for s in filled.search_mentions()}
    filled.save_topic_matches(
        [
            TopicMatch(mention_id=ids["m1"], topic_id="brand", terms=("facture",)),
            TopicMatch(mention_id=ids["m2"], topic_id="brand"),
            TopicMatch(mention_id=ids["m2"], topic_id="rival"),
        ]
    )
    filled.save_annotations(
        [
            Annotation(
                source="testsrc",
                external_id="m1",
                stage="sentiment",
                version="1",
                label="negative",
                scores={"negative": 0.8, "neutral": 0.15, "positive": 0.05},
            ),
            Annotation(source="testsrc", external_id="m2", stage="sentiment", version="1", label="neutral"),
            Annotation(
                source="testsrc",
                external_id="m1",
                stage="intent",
                version="1",
                label="complaint",
                scores={"complaint": 0.9, "question": 0.6, "suggestion": 0.1},
            ),
            Annotation(source="testsrc", external_id="m1", stage="language", version="1", label="fr"),
        ]
    )
    assert filled.count_mentions(MentionFilter(topics=("brand",))) == 2
    assert filled.count_mentions(MentionFilter(topics=("rival",))) == 1
    assert filled.count_mentions(MentionFilter(topics=("brand",), sentiments=("negative",))) == 1
    assert filled.count_mentions(MentionFilter(intents=("question",))) == 1
    assert filled.count_mentions(MentionFilter(intents=("suggestion",))) == 0
    assert filled.count_mentions(MentionFilter(langs=("fr",))) == 1
    assert filled.count_mentions(MentionFilter(text="factur*", topics=("brand",))) == 1
    assert (
        filled.count_mentions(MentionFilter(since=T0 + timedelta(minutes=2), until=T0 + timedelta(minutes=4)))
        == 2
    )
    first = filled.get_mention(ids["m1"])
    assert first is not None
    assert first.topics == ("brand",)
    assert first.sentiment == "negative"
    assert first.sentiment_score == pytest.approx(-0.75)
    assert first.intents == ("complaint", "question")
    assert first.lang == "fr"
    newest = filled.search_mentions(MentionFilter(limit=2))
    assert [s.mention.external_id for s in newest] == ["m5", "m4"]
    oldest = filled.search_mentions(MentionFilter(order="oldest", limit=2, offset=1))
    assert [s.mention.external_id for s in oldest] == ["m2", "m3"]


def test_author_filter_and_listing(repo: Repository) -> None:
    big, small = author(1, followers=90_000), author(2, followers=12)
    repo.upsert_batch(
        batch(mention(1, author=big), mention(2, author=small), mention(3, author=small)),
        source="testsrc",
        query_id="q",
    )
    listed = repo.authors()
    assert [a.author.external_id for a in listed] == ["u1", "u2"]
    assert [a.author.external_id for a in repo.authors(order="mentions")] == ["u2", "u1"]
    assert [a.author.external_id for a in repo.authors(min_followers=1000)] == ["u1"]
    assert repo.count_mentions(MentionFilter(author_id=listed[1].id)) == 2
