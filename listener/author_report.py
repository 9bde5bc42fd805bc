"""Read authors' activity from storage and run the author analyses on it (what the CLI and web show).

This is glue, not logic: it loads a period's mentions with their stored sentiment and intents, marks
bots, and calls :mod:`analysis.influence`, :mod:`analysis.authors` and :mod:`analysis.bots`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from analysis.authors import (
    Estrangement,
    FlagBearer,
    MentionSignals,
    OpinionLeader,
    estranged_authors,
    flag_bearers,
    opinion_leaders,
    signals_from_labels,
)
from analysis.bots import BotVerdict, bot_keys, detect_bots
from analysis.influence import AuthorInfluence, score_authors
from listener.core.model import Mention
from storage import Repository
from storage.records import MentionFilter, StoredAuthor, StoredMention

Role = Literal["leader", "flag-bearer"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Period:
    """Which mentions an analysis reads: a time window, optionally one topic and one source."""

    since: datetime
    until: datetime
    topic: str | None = None
    source: str | None = None

    @classmethod
    def last(
        cls, days: float, *, now: datetime, topic: str | None = None, source: str | None = None
    ) -> Period:
        """Return the ``days`` before ``now``."""
        return cls(since=now - timedelta(days=days), until=now, topic=topic, source=source)


@dataclass(frozen=True, slots=True, kw_only=True)
class Activity:
    """A period's mentions, their analysis signals, and the bot verdicts on their authors."""

    stored: tuple[StoredMention, ...]
    signals: dict[tuple[str, str], MentionSignals]
    bots: dict[str, BotVerdict]

    @property
    def echoes(self) -> dict[tuple[str, str], int]:
        """Return how many collected mentions echo each canonical one (storage's echo groups)."""
        return {s.mention.key: s.echo_count for s in self.stored if s.echo_count}

    @property
    def echoed(self) -> frozenset[tuple[str, str]]:
        """Return the keys of mentions grouped under another's original (not a voice of their own)."""
        return frozenset(s.mention.key for s in self.stored if s.echo_of_id is not None)

    @property
    def mentions(self) -> list[Mention]:
        """Return the contract mentions (topics filled in)."""
        return [s.mention for s in self.stored]

    @property
    def bot_keys(self) -> frozenset[str]:
        """Return the keys of authors judged to be bots."""
        return bot_keys(self.bots)


def load_activity(repo: Repository, period: Period, *, now: datetime) -> Activity:
    """Load the period's mentions (oldest first) and derive signals and bot verdicts."""
    flt = MentionFilter(
        since=period.since,
        until=period.until,
        topics=(period.topic,) if period.topic else (),
        sources=(period.source,) if period.source else (),
        order="oldest",
        limit=None,
    )
    stored = tuple(repo.search_mentions(flt))
    signals = {s.mention.key: signals_from_labels(s.sentiment, s.sentiment_score, s.intents) for s in stored}
    bots = detect_bots((s.mention for s in stored), now=now)
    return Activity(stored=stored, signals=signals, bots=bots)


def ranking(activity: Activity, *, now: datetime, include_bots: bool = False) -> list[AuthorInfluence]:
    """Return every author of the period by influence, bots left out unless asked."""
    exclude = () if include_bots else activity.bot_keys
    return score_authors(activity.mentions, now=now, exclude=exclude, echoes=activity.echoes)


def leaders(activity: Activity, *, now: datetime, limit: int = 20) -> list[OpinionLeader]:
    """Return the period's opinion leaders (bots excluded)."""
    return opinion_leaders(
        activity.mentions, activity.signals, now=now, exclude=activity.bot_keys, limit=limit
    )


def bearers(activity: Activity, *, now: datetime, limit: int = 20) -> list[FlagBearer]:
    """Return the period's flag-bearers of discontent (bots excluded)."""
    return flag_bearers(
        activity.mentions,
        activity.signals,
        now=now,
        exclude=activity.bot_keys,
        limit=limit,
        echoes=activity.echoes,
        echoed=activity.echoed,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthorProfile:
    """One author: who they are, their score breakdown, their recent mentions, and warnings."""

    author: StoredAuthor
    influence: AuthorInfluence | None
    """None when they posted nothing in the period (or are a bot)."""
    rank: int | None
    ranked: int
    bot: BotVerdict | None
    estrangement: Estrangement | None
    recent: tuple[StoredMention, ...]
    first_posted_at: datetime | None = None
    """When the earliest stored post was published (``first_seen_at`` is the day it was collected)."""


class AmbiguousAuthor(ValueError):
    """A plain handle that several sources share: the message lists them, to pick one."""


def find_author(repo: Repository, key: str) -> StoredAuthor | None:
    """Find an author by row id, ``source:external_id``, ``source:handle`` / ``source:@handle``, or a
    plain handle (``claire_techfr``, ``@claire_techfr``) when one source only has it."""
    if key.isdigit():
        return repo.get_author(int(key))
    if ":" in key:
        found = repo.get_author(key)
        if found is not None:
            return found
    source, handle = key.split(":", 1) if ":" in key else (None, key)
    matches = repo.authors(source=source, handle=handle, limit=None)
    if len(matches) > 1:
        listed = ", ".join(f"{a.author.source}:@{a.author.handle.lstrip('@')}" for a in matches)
        raise AmbiguousAuthor(f"several authors are @{handle.lstrip('@')}: {listed}; give one of these")
    return matches[0] if matches else None


def profile(
    repo: Repository, key: str, *, now: datetime, days: float = 30.0, recent: int = 10
) -> AuthorProfile | None:
    """Return an author's profile, scored against everyone active in the last ``days``."""
    stored = find_author(repo, key)
    if stored is None:
        return None
    activity = load_activity(repo, Period.last(days, now=now), now=now)
    ranked = ranking(activity, now=now)
    author_key = stored.author.key
    position = next((i for i, r in enumerate(ranked) if r.key == author_key), None)
    history = repo.search_mentions(MentionFilter(author_id=stored.id, order="newest", limit=recent))
    own = [s.mention for s in activity.stored if s.mention.author.key == author_key]
    estranged = estranged_authors(own, activity.signals, now=now)
    return AuthorProfile(
        author=stored,
        influence=ranked[position] if position is not None else None,
        rank=position + 1 if position is not None else None,
        ranked=len(ranked),
        bot=activity.bots.get(author_key),
        estrangement=estranged[0] if estranged else None,
        recent=tuple(history),
        first_posted_at=next((s.mention.published_at for s in repo.search_mentions(
            MentionFilter(author_id=stored.id, order="oldest", limit=1))), None),
    )


def sentiment_of(mention: StoredMention) -> str:
    """Return a short sentiment label for display."""
    return mention.sentiment or "-"


def short(text: str, width: int = 90) -> str:
    """Return ``text`` on one line, cut to ``width`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def keys_of(items: Sequence[AuthorInfluence]) -> list[str]:
    """Return the author keys of a ranking, in order."""
    return [i.key for i in items]


def demo_sections(
    repo: Repository, *, now: datetime, days: float = 30.0, limit: int = 8, lang: str = "en"
) -> dict[str, list[tuple[str, ...]]]:
    """Return the author tables the demo shows: both rankings side by side, leaders, flag-bearers.

    Rows are plain strings, in the shape ``listener.demo.DemoReport.sections`` holds; titles and
    labels are in ``lang``, handles and figures as they are.
    """
    from alerts.i18n import translator

    _ = translator(lang)
    activity = load_activity(repo, Period.last(days, now=now), now=now)
    ranked = ranking(activity, now=now)
    by_audience = sorted(
        (r for r in ranked if r.audience is not None), key=lambda r: (-(r.audience or 0), r.key)
    )
    side: list[tuple[str, ...]] = [
        ("#", _("by influence score"), _("score"), _("by raw followers"), _("followers"))]
    for i in range(min(limit, len(ranked))):
        left = ranked[i]
        right = by_audience[i] if i < len(by_audience) else None
        side.append(
            (
                str(i + 1),
                f"@{left.handle}",
                f"{left.score:.1f}",
                f"@{right.handle}" if right else "",
                f"{right.audience:,}" if right and right.audience is not None else "",
            )
        )
    lead_rows: list[tuple[str, ...]] = [
        (f"@{x.influence.handle}", x.stance, f"{x.influence.score:.1f}",
         _("{engagement} engagement").format(engagement=f"{x.engagement:,.0f}"))
        for x in leaders(activity, now=now, limit=limit)
    ]
    bearer_rows: list[tuple[str, ...]] = [
        (
            f"@{b.influence.handle}",
            _("flag {flag}").format(flag=f"{b.flag:.1f}"),
            _("{share} negative").format(share=f"{b.negativity:.0%}")
            + (_(", turning negative") if b.is_estranged else ""),
            short(b.grievances[0].text, 70) if b.grievances else "",
        )
        for b in bearers(activity, now=now, limit=limit)
    ]
    return {
        _("Top authors: influence score vs raw followers"): side,
        _("Opinion leaders (friends and critics)"): lead_rows,
        _("Flag-bearers of discontent"): bearer_rows,
    }
