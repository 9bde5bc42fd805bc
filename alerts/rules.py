"""Alert rules as data, and their pure evaluation ``(rule, window, now) -> list[Alert]``.

A rule never sends anything and never reads the clock: it looks at a :class:`~alerts.window.Window`
and says which subjects (a topic, an author) are alert-worthy *now*, with the numbers and the reason.
Whether that becomes a message (a new thread, a follow-up, nothing during the cool-down) is decided
afterwards by :mod:`alerts.threads`, from what was already sent.

Kinds (``Rule.kind``):

- ``negative_spike``: negative mentions of a topic in the window exceed a robust baseline learned from
  the topic's own history, ``median + k·MAD`` (MAD scaled to a standard deviation, never below the
  Poisson noise ``sqrt(median)``), optionally from the same hour of previous days only (``seasonal``);
  ``threshold`` is ``k`` (default 3). Silent until the topic has ``min_history`` buckets of history.
- ``negative_share``: the share of negatives among the topic's *analysed* mentions is above
  ``threshold`` (default 0.4), with at least ``min_volume`` analysed mentions.
- ``influencer_negative``: a negative mention from an author whose reach (influence score, else
  followers or karma) is at least ``threshold`` (default 10,000); the subject is the author.
- ``keyword``: mentions matching a crisis query (``"boycott OR arnaque OR \\"data breach\\""``); the
  matcher is compiled by the caller from the query language and carried on the rule.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, Protocol

from alerts.window import HistoryBucket, Window, WindowMention
from listener.core.model import JSON, Alert, Severity

RuleKind = Literal["negative_spike", "negative_share", "influencer_negative", "keyword"]

MAD_TO_SIGMA = 1.4826
"""Scale factor making the median absolute deviation estimate a normal standard deviation."""
TOP_N = 5
"""How many top mentions and top authors an alert lists."""
ALL_TOPICS = "*"
"""Subject of keyword alerts about mentions that matched no topic."""


class TextMatcher(Protocol):
    """Something that says whether a text matches a compiled query (e.g. ``analysis.matching``)."""

    def __call__(self, text: str) -> bool:
        """Return True when ``text`` matches."""
        ...


DEFAULT_THRESHOLDS: Mapping[str, float] = {
    "negative_spike": 3.0,
    "negative_share": 0.4,
    "influencer_negative": 10_000.0,
    "keyword": 0.0,
}
"""What ``threshold`` means per kind when the config leaves it out (k, share, reach, unused)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """One configured alert rule; built from ``listener.config.RuleSettings`` by the wiring."""

    id: str
    kind: RuleKind
    topics: tuple[str, ...] = ()
    """Topic ids watched; empty means every topic in the window."""
    threshold: float | None = None
    window: timedelta = timedelta(hours=1)
    cooldown: timedelta = timedelta(hours=6)
    """Quiet time after the last message of a thread before it may be declared resolved."""
    min_volume: int = 5
    severity: Severity = "warning"
    channels: tuple[str, ...] = ()
    query: str | None = None
    seasonal: bool = False
    """Spike baseline from the same hour of previous days only (when enough such buckets exist)."""
    min_history: int = 6
    """Spike rules need at least this many past buckets before they may fire."""
    growth: float = 2.0
    """An open thread gets a follow-up only when the count reaches ``growth`` × the last one sent."""
    matcher: TextMatcher | None = field(default=None, compare=False, repr=False)

    @property
    def limit(self) -> float:
        """Return the threshold in force: the configured one or the kind's default."""
        return self.threshold if self.threshold is not None else DEFAULT_THRESHOLDS[self.kind]


@dataclass(frozen=True, slots=True, kw_only=True)
class Baseline:
    """The robust expectation a spike is measured against."""

    median: float
    mad: float
    spread: float
    limit: float
    buckets: int
    is_seasonal: bool


def evaluate(rule: Rule, window: Window, now: datetime) -> list[Alert]:
    """Return what `rule` finds alert-worthy in the `rule.window` of `window` that ends at `now`."""
    start = now - rule.window
    current = window.since(start)
    # distinct posts only: an echo (repost, copy) is counted once, under its original
    mentions = tuple(m for m in current.mentions if m.published_at <= now and m.echo_of is None)
    scoped = Window(start=start, end=now, mentions=mentions, history=window.history, bucket=window.bucket)
    return list(_EVALUATORS[rule.kind](rule, scoped, start, now))


def evaluate_all(rules: Iterable[Rule], window: Window, now: datetime) -> list[Alert]:
    """Evaluate every rule over one shared window."""
    return [alert for rule in rules for alert in evaluate(rule, window, now)]


def _topics(rule: Rule, window: Window) -> tuple[str, ...]:
    return rule.topics or window.topics()


def baseline(rule: Rule, history: Sequence[HistoryBucket], bucket: timedelta,
             at: datetime) -> Baseline | None:
    """Return the spike limit for a window starting at ``at``, or None without enough history."""
    chosen = list(history)
    is_seasonal = False
    if rule.seasonal:
        same_hour = [b for b in history if b.start.hour == at.hour]
        if len(same_hour) >= max(3, rule.min_history // 2):
            chosen, is_seasonal = same_hour, True
    if len(chosen) < rule.min_history:
        return None
    scale = rule.window / bucket if bucket else 1.0
    counts = [b.negative * scale for b in chosen]
    median = statistics.median(counts)
    mad = statistics.median(abs(c - median) for c in counts)
    spread = max(MAD_TO_SIGMA * mad, math.sqrt(max(median, 1.0)))
    return Baseline(median=median, mad=mad, spread=spread, limit=median + rule.limit * spread,
                    buckets=len(chosen), is_seasonal=is_seasonal)


def _negative_spike(rule: Rule, window: Window, start: datetime, now: datetime) -> Iterable[Alert]:
    for topic in _topics(rule, window):
        mentions = window.for_topic(topic)
        negatives = [m for m in mentions if m.is_negative]
        if len(negatives) < rule.min_volume:
            continue
        past = [b for b in window.history.get(topic, ()) if b.start + window.bucket <= start]
        base = baseline(rule, past, window.bucket, start)
        if base is None or len(negatives) <= base.limit:
            continue
        ratio = len(negatives) / base.median if base.median else None
        why = (f"{len(negatives)} negative mentions in {_span(rule.window)}, above the limit "
               f"{base.limit:.1f} (usual {base.median:.1f} ± {base.spread:.1f}, k={rule.limit:g}, "
               f"{base.buckets} {'same-hour ' if base.is_seasonal else ''}past windows)")
        yield _alert(rule, topic, start, now, negatives, mentions=mentions, reason="spike", why=why,
                     title=f"Negative spike on {topic}: {len(negatives)} negative mentions",
                     extra={"baseline": {"median": base.median, "mad": base.mad, "spread": base.spread,
                                         "limit": base.limit, "buckets": base.buckets,
                                         "seasonal": base.is_seasonal},
                            "ratio": ratio})


def _negative_share(rule: Rule, window: Window, start: datetime, now: datetime) -> Iterable[Alert]:
    for topic in _topics(rule, window):
        mentions = window.for_topic(topic)
        analysed = [m for m in mentions if m.sentiment is not None]
        if len(analysed) < rule.min_volume:
            continue
        negatives = [m for m in analysed if m.is_negative]
        share = len(negatives) / len(analysed)
        if share <= rule.limit:
            continue
        why = (f"{share:.0%} of {len(analysed)} analysed mentions are negative, above {rule.limit:.0%} "
               f"(minimum volume {rule.min_volume})")
        yield _alert(rule, topic, start, now, negatives, mentions=mentions, reason="share", why=why,
                     title=f"Negative share on {topic}: {share:.0%} of {len(analysed)} mentions",
                     extra={"share": share, "analysed": len(analysed)})


def _influencer_negative(rule: Rule, window: Window, start: datetime, now: datetime) -> Iterable[Alert]:
    watched = set(rule.topics)
    hits = [m for m in window.mentions
            if m.is_negative and m.reach >= rule.limit and (not watched or watched & set(m.topics))]
    by_author: dict[str, list[WindowMention]] = {}
    for mention in hits:
        by_author.setdefault(mention.author_key, []).append(mention)
    for author, mentions in sorted(by_author.items()):
        first = mentions[0]
        topics = sorted({t for m in mentions for t in m.topics})
        why = (f"@{first.author_handle} (reach {first.reach:,.0f}, threshold {rule.limit:,.0f}) posted "
               f"{len(mentions)} negative mention(s)")
        yield _alert(rule, author, start, now, mentions, mentions=mentions, reason="influencer", why=why,
                     title=f"Influential author @{first.author_handle} is unhappy",
                     extra={"author": first.author_handle, "reach": first.reach, "topics": topics})


def _keyword(rule: Rule, window: Window, start: datetime, now: datetime) -> Iterable[Alert]:
    if rule.matcher is None:
        return
    matcher = rule.matcher
    matched = [m for m in window.mentions if matcher(f"{m.title or ''}\n{m.text}")]
    groups: dict[str, list[WindowMention]] = {}
    for mention in matched:
        topics = [t for t in mention.topics if not rule.topics or t in rule.topics]
        if not topics and not rule.topics:
            topics = [ALL_TOPICS]
        for topic in topics:
            groups.setdefault(topic, []).append(mention)
    for topic, mentions in sorted(groups.items()):
        why = f"{len(mentions)} mention(s) match the crisis query {rule.query!r}"
        yield _alert(rule, topic, start, now, mentions, mentions=mentions, reason="keyword", why=why,
                     title=f"Crisis terms on {topic}: {len(mentions)} mention(s)",
                     extra={"query": rule.query})


_EVALUATORS: Mapping[str, Callable[[Rule, Window, datetime, datetime], Iterable[Alert]]] = {
    "negative_spike": _negative_spike,
    "negative_share": _negative_share,
    "influencer_negative": _influencer_negative,
    "keyword": _keyword,
}
KINDS: tuple[str, ...] = tuple(_EVALUATORS)
"""Every rule kind, for docs and config checks."""


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}min"


def _rank(mention: WindowMention) -> float:
    return mention.reach + 10.0 * mention.engagement


def top_mentions(mentions: Iterable[WindowMention], n: int = TOP_N) -> list[dict[str, JSON]]:
    """Return the ``n`` most visible mentions (author reach, engagement) as JSON rows with links."""
    ranked = sorted(mentions, key=lambda m: (-_rank(m), m.id))[:n]
    return [{"id": m.id, "url": m.url, "source": m.source, "author": m.author_handle,
             "reach": m.reach, "text": m.text[:280], "title": m.title, "sentiment": m.sentiment,
             "published_at": m.published_at.isoformat(), "echoes": m.echoes} for m in ranked]


def top_authors(mentions: Iterable[WindowMention], n: int = TOP_N) -> list[dict[str, JSON]]:
    """Return the ``n`` authors with the most mentions (ties by reach) as JSON rows."""
    counts: Counter[str] = Counter()
    info: dict[str, WindowMention] = {}
    for m in mentions:
        counts[m.author_key] += 1
        info.setdefault(m.author_key, m)
    ranked = sorted(counts, key=lambda k: (-counts[k], -info[k].reach, k))[:n]
    return [{"key": k, "handle": info[k].author_handle, "mentions": counts[k], "reach": info[k].reach}
            for k in ranked]


def _alert(rule: Rule, subject: str, start: datetime, now: datetime, hits: Sequence[WindowMention], *,
           mentions: Sequence[WindowMention], reason: str, why: str, title: str,
           extra: Mapping[str, JSON]) -> Alert:
    negatives = sum(1 for m in mentions if m.is_negative)
    details: dict[str, JSON] = {
        "reason": reason, "why": why, "topic": subject if reason != "influencer" else None,
        "count": len(hits), "total": len(mentions), "negative": negatives,
        "window_s": rule.window.total_seconds(), "threshold": rule.limit,
        "top_mentions": top_mentions(hits), "top_authors": top_authors(hits), **extra,
    }
    return Alert(rule_id=rule.id, kind=rule.kind, subject=subject, severity=rule.severity,
                 window_start=start, window_end=now, title=title, summary=why, details=details,
                 mention_ids=tuple(sorted(m.id for m in hits)))
