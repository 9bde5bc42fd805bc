"""Aspects against our labels: per-aspect precision and recall on 120 real complaint tweets.

``benchmarks/aspect_labels.tsv`` holds the ids (rows of the complaint set in ../shared/data) and the
aspects we read in each tweet (billing, delivery, outage, support, app, contract, or none); the texts
are read from the data here. Each tweet is tagged by ``analysis.aspects.tag`` over the theme vectors
(plain e5, cached under ``--data-dir``), as ``listener themes --aspects`` does, and compared with the
labels. Baseline in the same run: the aspects' cue words alone (a tweet gets every aspect one of whose
cues it contains), which is what a keyword list would do. Then the precision / recall trade-off of the
similarity threshold.

    python benchmarks/aspects.py [--data ../shared/data] [--data-dir .listener-bench]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis import aspects, datasets, model_build, theme_vectors  # noqa: E402
from analysis.embedding_cache import EmbeddingCache  # noqa: E402
from analysis.terms import terms  # noqa: E402


def load(root: Path) -> tuple[list[str], list[set[str]]]:
    rows = datasets.complaints(root)
    texts, gold = [], []
    for line in (ROOT / "benchmarks" / "aspect_labels.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, labels = line.split("\t")
        texts.append(rows[int(key.split(":")[1])].text)
        gold.append(set() if labels == "none" else set(labels.split(",")))
    return texts, gold


def report(name: str, gold: list[set[str]], found: list[set[str]]) -> None:
    print(f"\n{name}")
    print(f"{'aspect':10} {'labelled':>8} {'tagged':>7} {'precision':>9} {'recall':>7}")
    tp_all = fp_all = fn_all = 0
    for aspect in aspects.DEFAULT_ASPECTS:
        a = aspect.id
        tp = sum(1 for g, f in zip(gold, found, strict=True) if a in g and a in f)
        fp = sum(1 for g, f in zip(gold, found, strict=True) if a not in g and a in f)
        fn = sum(1 for g, f in zip(gold, found, strict=True) if a in g and a not in f)
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
        precision = f"{tp / (tp + fp):.2f}" if tp + fp else "—"
        recall = f"{tp / (tp + fn):.2f}" if tp + fn else "—"
        print(f"{a:10} {tp + fn:8} {tp + fp:7} {precision:>9} {recall:>7}")
    none_right = sum(1 for g, f in zip(gold, found, strict=True) if not g and not f)
    print(
        f"{'all':10} {tp_all + fn_all:8} {tp_all + fp_all:7} {tp_all / max(tp_all + fp_all, 1):9.2f} "
        f"{tp_all / max(tp_all + fn_all, 1):7.2f}; tweets with no aspect left untagged: "
        f"{none_right}/{sum(1 for g in gold if not g)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".listener-bench")
    args = parser.parse_args()
    texts, gold = load(args.data)
    folder = model_build.build(args.data_dir)
    encoder: list[theme_vectors.ThemeEncoder] = []

    def embed(batch: list[str]) -> np.ndarray:
        if not encoder:
            encoder.append(theme_vectors.ThemeEncoder(folder))
        return encoder[0].embed(batch)

    cache = EmbeddingCache(args.data_dir / f"themes-{theme_vectors.MODEL_ID}.npz")
    vectors = cache.embed(texts, embed, dim=theme_vectors.DIM)  # type: ignore[arg-type]
    seeds = aspects.seed_vectors(aspects.DEFAULT_ASPECTS, embed)
    ids = list(range(len(texts)))
    print(f"{len(texts)} complaint tweets labelled by us; {sum(1 for g in gold if g)} with an aspect")
    found: list[set[str]] = [set() for _ in texts]
    for t in aspects.tag(ids, texts, vectors, aspects.DEFAULT_ASPECTS, seeds):
        found[t.mention_id].add(t.aspect)
    report("aspects.tag (similarity to seed phrases, plus cue words)", gold, found)
    cued = [
        {a.id for a in aspects.DEFAULT_ASPECTS if any(c in terms(text) for c in a.cues)} for text in texts
    ]
    report("baseline: cue words alone", gold, cued)
    print("\nthe similarity threshold (default 0.86; with a cue word 0.80), all aspects:")
    for similar in (0.82, 0.84, 0.86, 0.88):
        tagged: list[set[str]] = [set() for _ in texts]
        for t in aspects.tag(ids, texts, vectors, aspects.DEFAULT_ASPECTS, seeds, similar=similar):
            tagged[t.mention_id].add(t.aspect)
        tp = sum(len(g & f) for g, f in zip(gold, tagged, strict=True))
        fp = sum(len(f - g) for g, f in zip(gold, tagged, strict=True))
        fn = sum(len(g - f) for g, f in zip(gold, tagged, strict=True))
        precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
        print(f"  similar >= {similar:.2f}: precision {precision:.2f}, recall {recall:.2f}")


if __name__ == "__main__":
    main()
