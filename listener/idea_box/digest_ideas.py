"""The daily digest's "new and rising ideas": ideas opened, or backed by two or more new people, that day."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

from listener.core.model import JSON
from listener.idea_box.board import Crowd, board, new_and_rising
from listener.idea_box.messages import STATUS_LABELS, Lang
from storage import Repository


def idea_rows(repo: Repository, *, now: datetime, lang: Lang,
              days: float = 1.0) -> tuple[dict[str, JSON], ...]:
    """Return the ideas opened, or backed by two or more new people, in the ``days`` before ``now``."""
    since = now - timedelta(days=days)
    rows = board(repo, now=now, crowd=Crowd.of(repo, now=now, days=30.0), since=since)
    return tuple(
        {"title": r.idea.title, "people": r.support.people, "new_people": r.support.new_people,
         "status": r.idea.status, "status_label": STATUS_LABELS[r.idea.status][lang], "scope": r.idea.scope}
        for r in new_and_rising(rows, since=since)
    )


def with_ideas(digest: Any, repo: Repository, *, now: datetime, lang: Lang, days: float = 1.0) -> Any:
    """Return the digest with its ideas section filled (unchanged when the idea box is empty)."""
    ideas = idea_rows(repo, now=now, lang=lang, days=days)
    return dataclasses.replace(digest, ideas=ideas) if ideas else digest
