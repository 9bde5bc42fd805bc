"""The cue layer on its own: sarcasm, negations, demands and advice, French and English (no model)."""

from __future__ import annotations

import pytest

from analysis import cues


@pytest.mark.parametrize(
    ("text", "lean", "reason_part"),
    [
        ("Oh great, another outage. Thanks a lot Lumio.", "negative", "sarcasm"),
        ("Super, encore une panne. Merci Lumio.", "negative", "sarcasm"),
        ("J'adore payer pour une connexion qui ne marche jamais.", "negative", "sarcasm"),
        ("Not bad at all, the new router works well.", "positive", "negated criticism"),
        ("Je ne suis pas déçu, livraison en avance.", "positive", "negated criticism"),
        ("Pas mal du tout !", "positive", "negated criticism"),
        ("Pas du tout satisfait du service.", "negative", "negated praise"),
        ("Refund the outage days or I'm leaving.", "negative", "demand"),
        ("Remboursez-moi ou je saisis une association.", "negative", "demand"),
        ("Done with Lumio. Cancelling today.", "negative", "leaving"),
        ("Vous m'avez facturé un routeur rendu en janvier.", "negative", "failure"),
    ],
)
def test_cues_lean_the_way_a_person_reads(text: str, lean: str, reason_part: str) -> None:
    reading = cues.read(text)
    assert reading.lean == lean
    assert reason_part in reading.reason


@pytest.mark.parametrize(
    "text",
    [
        "Thanks, the outage was fixed within the hour!",  # a failure, but fixed: not sarcasm
        "Pas mal de problèmes avec la box ce mois-ci.",  # "pas mal de" means "quite a few"
        "How do I cancel my subscription online?",  # asking how is not leaving
        "Lumio announced new prices for 2027 today.",
    ],
)
def test_no_cue_where_there_is_none(text: str) -> None:
    reading = cues.read(text)
    assert reading.lean is None, reading.reason
    assert not reading.sarcasm


def test_demands_are_not_advice_but_requests_for_a_change_are() -> None:
    assert cues.read("Dear Lumio, if you don't refund the outage days I'm leaving for Ondea.").demand
    assert not cues.advice("Refund me or I'm leaving.")
    assert cues.advice("Il faudrait pouvoir résilier en ligne.")
    assert cues.advice("You should add an option to pause the subscription.")
    assert not cues.advice("Il faudrait être aveugle pour ne pas le voir.")


def test_information_questions_are_told_from_requests() -> None:
    assert cues.asks_for_information("Which plan would you recommend for a family of four?")
    assert cues.asks_for_information("Puis-je recevoir une facture papier ?")
    assert not cues.asks_for_information("Could you add a dark mode?")
    assert not cues.asks_for_information("Which plan is best")  # no question mark


def test_hostile_input_gets_an_answer() -> None:
    for text in ("", "😀" * 2000, "great " * 700, "\u202erefund me"):
        assert isinstance(cues.read(text), cues.Reading)
