"""What makes a discontent cue a signal: negations, false friends and rhetorical questions.

``analysis.signals.signal_cues`` needs no model, so each rule is checked on plain sentences, with the
sentence that must still fire beside the one that must not.
"""

from __future__ import annotations

import pytest

from analysis.signals import signal_cues


@pytest.mark.parametrize(
    ("name", "fires", "calm"),
    [
        ("disappointment", "Je suis très déçu par la livraison", "Je ne suis pas déçu, livraison rapide"),
        ("disappointment", "Really disappointed with the update", "Not disappointed at all, it works"),
        ("churn_risk", "I want to cancel my subscription today", "Can I cancel my order? I ordered twice"),
        ("churn_risk", "I'm leaving @Lumio for good", "I'm leaving on the 7th, see you before I go"),
        ("churn_risk", "Looks like I'm done with you, Lumio", "Looks like I'm done with finals this week"),
        ("churn_risk", "I switched to Ondea, half the price", "My account was switched to a new plan"),
        ("churn_risk", "Je vais résilier mon abonnement", "I unsubscribed from your spam emails three times"),
        ("churn_risk", "I need to cancel my service and port my number", "Your service is slow today"),
        ("churn_risk", "Je veux fermer mon compte et changer d'opérateur", "J'ai changé de forfait hier"),
        ("confusion", "I'm so confused by my bill", "Dog Day, not to be confused with Hot Dog Day"),
        ("confusion", "How do I reset my password?", "How the f do you expect me to read that in 1 second"),
        ("confusion", "Why did all my files disappear after the update?", "Why is every store out of stock?"),
        ("confusion", "Pourquoi ma facture a doublé ?", "On sait pourquoi elle reste au ministère."),
    ],
)
def test_signal_rule(name: str, fires: str, calm: str) -> None:
    assert signal_cues(fires, name), fires
    assert not signal_cues(calm, name), (calm, signal_cues(calm, name))


def test_negated_cue_leaves_other_cues() -> None:
    # the negation blanks only its own words: a real let-down later in the text still counts
    found = signal_cues("Pas déçu du prix, mais très déçue par le service", "disappointment")
    assert [words for words, _ in found] == ["decue"]
