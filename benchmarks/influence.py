"""Time the influence score on 100k authors / 1M mentions, an incremental update, and the real recordings.

Run from the repository root::

    /work/venv/bin/python benchmarks/influence.py [--authors 100000] [--mentions 1000000] [--seed 7]

Synthetic data: authors' activity and audience are heavy-tailed (Pareto/lognormal, as on real
platforms), 45 % of mentions address someone (replies 25 %, reposts 15 %, quotes 5 %, by preferential
attachment towards active, well-followed authors) and 10 % @mention someone. Mentions are fed in the
columnar form :meth:`InfluenceIndex.add_activity` takes, which is what a storage scan yields; the cost
of turning ``Mention`` objects into columns is measured separately on a sample and extrapolated.

The second part reads ../shared/data at run time (never copied) and prints the top authors by score
next to the top authors by raw followers.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.influence import EDGE_WEIGHTS, InfluenceIndex, InfluenceSettings, score_authors
from benchmarks._recorded_mentions import load_recorded_mentions
from listener.core.model import Author, Mention, Metrics

NOW = datetime(2026, 11, 20, tzinfo=UTC)
SOURCES = ("twitter", "reddit", "mastodon", "bluesky")
SPAN_S = 90 * 86_400.0
TOP = 100
"""Rankings show the top authors: timed runs build result objects for these only."""


class Synthetic:
    """A reproducible heavy-tailed population of authors and mentions, in columns."""

    def __init__(self, n_authors: int, n_mentions: int, seed: int) -> None:
        """Draw the authors (source, audience, activity) once."""
        self.rng = np.random.default_rng(seed)
        rng = self.rng
        self.n = n_authors
        self.source = rng.choice(len(SOURCES), size=n_authors, p=[0.5, 0.25, 0.15, 0.1])
        self.audience = np.floor(rng.lognormal(mean=5.0, sigma=2.0, size=n_authors))
        self.audience[self.source == 1] *= 3  # karma runs on another scale
        activity = rng.pareto(1.2, size=n_authors) + 1.0
        self.p_author = activity / activity.sum()
        attract = activity * np.sqrt(self.audience + 1.0)
        self.p_target = attract / attract.sum()
        self.n_mentions = n_mentions
        self.next_key = 0

    def authors(self) -> tuple[list[str], list[str], list[str], list[float | None], list[bool]]:
        """Return the author columns for :meth:`InfluenceIndex.add_authors`."""
        keys = [f"{SOURCES[s]}:u{i}" for i, s in enumerate(self.source)]
        return (
            keys,
            [SOURCES[s] for s in self.source],
            [f"u{i}" for i in range(self.n)],
            [float(a) for a in self.audience],
            [bool(s == 1) for s in self.source],
        )

    def mentions(self, count: int, start_s: float, end_s: float) -> dict[str, object]:
        """Return ``count`` mentions published between ``start_s`` and ``end_s`` as columns."""
        rng = self.rng
        author = rng.choice(self.n, size=count, p=self.p_author).astype(np.int64)
        published = np.sort(rng.uniform(start_s, end_s, size=count))
        kind = rng.choice(4, size=count, p=[0.55, 0.25, 0.15, 0.05])  # post, reply, repost, quote
        base = rng.lognormal(mean=0.5, sigma=1.5, size=count) * np.log1p(self.audience[author])
        engagement = np.where(kind == 2, 0.0, np.floor(base))
        addressing = kind > 0
        src = author[addressing]
        dst = rng.choice(self.n, size=src.shape[0], p=self.p_target).astype(np.int64)
        weights = np.array([0.0, EDGE_WEIGHTS["reply"], EDGE_WEIGHTS["repost"], EDGE_WEIGHTS["quote"]])
        w = weights[kind[addressing]]
        at = published[addressing]
        tagging = rng.random(count) < 0.10
        src = np.concatenate([src, author[tagging]])
        dst = np.concatenate([dst, rng.choice(self.n, size=int(tagging.sum()), p=self.p_target)])
        w = np.concatenate([w, np.full(int(tagging.sum()), EDGE_WEIGHTS["mention"])])
        at = np.concatenate([at, published[tagging]])
        keys = list(range(self.next_key, self.next_key + count))
        self.next_key += count
        return {
            "mention_keys": keys,
            "author": author,
            "published_s": published,
            "engagement": engagement,
            "edge_src": src.astype(np.int64),
            "edge_dst": dst.astype(np.int64),
            "edge_weight": w,
            "edge_at_s": at,
        }


def _full(data: Synthetic, batches: list[dict[str, object]]) -> tuple[InfluenceIndex, dict[str, float]]:
    started = time.perf_counter()
    index = InfluenceIndex()
    index.add_authors(*data.authors())
    registered = time.perf_counter()
    for batch in batches:
        index.add_activity(**batch)  # type: ignore[arg-type]
    added = time.perf_counter()
    index.scores(NOW, top=TOP)
    total = time.perf_counter() - started
    phases = {"authors_s": registered - started, "aggregate_s": added - registered, **index.last_timings}
    phases["total_s"] = total
    return index, phases


def synthetic(n_authors: int, n_mentions: int, seed: int) -> None:
    """Score the synthetic population, then add 1 % new mentions incrementally."""
    gen_started = time.perf_counter()
    data = Synthetic(n_authors, n_mentions, seed)
    end_s = NOW.timestamp() - 3600
    history = data.mentions(n_mentions, end_s - SPAN_S, end_s)
    extra = data.mentions(n_mentions // 100, end_s, NOW.timestamp())
    n_edges = len(history["edge_src"])  # type: ignore[arg-type]
    print(
        f"generated {n_authors:,} authors, {n_mentions:,} mentions, {n_edges:,} edges "
        f"in {time.perf_counter() - gen_started:.1f} s"
    )

    index, phases = _full(data, [history])
    total = phases["total_s"]
    graph = phases["graph_s"] + phases["pagerank_s"]
    scoring = phases["aggregate_s"] + phases["normalise_s"] + phases["results_s"]
    print(
        f"full score (top {TOP}): {total:.2f} s (goal < 60 s), {n_mentions / total:,.0f} mentions/s, "
        f"pagerank {index.last_iterations} iterations"
    )
    for name, value in phases.items():
        if name != "total_s":
            print(f"  {name:<12} {value:7.2f} s  {value / total:6.1%}")
    print(
        f"  graph building + pagerank {graph / total:.0%}, aggregates + normalising + results "
        f"{scoring / total:.0%}, author registry {phases['authors_s'] / total:.0%}"
    )

    started = time.perf_counter()
    index.add_activity(**extra)  # type: ignore[arg-type]
    added = time.perf_counter()
    index.scores(NOW, top=TOP)
    inc_total = time.perf_counter() - started
    inc_timings, inc_iterations = dict(index.last_timings), index.last_iterations
    incremental_scores = index.scores(NOW)
    all_started = time.perf_counter()
    index.scores(NOW)
    all_s = time.perf_counter() - all_started
    print(
        f"incremental (+{n_mentions // 100:,} mentions): {inc_total:.2f} s = {inc_total / total:.1%} of full;"
        " "
        f"aggregates {added - started:.3f} s, graph {inc_timings['graph_s']:.3f} s, "
        f"pagerank {inc_timings['pagerank_s']:.2f} s ({inc_iterations} warm iterations), "
        f"normalise {inc_timings['normalise_s']:.2f} s"
    )

    rebuilt, phases2 = _full(data, [history, extra])
    full_scores = {r.key: r.score for r in rebuilt.scores(NOW)}
    worst = max(abs(r.score - full_scores[r.key]) for r in incremental_scores)
    print(
        f"full rebuild with the same mentions: {phases2['total_s']:.2f} s "
        f"(ratio incremental/full {inc_total / phases2['total_s']:.2f}); max score difference {worst:.3f}"
    )
    print(f"scores with a result object for all {len(incremental_scores):,} authors: {all_s:.2f} s")

    sample = [_as_mention(data, history, i) for i in range(min(100_000, n_mentions))]
    started = time.perf_counter()
    probe = InfluenceIndex()
    probe.add_mentions(sample)
    rate = len(sample) / (time.perf_counter() - started)
    print(
        f"Mention objects -> columns: {rate:,.0f} mentions/s "
        f"(so ~{n_mentions / rate:.0f} s more for {n_mentions:,} Mention objects)"
    )


def _as_mention(data: Synthetic, cols: dict[str, object], i: int) -> Mention:
    author_row = int(cols["author"][i])  # type: ignore[index]
    source = SOURCES[int(data.source[author_row])]
    who = Author(
        source=source,
        external_id=f"u{author_row}",
        handle=f"u{author_row}",
        followers=int(data.audience[author_row]),
    )
    at = datetime.fromtimestamp(float(cols["published_s"][i]), tz=UTC)  # type: ignore[index]
    return Mention(
        source=source,
        external_id=str(i),
        text="",
        author=who,
        published_at=at,
        fetched_at=NOW,
        metrics=Metrics(likes=int(cols["engagement"][i])),
    )  # type: ignore[index]


def recorded(data_dir: Path, top: int) -> None:
    """Print, per source, the top authors by influence score next to the top authors by raw audience.

    The recordings were made years apart (2016-2026), so each source is scored at the time of its own
    latest mention, with a one-year half-life instead of the production 14 days: otherwise the decay
    alone would decide.
    """
    mentions = load_recorded_mentions(data_dir)
    if not mentions:
        print(f"no recorded mentions found under {data_dir}")
        return
    settings = InfluenceSettings(half_life_days=365.0)
    for source in sorted({m.source for m in mentions}):
        own = [m for m in mentions if m.source == source]
        now = max(m.published_at for m in own)
        by_score = score_authors(own, now=now, settings=settings)
        by_audience = sorted(
            (r for r in by_score if r.audience is not None), key=lambda r: (-(r.audience or 0), r.key)
        )
        print(
            f"\n{source}: {len(own)} recorded mentions, {len(by_score)} authors, "
            f"{len(by_audience)} with a known audience; scored at {now:%Y-%m-%d}, half-life 365 days"
        )
        print(
            f"{'#':>2}  {'top by influence score':<34}{'score':>6}{'audience':>11}  |  "
            f"{'top by raw followers':<30}{'audience':>11}{'score':>7}"
        )
        for i in range(min(top, len(by_score))):
            left = by_score[i]
            right = by_audience[i] if i < len(by_audience) else None
            l_aud = f"{left.audience:,}" if left.audience is not None else "?"
            r_txt = f"{right.handle[:28]:<30}{right.audience or 0:>11,}{right.score:>7.1f}" if right else ""
            print(f"{i + 1:>2}  {left.handle[:32]:<34}{left.score:6.1f}{l_aud:>11}  |  {r_txt}")
        print(f"why #1: {by_score[0].explain()}")


def main() -> None:
    """Parse arguments and run both parts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--authors", type=int, default=100_000)
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    args = parser.parse_args()
    synthetic(args.authors, args.mentions, args.seed)
    recorded(args.data, args.top)


if __name__ == "__main__":
    main()
