"""A spike alert says what drove it, in French and English, from what storage holds (real SQLite)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from alerts.dispatch import Dispatcher, MemoryAlertLog
from alerts.notifiers import LogNotifier
from alerts.rules import Rule
from alerts.window import HistoryBucket, Window
from analysis.spike_story import SpikeStory, explain, render
from analysis.trend_input import TrendMention
from listener.core.model import Annotation, Author, Batch, Mention
from listener.spike_explainer import SpikeExplainer
from storage import Repository

SPIKE = datetime(2026, 3, 14, 9, tzinfo=UTC)  # a Saturday morning
ORDINARY = [
    "Lumio box fonctionne bien",
    "my Lumio invoice came today",
    "Lumio app looks nice",
    "question sur mon contrat Lumio",
    "Lumio tv is fine tonight",
]
OUTAGE = [
    "Panne Lumio partout, plus d'internet #lumiodown",
    "Lumio outage, no internet since 8am #lumiodown",
    "Encore une panne Lumio, je passe chez Ondea #lumiodown",
]


def _store(repo: Repository) -> None:
    rng = random.Random(4)
    mentions: list[Mention] = []
    notes: list[Annotation] = []

    def add(n: int, text: str, at: datetime, topic: str, *, negative: bool, followers: int = 10) -> None:
        author = Author(
            source="demo",
            external_id=f"u{n % 40 if not negative else n}",
            handle=f"user{n}",
            followers=followers,
        )
        mentions.append(
            Mention(
                source="demo",
                external_id=f"m{n}",
                text=text,
                author=author,
                published_at=at,
                fetched_at=at,
                topics=(topic,),
                matched_terms={topic: (topic,)},
            )
        )
        label = "negative" if negative else "positive"
        scores = (
            {"negative": 0.9, "neutral": 0.05, "positive": 0.05}
            if negative
            else {"negative": 0.05, "neutral": 0.15, "positive": 0.8}
        )
        notes.append(
            Annotation(
                source="demo", external_id=f"m{n}", stage="sentiment", version="v", label=label, scores=scores
            )
        )

    for h in range(24 * 8):
        at = SPIKE - timedelta(days=8) + timedelta(hours=h)
        for _ in range(2):
            add(
                len(mentions),
                rng.choice(ORDINARY),
                at + timedelta(minutes=rng.randrange(60)),
                "lumio",
                negative=False,
            )
        add(len(mentions), "Ondea fibre ok", at, "ondea", negative=False)
    for k in range(30):
        add(
            len(mentions),
            OUTAGE[k % 3],
            SPIKE + timedelta(minutes=2 * k),
            "lumio",
            negative=True,
            followers=1000 + k,
        )
    for k in range(4):
        add(len(mentions), "Ondea marche", SPIKE + timedelta(minutes=k), "ondea", negative=False)
    repo.upsert_batch(Batch(mentions=tuple(mentions), next_cursor=None), source="demo", query_id="q")
    repo.save_annotations(notes)


def test_a_spike_alert_carries_its_drivers_and_renders_them_in_both_languages(sqlite_url: str) -> None:
    repo = Repository.from_url(sqlite_url)
    repo.upgrade()
    try:
        _store(repo)
        now = SPIKE + timedelta(hours=1)
        current = repo.window_mentions(SPIKE, now)
        history = {
            "lumio": tuple(
                HistoryBucket(start=SPIKE - timedelta(hours=h), negative=0) for h in range(48, 0, -1)
            )
        }
        window = Window(
            start=SPIKE, end=now, mentions=tuple(current), history=history
        )
        english, french = LogNotifier("en", lang="en"), LogNotifier("fr", lang="fr")
        explainer = SpikeExplainer(repo, {"lumio": "brand", "ondea": "competitor"})
        dispatcher = Dispatcher(
            MemoryAlertLog(),
            {"en": english, "fr": french},
            [Rule(id="spike", kind="negative_spike")],
            explain=explainer,
        )
        [alert] = dispatcher.tick(window, now).decided
        drivers = alert.details["drivers"]
        assert isinstance(drivers, dict)
        assert "#lumiodown" in drivers["terms"]
        assert drivers["competitors"] == [{"topic": "ondea", "count": 4, "usual": 1.0}]
        assert len({e["author"] for e in drivers["examples"]}) == 3
        [(_, en)] = english.sent
        [(_, fr)] = french.sent
        assert "What drove this spike" in en.text and "#lumiodown" in en.text and "ondea 4" in en.text
        assert "Ce qui explique ce pic" in fr.text and "Termes en hausse" in fr.text
        assert "What drove this spike" in en.html
    finally:
        repo.close()


def test_a_story_of_nothing_says_so() -> None:
    story = explain("lumio", [], [], start=SPIKE, end=SPIKE + timedelta(hours=1))
    assert isinstance(story, SpikeStory) and story.mentions == 0
    assert render(story, "fr").startswith("Aucune mention")
    assert render(story, "en").startswith("No mention")
    one = [TrendMention(id=1, text="😡", published_at=SPIKE, author="a", sentiment="negative")]
    assert "rien de notable" in render(
        explain("lumio", one, [], start=SPIKE, end=SPIKE + timedelta(hours=1)), "fr"
    )


def test_the_digest_explains_the_days_burst(sqlite_url: str) -> None:
    from dataclasses import replace

    from alerts.digest import build_digest, render_digest
    from listener.spike_explainer import digest_drivers

    repo = Repository.from_url(sqlite_url)
    repo.upgrade()
    try:
        _store(repo)
        explainer = SpikeExplainer(repo, {"lumio": "brand", "ondea": "competitor"})
        day = SPIKE.replace(hour=0)
        stories = digest_drivers(explainer, ["lumio"], day, day + timedelta(days=1))
        assert len(stories) == 1 and stories[0]["start"] == SPIKE.isoformat()
        empty_day = digest_drivers(explainer, ["lumio"], day - timedelta(days=2), day - timedelta(days=1))
        assert empty_day == ()
        digest = replace(
            build_digest(Window(start=day, end=day + timedelta(days=1)), day.date()), drivers=stories
        )
        _, text, html = render_digest(digest, "fr")
        assert "Ce qui explique ce pic" in text and "#lumiodown" in text and "#lumiodown" in html
    finally:
        repo.close()


def test_top_authors_of_a_spike_count_distinct_posts_not_reposters() -> None:
    """Three accounts reposting one complaint are echoes of its author, not three more voices."""
    at = SPIKE + timedelta(minutes=5)
    original = TrendMention(id=1, text=OUTAGE[0], published_at=at, author="demo:a", author_handle="angry",
                            reach=100.0, sentiment="negative", topics=("lumio",))
    reposts = [TrendMention(id=10 + k, text=OUTAGE[0], published_at=at + timedelta(minutes=k + 1),
                            author=f"demo:r{k}", author_handle=f"reposter{k}", reach=5_000.0,
                            sentiment="negative", topics=("lumio",), echo_of=1) for k in range(3)]
    other = TrendMention(id=2, text=OUTAGE[1], published_at=at, author="demo:b", author_handle="calm",
                         reach=10.0, sentiment="negative", topics=("lumio",))
    story = explain("lumio", [original, *reposts, other], [], start=SPIKE, end=SPIKE + timedelta(hours=1))
    assert [a for a, _, _ in story.authors] == ["angry", "calm"]
    assert story.echo_share == 3 / 5


def test_competitors_counted_in_the_database_are_those_of_their_loaded_mentions(db_url: str) -> None:
    """The story counts a competitor's mentions in SQL; the count is that of loading them (both engines).

    Windows start on a competitor's mention (the boundary belongs to the spike) and end on one (excluded).
    """
    from listener import trends_report
    from listener.spike_explainer import HISTORY

    repo = Repository.from_url(db_url)
    repo.upgrade()
    try:
        _store(repo)
        explainer = SpikeExplainer(repo, {"lumio": "brand", "ondea": "competitor"})
        for start, end in [(SPIKE, SPIKE + timedelta(hours=1)), (SPIKE + timedelta(minutes=1),
                           SPIKE + timedelta(minutes=3)), (SPIKE - timedelta(days=2), SPIKE)]:
            loaded = trends_report.load_mentions(repo, ["ondea"], start - HISTORY, end)
            now_count = sum(1 for m in loaded if m.published_at >= start)
            usual = (len(loaded) - now_count) / (HISTORY / (end - start))
            story = explainer.explain("lumio", start, end)
            assert story["competitors"] == [{"topic": "ondea", "count": now_count, "usual": usual}]
        assert now_count > 0 and usual > 0  # the last window has competitors' mentions on both sides
    finally:
        repo.close()
