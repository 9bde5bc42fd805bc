"""The parts of ``benchmarks/accuracy.py`` beyond tweet sentiment: ideas, emotions, our own sets.

Suggestion F1 on the SemEval-2019 task 9 trial sets (B, the hotel sentences, by 5-fold CV because
the shipped head trains on them) and on our French sample, beside a cue-word baseline; the emotion
head on TweetEval emotion val and what it says of French tweets; the customer-service regression
set; the precision of the discontent signals on tweets we labelled. Every figure has its 95%
bootstrap interval, so a difference inside it is noise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from analysis import cues, datasets, lexicon, regression
from analysis.analyzer import Analyzer

ROOT = Path(__file__).resolve().parent.parent
Features = Callable[[Sequence[str]], Any]


def interval(
    metric: Callable[[Any, Any], float], gold: Any, pred: Any, rounds: int = 1000
) -> tuple[float, float]:
    """95% bootstrap interval of ``metric`` over resampled rows."""
    rng = np.random.default_rng(0)
    g, p = np.asarray(gold), np.asarray(pred)
    scores = []
    for _ in range(rounds):
        idx = rng.integers(0, len(g), len(g))
        scores.append(metric(g[idx], p[idx]))
    return float(np.percentile(scores, 2.5)), float(np.percentile(scores, 97.5))


def target_line(name: str, value: float, span: tuple[float, float], target: float | None) -> None:
    """One figure, its interval and its target, with a tick when the figure reaches it."""
    verdict = "" if target is None else f"  target {target:.2f} {'✓' if value >= target else '✗'}"
    print(f"  {name:<44} {value:.3f} [{span[0]:.3f}-{span[1]:.3f}]{verdict}")


def _f1(gold: Any, pred: Any) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, pred, zero_division=0))


def _cue_baseline(texts: Sequence[str]) -> np.ndarray:
    return np.array([cues.advice(t) or bool(lexicon.matches(t, lexicon.SUGGESTION)) for t in texts])


def _suggestion_scores(model: Analyzer, texts: Sequence[str]) -> np.ndarray:
    """What the intent stage fires as a suggestion (head + cue layer), as booleans."""
    from analysis import intent

    clean = model.prepare(texts)
    return np.array(["suggestion" in fired for _row, fired, _why in intent.scores(model, clean)])


def suggestions(root: Path, model: Analyzer, features: Features) -> None:
    """SemEval trial A as is, trial B by 5-fold CV of the suggestion head, our French sample."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    from analysis import training

    print("suggestions (F1 of the suggestion class)")
    a = datasets.suggestions(root, "trial_a")
    ya = np.array([e.label == "suggestion" for e in a])
    pa = _suggestion_scores(model, [e.text for e in a])
    target_line("SemEval trial A (forum, 592)", _f1(ya, pa), interval(_f1, ya, pa), 0.75)
    cue_a = _cue_baseline(model.prepare([e.text for e in a]))
    target_line("  baseline: cue words", _f1(ya, cue_a), interval(_f1, ya, cue_a), None)

    b = datasets.suggestions(root, "trial_b")
    yb = np.array([e.label == "suggestion" for e in b])
    rows = [
        (ex, yes) for ex, yes in training.flag_examples(root, "suggestion") if ex.source != "semeval9-trial_b"
    ]
    xr, yr = features([ex.text for ex, _ in rows]), np.array([yes for _, yes in rows])
    xb = features([e.text for e in b])
    pb = np.zeros(len(b), dtype=bool)
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(xb, yb):
        head = LogisticRegression(C=training.FLAG_C, max_iter=3000, class_weight="balanced")
        head.fit(np.vstack([xr, xb[train]]), np.concatenate([yr, yb[train]]))
        pb[test] = head.predict_proba(xb[test])[:, 1] >= 0.5
    target_line("SemEval trial B (hotels, 808), 5-fold CV", _f1(yb, pb), interval(_f1, yb, pb), 0.80)
    cue_b = _cue_baseline(model.prepare([e.text for e in b]))
    target_line("  baseline: cue words", _f1(yb, cue_b), interval(_f1, yb, cue_b), None)

    sample = datasets.labelled_sample(root, ROOT / "benchmarks" / "fr_suggestion_labels.tsv")
    yf = np.array([label == 1 for _, _, label in sample])
    pf = _suggestion_scores(model, [text for _, text, _ in sample])
    target_line(
        f"French sample we labelled ({len(sample)}, {int(yf.sum())} ideas)",
        _f1(yf, pf),
        interval(_f1, yf, pf),
        None,
    )
    cue_f = _cue_baseline(model.prepare([text for _, text, _ in sample]))
    target_line("  baseline: cue words", _f1(yf, cue_f), interval(_f1, yf, cue_f), None)


def emotions(root: Path, model: Analyzer, features: Features) -> None:
    """Emotion head on TweetEval emotion val, and its polarity agreement on French and English tweets.

    Each figure is given for the head alone and as users get it, after the cue layer
    (``analysis.analyzer.lean_emotions_on_cues``: "pas mal du tout" is not anger).
    """
    from sklearn.metrics import f1_score

    from analysis.analyzer import lean_emotions_on_cues

    head = model.headset.heads.get("emotion")
    if head is None:
        print("emotions: these heads have no emotion head")
        return

    def labels(texts: list[str], lean: bool) -> list[str]:
        probs = head.predict(features(texts))
        if lean:
            probs = lean_emotions_on_cues(model.prepare(texts), head.labels, probs)
        return [head.labels[i] for i in probs.argmax(axis=1)]

    def macro(g: Any, p: Any) -> float:
        return float(f1_score(g, p, average="macro"))

    val = datasets.tweeteval(root, "emotion", "val")
    gold = [e.label for e in val]
    print("emotions (anger, joy, optimism, sadness)")
    for lean in (False, True):
        how = "with the cue layer" if lean else "head alone"
        pred = labels([e.text for e in val], lean)
        span = interval(macro, gold, pred)
        target_line(f"TweetEval emotion val (374), macro-F1, {how}", macro(gold, pred), span, None)
    # No French emotion labels exist in the data: read French and English XLM-T val tweets whose
    # sentiment is not neutral, and count how often the emotion agrees with it (anger or sadness
    # for a negative tweet, joy or optimism for a positive one).
    for lang in ("french", "english"):
        rows = [e for e in datasets.xlmt(root, lang, "val") if e.label != "neutral"]
        for lean in (False, True):
            emo = labels([e.text for e in rows], lean)
            agree = np.array(
                [(e.label == "negative") == (m in {"anger", "sadness"})
                 for e, m in zip(rows, emo, strict=True)]
            )
            span = interval(lambda g, p: float(np.mean(p)), agree, agree)
            how = "with the cue layer" if lean else "head alone"
            target_line(
                f"XLM-T {lang} val, emotion agrees with polarity ({len(rows)}), {how}",
                float(agree.mean()), span, None,
            )


def customer_service(model: Analyzer) -> None:
    """Our hand-written FR/EN customer-service sentences (the test asserts >= 0.90)."""
    path = ROOT / "tests" / "analysis" / "data" / "customer_service.tsv"
    verdicts = regression.check(regression.load(path), model)
    right = np.array([v.right for v in verdicts])
    print(f"customer-service sentences we wrote ({len(verdicts)}), share right")
    target_line(
        "sentiment and intents both right",
        float(right.mean()),
        interval(lambda g, p: float(np.mean(p)), right, right),
        0.90,
    )
    for lang in ("fr", "en"):
        mask = np.array([v.case.lang == lang for v in verdicts])
        print(f"    {lang}: {right[mask].mean():.3f}")


def signals_precision(root: Path, model: Analyzer) -> None:
    """Precision of each discontent signal on real tweets where it fired and we labelled it.

    ``signal_labels.tsv`` is the sample the signal rules were written from; ``signal_labels_heldout.tsv``
    was labelled before the rules were tuned, so its figures are the ones to quote. Each line also says
    how many of the labelled true signals still fire (what the rules cost in recall on the sample).
    """
    from analysis import signals

    for file, title in (("signal_labels.tsv", "the sample the rules were tuned on"),
                        ("signal_labels_heldout.tsv", "held out")):
        sample = datasets.labelled_sample(root, ROOT / "benchmarks" / file)
        results = signals.scores(model, model.prepare([text for _, text, _ in sample]))
        print(f"discontent signals: precision on tweets where they fired, labelled by us ({title})")
        for name in signals.SIGNALS:
            rows = [
                (label == 1, name in fired)
                for (key, _, label), (_row, fired, _why) in zip(sample, results, strict=True)
                if key.startswith(name + ":")
            ]
            hits = np.array([right for right, fires in rows if fires])
            kept = sum(1 for right, fires in rows if right and fires)
            true = sum(1 for right, _ in rows if right)
            if len(hits):
                span = interval(lambda g, p: float(np.mean(g)), hits, hits)
                target_line(
                    f"{name} ({len(hits)} of {len(rows)} fire; {kept}/{true} true ones kept)",
                    float(hits.mean()), span, None,
                )
