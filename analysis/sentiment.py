"""Sentiment stage: negative / neutral / positive with probabilities, French and English alike.

The head reads the multilingual encoder's features, so one model serves both languages (trained
on French and English tweets together: English-only training transfers poorly to French). Text
without words gets probabilities pulled towards uniform, so a bare emoji never looks certain, and
an empty text gets exactly uniform probabilities and says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from analysis import cues, lexicon
from analysis.analyzer import Analyzer, words_weight
from listener.core.model import Annotation, Mention

STAGE = "sentiment"


def scores(model: Analyzer, texts: Sequence[str]) -> list[dict[str, float]]:
    """Probability per label for each (normalised) text, shrunk to uniform when there are no words."""
    labels, probs = model.sentiment(texts)
    out = []
    for text, row in zip(texts, probs, strict=True):
        w = words_weight(text)
        adjusted = w * row + (1.0 - w) / len(labels)
        out.append({label: round(float(p), 4) for label, p in zip(labels, adjusted, strict=True)})
    return out


def explain(text: str, probs: Mapping[str, float]) -> str:
    """The winning label's probability and the cue words that point the same way."""
    if not text.strip():
        return "empty text: no sentiment to read"
    label = max(probs, key=lambda k: probs[k])
    if label == "negative":
        found = lexicon.matches(text, lexicon.DISAPPOINTMENT + lexicon.COMPLAINT + lexicon.CHURN)
    elif label == "positive":
        found = lexicon.matches(text, lexicon.PRAISE)
    else:
        found = []
    words = lexicon.cue_list(found, limit=4)
    reason = f"{label} p={probs[label]:.2f}"
    reading = cues.read(text)
    if reading.lean is not None:
        reason += f" ({reading.reason})"
    if words_weight(text) != 1.0:
        reason += " (no words, emoji only: low confidence)"
    return f"{reason}; cues: {words}" if words else reason


def run(
    mentions: Sequence[Mention],
    *,
    model: Analyzer,
    params: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> list[Annotation]:
    """One sentiment annotation per mention, in order, never dropping one."""
    texts = model.prepare([m.text for m in mentions])
    rows = scores(model, texts)
    out = []
    for mention, text, probs in zip(mentions, texts, rows, strict=True):
        label = max(probs, key=lambda k: probs[k]) if text.strip() else "neutral"
        out.append(
            Annotation(
                source=mention.source,
                external_id=mention.external_id,
                stage=STAGE,
                version=model.version,
                label=label,
                scores=probs,
                explanation=explain(text, probs),
            )
        )
    return out


def argmax_labels(probs: Sequence[Mapping[str, float]]) -> list[str]:
    """Winning label of each probability mapping (used by benchmarks and training checks)."""
    return [max(p, key=lambda k: p[k]) for p in probs]


__all__ = ["STAGE", "argmax_labels", "explain", "run", "scores"]
