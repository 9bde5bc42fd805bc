"""Which encoder adapter makes English "negative" better, measured on tweets no adapter saw?

Run: ``python benchmarks/adapter_recipes.py --adapter shipped=analysis/adapters/e5-small-tweets.npz
--adapter new=PATH [...]`` (about 2 minutes an adapter on 2 cores: it embeds ~5,300 tweets once per
adapter and caches them in the data dir).

``benchmarks/negative_recipes.py`` showed that no head recipe on the shipped features lifts English;
the lever left is the adapter itself (``analysis.finetune --recipe``). Each adapter given here gets
the same treatment as the shipped one: torch fp32 features (layers + lexicon, as the heads read
them), then the per-language sentiment heads fitted on XLM-T train exactly as ``listener train``
fits them, then scores on what no adapter trained on:

* English: XLM-T English val (324) + the TweetEval val tweets in no XLM-T split (246): 570 tweets;
* Sanders brand tweets: the held-out fifth (``analysis.finetune.sanders_split``), a different labelling;
* French: XLM-T French val (324), to see that French does not pay for English.

Printed per set, with 95% bootstrap intervals and the paired difference against the first adapter:
macro-F1, macro-recall, the best "negative" precision at recall >= 0.60, and the "negative"
precision / recall at the alert margin (top label negative and p(neg) - p(pos) >= margin).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis import datasets  # noqa: E402
from analysis.datasets import SENTIMENT_LABELS, Example  # noqa: E402

Array = Any
MARGINS = (0.5, 0.6)


def features(folder: Path, adapter_path: Path, texts: Sequence[str], cache: Path) -> Array:
    """Torch fp32 feature rows (encoder layers + lexicon) of ``texts`` under one adapter, cached."""
    from analysis.analyzer import FEATURE_LAYERS, combine
    from analysis.encoder import Encoder

    key = hashlib.sha256(adapter_path.read_bytes() + "\n".join(texts).encode()).hexdigest()[:16]
    path = cache / f"adapter-recipes-{key}.npy"
    if path.is_file():
        return np.load(path)
    vectors = Encoder(folder, adapter_path=adapter_path).embed_layers(list(texts), FEATURE_LAYERS)
    rows = combine(vectors, list(texts))
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, rows)
    return rows


def at_margin(z: Array, y: Array, margin: float) -> tuple[float, float]:
    """"negative" precision and recall when alerts count top-negative with p(neg) - p(pos) >= margin."""
    from benchmarks.negative_recipes import softmax

    p = softmax(z)
    counted = (p.argmax(axis=1) == 0) & (p[:, 0] - p[:, 2] >= margin)
    hits = float((counted & (y == 0)).sum())
    return hits / max(1.0, float(counted.sum())), hits / max(1.0, float((y == 0).sum()))


def scores(z: Array, y: Array) -> Array:
    """macro-F1, macro-recall, P@R0.6, then precision and recall at each margin."""
    from benchmarks.negative_recipes import scores as base_scores

    extra = [v for m in MARGINS for v in at_margin(z, y, m)]
    return np.concatenate([base_scores(z, y)[:3], extra])


NAMES = ("macro-F1", "macro-recall", "neg P@R0.6", *(f"{k}@{m}" for m in MARGINS for k in ("P", "R")))


def compare(title: str, y: Array, logits: dict[str, Array]) -> None:
    """Each adapter's figures with 95% intervals, and the paired difference against the first."""
    from benchmarks.negative_recipes import compare as compare_recipes

    compare_recipes(title, y, logits, score=scores, names=NAMES)


def heads_logits(x_train: Array, train: list[Example], x_eval: Array, lang: str) -> Array:
    """Logits of the per-language sentiment head fitted as ``analysis.training`` fits it."""
    from sklearn.linear_model import LogisticRegression

    from analysis.training import LANG_HEADS, SENTIMENT_C

    c, other = LANG_HEADS.get(lang, (SENTIMENT_C, 1.0))
    w = np.array([1.0 if e.lang == lang else other for e in train])
    keep = w > 0
    y = np.array([SENTIMENT_LABELS.index(e.label) for e in train])
    model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
    model.fit(x_train[keep], y[keep], sample_weight=w[keep])
    return model.decision_function(x_eval)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".listener-bench")
    parser.add_argument(
        "--adapter", action="append", required=True, help="name=path (the first is the baseline)"
    )
    args = parser.parse_args()

    from analysis import model_build
    from analysis.finetune import sanders_split
    from benchmarks._accuracy_curve import pools

    folder = model_build.build(args.data_dir)
    train = datasets.xlmt(args.data, "french", "train") + datasets.xlmt(args.data, "english", "train")
    sets = {
        "English, unseen SemEval (XLM-T val + TweetEval-only val)": pools(args.data)["en"],
        "Sanders brand tweets, held-out fifth": sanders_split(args.data)[1],
        "French, XLM-T val": datasets.xlmt(args.data, "french", "val"),
    }
    texts = [e.text for e in train] + [e.text for rows in sets.values() for e in rows]
    logits: dict[str, dict[str, Array]] = {title: {} for title in sets}
    for item in args.adapter:
        name, _, path = item.partition("=")
        x = features(folder, Path(path), texts, args.data_dir / "cache")
        x_train, start = x[: len(train)], len(train)
        for title, rows in sets.items():
            lang = "fr" if title.startswith("French") else "en"
            logits[title][name] = heads_logits(x_train, train, x[start : start + len(rows)], lang)
            start += len(rows)
        print(f"adapter {name}: {path} scored", flush=True)
    for title, rows in sets.items():
        y = np.array([SENTIMENT_LABELS.index(e.label) for e in rows])
        compare(title, y, logits[title])


if __name__ == "__main__":
    main()
