"""Who carries the conversation: opinion leaders, flag-bearers of discontent, and estranged authors.

- **Opinion leaders** (per topic and period): the authors with the highest influence computed on that
  topic and period only (so: the most engagement, echoes and replies there), with their dominant
  sentiment, so friends of the brand and critics both show.
- **Flag-bearers** ("porte-drapeaux"): ``flag = influence x negativity x activity`` where negativity is
  the mean over the author's mentions of ``max(P(negative), P(complaint))`` and activity is
  ``a / (a + 1)`` with ``a`` the author's mention count decayed by age (one fresh mention gives 0.5,
  three give 0.75). Their grievances are the mentions with the highest discontent weighted by
  engagement.
- **Estrangement** ("éloignement"): an author whose earlier mentions were neutral or positive (mean
  negativity below 0.35 over at least two) and whose recent ones turn negative (mean at least 0.6):
  flagged from the first recent negative mention, before they become a flag-bearer.

Bots (see :mod:`analysis.bots`) are passed in ``exclude`` and never ranked.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from analysis.influence import AuthorInfluence, InfluenceSettings, in_topic, mention_engagement, score_authors
from listener.core.model import Annotation, Mention


@dataclass(frozen=True, slots=True, kw_only=True)
class MentionSignals:
    """What analysis said about one mention, as probabilities."""

    negative: float = 0.0
    positive: float = 0.0
    complaint: float = 0.0

    @property
    def discontent(self) -> float:
        """Return how much this mention voices discontent: the larger of negativity and complaint."""
        return max(self.negative, self.complaint)


SignalMap = Mapping[tuple[str, str], MentionSignals]


def signals_from_annotations(annotations: Iterable[Annotation]) -> dict[tuple[str, str], MentionSignals]:
    """Collect sentiment and intent annotations into per-mention signals.

    Reads the ``sentiment`` stage's ``negative``/``positive`` scores (or its label when there are no
    scores) and the ``intent`` stage's ``complaint`` score (or label).
    """
    found: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for a in annotations:
        if a.stage == "sentiment":
            for label in ("negative", "positive"):
                value = a.scores.get(label)
                found[a.key][label] = float(value) if value is not None else float(a.label == label)
        elif a.stage == "intent":
            value = a.scores.get("complaint")
            found[a.key]["complaint"] = float(value) if value is not None else float(a.label == "complaint")
    return {key: MentionSignals(**values) for key, values in found.items()}


def signals_from_labels(
    sentiment: str | None, sentiment_score: float | None, intents: Iterable[str]
) -> MentionSignals:
    """Build signals from the labels storage keeps on a mention (sentiment, its score, intents).

    Storage's ``sentiment_score`` is P(positive) - P(negative) when the stage gave both, else the
    winning label's probability; so its magnitude, with the label's direction, is read as the
    strength (at least 0.5 for the winning label). Without a score the label counts as certain.
    """
    complaint = float("complaint" in set(intents))
    if sentiment_score is None:
        return MentionSignals(
            negative=float(sentiment == "negative"),
            positive=float(sentiment == "positive"),
            complaint=complaint,
        )
    strength = max(0.5, min(1.0, abs(sentiment_score)))
    if sentiment == "negative":
        return MentionSignals(negative=strength, complaint=complaint)
    if sentiment == "positive":
        return MentionSignals(positive=strength, complaint=complaint)
    return MentionSignals(negative=max(0.0, -sentiment_score), complaint=complaint)


@dataclass(frozen=True, slots=True, kw_only=True)
class OpinionLeader:
    """An author who draws engagement on a topic, with where they stand."""

    influence: AuthorInfluence
    stance: str
    """``"friend"``, ``"critic"`` or ``"neutral"``: the dominant sentiment of their mentions."""
    positive: float
    negative: float
    engagement: float
    """Raw engagement points their mentions earned in the period (no decay)."""
    echoes: int
    """Reposts and quotes of their mentions, as reported or observed."""
    mentions: int


@dataclass(frozen=True, slots=True, kw_only=True)
class FlagBearer:
    """An influential author who keeps voicing discontent, with their grievances."""

    influence: AuthorInfluence
    flag: float
    """0-100: influence x negativity x activity."""
    negativity: float
    activity: float
    grievances: tuple[Mention, ...]
    is_estranged: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Estrangement:
    """An author turning negative: their earlier and recent mean negativity."""

    key: str
    handle: str
    earlier: float
    recent: float
    earlier_mentions: int
    recent_mentions: int
    turned_at: datetime
    """When their first recent negative mention was published."""


def _period(
    mentions: Iterable[Mention], topic: str | None, since: datetime | None, until: datetime | None
) -> list[Mention]:
    return [
        m
        for m in mentions
        if in_topic(m, topic)
        and (since is None or m.published_at >= since)
        and (until is None or m.published_at < until)
    ]


def _by_author(mentions: Iterable[Mention]) -> dict[str, list[Mention]]:
    grouped: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        grouped[m.author.key].append(m)
    for history in grouped.values():
        history.sort(key=lambda m: (m.published_at, m.external_id))
    return grouped


def opinion_leaders(
    mentions: Iterable[Mention],
    signals: SignalMap,
    *,
    now: datetime,
    topic: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    exclude: Iterable[str] = (),
    limit: int = 20,
    settings: InfluenceSettings | None = None,
    echoes: Mapping[tuple[str, str], int] | None = None,
) -> list[OpinionLeader]:
    """Return the most influential authors of a topic and period, friends and critics alike.

    Authors whose mentions drew no engagement and no replies, quotes or reposts are not leaders.
    """
    chosen = _period(mentions, topic, since, until)
    excluded = frozenset(exclude)
    echo_counts = echoes or {}
    ranked = score_authors(chosen, now=now, settings=settings, exclude=excluded, echoes=echo_counts)
    grouped = _by_author(chosen)
    reposted = Counter(m.reposted_id for m in chosen if m.reposted_id is not None)
    leaders: list[OpinionLeader] = []
    for inf in ranked:
        if len(leaders) == limit:
            break
        if inf.engagement_raw <= 0 and inf.network <= 0:
            continue  # nobody engaged with them: not leading anything
        own = [m for m in grouped[inf.key] if m.reposted_id is None] or grouped[inf.key]
        sig = [signals.get(m.key, MentionSignals()) for m in own]
        pos = sum(s.positive for s in sig) / len(sig)
        neg = sum(s.negative for s in sig) / len(sig)
        stance = "friend" if pos >= 0.5 and pos > neg else "critic" if neg >= 0.5 and neg > pos else "neutral"
        shared = sum(
            max(
                (m.metrics.reposts or 0) + (m.metrics.quotes or 0),
                echo_counts.get(m.key, 0),
                reposted[m.external_id],
            )
            for m in own
        )
        leaders.append(
            OpinionLeader(
                influence=inf,
                stance=stance,
                positive=round(pos, 3),
                negative=round(neg, 3),
                engagement=sum(mention_engagement(m, echo_counts.get(m.key, 0)) for m in own),
                echoes=shared,
                mentions=len(grouped[inf.key]),
            )
        )
    return leaders


def estranged_authors(
    mentions: Iterable[Mention],
    signals: SignalMap,
    *,
    now: datetime,
    recent: timedelta = timedelta(days=14),
    exclude: Iterable[str] = (),
) -> list[Estrangement]:
    """Return authors who were neutral or positive before ``now - recent`` and are negative since."""
    cut = now - recent
    excluded = frozenset(exclude)
    found = []
    for key, history in sorted(_by_author(mentions).items()):
        if key in excluded:
            continue
        scored = [
            (m, signals[m.key].discontent) for m in history if m.key in signals and m.published_at <= now
        ]
        earlier = [d for m, d in scored if m.published_at < cut]
        later = [(m, d) for m, d in scored if m.published_at >= cut]
        if len(earlier) < 2 or not later:
            continue
        before = sum(earlier) / len(earlier)
        after = sum(d for _, d in later) / len(later)
        if before < 0.35 and after >= 0.6:
            turned = next(m.published_at for m, d in later if d >= 0.5)
            found.append(
                Estrangement(
                    key=key,
                    handle=history[-1].author.handle,
                    earlier=round(before, 3),
                    recent=round(after, 3),
                    earlier_mentions=len(earlier),
                    recent_mentions=len(later),
                    turned_at=turned,
                )
            )
    return found


def flag_bearers(
    mentions: Sequence[Mention],
    signals: SignalMap,
    *,
    now: datetime,
    topic: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    exclude: Iterable[str] = (),
    limit: int = 20,
    grievances: int = 3,
    settings: InfluenceSettings | None = None,
    echoes: Mapping[tuple[str, str], int] | None = None,
    echoed: Collection[tuple[str, str]] = (),
) -> list[FlagBearer]:
    """Rank authors by influence x negativity x recent activity, with their most telling grievances.

    Only an author's own posts make them a voice: reposts, and the copies in ``echoed`` (mentions the
    echo stage grouped under another's original), count for the original, not for whoever echoed it.
    """
    copies = frozenset(echoed)
    s = settings or InfluenceSettings()
    excluded = frozenset(exclude)
    chosen = _period(mentions, topic, since, until)
    echo_counts = echoes or {}
    influence = {
        r.key: r for r in score_authors(chosen, now=now, settings=s, exclude=excluded, echoes=echo_counts)
    }
    estranged = {
        e.key
        for e in estranged_authors(_period(mentions, topic, None, until), signals, now=now, exclude=excluded)
    }
    half_life_s = s.half_life_days * 86_400.0
    found = []
    for key, history in _by_author(chosen).items():
        own = [m for m in history if m.reposted_id is None and m.key not in copies]
        if key not in influence or not own:
            continue
        disc = [(m, signals.get(m.key, MentionSignals()).discontent) for m in own]
        if max(d for _, d in disc) < 0.5:
            continue
        negativity = sum(d for _, d in disc) / len(disc)
        decayed = sum(2.0 ** (-max((now - m.published_at).total_seconds(), 0.0) / half_life_s) for m in own)
        activity = decayed / (decayed + 1.0)
        flag = influence[key].score * negativity * activity
        telling = sorted(
            (x for x in disc if x[1] >= 0.5),
            key=lambda x: (
                -x[1] * math.log2(2.0 + mention_engagement(x[0], echo_counts.get(x[0].key, 0))),
                -x[0].published_at.timestamp(),
                x[0].external_id,
            ),
        )
        found.append(
            FlagBearer(
                influence=influence[key],
                flag=round(flag, 2),
                negativity=round(negativity, 3),
                activity=round(activity, 3),
                grievances=tuple(m for m, _ in telling[:grievances]),
                is_estranged=key in estranged,
            )
        )
    found.sort(key=lambda f: (-f.flag, f.influence.key))
    return found[:limit]
