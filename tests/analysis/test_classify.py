"""The real model on short, unambiguous French and English texts, and on bad input.

These load the built encoder and the heads shipped in the package (no shared data needed).
"""

from __future__ import annotations

from typing import Any

import pytest

from analysis.analyzer import Analyzer
from analysis.classify import classify

pytestmark = pytest.mark.slow

CASES = [
    # text, sentiment, intents that must fire, signals that must fire
    (
        "Je suis très déçu, le service client est nul et ma box ne marche plus depuis une semaine.",
        "negative",
        {"complaint"},
        {"disappointment"},
    ),
    ("Merci beaucoup à toute l'équipe, j'adore ce produit, il est génial !", "positive", {"praise"}, set()),
    ("Comment je fais pour changer le mot de passe de mon compte ?", None, {"question"}, set()),
    ("Vous devriez ajouter un mode sombre dans l'application, ce serait top.", None, {"suggestion"}, set()),
    (
        "Je vais résilier mon abonnement et passer chez la concurrence, c'est inadmissible.",
        "negative",
        set(),
        {"churn_risk"},
    ),
    (
        "This is the worst service ever, my order never arrived and nobody answers. Terrible.",
        "negative",
        {"complaint"},
        set(),
    ),
    (
        "I absolutely love this phone, great battery and amazing camera. Thank you!",
        "positive",
        {"praise"},
        set(),
    ),
    ("How do I reset my router password?", None, {"question"}, set()),
    ("You should add a dark mode to the app, it would be great.", None, {"suggestion"}, set()),
    (
        "So disappointed, I'm switching to Ondea and cancelling my subscription today.",
        "negative",
        set(),
        {"churn_risk", "disappointment"},
    ),
]


@pytest.fixture(scope="module")
def results(analyzer_model: Analyzer) -> list[dict[str, Any]]:
    return classify([c[0] for c in CASES], analyzer_model)


@pytest.mark.parametrize("i", range(len(CASES)))
def test_unambiguous_texts(results: list[dict[str, Any]], i: int) -> None:
    text, sentiment, intents, signals = CASES[i]
    got = results[i]
    assert got["language"]["code"] == ("fr" if i < 5 else "en")
    if sentiment is not None:
        assert got["sentiment"]["label"] == sentiment, (text, got["sentiment"])
    assert intents <= set(got["intents"]["labels"]), (text, got["intents"])
    assert signals <= set(got["signals"]["labels"]), (text, got["signals"])
    assert abs(sum(got["sentiment"]["probabilities"].values()) - 1.0) < 1e-3
    assert got["explanation"]


def test_praise_is_not_a_complaint(results: list[dict[str, Any]]) -> None:
    for i in (1, 6):
        assert "complaint" not in results[i]["intents"]["labels"]
        assert results[i]["signals"]["labels"] == []


def test_explanations_name_the_cue_words(results: list[dict[str, Any]]) -> None:
    assert "resilier" in results[4]["explanation"]
    assert "switching to" in results[9]["explanation"]


BAD = {
    "empty": "",
    "emoji": "😡😡😡🔥",
    "url": "https://example.com/very/long/path?x=1",
    "huge": "Le service est lent. " * 50_000,
    "mixed": "Le nouveau forfait est super, really love it, merci !",
    "zero_width": "Je\u200b suis\u200c très\u200d déçu\ufeff du service",
    "third_language": "Este producto es terrible, nunca más compro aquí",
    "control": "bad\x00\x07 input\x1b[31m here",
}


@pytest.fixture(scope="module")
def bad_results(analyzer_model: Analyzer) -> dict[str, dict[str, Any]]:
    out = classify(list(BAD.values()), analyzer_model)
    return dict(zip(BAD, out, strict=True))


def test_bad_input_never_dropped(bad_results: dict[str, dict[str, Any]]) -> None:
    assert set(bad_results) == set(BAD)
    for result in bad_results.values():
        assert result["sentiment"]["label"] in {"negative", "neutral", "positive"}
        assert result["intents"]["labels"]


def test_empty_is_uniform_and_says_so(bad_results: dict[str, dict[str, Any]]) -> None:
    empty = bad_results["empty"]
    assert empty["language"] == {"code": "und", "confidence": 0.0}
    probabilities = empty["sentiment"]["probabilities"].values()
    assert all(p == pytest.approx(1 / 3, abs=1e-3) for p in probabilities)
    assert empty["intents"]["labels"] == ["other"]
    assert "empty text" in empty["explanation"]


@pytest.mark.parametrize("name", ["emoji", "url"])
def test_no_words_gets_low_confidence(bad_results: dict[str, dict[str, Any]], name: str) -> None:
    result = bad_results[name]
    assert result["language"]["code"] == "und"
    assert max(result["sentiment"]["probabilities"].values()) < 0.7


def test_huge_post_is_truncated_not_crashing(bad_results: dict[str, dict[str, Any]]) -> None:
    assert bad_results["huge"]["language"]["code"] == "fr"
    assert bad_results["huge"]["chars"] <= 4000


def test_zero_width_characters_are_ignored(bad_results: dict[str, dict[str, Any]]) -> None:
    result = bad_results["zero_width"]
    assert result["language"]["code"] == "fr"
    assert result["sentiment"]["label"] == "negative"
    assert "disappointment" in result["signals"]["labels"]


def test_mixed_and_third_language(bad_results: dict[str, dict[str, Any]]) -> None:
    assert bad_results["mixed"]["language"]["code"] in {"fr", "en"}
    assert bad_results["mixed"]["sentiment"]["label"] == "positive"
    third = bad_results["third_language"]
    assert third["language"]["code"] == "es"
    assert "other language" in third["explanation"]


NEGATED = {
    "pas mal du tout": "positive",
    "je ne suis pas déçu, livraison rapide": "positive",
    "not bad at all": "positive",
    "Oh great, another outage. Thanks Lumio": "negative",
}
"""Texts whose sentiment the cue layer turns: the emotion and the signals must follow it."""


@pytest.fixture(scope="module")
def negated_results(analyzer_model: Analyzer) -> list[dict[str, Any]]:
    return classify(list(NEGATED), analyzer_model)


@pytest.mark.parametrize("i", range(len(NEGATED)))
def test_emotion_follows_the_sentiment_a_cue_turns(negated_results: list[dict[str, Any]], i: int) -> None:
    text, polarity = list(NEGATED.items())[i]
    got = negated_results[i]
    assert got["sentiment"]["label"] == polarity, (text, got["sentiment"])
    emotions = {"positive": {"joy", "optimism"}, "negative": {"anger", "sadness"}}[polarity]
    assert got["emotion"]["label"] in emotions, (text, got["emotion"])
    assert abs(sum(got["emotion"]["probabilities"].values()) - 1.0) < 1e-3
    if polarity == "positive":
        assert got["signals"]["labels"] == [], (text, got["signals"])
