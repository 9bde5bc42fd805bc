"""The seasonal burst detector: planted bursts found, quiet nights and growth not flagged, order-free."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.bursts import bursts, hour_counts

T0 = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
HOUR = timedelta(hours=1)


def _rhythm(days: int, *, base: float = 6.0, growth: float = 0.0, seed: int = 3) -> dict[datetime, int]:
    """Poisson-like counts with a day/night cycle, quieter weekends, optional weekly growth."""
    rng = random.Random(seed)
    out: dict[datetime, int] = {}
    for h in range(24 * days):
        at = T0 + h * HOUR
        rate = (
            base * (1 + 0.9 * math.sin((at.hour - 8) / 24 * 2 * math.pi)) * (0.5 if at.weekday() >= 5 else 1)
        )
        rate *= (1 + growth) ** (h / 168)
        out[at] = sum(1 for _ in range(int(rate * 4)) if rng.random() < 0.25)
    return out


def test_planted_bursts_are_found_at_their_hour() -> None:
    counts = _rhythm(42)
    planted = [T0 + timedelta(days=20, hours=15), T0 + timedelta(days=33, hours=3)]
    for at in planted:
        counts[at] += 25
    found = bursts(counts, since=T0 + timedelta(days=7), until=T0 + timedelta(days=42))
    assert [b.start for b in found] == planted
    assert all(b.count > b.expected for b in found)


def test_quiet_nights_weekends_and_a_growing_brand_raise_no_false_alarm() -> None:
    counts = _rhythm(42, growth=0.10)
    assert bursts(counts, since=T0 + timedelta(days=7), until=T0 + timedelta(days=42)) == []


def test_too_little_history_stays_silent() -> None:
    counts = {T0 + h * HOUR: (40 if h == 30 else 2) for h in range(40)}
    assert bursts(counts, since=T0, until=T0 + 40 * HOUR) == []
    assert bursts({}, since=T0, until=T0 + HOUR) == []


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=30), st.integers(min_value=0, max_value=10_000))
def test_a_flat_series_raises_nothing_and_order_does_not_matter(level: int, seed: int) -> None:
    flat = {T0 + h * HOUR: level for h in range(24 * 21)}
    assert bursts(flat, since=T0 + timedelta(days=7), until=T0 + timedelta(days=21)) == []
    times = [T0 + timedelta(minutes=random.Random(seed + i).randrange(60 * 24 * 21)) for i in range(500)]
    times += [T0 + timedelta(days=15, hours=9, minutes=i) for i in range(40)]
    shuffled = times[:]
    random.Random(seed).shuffle(shuffled)
    window = {"since": T0 + timedelta(days=7), "until": T0 + timedelta(days=21)}
    assert bursts(hour_counts(times), **window) == bursts(hour_counts(shuffled), **window)
