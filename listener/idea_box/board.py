"""The ideas board: ideas ranked by support, the weekly report, and the public roadmap's data.

Glue: reads ideas and their posts from storage, the period's bot verdicts and influence scores from
``listener.author_report``, and ranks with ``analysis.ideas.ranking``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from analysis.ideas.ranking import Contribution, RankSettings, Support, rank, support
from listener import author_report
from storage import Repository
from storage.idea_records import IdeaPost, IdeaRecord

LIVE = ("new", "under_review", "planned", "shipped", "declined")


@dataclass(frozen=True, slots=True, kw_only=True)
class Crowd:
    """Who is a bot and how influential each author is, over the period the board looks at."""

    bots: frozenset[str] = frozenset()
    influence: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def of(cls, repo: Repository, *, now: datetime, days: float = 30.0) -> Crowd:
        """Mark bots and score influence over the ``days`` before ``now``."""
        activity = author_report.load_activity(repo, author_report.Period.last(days, now=now), now=now)
        scores = {a.key: a.score for a in author_report.ranking(activity, now=now)}
        return cls(bots=activity.bot_keys, influence=scores)


@dataclass(frozen=True, slots=True, kw_only=True)
class BoardRow:
    """One idea on the board: the idea, its support, its posts."""

    idea: IdeaRecord
    support: Support
    posts: tuple[IdeaPost, ...]


def contributions(posts: Sequence[IdeaPost]) -> list[Contribution]:
    """Return the ranking's view of an idea's posts."""
    return [
        Contribution(
            author_key=p.author_key, kind=p.kind, at=p.published_at, engagement=p.engagement, lang=p.lang
        )
        for p in posts
    ]


def board(
    repo: Repository,
    *,
    now: datetime,
    crowd: Crowd,
    scope: str | None = None,
    statuses: Sequence[str] = LIVE,
    since: datetime | None = None,
    settings: RankSettings | None = None,
) -> list[BoardRow]:
    """Return the ideas of ``scope`` (all scopes when None) best first."""
    store = repo.ideas()
    ideas = {i.id: i for i in store.search(scope=scope, statuses=statuses)}
    posts = store.posts(sorted(ideas))
    supports = [
        support(
            i,
            contributions(posts[i]),
            now=now,
            bots=crowd.bots,
            influence=crowd.influence,
            since=since,
            settings=settings,
        )
        for i in ideas
    ]
    return [
        BoardRow(idea=ideas[s.idea_id], support=s, posts=tuple(posts[s.idea_id]))
        for s in rank(supports)
        if s.people > 0
    ]


def new_and_rising(rows: Sequence[BoardRow], *, since: datetime, limit: int = 5) -> list[BoardRow]:
    """Return the ideas opened since ``since`` or that won two or more supporters since then."""
    picked = [r for r in rows if r.idea.created_at >= since or r.support.new_people >= 2]
    return picked[:limit]


def weekly_report(repo: Repository, *, now: datetime, crowd: Crowd, days: float = 7.0) -> dict[str, Any]:
    """Return the week in ideas: new and rising per scope, status changes, loops closed."""
    since = now - timedelta(days=days)
    rows = board(repo, now=now, crowd=crowd, since=since)
    scopes: dict[str, list[dict[str, Any]]] = {}
    for row in new_and_rising(rows, since=since, limit=len(rows)):
        scopes.setdefault(row.idea.scope, []).append(summary(row))
    store = repo.ideas()
    changes = [
        {
            "idea": r.idea.id,
            "title": r.idea.title,
            "from": e.from_status,
            "to": e.to_status,
            "at": e.at.isoformat(),
        }
        for r in rows
        for e in store.history(r.idea.id)
        if e.kind == "status" and e.at >= since
    ]
    return {
        "since": since.isoformat(),
        "until": now.isoformat(),
        "new_and_rising": scopes,
        "status_changes": changes,
        "loops_closed": store.loops_closed(),
        "replies_waiting": len(store.replies(state="drafted")),
    }


def summary(row: BoardRow) -> dict[str, Any]:
    """Return one idea's line of a report (handles of supporters are not part of it)."""
    s = row.support
    return {
        "id": row.idea.id,
        "title": row.idea.title,
        "lang": row.idea.lang,
        "scope": row.idea.scope,
        "status": row.idea.status,
        "score": s.score,
        "people": s.people,
        "suggesters": s.suggesters,
        "voters": s.voters,
        "new_people": s.new_people,
        "engagement": s.engagement,
        "influence": s.influence,
        "bots_left_out": s.bots_left_out,
        "langs": dict(s.langs),
    }


def public_roadmap(repo: Repository, *, now: datetime, crowd: Crowd, scope: str) -> list[dict[str, Any]]:
    """Return the data of the opt-in public roadmap: titles, statuses and counts, no personal data.

    Only ideas a community manager took up (under review, planned, shipped) appear; the web page
    (issue 15/16) renders this list as it is.
    """
    rows = board(repo, now=now, crowd=crowd, scope=scope, statuses=("under_review", "planned", "shipped"))
    return [
        {
            "title": r.idea.title,
            "status": r.idea.status,
            "supporters": r.support.people,
            "updated_at": r.idea.updated_at.isoformat(),
        }
        for r in rows
    ]
