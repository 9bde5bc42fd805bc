"""Themes over given vectors: groups found with noise left out, labelled, ranked; bad input said honestly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from analysis.discontent import openings, rank_discontent
from analysis.themes import c_tf_idf, find_themes
from analysis.trend_input import TrendMention
from analysis.trend_reasons import Reason

NOW = datetime(2026, 3, 15, tzinfo=UTC)
SUBJECTS = {
    "billing": ["facture en double ce mois {n}", "charged twice on my invoice {n}", "facture trop chère {n}"],
    "outage": [
        "panne internet depuis ce matin {n}",
        "internet outage since this morning {n}",
        "plus de connexion réseau {n}",
    ],
    "delivery": ["colis jamais livré {n}", "my parcel was never delivered {n}", "livraison en retard {n}"],
}


def _corpus(
    per_subject: int = 30, noise: int = 12, seed: int = 0
) -> tuple[list[TrendMention], np.ndarray, dict[int, str]]:
    rng = np.random.default_rng(seed)
    centres = {s: rng.normal(size=64) for s in SUBJECTS}
    mentions: list[TrendMention] = []
    rows: list[np.ndarray] = []
    truth: dict[int, str] = {}
    for subject, patterns in SUBJECTS.items():
        for n in range(per_subject):
            i = len(mentions)
            text = patterns[n % len(patterns)].format(n=n)
            mentions.append(
                TrendMention(
                    id=i,
                    text=text,
                    published_at=NOW - timedelta(hours=n),
                    lang="fr" if n % 3 != 1 else "en",
                    sentiment="negative",
                    sentiment_score=-0.8,
                    author=f"a{n % 7}",
                    author_handle=f"a{n % 7}",
                    reach=10.0 * n,
                    topics=("lumio",) if subject != "delivery" else ("ondea",),
                )
            )
            rows.append(centres[subject] + rng.normal(scale=0.25, size=64))
            truth[i] = subject
    for n in range(noise):
        mentions.append(
            TrendMention(
                id=len(mentions), text=f"random thought {n}", published_at=NOW, author="z", topics=("lumio",)
            )
        )
        rows.append(rng.normal(size=64) * 3)
    return mentions, np.asarray(rows, dtype=np.float32), truth


def test_groups_are_found_labelled_and_noise_left_out() -> None:
    mentions, vectors, truth = _corpus()
    answer = find_themes(mentions, vectors, dims=10)
    assert answer.status == "ok"
    assert len(answer.themes) == 3
    for theme in answer.themes:
        subjects = {truth.get(i) for i in theme.mention_ids}
        assert len(subjects) == 1 and None not in subjects
        assert theme.representative_id in theme.mention_ids
        assert set(theme.langs) == {"fr", "en"}  # both languages in one theme
    labels = {truth[t.mention_ids[0]]: t.terms for t in answer.themes}
    assert "facture" in labels["billing"]
    assert any("colis" in t for t in labels["delivery"])
    assert len(answer.noise_ids) >= 10


def test_rank_discontent_and_openings() -> None:
    mentions, vectors, truth = _corpus()
    answer = find_themes(mentions, vectors, dims=10)
    ranked = rank_discontent(answer.themes, mentions, since=NOW - timedelta(days=2), until=NOW)
    assert len(ranked) == 3 and ranked[0].score >= ranked[-1].score
    assert all(abs(d.negativity - 0.8) < 1e-6 and d.flag_bearers for d in ranked)
    found = openings(answer.themes, mentions, brand="lumio", competitors=["ondea"])
    assert [(truth[o.theme.mention_ids[0]], o.criticised) for o in found if o.criticised == "ondea"] == [
        ("delivery", "ondea")
    ]


def test_copies_of_one_post_make_no_theme_and_tiny_sets_say_not_enough_data() -> None:
    copies = [TrendMention(id=i, text="RT boycott Lumio", published_at=NOW) for i in range(50_000)]
    vectors = np.tile(np.ones(8, dtype=np.float32), (50_000, 1))
    answer = find_themes(copies, vectors)
    assert answer.status == "not_enough_data"
    assert answer.reason == Reason(
        "theme_texts", {"count": 50_000, "texts": 1, "needed": 10, "texts_needed": 16}
    )
    three = find_themes(copies[:3], vectors[:3])
    assert three.status == "not_enough_data" and three.reason is not None
    assert three.reason.values["count"] == 3
    assert find_themes([], np.zeros((0, 8), dtype=np.float32)).status == "not_enough_data"


def test_pure_noise_is_not_turned_into_themes() -> None:
    rng = np.random.default_rng(1)
    mentions = [TrendMention(id=i, text=f"😀 {i}", published_at=NOW) for i in range(200)]
    answer = find_themes(mentions, rng.normal(size=(200, 64)).astype(np.float32), dims=10)
    assert answer.status == "not_enough_data" or sum(t.size for t in answer.themes) < 0.3 * 200


def test_c_tf_idf_prefers_distinctive_terms_and_phrases() -> None:
    from collections import Counter

    docs = [
        Counter({"lumio": 10, "facture": 6, "facture double": 5, "double": 5}),
        Counter({"lumio": 10, "panne": 8, "reseau": 3}),
    ]
    first, second = c_tf_idf(docs, 2)
    assert first[0] == "facture double" and "lumio" not in first
    assert second[0] == "panne"


def test_labels_read_as_their_authors_spelled_them() -> None:
    from analysis.terms import readable, spellings

    forms = spellings(["Panne RÉSEAU depuis ce matin", "panne réseau", "Télé coupée", "#Télé"])
    assert readable("panne reseau", forms) == "panne réseau" and readable("tele", forms) == "télé"
    assert readable("#tele", forms) == "#tele"  # hashtags stay as they are counted
    mentions, vectors, truth = _corpus()
    answer = find_themes(mentions, vectors, dims=10)
    outage = next(t for t in answer.themes if truth[t.mention_ids[0]] == "outage")
    assert "reseau" not in outage.label and "réseau" in " ".join(readable(t, forms) for t in outage.terms)


def test_emoji_and_link_only_posts_make_no_theme() -> None:
    rng = np.random.default_rng(2)
    centre = rng.normal(size=64)
    posts = [f"{'😡' * (1 + n % 4)} https://t.co/x{n}" for n in range(60)]
    mentions = [TrendMention(id=i, text=t, published_at=NOW) for i, t in enumerate(posts)]
    vectors = (centre + rng.normal(scale=0.1, size=(60, 64))).astype(np.float32)  # all alike
    answer = find_themes(mentions, vectors, dims=10)
    assert answer.status == "not_enough_data" and len(answer.noise_ids) == 60
    assert answer.reason == Reason("no_theme")
    worded, wv, _truth = _corpus()
    emoji = [TrendMention(id=1000 + m.id, text=m.text, published_at=NOW) for m in mentions]
    both = find_themes([*worded, *emoji], np.vstack([wv, vectors + 5]).astype(np.float32), dims=10)
    assert both.status == "ok" and all(i < 1000 for t in both.themes for i in t.mention_ids)
