"""Trends on a short history: what the detectors say with three days, and with less.

Rising terms: a three-day history has no baseline for "the last week against the four before", so the
period's own shorter windows stand in and find an outage of the day before yesterday, with the same
thresholds. Bursts: a period that starts mid-hour (the page's "7d" at 09:30) is scored at all; the
hours of the first days are compared with the day before, at a stricter threshold, so a quiet short
history raises nothing, and under two days nothing is judged.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

from analysis.bursts import FULL_DAYS, SHORT_DAYS, bursts, bursts_on_history
from analysis.rising_index import IndexedMentions, Lookups, index_entry, rising_indexed, to_us
from analysis.rising_short import rising_short
from analysis.trend_input import TrendMention

START = datetime(2026, 11, 20, tzinfo=UTC)
NOW = START + timedelta(days=3, hours=9, minutes=30)
HOUR = timedelta(hours=1)
EVERYDAY = ["la box Lumio marche bien", "Lumio invoice arrived", "nouvelle offre Lumio fibre",
            "Lumio customer service was quick", "j'aime bien l'appli Lumio"]


def _three_days() -> list[TrendMention]:
    rng = random.Random(5)
    out: list[TrendMention] = []
    for _ in range(210):
        at = START + timedelta(minutes=rng.randrange(3 * 24 * 60))
        out.append(TrendMention(id=len(out), text=rng.choice(EVERYDAY), published_at=at,
                                author=f"a{rng.randrange(150)}"))
    for k in range(25):  # the outage, the day before yesterday around noon
        at = START + timedelta(days=1, hours=10, minutes=7 * k)
        out.append(TrendMention(id=len(out), text=f"panne Lumio partout #lumiodown quartier {k}",
                                published_at=at, author=f"p{k}"))
    return out


def _indexed(mentions: list[TrendMention]) -> tuple[IndexedMentions, Lookups]:
    entries = [index_entry(m.text) for m in mentions]
    authors = {a: i for i, a in enumerate(sorted({m.author for m in mentions}))}
    index = IndexedMentions(
        mention_ids=[m.id for m in mentions], author_ids=[authors[m.author] for m in mentions],
        published_us=[to_us(m.published_at) for m in mentions], sizes=[len(e) // 8 for e in entries],
        keys=b"".join(entries),
    )
    texts = {m.id: m.text for m in mentions}
    return index, Lookups(texts=lambda ids: {i: texts[i] for i in ids},
                          author_reach=lambda ids: dict.fromkeys(ids, 1.0))


def test_the_periods_shorter_windows_find_the_outage_the_week_long_baseline_cannot() -> None:
    index, lookups = _indexed(_three_days())
    week = timedelta(hours=168)
    usual = rising_indexed(index, now=NOW, lookups=lookups, window=week, baseline_windows=4)
    assert usual.status == "not_enough_data"
    found = rising_short(index, now=NOW, since=NOW - timedelta(days=7), lookups=lookups, longest=week)
    assert found is not None and found.status == "ok" and found.baseline_windows >= 3
    assert found.window_start is not None and found.window_end is not None
    assert found.window_start <= START + timedelta(days=1, hours=13) < found.window_end
    rising = {t.term for t in found.terms}
    assert {"#lumiodown", "panne"} <= rising and not rising & {"box", "invoice", "offre"}


def test_no_window_with_a_baseline_leaves_the_callers_reason() -> None:
    half_day = START + timedelta(hours=12)  # even 6-hour windows have one earlier window, not three
    index, lookups = _indexed([m for m in _three_days() if m.published_at < half_day])
    day = timedelta(hours=24)
    assert rising_short(index, now=half_day, since=START, lookups=lookups, longest=day) is None


def _rhythm(days: int, seed: int = 3) -> dict[datetime, int]:
    rng = random.Random(seed)
    out: dict[datetime, int] = {}
    for h in range(24 * days):
        at = START + h * HOUR
        rate = 4 * (1 + 0.9 * math.sin((at.hour - 8) / 24 * 2 * math.pi))
        out[at] = sum(1 for _ in range(int(rate * 4)) if rng.random() < 0.25)
    return out


def test_a_period_starting_mid_hour_is_scored() -> None:
    counts = _rhythm(12)
    spike = START + timedelta(days=9, hours=13)
    counts[spike] += 30
    end = START + timedelta(days=12)
    aligned = bursts(counts, since=START + timedelta(days=5), until=end)
    assert [b.start for b in aligned] == [spike]
    assert bursts(counts, since=START + timedelta(days=5, minutes=30), until=end) == aligned


def test_a_short_history_compares_with_the_day_before_and_a_quiet_one_raises_nothing() -> None:
    quiet = _rhythm(3)
    found = bursts_on_history(quiet, since=START, until=START + timedelta(days=3))
    assert (found.history_days, found.baseline_days, found.bursts) == (3, SHORT_DAYS, [])
    spike = START + timedelta(days=1, hours=11)
    loud = {**quiet, spike: quiet[spike] + 40}
    found = bursts_on_history(loud, since=START, until=START + timedelta(days=3))
    assert [b.start for b in found.bursts] == [spike]
    long = bursts_on_history(_rhythm(12), since=START + timedelta(days=5), until=START + timedelta(days=12))
    assert long.baseline_days == FULL_DAYS
    early = bursts_on_history(quiet, since=START, until=START + timedelta(hours=30))
    assert (early.history_days, early.baseline_days, early.bursts) == (1, 0, [])
