"""Language detection: FR, EN, a third language by its code, and honest ``und`` on no words."""

from __future__ import annotations

import pytest

from analysis import language


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Je vais résilier mon abonnement, le service est nul", "fr"),
        ("I am switching to another provider, this is awful", "en"),
        ("Das ist wirklich ein schlechter Kundenservice", "de"),
        ("Bon\u200bjour, le ser\u200bvice ne marche plus depuis hier", "fr"),
    ],
)
def test_detects_language(text: str, code: str) -> None:
    got, confidence, _ = language.detect(text)
    assert got == code
    assert confidence > 0.5


@pytest.mark.parametrize(
    "text", ["", "   ", "😡😡😡", "https://example.com/a/b?c=d", "@lumio @ondea", "\u200b\u200b"]
)
def test_no_words_is_undetermined_with_zero_confidence(text: str) -> None:
    assert language.detect(text)[:2] == ("und", 0.0)


def test_short_hesitant_text_leans_to_home_languages() -> None:
    code, confidence, _ = language.detect("thanks!")
    assert code == "en"
    assert confidence <= 0.5


def test_huge_text_does_not_crash() -> None:
    code, _, _ = language.detect("Le produit est vraiment très mauvais. " * 30_000)
    assert code == "fr"
