"""Discontent signals: churn risk, disappointment, confusion, each with a score and the cue words.

These are the phrases a community manager must not miss ("je vais résilier", "switching to X",
"très déçu", "je ne comprends pas"). A cue found in the text gives the base score (our lexicons in
``analysis.lexicon``, FR and EN); the sentiment head's negativity raises or lowers it, so "je vais
résilier" in an angry post scores higher than in a neutral how-to question.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

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
        for name, cues in SIGNALS.items():
            found = lexicon.matches(text, cues)
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
