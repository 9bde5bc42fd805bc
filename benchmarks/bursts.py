"""Planted bursts in 60 simulated days of real tweets: our seasonal detector against median + k·MAD.

A background of real tweets from ../shared/data (XLM-T French and English, TweetEval) is spread over
60 days with a daily rhythm (quiet at night), quieter weekends and, in the "growing" scenario, 8%
more volume every week. Bursts made of real complaints of one domain (complaint set) are planted at
known hours and sizes (1x to 3x the usual volume of that hour, 1-3 hours long, day and night). Both
detectors read the same hourly counts, from day 7 on:

* ours: ``analysis.bursts`` (level x hour-of-week profile, Anscombe scale, MAD of past residuals,
  1- and 3-hour runs; k=4, the default, and 3.5);
* baseline: the rule already in alerts (``alerts.rules.baseline``): median + 3 x MAD of the last 14
  days' hourly counts (``seasonal``: same hour of previous days), at least 5 mentions.

A detection matches a planted burst when it overlaps it (or starts within 2 hours of its end).
Printed: recall, precision, false alarms per simulated week, mean detection delay (hours from the
burst's start to the first detecting hour). Then, per planted burst, whether the top rising-term
group of the burst's hours (``analysis.rising``, 7-day baseline) names it. Nothing is asserted.

    python benchmarks/bursts.py [--data ../shared/data] [--seeds 3]
"""

from __future__ import annotations

import argparse
import csv
import math
import statistics
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alerts.rules import Rule, baseline  # noqa: E402
from alerts.window import HistoryBucket  # noqa: E402
from analysis import datasets  # noqa: E402
from analysis.bursts import bursts  # noqa: E402
from analysis.rising import rising_terms  # noqa: E402
from analysis.terms import terms  # noqa: E402
from analysis.trend_input import TrendMention  # noqa: E402

T0 = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
HOUR = timedelta(hours=1)
DAYS = 60
WARMUP = 7
BASE_RATE = 10.0


@dataclass(frozen=True)
class Planted:
    start: datetime
    hours: int
    size: int
    domain: str


def background_texts(root: Path) -> list[str]:
    rows = [
        e.text
        for lang in ("english", "french")
        for split in ("train", "val")
        for e in datasets.xlmt(root, lang, split)
    ]
    rows += [e.text for task in ("emotion", "irony") for e in datasets.tweeteval(root, task, "train")]
    return [t for t in rows if t.strip()]


def complaint_domains(root: Path) -> dict[str, list[str]]:
    path = root / "sentiment" / "complaints_twitter_en" / "complaints-data.csv"
    out: dict[str, list[str]] = {}
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) >= 4 and row[2].strip() == "1" and row[3] not in ("other",):
                out.setdefault(row[3], []).append(row[1])
    return out


def rate(at: datetime, growth: float) -> float:
    day = 0.15 + 0.85 * max(0.0, math.sin((at.hour - 6) / 18 * math.pi)) if at.hour >= 6 else 0.15
    week = 0.6 if at.weekday() >= 5 else 1.0
    return BASE_RATE * day * week * (1 + growth) ** ((at - T0) / timedelta(days=7))


def simulate(
    seed: int, growth: float, texts: list[str], domains: dict[str, list[str]]
) -> tuple[list[TrendMention], list[Planted]]:
    rng = np.random.default_rng(seed)
    mentions: list[TrendMention] = []

    def add(text: str, at: datetime) -> None:
        n = len(mentions)
        mentions.append(TrendMention(id=n, text=text, published_at=at, author=f"u{rng.integers(50_000)}"))

    for h in range(24 * DAYS):
        at = T0 + h * HOUR
        for _ in range(rng.poisson(rate(at, growth))):
            add(texts[rng.integers(len(texts))], at + timedelta(seconds=int(rng.integers(3600))))
    planted: list[Planted] = []
    names = sorted(domains)
    days = rng.choice(np.arange(14, DAYS - 1), size=10, replace=False)
    for k, day in enumerate(sorted(days)):
        hour = int(rng.choice([3, 9, 12, 15, 18, 21, 23]))
        start = T0 + timedelta(days=int(day), hours=hour)
        hours = int(rng.integers(1, 4))
        factor = [1.0, 1.5, 2.0, 3.0][k % 4]
        size = max(6, round(factor * sum(rate(start + i * HOUR, growth) for i in range(hours))))
        domain = names[int(rng.integers(len(names)))]
        for _ in range(size):
            add(
                domains[domain][rng.integers(len(domains[domain]))],
                start + timedelta(seconds=int(rng.integers(3600 * hours))),
            )
        planted.append(Planted(start=start, hours=hours, size=size, domain=domain))
    return mentions, planted


def hourly(mentions: list[TrendMention]) -> dict[datetime, int]:
    out: dict[datetime, int] = {}
    for m in mentions:
        at = m.published_at.replace(minute=0, second=0, microsecond=0)
        out[at] = out.get(at, 0) + 1
    return out


def mad_rule(counts: dict[datetime, int], *, seasonal: bool) -> list[tuple[datetime, datetime]]:
    rule = Rule(id="spike", kind="negative_spike", seasonal=seasonal, min_history=6)
    fired: list[datetime] = []
    at = T0 + timedelta(days=WARMUP)
    while at < T0 + timedelta(days=DAYS):
        history = [
            HistoryBucket(start=at - i * HOUR, negative=counts.get(at - i * HOUR, 0))
            for i in range(24 * 14, 0, -1)
            if at - i * HOUR >= T0
        ]
        base = baseline(rule, history, HOUR, at)
        count = counts.get(at, 0)
        if base is not None and count >= rule.min_volume and count > base.limit:
            fired.append(at)
        at += HOUR
    return merge(fired)


def merge(hours: list[datetime]) -> list[tuple[datetime, datetime]]:
    out: list[tuple[datetime, datetime]] = []
    for h in sorted(hours):
        if out and out[-1][1] == h:
            out[-1] = (out[-1][0], h + HOUR)
        else:
            out.append((h, h + HOUR))
    return out


def score(detections: list[tuple[datetime, datetime]], planted: list[Planted]) -> tuple[float, ...]:
    def hits(d: tuple[datetime, datetime], p: Planted) -> bool:
        return d[0] < p.start + (p.hours + 2) * HOUR and d[1] > p.start

    found = [p for p in planted if any(hits(d, p) for d in detections)]
    matched = [d for d in detections if any(hits(d, p) for p in planted)]
    delays = [min((d[0] - p.start) / HOUR for d in detections if hits(d, p)) for p in found]
    weeks = (DAYS - WARMUP) / 7
    return (
        len(found) / len(planted),
        len(matched) / len(detections) if detections else 1.0,
        (len(detections) - len(matched)) / weeks,
        statistics.mean(delays) if delays else float("nan"),
    )


def explained(mentions: list[TrendMention], planted: list[Planted], domains: dict[str, list[str]]) -> float:
    """Share of planted bursts whose top rising group is a term used by at least a third of the burst."""
    good = 0
    for p in planted:
        end = p.start + p.hours * HOUR
        answer = rising_terms(
            mentions,
            now=end,
            window=p.hours * HOUR,
            baseline_windows=int(timedelta(days=7) / (p.hours * HOUR)),
            min_count=3,
        )
        if answer.status != "ok" or not answer.groups:
            continue
        label = answer.groups[0].label
        burst_texts = [m.text for m in mentions if p.start <= m.published_at < end]
        used = sum(1 for t in burst_texts if label in terms(t))
        good += used >= len(burst_texts) / 6
    return good / len(planted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    texts = background_texts(args.data)
    domains = complaint_domains(args.data)
    print(
        f"background: {len(texts):,} real tweets; bursts from {len(domains)} complaint domains; "
        f"{DAYS} days, rate {BASE_RATE:g}/h at peak, 10 planted bursts per run, {args.seeds} seeds"
    )
    for scenario, growth in (("steady", 0.0), ("growing 8%/week", 0.08)):
        rows: dict[str, list[tuple[float, ...]]] = {}
        story: list[float] = []
        for seed in range(args.seeds):
            mentions, planted = simulate(seed, growth, texts, domains)
            counts = hourly(mentions)
            for k in (4.0, 3.5):
                ours = [
                    (b.start, b.end)
                    for b in bursts(
                        counts, since=T0 + timedelta(days=WARMUP), until=T0 + timedelta(days=DAYS), k=k
                    )
                ]
                rows.setdefault(f"seasonal robust (ours, k={k:g})", []).append(score(ours, planted))
            rows.setdefault("median + 3 MAD, last 14 days", []).append(
                score(mad_rule(counts, seasonal=False), planted)
            )
            rows.setdefault("median + 3 MAD, same hour", []).append(
                score(mad_rule(counts, seasonal=True), planted)
            )
            story.append(explained(mentions, planted, domains))
        print(f"\n{scenario}: {len(mentions):,} mentions per run")
        print(f"{'detector':34} {'recall':>7} {'precision':>9} {'false/wk':>9} {'delay h':>8}")
        for name, scores in rows.items():
            mean = [statistics.mean(s[i] for s in scores) for i in range(4)]
            print(f"{name:34} {mean[0]:7.2f} {mean[1]:9.2f} {mean[2]:9.2f} {mean[3]:8.2f}")
        print(
            "planted bursts whose top rising term is used by >= 1/6 of the burst: "
            f"{statistics.mean(story):.0%}"
        )


if __name__ == "__main__":
    main()
