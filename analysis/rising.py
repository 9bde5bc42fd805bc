"""Rising terms: words, hashtags, @accounts and phrases far above their own recent baseline.

Why this method: a term is "rising" when its share of the current window is significantly above the
share it usually has, measured against *its own* moving mean and variance over the previous windows,
as SigniTrend does (Schubert, Weiler, Kriegel, KDD 2014); a log-likelihood (G²) test of the current
window against the pooled baseline must agree, so one noisy baseline window cannot make a rare word
"significant". Counting shares rather than counts means a brand that grows does not make every word
rise. Each term counts *distinct authors*, not mentions: one account posting the same text 50,000
times raises nothing, while 50,000 people reposting it do. Terms that rise in the same mentions
("panne", "#panne", "panne reseau") are grouped, and each term keeps the mentions behind it.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from analysis.terms import kind, terms
from analysis.trend_input import TrendMention
from analysis.trend_reasons import Reason

G2_P001 = 10.83
"""Chi-square critical value at one degree of freedom, p = 0.001."""
MIN_WINDOW_MENTIONS = 10
MIN_BASELINE_WINDOWS = 3


@dataclass(frozen=True, slots=True, kw_only=True)
class RisingTerm:
    """One term above its baseline, with the numbers that say by how much, and its mentions."""

    term: str
    kind: str
    count: int
    """Distinct authors who used it in the window."""
    expected: float
    """Authors expected from the term's usual share of the window's authors."""
    z: float
    g2: float
    mention_ids: tuple[int, ...]
    """The mentions behind it, most far-reaching first."""
    group: int = 0

    @property
    def ratio(self) -> float:
        """How many times the expected count (capped when nothing was expected)."""
        return self.count / self.expected if self.expected > 0 else float(self.count)


@dataclass(frozen=True, slots=True, kw_only=True)
class TermGroup:
    """Rising terms that occur in the same mentions; ``label`` is the most used."""

    label: str
    terms: tuple[str, ...]
    count: int
    mention_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Rising:
    """The answer: rising terms and their groups, or ``status="not_enough_data"`` with the reason."""

    status: str
    reason: Reason | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    window_mentions: int = 0
    baseline_windows: int = 0
    terms: tuple[RisingTerm, ...] = ()
    groups: tuple[TermGroup, ...] = ()
    usual_reason: Reason | None = None
    """Set when a shorter window stands in for the usual one (``analysis.rising_short``): why it had to."""


class _Terms:
    """Terms per text, computed once per distinct text in one call (reposts share their terms)."""

    def __init__(self) -> None:
        self.seen: dict[str, frozenset[str]] = {}

    def __call__(self, text: str) -> frozenset[str]:
        found = self.seen.get(text)
        if found is None:
            found = self.seen[text] = terms(text)
        return found


def _author_terms(mentions: Iterable[TrendMention], of: _Terms) -> tuple[Counter[str], int]:
    """Count, per term, the distinct authors using it; return the counter and the author count."""
    by_author: dict[str, frozenset[str] | set[str]] = {}
    for m in mentions:
        key = m.author or f"#{m.id}"
        found = of(m.text)
        held = by_author.get(key)
        if held is None:
            by_author[key] = found
        elif not found <= held:
            by_author[key] = held | found
    counts: Counter[str] = Counter()
    for used in by_author.values():
        counts.update(used)
    return counts, len(by_author)


def g2(a: float, b: float, c: float, d: float) -> float:
    """Dunning's log-likelihood ratio for a term seen ``a`` times in ``b`` (window) vs ``c`` in ``d``."""
    if b <= 0 or d <= 0:
        return 0.0
    e1 = b * (a + c) / (b + d)
    e2 = d * (a + c) / (b + d)
    total = 0.0
    if a > 0 and e1 > 0:
        total += a * math.log(a / e1)
    if c > 0 and e2 > 0:
        total += c * math.log(c / e2)
    return 2.0 * total


def too_few_in_window(mentions: int, start: datetime, now: datetime) -> Rising:
    """The honest answer when the window holds too few mentions to say anything is rising."""
    return Rising(
        status="not_enough_data",
        reason=Reason("window_mentions", {"count": mentions, "needed": MIN_WINDOW_MENTIONS}),
        window_mentions=mentions,
        window_start=start,
        window_end=now,
    )


def too_short_a_baseline(windows: int, mentions: int, start: datetime, now: datetime) -> Rising:
    """The honest answer when too few earlier windows hold mentions to make a baseline."""
    return Rising(
        status="not_enough_data",
        reason=Reason("baseline_windows", {"count": windows, "needed": MIN_BASELINE_WINDOWS}),
        baseline_windows=windows,
        window_mentions=mentions,
        window_start=start,
        window_end=now,
    )


def rising_terms(
    mentions: Sequence[TrendMention],
    *,
    now: datetime,
    window: timedelta = timedelta(hours=24),
    baseline_windows: int = 14,
    z_min: float = 3.0,
    min_ratio: float = 2.0,
    min_count: int = 3,
    limit: int = 20,
    per_term: int = 20,
) -> Rising:
    """Return the terms of ``[now - window, now)`` significantly above their baseline.

    The baseline is the ``baseline_windows`` windows of the same length just before; a term's
    expectation is its mean share of authors over them times this window's authors, its spread the
    standard deviation of that share (floored by Poisson noise and one author, SigniTrend's bias term).
    A term must also reach ``min_ratio`` times its expectation: over a million mentions, thousands of
    terms are tested and a small wobble of a common word is "significant" without being news.
    """
    start = now - window
    first = start - window * baseline_windows
    current = [m for m in mentions if start <= m.published_at < now]
    past: list[list[TrendMention]] = [[] for _ in range(baseline_windows)]
    for m in mentions:
        if first <= m.published_at < start:
            past[int((m.published_at - first) / window)].append(m)

    if len(current) < MIN_WINDOW_MENTIONS:
        return too_few_in_window(len(current), start, now)
    of = _Terms()
    now_counts, now_authors = _author_terms(current, of)
    history = [_author_terms(bucket, of) for bucket in past if bucket]
    if len(history) < MIN_BASELINE_WINDOWS:
        return too_short_a_baseline(len(history), len(current), start, now)
    pooled: Counter[str] = Counter()
    for counts, _ in history:
        pooled.update(counts)
    pooled_authors = sum(n for _, n in history)
    found: list[RisingTerm] = []
    for term, count in now_counts.items():
        if count < min_count:
            continue
        known = [counts.get(term, 0) for counts, _ in history]
        shares = [c / n for c, (_, n) in zip(known, history, strict=True)]
        mean = sum(shares) / len(shares)
        var = sum((s - mean) ** 2 for s in shares) / len(shares)
        expected = mean * now_authors
        spread = max(math.sqrt(var) * now_authors, math.sqrt(expected), 1.0)
        z = (count - expected) / spread
        if z < z_min or count < min_ratio * expected:
            continue
        score = g2(count, now_authors, pooled.get(term, 0), pooled_authors)
        if score < G2_P001:
            continue
        found.append(
            RisingTerm(
                term=term, kind=kind(term), count=count, expected=expected, z=z, g2=score, mention_ids=()
            )
        )
    found.sort(key=lambda t: (-t.z, -t.count, t.term))
    found = found[: limit * 3]
    wanted = {t.term for t in found}
    sets: dict[str, list[TrendMention]] = defaultdict(list)
    for m in current:
        for term in of(m.text) & wanted:
            sets[term].append(m)
    found = [_with(t, mention_ids=_most_reaching(sets[t.term], per_term)) for t in found]
    groups, group_of = _group(found, {t: {m.id for m in ms} for t, ms in sets.items()})
    kept = [_with(t, group=group_of[t.term]) for t in found[:limit]]
    return Rising(
        status="ok",
        terms=tuple(kept),
        groups=tuple(groups),
        baseline_windows=len(history),
        window_mentions=len(current),
        window_start=start,
        window_end=now,
    )


def _with(term: RisingTerm, **changes: object) -> RisingTerm:
    return dataclasses.replace(term, **changes)  # type: ignore[arg-type]


def _most_reaching(mentions: Sequence[TrendMention], n: int) -> tuple[int, ...]:
    return tuple(m.id for m in sorted(mentions, key=lambda m: (-m.reach, m.id))[:n])


def _group(
    found: Sequence[RisingTerm], sets: Mapping[str, set[int]], overlap: float = 0.5
) -> tuple[list[TermGroup], dict[str, int]]:
    """Union terms whose sets of mentions overlap (Jaccard >= ``overlap``) in the window."""
    parent = {t.term: t.term for t in found}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    names = [t.term for t in found]
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            inter = len(sets[a] & sets[b])
            if inter and inter / len(sets[a] | sets[b]) >= overlap:
                parent[root(b)] = root(a)
    members: dict[str, list[RisingTerm]] = defaultdict(list)
    for t in found:
        members[root(t.term)].append(t)
    ordered = sorted(members.values(), key=lambda ts: (-max(t.z for t in ts), ts[0].term))
    groups: list[TermGroup] = []
    group_of: dict[str, int] = {}
    for index, unordered in enumerate(ordered):
        ts = sorted(unordered, key=lambda t: (-t.count, len(t.term), t.term))
        ids = sorted(set().union(*(sets[t.term] for t in ts)))
        groups.append(
            TermGroup(
                label=ts[0].term, terms=tuple(t.term for t in ts), count=len(ids), mention_ids=tuple(ids[:50])
            )
        )
        group_of.update({t.term: index for t in ts})
    return groups, group_of
