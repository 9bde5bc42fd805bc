"""Mark likely bots and spam accounts so rankings can leave them out (they are never deleted).

Each signal is cheap, explainable and listed in the verdict's ``reasons``:

- ``declared``: the platform says so (Mastodon's ``account.bot``), or the handle carries ``bot`` as a
  word (``news_bot``, ``PriceBot``) - weight 1.0;
- ``rate``: more than ``max_per_day`` mentions a day over the span we saw (at least one day, at
  least ``min_mentions_for_rate`` mentions) - weight 1.0;
- ``lifetime rate``: the account's own post count over its age above ``3 x max_per_day`` - weight
  0.5 only: on the real Twitter recordings, busy news desks and heavy retweeters (150-450 posts a day
  over years, retweets included) would otherwise all pass for bots;
- ``duplicates``: at least ``min_duplicate_share`` of an author's mentions (``min_texts`` or more)
  repeat another of their own texts once links, @handles, digits and case are removed - weight 1.0
  (with fewer texts, two people-written posts sharing a news headline would already count);
- ``young``: the account was created less than ``young_days`` before its first mention we saw -
  weight 0.5;
- ``generated handle``: a word followed by 6+ digits, as sign-up forms propose - weight 0.5.

An author is a bot when the weights add up to 1.0 or more: one strong signal, or both weak ones.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from listener.core.model import Mention

_BOT_WORD = re.compile(r"(?:^|[_\-.\d])bot(?:$|[_\-.\d])")
_CAMEL_BOT = re.compile(r"[a-z0-9]Bot(?:$|[_\-.\d])")
_GENERATED = re.compile(r"^[A-Za-z_]+\d{6,}$")
_NOISE = re.compile(r"https?://\S+|[@#]\w+|\d+")
_SPACE = re.compile(r"\W+")
_DAY_S = 86_400.0


@dataclass(frozen=True, slots=True, kw_only=True)
class BotSettings:
    """Thresholds of the bot signals."""

    max_per_day: float = 48.0
    min_mentions_for_rate: int = 10
    min_duplicate_share: float = 0.5
    min_texts: int = 5
    young_days: float = 7.0
    threshold: float = 1.0


@dataclass(frozen=True, slots=True, kw_only=True)
class BotVerdict:
    """Whether an author looks automated, and why."""

    key: str
    is_bot: bool
    score: float
    reasons: tuple[str, ...]


def _normalised(text: str) -> str:
    return _SPACE.sub(" ", _NOISE.sub(" ", text.lower())).strip()


def _declared(mentions: list[Mention]) -> bool:
    handle = mentions[-1].author.handle
    if _BOT_WORD.search(handle.lower()) or _CAMEL_BOT.search(handle):
        return True
    for m in mentions:
        account = m.raw.get("account") if isinstance(m.raw, Mapping) else None
        if isinstance(account, Mapping) and account.get("bot") is True:
            return True
    return False


def _observed_rate(mentions: list[Mention]) -> float:
    first, last = mentions[0].published_at, mentions[-1].published_at
    span_days = max((last - first).total_seconds() / _DAY_S, 1.0)
    return len(mentions) / span_days


def _lifetime_rate(mentions: list[Mention], now: datetime) -> float:
    author = mentions[-1].author
    if author.created_at is None or not author.posts_count:
        return 0.0
    age_days = max((now - author.created_at).total_seconds() / _DAY_S, 1.0)
    return author.posts_count / age_days


def _duplicate_share(mentions: list[Mention], min_texts: int) -> float:
    texts = [_normalised(m.text) for m in mentions if m.reposted_id is None]
    texts = [t for t in texts if t]
    if len(texts) < min_texts:
        return 0.0
    counts = Counter(texts)
    return sum(c for c in counts.values() if c > 1) / len(texts)


def judge_author(
    mentions: list[Mention], *, now: datetime, settings: BotSettings | None = None
) -> BotVerdict:
    """Judge one author from their mentions (sorted oldest first)."""
    s = settings or BotSettings()
    author = mentions[-1].author
    reasons: list[str] = []
    score = 0.0
    if _declared(mentions):
        score += 1.0
        reasons.append("declared: the account or its handle says it is a bot")
    rate = _observed_rate(mentions)
    if len(mentions) >= s.min_mentions_for_rate and rate > s.max_per_day:
        score += 1.0
        reasons.append(f"rate: {rate:.0f} mentions a day seen (limit {s.max_per_day:.0f})")
    lifetime = _lifetime_rate(mentions, now)
    if lifetime > 3 * s.max_per_day:
        score += 0.5
        reasons.append(f"lifetime rate: {lifetime:.0f} posts a day since the account was created")
    share = _duplicate_share(mentions, s.min_texts)
    if share >= s.min_duplicate_share:
        score += 1.0
        reasons.append(f"duplicates: {share:.0%} of its texts repeat one another")
    if author.created_at is not None:
        age = (mentions[0].published_at - author.created_at).total_seconds() / _DAY_S
        if age < s.young_days:
            score += 0.5
            reasons.append(f"young: created {max(age, 0):.1f} days before its first mention")
    if _GENERATED.match(author.handle):
        score += 0.5
        reasons.append("generated handle: a word followed by many digits")
    return BotVerdict(key=author.key, is_bot=score >= s.threshold, score=score, reasons=tuple(reasons))


def detect_bots(
    mentions: Iterable[Mention], *, now: datetime, settings: BotSettings | None = None
) -> dict[str, BotVerdict]:
    """Return a verdict for every author of ``mentions``, keyed by author key."""
    by_author: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        by_author[m.author.key].append(m)
    verdicts = {}
    for key in sorted(by_author):
        history = sorted(by_author[key], key=lambda m: (m.published_at, m.external_id))
        verdicts[key] = judge_author(history, now=now, settings=settings)
    return verdicts


def bot_keys(verdicts: Mapping[str, BotVerdict]) -> frozenset[str]:
    """Return the keys of the authors judged to be bots."""
    return frozenset(key for key, verdict in verdicts.items() if verdict.is_bot)
