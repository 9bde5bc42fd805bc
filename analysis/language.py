"""Language of each mention, with a confidence, on py3langid's bundled model (no download).

py3langid was measured at 0.999 on EN/FR tweets (FACTS.md). We run it over all its languages so a
third language is reported as itself, then lean towards French or English only when the text is
short and the detector hesitates: listener watches FR/EN brands, and "thanks!" is English, not
Xhosa. Text with no words (empty, emoji-only, URL-only) gets ``und`` with confidence 0.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from analysis.text import has_words, normalise, words_only
from listener.core.model import Annotation, Mention

logger = logging.getLogger(__name__)

STAGE = "language"
VERSION = "1"
UNDETERMINED = "und"
HOME = ("fr", "en")


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid import langid

    return langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)


def detect(text: str) -> tuple[str, float, dict[str, float]]:
    """Return ``(code, confidence, top scores)``; ``und`` with 0.0 when there are no words."""
    code, confidence, scores = _detect(text)
    return code, confidence, dict(scores)


@lru_cache(maxsize=8192)
def _detect(text: str) -> tuple[str, float, tuple[tuple[str, float], ...]]:
    """Cached: sentiment routing, intent, signals and the language stage all ask for one text."""
    code, confidence, scores = _detect_uncached(text)
    return code, confidence, tuple(scores.items())


def _detect_uncached(text: str) -> tuple[str, float, dict[str, float]]:
    clean = words_only(normalise(text))
    if not has_words(clean):
        return UNDETERMINED, 0.0, {}
    ranked = [(str(code), float(p)) for code, p in _identifier().rank(clean)[:5]]
    top_code, top_p = ranked[0]
    scores = {code: round(p, 4) for code, p in ranked[:3]}
    if top_code not in HOME and top_p < 0.5:
        home = [(c, p) for c, p in ranked if c in HOME]
        if home:
            code, p = home[0]
            scores[code] = round(p, 4)
            return code, min(top_p, 0.5), scores
    return top_code, top_p, scores


def explain(code: str, confidence: float) -> str:
    """A short human reason for the label."""
    if code == UNDETERMINED:
        return "no words to read (empty, emoji, links or handles only)"
    kind = "" if code in HOME else "other language, "
    return f"{kind}{code} detected with confidence {confidence:.2f}"


def run(
    mentions: Sequence[Mention],
    *,
    model: object = None,
    params: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> list[Annotation]:
    """Language stage: one annotation per mention, never dropping one."""
    out = []
    for mention in mentions:
        code, confidence, scores = detect(mention.text)
        out.append(
            Annotation(
                source=mention.source,
                external_id=mention.external_id,
                stage=STAGE,
                version=VERSION,
                label=code,
                scores={"confidence": round(confidence, 4), **scores},
                explanation=explain(code, confidence),
            )
        )
    return out
