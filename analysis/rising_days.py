"""Rising terms from per-day counts: the term index's answer for day windows, summed instead of sorted.

Why: at a million mentions in the window, :func:`analysis.rising_index.rising_indexed` spends its
time sorting every (author, term) pair of the window and its baseline on each call. When the window
is one UTC day (``now`` at midnight, a 24-hour window, the baseline the days before), a term's
distinct authors in a window are its distinct authors that day, so they can be counted once per day
(:func:`day_counts`, when the day's mentions are indexed) and a call reads a few hundred thousand
(day, term) counts. The scoring is the same code (``rising_index._score``), so the answer is the same;
only the terms that pass are looked up in the window's index entries, to name them and to list the
mentions behind each.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

from analysis.rising import (
    G2_P001,
    MIN_BASELINE_WINDOWS,
    MIN_WINDOW_MENTIONS,
    Rising,
    too_few_in_window,
    too_short_a_baseline,
)
from analysis.rising_finish import Lookups, Pairs, Scores, finish
from analysis.rising_index import KEY_DTYPE, MAX_PASSING, IndexedMentions, _distinct, _score

DAY = timedelta(days=1)
FILTER_BITS = 1 << 22
"""Size of the bitmap that screens the window's keys for the wanted ones (4 MB)."""
TOTALS = 0
"""The key of a day's totals (distinct authors and posts whatever their terms)."""


def aligned(now: datetime, window: timedelta) -> bool:
    """Tell whether the per-day counts answer this window exactly: one UTC day ending at midnight."""
    utc = now.astimezone(UTC)
    return window == DAY and utc == datetime.combine(utc.date(), datetime.min.time(), tzinfo=UTC)


def day_counts(entries: Sequence[tuple[str, int, bytes]]) -> list[tuple[str, int, int, int]]:
    """Count one day's index entries: ``(topic, term_key, distinct authors, posts)`` rows, totals included.

    ``entries`` are ``(topic, author_id, keys)``, one per mention and topic (``keys`` as the term
    index stores them: distinct sorted int64). The totals row (key 0) counts every mention of the
    topic that day, with or without terms, as the window counts in ``rising_indexed`` do.
    """
    by_topic: dict[str, list[tuple[int, bytes]]] = defaultdict(list)
    for topic, author, keys in entries:
        by_topic[topic].append((author, keys))
    rows: list[tuple[str, int, int, int]] = []
    for topic, items in sorted(by_topic.items()):
        ids, who = np.unique(np.array([a for a, _ in items], dtype=np.int64), return_inverse=True)
        rows.append((topic, TOTALS, len(ids), len(items)))
        sizes = np.array([len(k) // 8 for _, k in items], dtype=np.int64)
        found = np.frombuffer(b"".join(k for _, k in items), dtype=KEY_DTYPE).astype(np.int64)
        if not found.size:
            continue
        vocabulary = _distinct(found)
        tid = np.searchsorted(vocabulary, found)
        posts = np.bincount(tid, minlength=len(vocabulary))
        pairs = _distinct(np.repeat(who.astype(np.int64), sizes) * len(vocabulary) + tid)
        authors = np.bincount(pairs % len(vocabulary), minlength=len(vocabulary))
        rows += [
            (topic, k, a, p)
            for k, a, p in zip(vocabulary.tolist(), authors.tolist(), posts.tolist(), strict=True)
            if k != TOTALS
        ]
    return rows


@dataclass(frozen=True, slots=True, kw_only=True)
class Day:
    """One topic's counts on one day (``keys`` include the totals key 0)."""

    keys: Sequence[int]
    authors: Sequence[int]
    posts: Sequence[int]


def rising_daily(
    days: Sequence[Day],
    *,
    now: datetime,
    window_entries: Callable[[], IndexedMentions],
    lookups: Lookups,
    z_min: float = 3.0,
    min_ratio: float = 2.0,
    min_count: int = 3,
    limit: int = 20,
    per_term: int = 20,
) -> Rising:
    """Return the terms of the UTC day before ``now`` significantly above the days before it.

    ``days`` are the baseline days, oldest first, then the window's day; ``window_entries()`` gives
    the window's index entries (read only when some term passes). Same answer as
    ``rising_indexed(..., window=1 day, baseline_windows=len(days) - 1)``.
    """
    baseline_windows = len(days) - 1
    start = now - DAY
    wins, keys, weights = [], [], []
    per_window = np.zeros(len(days), dtype=np.int64)
    n_current = 0
    for w, day in enumerate(days):
        k = np.asarray(day.keys, dtype=np.int64)
        a = np.asarray(day.authors, dtype=np.int64)
        total = k == TOTALS
        per_window[w] = int(a[total].sum())
        if w == baseline_windows:
            n_current = int(np.asarray(day.posts, dtype=np.int64)[total].sum())
        wins.append(np.full(int((~total).sum()), w, dtype=np.int64))
        keys.append(k[~total])
        weights.append(a[~total])
    if n_current < MIN_WINDOW_MENTIONS:
        return too_few_in_window(n_current, start, now)
    past = [w for w in range(baseline_windows) if per_window[w] > 0]
    if len(past) < MIN_BASELINE_WINDOWS:
        return too_short_a_baseline(len(past), n_current, start, now)
    vocabulary, term = np.unique(np.concatenate(keys), return_inverse=True)
    candidates, count, expected, z, g2 = _score(
        np.concatenate(wins),
        term.astype(np.int64),
        len(vocabulary),
        per_window,
        past,
        baseline_windows=baseline_windows,
        min_count=min_count,
        weight=np.concatenate(weights),
    )
    passing = np.flatnonzero((z >= z_min) & (count >= min_ratio * expected) & (g2 >= G2_P001))
    passing = passing[np.lexsort((-count[passing], -z[passing]))][:MAX_PASSING]
    frame = Rising(
        status="ok", baseline_windows=len(past), window_mentions=n_current, window_start=start, window_end=now
    )
    if not len(passing):
        return frame
    tids = candidates[passing]
    return finish(
        _window_pairs(window_entries(), vocabulary, vocabulary[tids]),
        tids,
        Scores(count=count[passing], expected=expected[passing], z=z[passing], g2=g2[passing]),
        lookups=lookups,
        limit=limit,
        per_term=per_term,
        frame=frame,
    )


def _window_pairs(
    index: IndexedMentions, vocabulary: npt.NDArray[np.int64], wanted: npt.NDArray[np.int64]
) -> Pairs:
    """The window's (mention, term) pairs of the ``wanted`` keys only, as term ids of ``vocabulary``.

    Membership through a bitmap of the wanted keys' low bits, then a binary search of the few keys
    that pass it, not ``np.isin`` (which sorts the tens of millions of keys of the window: 6.7 of 37 s).
    """
    ids = np.asarray(index.mention_ids, dtype=np.int64)
    sizes = np.asarray(index.sizes, dtype=np.int64)
    keys = np.frombuffer(index.keys, dtype=KEY_DTYPE)
    ordered = np.sort(wanted)
    table = np.zeros(FILTER_BITS, dtype=bool)
    table[ordered & (FILTER_BITS - 1)] = True
    maybe = np.flatnonzero(table[keys & (FILTER_BITS - 1)])
    at = np.minimum(np.searchsorted(ordered, keys[maybe]), len(ordered) - 1)
    hit = maybe[ordered[at] == keys[maybe]]
    owner = np.searchsorted(np.cumsum(sizes), hit, side="right")
    tid = np.searchsorted(vocabulary, keys[hit].astype(np.int64))
    inside = np.ones(len(owner), dtype=bool)
    authors = np.asarray(index.author_ids, dtype=np.int64)
    return Pairs(owner, tid, vocabulary, inside, ids, authors)
