"""Bursts on a baseline that knows the hour of the day, the day of the week and the brand's growth.

Why not ``median + k·MAD`` of the last hours: mentions follow people's days (quiet at 4 a.m., busy at
noon, different on Sundays), so a flat baseline either cries wolf every lunchtime or sleeps through a
night-time crisis; and a brand that grows 5% a week slowly lifts every hour above an old median.
Here the expectation of an hour is ``level × profile``, the decomposition S-H-ESD (Hochenbaum et al.,
Twitter, 2017) relies on, estimated robustly:

* ``level``: the median daily volume of the last ``level_days`` days, divided by 24 (follows growth);
* ``profile``: for that hour of the week, the median over past weeks of (count / that day's mean
  hourly count); with fewer than ``min_weeks`` weeks of history, the same hour of the day over past
  days instead;
* the score: counts are compared on Anscombe's square-root scale, where Poisson noise is about 1 at
  any level (so 7 mentions where 1.5 are usual at night is not a crisis, 30 where 6 are usual is);
  the spread is the MAD of past residuals on that scale, never below 1.

An hour is a burst when its robust z-score is at least ``k`` and it holds ``min_count`` mentions;
consecutive burst hours merge into one burst. The detector reads only counts before each hour, so
it can run online, hour by hour, and its answer does not depend on the order of its input.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from analysis.trend_reasons import Reason

HOUR = timedelta(hours=1)
MAD_TO_SIGMA = 1.4826
FULL_DAYS = 3
"""Days of history the seasonal baseline wants before an hour (``score_hours``' ``min_days``)."""
SHORT_DAYS = 1
"""Days it settles for on a short history (a new install, the demo's week): the same hour the day before."""
SHORT_K = 6.0
"""The z an hour needs on that short baseline (4 on the seasonal one)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Burst:
    """Consecutive hours above the seasonal expectation."""

    start: datetime
    end: datetime
    count: int
    expected: float
    peak_z: float
    peak_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class HourScore:
    """One hour's count against its expectation."""

    start: datetime
    count: int
    expected: float
    spread: float
    """On the square-root scale (see :func:`anscombe`)."""
    z: float


def _hourly(counts: Mapping[datetime, int], first: datetime, last: datetime) -> list[tuple[datetime, int]]:
    out: list[tuple[datetime, int]] = []
    at = first
    while at <= last:
        out.append((at, int(counts.get(at, 0))))
        at += HOUR
    return out


def score_hours(
    counts: Mapping[datetime, int],
    *,
    since: datetime,
    until: datetime,
    level_days: int = 7,
    min_days: int = 3,
    min_weeks: int = 2,
    history_days: int = 35,
    run_hours: int = 3,
) -> list[HourScore]:
    """Score each hour in ``[since, until)`` (UTC hour starts; ``since`` is taken down to its hour).

    An hour's z is the larger of its own and that of the ``run_hours`` hours ending with it (counts
    and expectations summed), so a burst too slow to stand out in any one hour is still seen.
    """
    if not counts:
        return []
    first = min(counts)
    """History starts at the first hour observed: hours before it are unknown, not zero."""
    series = _hourly(counts, first, until - HOUR)
    index = {at: i for i, (at, _) in enumerate(series)}
    values = [c for _, c in series]
    levels = _Levels(values, level_days)
    scores: list[HourScore] = []
    expectations: dict[int, float] = {}
    # Counts are per clock hour: a period starting at 09:30 starts with its 09:00 hour (else none matches).
    at = since.replace(minute=0, second=0, microsecond=0)
    while at < until:
        i = index.get(at)
        if i is None or i < 24 * min_days:
            at += HOUR
            continue
        expected, spread = _expectation(values, levels, i, min_weeks=min_weeks, history=24 * history_days)
        expectations[i] = expected
        z = (anscombe(values[i]) - anscombe(expected)) / spread
        run = [j for j in range(i - run_hours + 1, i + 1) if j in expectations]
        if len(run) == run_hours > 1:
            seen = sum(values[j] for j in run)
            z = max(z, (anscombe(seen) - anscombe(sum(expectations[j] for j in run))) / spread)
        scores.append(HourScore(start=at, count=values[i], expected=expected, spread=spread, z=z))
        at += HOUR
    return scores


class _Levels:
    """Median daily level before each hour, from prefix sums (each computed once)."""

    def __init__(self, values: Sequence[int], days: int) -> None:
        self.prefix = [0]
        for v in values:
            self.prefix.append(self.prefix[-1] + v)
        self.days = days
        self.memo: dict[int, float] = {}

    def __call__(self, end: int) -> float:
        """Median over the ``days`` full days ending before index ``end`` of the mean hourly count."""
        if end in self.memo:
            return self.memo[end]
        means = [
            (self.prefix[end - 24 * d + 24] - self.prefix[end - 24 * d]) / 24.0
            for d in range(1, self.days + 1)
            if end - 24 * d >= 0
        ]
        level = statistics.median(means) if means else 0.0
        self.memo[end] = level
        return level


def _expectation(
    values: Sequence[int], levels: _Levels, i: int, *, min_weeks: int, history: int
) -> tuple[float, float]:
    level = levels(i)
    week_lags = [i - 168 * w for w in range(1, history // 168 + 1) if i - 168 * w >= 24]
    lags = (
        week_lags
        if len(week_lags) >= min_weeks
        else [i - 24 * d for d in range(1, history // 24 + 1) if i - 24 * d >= 24]
    )
    past = [(values[j], levels(j)) for j in lags]
    ratios = [v / lv for v, lv in past if lv > 0]
    profile = statistics.median(ratios) if ratios else 1.0
    expected = level * profile
    residuals = [anscombe(v) - anscombe(lv * profile) for v, lv in past]
    mad = 0.0
    if len(residuals) >= 3:
        centre = statistics.median(residuals)
        mad = statistics.median(abs(r - centre) for r in residuals)
    return expected, max(MAD_TO_SIGMA * mad, 1.0)


def anscombe(count: float) -> float:
    """Variance-stabilised count: Poisson noise becomes about 1 whatever the level (Anscombe, 1948)."""
    return 2.0 * math.sqrt(max(count, 0.0) + 0.375)


def bursts(
    counts: Mapping[datetime, int],
    *,
    since: datetime,
    until: datetime,
    k: float = 4.0,
    min_count: int = 5,
    **options: int,
) -> list[Burst]:
    """Return the bursts in ``[since, until)``: runs of hours with z >= ``k`` and >= ``min_count``."""
    found: list[Burst] = []
    run: list[HourScore] = []
    for hour in [*score_hours(counts, since=since, until=until, **options), None]:
        if hour is not None and hour.z >= k and hour.count >= min_count:
            if run and hour.start - run[-1].start > HOUR:
                found.append(_merge(run))
                run = []
            run.append(hour)
            continue
        if run:
            found.append(_merge(run))
            run = []
    return found


def _merge(run: Sequence[HourScore]) -> Burst:
    peak = max(run, key=lambda h: h.z)
    return Burst(
        start=run[0].start,
        end=run[-1].start + HOUR,
        count=sum(h.count for h in run),
        expected=sum(h.expected for h in run),
        peak_z=peak.z,
        peak_at=peak.start,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Found:
    """Bursts of a period, with how much history they were judged on."""

    history_days: int
    """Whole days of counts before ``until``."""
    baseline_days: int
    """Fewest days of history any hour of the period was compared with (0: none could be)."""
    bursts: list[Burst]

    @property
    def reason(self) -> Reason | None:
        """Why no hour of the period could be judged (``baseline_days`` 0), else None."""
        if self.baseline_days:
            return None
        return Reason("burst_history", {"needed": SHORT_DAYS + 1, "count": self.history_days})


def bursts_on_history(counts: Mapping[datetime, int], *, since: datetime, until: datetime) -> Found:
    """Return the bursts of ``[since, until)`` on whatever history the counts have.

    Hours with ``FULL_DAYS`` of history before them get the seasonal baseline; earlier hours of a
    short history (a new install, the demo's week) are compared with the same hours of the
    ``SHORT_DAYS`` day before instead, at a stricter ``SHORT_K``, since one day says nothing of the
    spread (it is floored at 1); with no full day before any hour of the period, nothing is judged.
    """
    seen = [at for at, n in counts.items() if n and at < until]
    if not seen:
        return Found(history_days=0, baseline_days=0, bursts=[])
    first = min(seen)
    days = int((until - first) / timedelta(days=1))
    full_from = max(since, first + timedelta(days=FULL_DAYS))
    found = bursts(counts, since=full_from, until=until) if full_from < until else []
    if since >= full_from:
        return Found(history_days=days, baseline_days=FULL_DAYS, bursts=found)
    if days <= SHORT_DAYS:
        return Found(history_days=days, baseline_days=0, bursts=[])
    early = bursts(counts, since=since, until=min(full_from, until), k=SHORT_K, min_days=SHORT_DAYS)
    return Found(history_days=days, baseline_days=SHORT_DAYS, bursts=early + found)


def hour_counts(times: Sequence[datetime]) -> dict[datetime, int]:
    """Count timestamps per UTC hour (the input of :func:`bursts`)."""
    out: dict[datetime, int] = {}
    for t in times:
        at = t.replace(minute=0, second=0, microsecond=0)
        out[at] = out.get(at, 0) + 1
    return out
