"""Intent stage, multi-label: complaint, question, suggestion / idea, praise, or other.

Complaint, question and suggestion each have a trained yes/no head; praise reads the sentiment
head (a positive mention that is not a complaint); ``other`` is what is left when nothing fires.
A mention can be a complaint and a question at once. Each score comes with the cue words found.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from analysis import cues, lexicon
from analysis.analyzer import Analyzer, words_weight
from listener.core.model import Annotation, Mention

STAGE = "intent"
INTENTS = ("complaint", "question", "suggestion", "praise")
_CUES = {
    "complaint": lexicon.COMPLAINT + lexicon.DISAPPOINTMENT + lexicon.CHURN,
    "question": lexicon.QUESTION,
    "suggestion": lexicon.SUGGESTION,
    "praise": lexicon.PRAISE,
}
PRAISE_THRESHOLD = 0.5
_GRIEVANCE = lexicon.COMPLAINT + lexicon.CHURN + lexicon.DISAPPOINTMENT


def scores(model: Analyzer, texts: Sequence[str]) -> list[tuple[dict[str, float], list[str], str]]:
    """Per text: scores per intent (and ``other``), the labels that fire, and the explanation."""
    flags = {name: model.flag(name, texts) for name in ("complaint", "question", "suggestion")}
    labels, sent = model.sentiment(texts)
    pos = sent[:, labels.index("positive")]
    neg = sent[:, labels.index("negative")]
    out = []
    for i, text in enumerate(texts):
        w = words_weight(text)
        row: dict[str, float] = {}
        fired: list[str] = []
        for name, (probs, _threshold) in flags.items():
            p = float(probs[i]) * w
            if name == "question" and w > 0:
                if "?" in text:
                    p = max(p, 0.5 + 0.5 * p)
                elif not lexicon.matches(text, lexicon.QUESTION):
                    # No question mark and no interrogative word: the head alone over-fires on
                    # short French requests (its French positives are HR-bot questions).
                    p *= 0.5
            row[name] = round(p, 4)
        _lean_on_cues(text, row, float(neg[i]) * w, float(pos[i]) * w)
        for name, (_probs, threshold) in flags.items():
            if row[name] >= threshold:
                fired.append(name)
        praise = float(pos[i]) * (1.0 - row["complaint"]) * (1.0 - row["suggestion"]) * w
        row["praise"] = round(praise, 4)
        if praise >= PRAISE_THRESHOLD:
            fired.append("praise")
        row["other"] = round(1.0 - max(row[n] for n in INTENTS), 4)
        parts = []
        for name in fired:
            cue_text = lexicon.cue_list(lexicon.matches(text, _CUES[name]))
            parts.append(f"{name} {row[name]:.2f}" + (f" ({cue_text})" if cue_text else ""))
        if not fired:
            parts.append("no complaint, question, suggestion or praise detected" if w else "empty text")
        out.append((row, fired or ["other"], "; ".join(parts)))
    return out


def _lean_on_cues(text: str, row: dict[str, float], negative: float, positive: float) -> None:
    """Demands and sarcasm are complaints, never ideas; advice in so many words is an idea.

    The complaint head learnt from English tweets to brand accounts; a French "facture doublée"
    or "colis toujours pas arrivé" said negatively is as much a complaint, so a grievance cue in a
    text the sentiment head reads as negative lifts the complaint score to that negativity, and a
    clearly positive text without one halves it (on the complaint set: F1 0.835 -> 0.837).
    The suggestion head learnt from forum and hotel sentences in English; "il faudrait",
    "vous devriez", "make sure" lift it to at least 0.5.
    """
    reading = cues.read(text)
    if reading.demand or reading.sarcasm:
        row["complaint"] = round(max(row["complaint"], 0.8), 4)
        row["suggestion"] = round(row["suggestion"] * 0.2, 4)
        return
    if cues.advice(text):
        row["suggestion"] = round(max(row["suggestion"], 0.5 + 0.5 * row["suggestion"]), 4)
        if "?" not in text:
            row["question"] = round(row["question"] * 0.5, 4)
    elif cues.asks_for_information(text):
        row["suggestion"] = round(row["suggestion"] * 0.5, 4)
    if reading.grievance:
        row["complaint"] = round(max(row["complaint"], 0.5 + 0.5 * negative), 4)
    elif negative >= 0.5 and lexicon.matches(text, _GRIEVANCE):
        row["complaint"] = round(max(row["complaint"], negative), 4)
    elif positive >= 0.6:
        row["complaint"] = round(row["complaint"] * min(1.0, 2.0 * (1.0 - positive)), 4)


def run(
    mentions: Sequence[Mention],
    *,
    model: Analyzer,
    params: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> list[Annotation]:
    """One intent annotation per mention.

    ``label`` is the strongest intent that fired (or ``other``); every intent scoring at least 0.5 is
    in ``scores``, which is what storage indexes (a mention can be a complaint and a question).
    """
    texts = model.prepare([m.text for m in mentions])
    return [
        Annotation(
            source=m.source,
            external_id=m.external_id,
            stage=STAGE,
            version=model.version,
            label=max(fired, key=lambda k: row[k]),
            scores=row,
            explanation=why,
        )
        for m, (row, fired, why) in zip(mentions, scores(model, texts), strict=True)
    ]
