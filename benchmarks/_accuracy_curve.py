"""The alert-margin curve per language, and old heads beside new ones in the same run.

Alert rules count a mention as negative when its top label is negative and p(negative) -
p(positive) reaches the margin (``alerts.negative_margin``, per language with
``alerts.negative_margin_by_language``). The starter margins are read off this curve: the margin
whose "negative" precision reaches 0.80 while recall stays >= 0.60 with the widest cushion, else the
one with the best precision at recall >= 0.60 (see :func:`pick`). Every figure carries a 95%
bootstrap interval.

The pools are tweets the shipped encoder adapter never saw (it was tuned on XLM-T ``train``):
English = XLM-T English val plus the TweetEval val tweets that are in no XLM-T split; French =
XLM-T French val; brand = the Sanders brand tweets (English, a different labelling). 1,430 of
TweetEval's 2,000 val tweets are XLM-T English train tweets, so they are left out of the curve.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from analysis import datasets
from analysis.analyzer import Analyzer
from analysis.datasets import Example
from benchmarks._accuracy_more import interval

MARGINS = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
PRECISION_TARGET = 0.80
RECALL_FLOOR = 0.60


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def pools(root: Path) -> dict[str, list[Example]]:
    """Labelled tweets per language that neither the adapter nor the shipped heads trained on."""
    train = {_key(e.text) for e in datasets.xlmt(root, "english", "train")}
    en_val = datasets.xlmt(root, "english", "val")
    val = {_key(e.text) for e in en_val}
    te_only = [
        e for e in datasets.tweeteval(root, "sentiment", "val") if _key(e.text) not in train | val
    ]
    return {
        "en": en_val + te_only,
        "fr": datasets.xlmt(root, "french", "val"),
        "brand-en": datasets.sanders(root),
    }


def curve(gold: Sequence[str], top: Sequence[str], margin: np.ndarray) -> list[tuple[float, ...]]:
    """(margin, precision, lo, hi, recall, lo, hi, counted) per margin in ``MARGINS``."""
    is_neg = np.asarray([g == "negative" for g in gold])
    top_neg = np.asarray([p == "negative" for p in top])
    rows: list[tuple[float, ...]] = []
    for cut in MARGINS:
        counted = top_neg & (margin >= cut)
        hits = is_neg[counted]
        found = counted[is_neg]
        p = float(hits.mean()) if counted.any() else float("nan")
        p_span = interval(lambda g, _p: float(np.mean(g)), hits, hits) if counted.any() else (p, p)
        r = float(found.mean())
        r_span = interval(lambda g, _p: float(np.mean(g)), found, found)
        rows.append((cut, p, *p_span, r, *r_span, float(counted.sum())))
    return rows


def pick(rows: list[tuple[float, ...]]) -> float:
    """The margin leaving the most room above both targets (precision 0.80, recall 0.60).

    Among margins meeting both, the one maximising min(precision - 0.80, recall - 0.60): val
    overstates test a little on both sides, so the margin with the widest cushion is the safest.
    When none meets both, the best precision among margins that keep recall >= 0.60.
    """
    ok = [r for r in rows if r[4] >= RECALL_FLOOR]
    if not ok:
        return 0.5
    reaching = [r for r in ok if r[1] >= PRECISION_TARGET]
    if reaching:
        return max(reaching, key=lambda r: min(r[1] - PRECISION_TARGET, r[4] - RECALL_FLOOR))[0]
    return max(ok, key=lambda r: r[1])[0]


def margin_curves(
    root: Path, model: Analyzer, features: Callable[[Sequence[str]], Any], title: str
) -> dict[str, float]:
    """Print the curve per pool for ``model``'s heads; return the margin :func:`pick` chooses."""
    chosen = {}
    print(f"alert margin curve, heads {title} (precision [95%] / recall [95%] / counted)")
    for lang, rows in pools(root).items():
        texts = model.prepare([e.text for e in rows])
        labels, probs = model.route_sentiment(texts, features(texts))
        top = [labels[i] for i in probs.argmax(axis=1)]
        margin = probs[:, labels.index("negative")] - probs[:, labels.index("positive")]
        table = curve([e.label for e in rows], top, margin)
        chosen[lang] = pick(table)
        print(f"  {lang} (n={len(rows)}), starter margin from this curve: {chosen[lang]}")
        for cut, p, plo, phi, r, rlo, rhi, n in table:
            spans = f"P {p:.3f} [{plo:.2f}-{phi:.2f}]  R {r:.3f} [{rlo:.2f}-{rhi:.2f}]"
            print(f"    {cut:.1f}: {spans}  {int(n)}")
    return chosen
