"""Echo grouping: references, near-duplicates, determinism, and precision on real recorded posts."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from analysis.echoes import DEFAULT_THRESHOLD, EchoGroup, group_echoes, is_template_variant, jaccard, shingles
from benchmarks.echoes import group_sample, key_text, load_posts, twitter_posts
from listener.core.model import Author, Mention, Reference
from listener.core.query import tokens

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
PRESS = ("Acme annonce le rappel de 12 000 bouilloires Aroma après des cas de surchauffe signalés "
         "par des clients en France et en Belgique")


def post(external_id: str, text: str, minutes: int = 0, *, source: str = "twitter",
         references: tuple[Reference, ...] = (), title: str | None = None) -> Mention:
    author = Author(source=source, external_id=f"u{external_id}", handle=f"user{external_id}")
    return Mention(source=source, external_id=external_id, text=text, title=title, author=author,
                   published_at=T0 + timedelta(minutes=minutes), fetched_at=T0 + timedelta(days=1),
                   references=references)


def test_reposts_and_quotes_join_their_original_which_is_canonical() -> None:
    original = post("1", "Our new kettle is here", minutes=10)
    repost = post("2", "", minutes=5, references=(Reference(kind="repost", external_id="1"),))
    quote = post("3", "Looks great!", minutes=20, references=(Reference(kind="quote", external_id="1"),))
    reply = post("4", "When in Belgium?", minutes=30, references=(Reference(kind="reply", external_id="1"),))
    groups = group_echoes([repost, quote, reply, original])
    assert groups == [EchoGroup(("twitter", "1"), (("twitter", "2"), ("twitter", "3")))]
    assert groups[0].size == 3


def test_reposts_of_an_absent_original_still_group_together() -> None:
    boosts = [post(str(i), "", minutes=i, source="mastodon",
                   references=(Reference(kind="repost", external_id="999"),)) for i in range(1, 4)]
    assert group_echoes(boosts) == [
        EchoGroup(("mastodon", "1"), (("mastodon", "2"), ("mastodon", "3")))]


def test_a_syndicated_press_release_is_grouped_across_sources() -> None:
    mentions = [
        post("a", PRESS, minutes=3, source="rss", title="Rappel de bouilloires"),
        post("b", "RT @acme_fr: " + PRESS, minutes=1),
        post("c", PRESS.upper().replace("É", "E") + " https://acme.example/rappel", minutes=2,
             source="mastodon"),
        post("d", "Acme annonce un nouveau modèle de bouilloire Aroma pour la rentrée en France", minutes=0),
    ]
    groups = group_echoes(mentions)
    assert groups == [EchoGroup(("twitter", "b"), (("mastodon", "c"), ("rss", "a")))]


def test_short_texts_and_template_posts_stay_apart() -> None:
    mentions = [post("1", "thanks!"), post("2", "thanks!"), post("3", "Love it"), post("4", "love it")]
    assert group_echoes(mentions) == []
    template = [post(str(i), f"New release of the {name} package version 1.0 is available on our mirror")
                for i, name in enumerate(["alpha", "zeta", "kappa"])]
    # One substituted name leaves most trigrams shared: Jaccard alone would group them ...
    pairs = [jaccard(shingles(a), shingles(b)) for a in template for b in template if a is not b]
    assert min(pairs) >= DEFAULT_THRESHOLD
    # ... the template check keeps them apart, while end edits (RT, via, a tail) stay echoes.
    assert group_echoes(template) == []
    assert is_template_variant(tokens("i gave 5 stars to nancy for the service"),
                               tokens("i gave 5 stars to daisy for the service"))
    assert not is_template_variant(tokens("acme recalls kettles in france"),
                                   tokens("rt acme recalls kettles in france via le monde"))


def test_handles_do_not_make_posts_alike() -> None:
    pings = [post(str(i), f"@alice@example.social @bob @carol check {i * 7919} done {i * 104729}")
             for i in range(4)]
    assert group_echoes(pings) == []


def test_grouping_is_pure_and_order_independent() -> None:
    mentions = [post(str(i), PRESS + f" {i % 3}", minutes=i % 5) for i in range(12)]
    mentions += [post("r", "", references=(Reference(kind="repost", external_id="3"),))]
    shuffled = mentions[:]
    random.Random(3).shuffle(shuffled)
    assert group_echoes(shuffled) == group_echoes(mentions) == group_echoes(reversed(mentions))
    (group,) = group_echoes(mentions)
    assert group.canonical_key == ("twitter", "0")  # earliest, tie broken by key
    assert len(group.member_keys) == 12


@pytest.fixture(scope="module")
def real_posts(shared_data: Path) -> list[Mention]:
    return load_posts(shared_data)


def test_real_retweets_group_with_their_original(shared_data: Path) -> None:
    tweets = {m.external_id: m for m in twitter_posts(shared_data)}
    retweets = [m for m in tweets.values() if m.reposted_id in tweets]
    assert retweets, "the recordings hold retweets of included tweets"
    groups = group_echoes(tweets.values())
    canonical_of = {k: g.canonical_key for g in groups for k in g.member_keys}
    for retweet in retweets:
        assert canonical_of[retweet.key] == canonical_of.get(("twitter", retweet.reposted_id),
                                                             ("twitter", retweet.reposted_id))


def test_precision_of_grouping_on_our_labelled_sample(real_posts: list[Mention]) -> None:
    groups = group_echoes(real_posts)
    grouped = {frozenset((key_text(g.canonical_key), key_text(k))) for g in groups for k in g.member_keys}
    judged = [is_echo for a, b, is_echo in group_sample() if frozenset((a, b)) in grouped]
    assert len(judged) >= 50, "the labelled pairs were drawn from this grouping"
    assert sum(judged) / len(judged) >= 0.85
    assert sum(len(g.member_keys) for g in groups) > 500  # the corpus is full of retweets and copies
