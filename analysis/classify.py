"""Classify raw texts in one go: what ``listener classify`` prints, one JSON object per text.

It runs the same stage code as the stored-mention pipeline (language, sentiment, intent,
signals), so what users try on their own data is what the service will store.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from analysis import intent, language, sentiment, signals
from analysis.analyzer import Analyzer


def classify(texts: Sequence[str], model: Analyzer) -> list[dict[str, Any]]:
    """One result mapping per input text, in order; bad input gets low confidence, never an error."""
    clean = model.prepare(texts)
    sent = sentiment.scores(model, clean)
    intents = intent.scores(model, clean)
    sigs = signals.scores(model, clean)
    emotions = model.emotion(clean)
    out = []
    for n, (text, probs, (i_scores, i_labels, i_why), (s_scores, s_labels, s_why)) in enumerate(
        zip(clean, sent, intents, sigs, strict=True)
    ):
        code, confidence, _top = language.detect(text)
        label = max(probs, key=lambda k: probs[k]) if text else "neutral"
        result: dict[str, Any] = {
            "language": {"code": code, "confidence": round(confidence, 4)},
            "sentiment": {"label": label, "probabilities": probs},
            "intents": {"labels": i_labels, "scores": i_scores},
            "signals": {"labels": s_labels, "scores": s_scores},
            "explanation": " | ".join(
                [
                    language.explain(code, confidence),
                    sentiment.explain(text, probs),
                    i_why,
                    s_why,
                ]
            ),
            "version": model.version,
            "chars": len(text),
        }
        if emotions is not None:
            names, rows = emotions
            row = {name: round(float(p), 4) for name, p in zip(names, rows[n], strict=True)}
            result["emotion"] = {
                "label": max(row, key=lambda k: row[k]) if text else None,
                "probabilities": row,
            }
        out.append(result)
    return out
