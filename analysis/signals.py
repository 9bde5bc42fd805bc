"""Discontent signals: churn risk, disappointment, confusion, each with a score and the cue words.

These are the phrases a community manager must not miss ("je vais résilier", "switching to X",
"très déçu", "je ne comprends pas"). A cue found in the text gives the base score (our lexicons in
``analysis.lexicon``, FR and EN); the sentiment head's negativity raises or lowers it, so "je vais
résilier" in an angry post scores higher than in a neutral how-to question.

The lexicons also feed the heads, so what makes a cue a *signal* is decided here, not there:

- a cue inside a negation does not count ("je ne suis pas déçu", "no complaints");
- false friends do not count (``FALSE_FRIENDS``): cancelling an order or unsubscribing from
  e-mails is not leaving the brand; "I'm moving" or "I'm leaving" count only towards someone
  (``@brand``, ``#brand``, "you"), "switched to a land line" names no provider;
  "not to be confused with" and "she's confused" are nobody's confusion;
- a weak confusion cue ("why is", "pourquoi", "???") counts only in a sentence where the writer
  speaks of themselves ("why did all *my* PDFs disappear?"): without it, it is nearly always a
  rhetorical question or outrage ("why is every location out of tenders?").

Measured on real tweets where the signals fired, labelled by us (``benchmarks/signal_labels*.tsv``;
the second file was labelled before these rules were tuned on the first): see README "Analysis".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from analysis import cues as cue_layer
from analysis import lexicon
from analysis.analyzer import Analyzer
from listener.core.model import Annotation, Mention

STAGE = "signals"
SIGNALS = {
    "churn_risk": lexicon.CHURN,
    "disappointment": lexicon.DISAPPOINTMENT,
    "confusion": lexicon.CONFUSION,
}
THRESHOLD = 0.5
STRONG = 0.8
"""Cues at least this sure need no first-person sentence (confusion)."""
FALSE_FRIENDS: dict[str, tuple[re.Pattern[str], ...]] = {
    name: tuple(re.compile(p) for p in patterns)
    for name, patterns in {
        "churn_risk": (
            r"cancel\w* (?:my|our|the|an?) (?:\w+ )?order",
            r"unsubscrib\w*(?: \S+){0,4} (?:e-?mails?|spam|newsletters?|mailing|texts?|notifications?|list)",
            r"(?:i'm|i am|im|we're|we are) (?:moving|leaving|done with|going back to)"
            r"(?! (?:to |for |from |with )?(?:@|#|you\b))",
            r"(?:was|were|been|be|get|got) switched to",
            r"switch(?:ing|ed)? (?:to|over to) (?:a|an|the|my|your|his|her|their|this|that|same)\b",
        ),
        "confusion": (
            r"not to be confused",
            r"(?:she|he|they|you|u)(?:'s|'re| is| are) (?:\w+ )?confused",
            r"confusion (?:about|in)",
            r"how (?:\w+ )?(?:do|can) you (?:expect|work|know|think|justify|call|not|sleep|say)",
        ),
    }.items()
}
"""Phrases that contain a cue but are not the signal (folded text)."""
MORE_CUES: dict[str, tuple[lexicon.Cue, ...]] = {
    "churn_risk": tuple(
        lexicon.Cue(re.compile(rf"(?<!\w){p}(?!\w)"), 0.9)
        for p in (
            r"(?:cancel(?:ling|ing|led)?|close|closing|terminat(?:e|ing)) (?:my|our) "
            r"(?:service|internet|broadband|phone line|line|policy|contract|account)",
            r"(?:stop|end) (?:my|our) (?:service|contract|subscription)",
            r"port(?:ing)? (?:my|our) numbers?",
            r"(?:fermer|cloturer) (?:mon|notre) compte",
            r"changer (?:d'operateur|de (?:banque|fournisseur|operateur|box))",
            r"je (?:vous )?quitte",
        )
    ),
}
"""Leaving phrases of customer service that only the signal reads (the heads' lexicon features stay as
they were trained): "cancel my service", "port my number", "fermer mon compte", "changer d'opérateur"."""
_CUES = {name: cues + MORE_CUES.get(name, ()) for name, cues in SIGNALS.items()}

_FIRST_PERSON = re.compile(r"(?<!\w)(?:i|i'm|im|my|me|we|our|us|je|j'|mon|ma|mes|nous|notre)(?!\w)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def signal_cues(text: str, name: str) -> list[tuple[str, float]]:
    """The cues of signal ``name`` in ``text`` that count, strongest first (see the module docstring)."""
    folded = cue_layer.without_negated_criticism(text)
    for pattern in FALSE_FRIENDS.get(name, ()):
        folded = cue_layer.blank(folded, pattern)
    found = lexicon.matches(folded, _CUES[name])
    if name == "confusion" and found and found[0][1] < STRONG:
        sentences = _SENTENCE_END.split(folded)
        found = [
            (words, weight)
            for words, weight in found
            if any(words in s and _FIRST_PERSON.search(s) for s in sentences)
        ]
    return found


def score(cue_weight: float, negative: float, signal: str) -> float:
    """Blend a cue's weight with the negativity of the text (confusion depends less on it)."""
    if cue_weight <= 0.0:
        return 0.0
    lean = 0.15 if signal == "confusion" else 0.3
    return round(min(1.0, cue_weight * (1.0 - lean) + lean * negative + 0.1 * (cue_weight >= 0.8)), 4)


def scores(model: Analyzer, texts: Sequence[str]) -> list[tuple[dict[str, float], list[str], str]]:
    """Per text: a score per signal, the signals over threshold, and the cue words behind them."""
    labels, sent = model.sentiment(texts)
    neg = sent[:, labels.index("negative")]
    out = []
    for i, text in enumerate(texts):
        row: dict[str, float] = {}
        fired: list[str] = []
        parts: list[str] = []
        for name in SIGNALS:
            found = signal_cues(text, name)
            row[name] = score(found[0][1] if found else 0.0, float(neg[i]), name)
            if row[name] >= THRESHOLD:
                fired.append(name)
                cue_text = lexicon.cue_list(found)
                parts.append(f"{name} {row[name]:.2f} ({cue_text})")
        out.append((row, fired, "; ".join(parts) or "no discontent cue found"))
    return out


def run(
    mentions: Sequence[Mention],
    *,
    model: Analyzer,
    params: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> list[Annotation]:
    """One signals annotation per mention; ``label`` is the strongest fired signal, None when calm."""
    texts = model.prepare([m.text for m in mentions])
    return [
        Annotation(
            source=m.source,
            external_id=m.external_id,
            stage=STAGE,
            version=model.version,
            label=max(fired, key=lambda k: row[k]) if fired else None,
            scores=row,
            explanation=why,
        )
        for m, (row, fired, why) in zip(mentions, scores(model, texts), strict=True)
    ]
