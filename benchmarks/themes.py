"""Themes against human labels, and their speed: the complaint set's domains, then 100,000 mentions.

1. Quality. The complaints of the complaint set in ../shared/data (label 1) carry a domain each
   (apparel, cars, electronics, food, retail, services, software, transport, other). We cluster them
   with ``analysis.themes`` over the theme vectors (plain e5, int8, cached under ``--data-dir``) and
   print the adjusted Rand index and NMI against the domains three ways: noise counted as one more
   group, on the mentions put in a theme only, and with noise sent to its nearest theme. Beside it,
   in the same run: TF-IDF + k-means (k = number of domains) and k-means on the same vectors.
   Domains are a coarse proxy for themes (one domain holds many complaints: delivery, refunds,
   outages...), so no method gets near 1; the comparison is what matters.
2. Speed. 100,000 mentions with stored vectors: vectors written to a SQLite database, read back
   (``Repository.vectors``), then themes found; each step timed. The vectors are the complaint set's
   real ones, each mention's with small noise added so all 100,000 are distinct texts to the
   clusterer (the worst case for it: no copies to collapse).

    python benchmarks/themes.py [--data ../shared/data] [--data-dir .listener-bench]
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis import model_build, theme_vectors  # noqa: E402
from analysis.embedding_cache import EmbeddingCache  # noqa: E402
from analysis.themes import find_themes  # noqa: E402
from analysis.trend_input import TrendMention  # noqa: E402

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def complaints(root: Path) -> tuple[list[str], list[str]]:
    path = root / "sentiment" / "complaints_twitter_en" / "complaints-data.csv"
    texts, domains = [], []
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) >= 4 and row[2].strip() == "1":
                texts.append(row[1])
                domains.append(row[3])
    return texts, domains


def labels_of(answer: object, n: int, vectors: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    themes = answer.themes  # type: ignore[attr-defined]
    labels = np.full(n, -1)
    for t in themes:
        labels[list(t.mention_ids)] = t.id
    assigned = labels.copy()
    if vectors is not None and themes:
        x = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        centres = np.stack([x[list(t.mention_ids)].mean(axis=0) for t in themes])
        noise = np.flatnonzero(labels < 0)
        assigned[noise] = (x[noise] @ centres.T).argmax(axis=1)
    return labels, assigned


def row(name: str, truth: np.ndarray, labels: np.ndarray) -> None:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    ari, nmi = adjusted_rand_score(truth, labels), normalized_mutual_info_score(truth, labels)
    print(f"{name:44} {ari:6.3f} {nmi:6.3f}")


def quality(texts: list[str], domains: list[str], vectors: np.ndarray) -> None:
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import adjusted_rand_score as ari
    from sklearn.metrics import normalized_mutual_info_score as nmi

    k = len(set(domains))
    truth = np.asarray(domains)
    mentions = [TrendMention(id=i, text=t, published_at=NOW, lang="en") for i, t in enumerate(texts)]
    start = time.perf_counter()
    answer = find_themes(mentions, vectors)
    took = time.perf_counter() - start
    labels, assigned = labels_of(answer, len(texts), vectors)
    kept = labels >= 0
    print(
        f"complaints: {len(texts)} tweets, {k} domains; themes: {len(answer.themes)} themes, "
        f"{(~kept).mean():.0%} noise, {took:.1f} s"
    )
    print(f"{'method':44} {'ARI':>6} {'NMI':>6}")
    print(f"{'themes (HDBSCAN), noise as one group':44} {ari(truth, labels):6.3f} {nmi(truth, labels):6.3f}")
    print(
        f"{'themes, on the mentions in a theme':44} {ari(truth[kept], labels[kept]):6.3f} "
        f"{nmi(truth[kept], labels[kept]):6.3f}"
    )
    row("themes, noise sent to its nearest theme", truth, assigned)
    tfidf = TfidfVectorizer(min_df=2, stop_words="english").fit_transform(texts)
    base = KMeans(k, n_init=10, random_state=0).fit_predict(tfidf)
    row(f"baseline: TF-IDF + k-means (k={k})", truth, base)
    same = KMeans(k, n_init=10, random_state=0).fit_predict(vectors)
    row(f"k-means on the same vectors (k={k})", truth, same)
    for t in answer.themes[:8]:
        top = max(set(truth[list(t.mention_ids)]), key=list(truth[list(t.mention_ids)]).count)
        share = float(np.mean(truth[list(t.mention_ids)] == top))
        print(f"  theme {t.id}: {t.label[:50]:50} {t.size:4} mentions, {share:.0%} {top}")


def speed(vectors: np.ndarray, n: int) -> None:
    from listener.core.model import Author, Batch, Mention
    from storage import Repository

    rng = np.random.default_rng(0)
    rows = vectors[rng.integers(len(vectors), size=n)] + rng.normal(scale=0.01, size=(n, vectors.shape[1]))
    rows = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
    with tempfile.TemporaryDirectory() as folder:
        repo = Repository.from_url(f"sqlite:///{folder}/speed.db")
        repo.upgrade()
        author = Author(source="bench", external_id="a", handle="a")
        mentions = [
            Mention(
                source="bench",
                external_id=str(i),
                text=f"complaint {i}",
                author=author,
                published_at=NOW - timedelta(seconds=i),
                fetched_at=NOW,
            )
            for i in range(n)
        ]
        for start in range(0, n, 5000):
            repo.upsert_batch(
                Batch(mentions=tuple(mentions[start : start + 5000]), next_cursor=None),
                source="bench",
                query_id="q",
            )
        ids = sorted(s.id for s in repo.search_mentions(__import__("storage").MentionFilter(limit=None)))
        for start in range(0, n, 5000):
            repo.save_vectors(
                theme_vectors.MODEL_ID,
                [
                    (i, theme_vectors.to_bytes(rows[k]))
                    for k, i in enumerate(ids[start : start + 5000], start)
                ],
            )
        t0 = time.perf_counter()
        stored = repo.vectors(theme_vectors.MODEL_ID, ids)
        matrix = np.stack([theme_vectors.from_bytes(stored[i]) for i in ids])
        t1 = time.perf_counter()
        found = [TrendMention(id=i, text=f"complaint {i}", published_at=NOW) for i in ids]
        answer = find_themes(found, matrix)
        t2 = time.perf_counter()
        repo.close()
    print(
        f"\nspeed, {n:,} mentions with stored vectors: read {t1 - t0:.1f} s, themes {t2 - t1:.1f} s, "
        f"total {t2 - t0:.1f} s (target < 60 s); {len(answer.themes)} themes, "
        f"{len(answer.noise_ids) / n:.0%} noise"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".listener-bench")
    parser.add_argument("--speed", type=int, default=100_000, help="Mentions for the speed run (0: skip).")
    args = parser.parse_args()
    texts, domains = complaints(args.data)
    folder = model_build.build(args.data_dir)
    cache = EmbeddingCache(args.data_dir / f"themes-{theme_vectors.MODEL_ID}.npz")
    encoder: list[theme_vectors.ThemeEncoder] = []

    def embed(batch: list[str]) -> np.ndarray:
        if not encoder:
            encoder.append(theme_vectors.ThemeEncoder(folder))
        return encoder[0].embed(batch)

    vectors = cache.embed(texts, embed, dim=theme_vectors.DIM)  # type: ignore[arg-type]
    quality(texts, domains, vectors)
    if args.speed:
        speed(vectors, args.speed)


if __name__ == "__main__":
    main()
