"""Idea grouping: "same idea" precision/recall on labelled real pairs, the demo's planted ideas, speed.

Run: ``python benchmarks/ideas.py [--runtime onnx-int8] [--data ../shared/data]``. Prints, in one run:

1. precision / recall / F1 of "same idea" on ``benchmarks/idea_pairs.json`` (pairs of real SemEval-2019
   Task 9 suggestions, ids only, labelled by hand) for the encoder the service uses (cosine of e5
   vectors at the shipped threshold, and at the best threshold on these pairs) beside a TF-IDF
   baseline (fitted on all 2,085 suggestions, at its best threshold: an optimistic baseline);
2. the demo's planted ideas (five features asked in French and English): how many are recovered as one
   idea holding most of their suggestions in both languages, for the encoder and for TF-IDF;
3. speed: 10k suggestions grouped from scratch (vectors given) and one new suggestion placed among 10k
   ideas, plus the encoder's own throughput (the part a real run adds).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.ideas.grouping import (  # noqa: E402
    CROSS_THRESHOLD,
    DEFAULT_THRESHOLD,
    IdeaIndex,
    group,
    idea_text,
    idea_vectors,
    unit,
)

Array = npt.NDArray[np.float32]
PAIRS = ROOT / "benchmarks" / "idea_pairs.json"


def prf(scores: Array, truth: npt.NDArray[np.bool_], threshold: float) -> tuple[float, float, float]:
    """Precision, recall, F1 of ``scores >= threshold`` against ``truth``."""
    said = scores >= threshold
    tp = float((said & truth).sum())
    p = tp / max(float(said.sum()), 1.0)
    r = tp / max(float(truth.sum()), 1.0)
    return p, r, 2 * p * r / max(p + r, 1e-9)


def best(scores: Array, truth: npt.NDArray[np.bool_]) -> tuple[float, tuple[float, float, float]]:
    """The threshold with the best F1 on these pairs (ties: the higher threshold)."""
    grid = np.unique(np.round(scores, 3))
    return max(((float(t), prf(scores, truth, float(t))) for t in grid), key=lambda x: (x[1][2], x[0]))


def load_suggestions(data: Path) -> dict[str, str]:
    """Return SemEval subtask A training suggestions (label 1) by row id."""
    path = data / "intent" / "semeval2019_task9_suggestion" / "subtaskA" / "V1.4_Training.csv"
    out: dict[str, str] = {}
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) >= 3 and row[2].strip() == "1":
                out.setdefault(row[0], idea_text(row[1].strip('"').replace('""', '"')))
    return out


def tfidf(texts: Sequence[str], fit_on: Sequence[str]) -> Array:
    """TF-IDF unit rows (sublinear tf, word unigrams), the baseline."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(sublinear_tf=True).fit(fit_on)
    return unit(vectorizer.transform(texts).toarray())


def pairs_section(embed: object, data: Path) -> None:
    """Print P/R/F1 on the labelled pairs."""
    suggestions = load_suggestions(data)
    doc = json.loads(PAIRS.read_text())
    pairs = [p for p in doc["pairs"] if p["a"] in suggestions and p["b"] in suggestions]
    ids = sorted({p["a"] for p in pairs} | {p["b"] for p in pairs})
    at = {k: i for i, k in enumerate(ids)}
    truth = np.array([bool(p["same"]) for p in pairs])
    texts = [suggestions[i] for i in ids]
    print(
        f"\n1. same-idea pairs: {len(pairs)} labelled pairs of real suggestions, {int(truth.sum())} same idea"
    )
    for name, rows in (
        ("e5 whole text", unit(embed(texts))),  # type: ignore[operator]
        ("e5 text + request (shipped)", idea_vectors(embed, texts)),  # type: ignore[arg-type]
        ("TF-IDF baseline", tfidf(texts, list(suggestions.values()))),
    ):
        scores = np.array([rows[at[p["a"]]] @ rows[at[p["b"]]] for p in pairs], dtype=np.float32)
        threshold, (p, r, f) = best(scores, truth)
        line = f"   {name:28s} best threshold {threshold:.3f}: P {p:.2f} R {r:.2f} F1 {f:.2f}"
        if "shipped" in name:
            sp, sr, sf = prf(scores, truth, DEFAULT_THRESHOLD)
            line += f" | shipped threshold {DEFAULT_THRESHOLD}: P {sp:.2f} R {sr:.2f} F1 {sf:.2f}"
        print(line)


def recovered(
    labels: Sequence[int], planted: Sequence[str], langs: Sequence[str]
) -> tuple[int, float, float]:
    """Planted ideas recovered (one idea holds >= half of them, >= 80% pure, both languages); pair P/R."""
    by_idea: dict[int, Counter[str]] = defaultdict(Counter)
    for label, key in zip(labels, planted, strict=True):
        by_idea[label][key] += 1
    found = 0
    for key, total in Counter(planted).items():
        label, count = max(((lab, c[key]) for lab, c in by_idea.items()), key=lambda x: x[1])
        pure = count / sum(by_idea[label].values())
        both = {lg for lab, k, lg in zip(labels, planted, langs, strict=True) if lab == label and k == key}
        found += int(count >= total / 2 and pure >= 0.8 and both >= {"fr", "en"})
    n = len(labels)
    same = [(labels[i] == labels[j], planted[i] == planted[j]) for i in range(n) for j in range(i + 1, n)]
    tp = sum(1 for s, t in same if s and t)
    return found, tp / max(sum(1 for s, _ in same if s), 1), tp / max(sum(1 for _, t in same if t), 1)


def demo_section(embed: object, lexical_threshold: float, seeds: Sequence[int] = (42, 7, 11)) -> None:
    """Print the demo's planted ideas each method recovers (seed 42 is what `listener demo` shows)."""
    from connectors.demo import DemoSettings, DemoWorld

    print(
        f"\n2. demo planted ideas (5 features asked of Lumio in FR and EN; thresholds {DEFAULT_THRESHOLD} "
        f"same language / {CROSS_THRESHOLD} FR-EN; TF-IDF {lexical_threshold})"
    )
    for seed in seeds:
        world = DemoWorld(DemoSettings(seed=seed, start=datetime(2026, 11, 9, tzinfo=UTC)))
        posts = [m for m in world.mentions if m.raw.get("idea") and m.raw.get("brand") == "Lumio"]
        texts = [m.text for m in posts]
        planted = [str(m.raw["idea"]) for m in posts]
        langs = [m.lang or "?" for m in posts]
        cleaned = [idea_text(t) for t in texts]
        for name, labels in (
            ("e5 text + request", group(idea_vectors(embed, texts), langs=langs)),  # type: ignore[arg-type]
            (
                "TF-IDF baseline",
                group(
                    tfidf(cleaned, cleaned),
                    threshold=lexical_threshold,
                    cross_threshold=lexical_threshold,
                    langs=langs,
                ),
            ),
        ):
            found, p, r = recovered(labels, planted, langs)
            print(
                f"   seed {seed:2d} ({len(posts)} suggestions, {Counter(langs)['fr']} FR) {name:18s}: "
                f"{found}/{len(set(planted))} recovered in both languages, {len(set(labels))} ideas, "
                f"same-idea pairs P {p:.2f} R {r:.2f}"
            )


def speed_section(embed: object, dim: int = 384) -> None:
    """Print grouping and placement speed at 10k (one BLAS thread, as the job runs) and the encoder's."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        _index_speed(dim)
    texts = [f"It would be great if the app had option number {i} in the settings" for i in range(100)]
    t0 = time.perf_counter()
    embed(texts)  # type: ignore[operator]
    per_text_ms = (time.perf_counter() - t0) * 1000 / len(texts)
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    print(
        f"   encoding: {per_text_ms:.1f} ms/text ({1000 / per_text_ms:.0f} texts/s; 10k texts ≈ "
        f"{10_000 * per_text_ms / 1000:.0f} s, twice that for text + request); "
        f"load average {load} on {os.cpu_count()} CPUs"
    )


def _index_speed(dim: int) -> None:
    """Group 10k vectors from scratch, then place 200 more among 10k ideas."""
    rng = np.random.default_rng(7)
    centres = unit(rng.standard_normal((3_000, dim)).astype(np.float32))
    picks = rng.integers(0, len(centres), 10_000)
    vectors = unit(centres[picks] + 0.25 * unit(rng.standard_normal((10_000, dim)).astype(np.float32)))
    start = time.perf_counter()
    labels = group(vectors, threshold=DEFAULT_THRESHOLD)
    grouped_s = time.perf_counter() - start
    print(
        f"\n3. speed: 10k suggestions grouped from scratch in {grouped_s:.2f} s ({len(set(labels))} ideas; "
        f"target < 30 s, vectors given)"
    )
    index = IdeaIndex(dim, capacity=10_240)
    for row in unit(rng.standard_normal((10_000, dim)).astype(np.float32)):
        index.open(row)
    probes = unit(rng.standard_normal((200, dim)).astype(np.float32))
    timings = []
    for row in probes:
        t0 = time.perf_counter()
        index.place(row)
        timings.append((time.perf_counter() - t0) * 1000)
    print(
        f"   one suggestion placed among {len(index):,} ideas: median {statistics.median(timings):.2f} ms, "
        f"max {max(timings):.2f} ms (target < 50 ms, vectors given)"
    )


def main() -> None:
    """Run the three sections."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--runtime", default="onnx-int8")
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".listener-bench")
    args = parser.parse_args()
    from analysis import analyzer, heads, model_build

    model = analyzer.load(
        model_build.build(args.data_dir), heads_folder=heads.SHIPPED_DIR, runtime=args.runtime
    )
    embed = model.encoder.embed
    print(f"idea grouping benchmark ({args.runtime}; shipped threshold {DEFAULT_THRESHOLD})")
    pairs_section(embed, args.data)
    demo_section(embed, 0.3)
    speed_section(embed)


if __name__ == "__main__":
    main()
