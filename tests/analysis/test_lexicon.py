"""Our cue lexicons find churn, disappointment and confusion phrases, with or without accents."""

from __future__ import annotations

import pytest

from analysis import lexicon


@pytest.mark.parametrize(
    ("text", "cues"),
    [
        ("Je vais résilier mon abonnement ce soir", lexicon.CHURN),
        ("je vais resilier demain", lexicon.CHURN),
        ("I'm switching to Ondea next month", lexicon.CHURN),
        ("Very disappointed with the update", lexicon.DISAPPOINTMENT),
        ("Franchement très déçue par la livraison", lexicon.DISAPPOINTMENT),
        ("Je ne comprends pas ma facture", lexicon.CONFUSION),
        ("I don't understand how to reset it", lexicon.CONFUSION),
    ],
)
def test_cue_found(text: str, cues: tuple[lexicon.Cue, ...]) -> None:
    assert lexicon.matches(text, cues)


@pytest.mark.parametrize(
    "text", ["Super soirée avec les amis", "The new phone looks nice", "Résultat du match ce soir"]
)
def test_calm_text_has_no_discontent_cue(text: str) -> None:
    for cues in (lexicon.CHURN, lexicon.DISAPPOINTMENT, lexicon.CONFUSION):
        assert lexicon.matches(text, cues) == []


def test_matches_report_words_strongest_first() -> None:
    found = lexicon.matches("Très déçu, dommage", lexicon.DISAPPOINTMENT)
    assert [w for w, _ in found] == ["decu", "dommage"]
    assert found[0][1] > found[1][1]
