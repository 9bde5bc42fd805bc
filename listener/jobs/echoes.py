"""Group echoes among stored mentions: reposts, quotes and near-duplicates under one canonical mention.

Two ways in. :class:`EchoJob` is a stage of the service (``listener run`` and the workers): each run
takes only the mentions stored since its watermark (the newest id it handled, kept in storage) and
groups them with the recent canonical mentions they may echo (echoes arrive within hours or days of
the original, ``lookback``). The groups and the new watermark are written in one transaction, so a
crash leaves both as they were and the next run does the same work again. ``listener demo`` regroups
its whole week at once with :func:`refresh_echo_groups`.

The grouping itself is the pure ``analysis.echoes.group_echoes``; this module only reads from storage
and writes each mention's canonical id back. Every figure a user reads then counts distinct posts
(``WindowMention.echo_of``): alerts, the digest and the rankings.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from listener.service import JobResult

if TYPE_CHECKING:
    from storage import Repository, StoredMention

logger = logging.getLogger(__name__)


def refresh_echo_groups(repository: Repository, *, since: datetime, until: datetime) -> int:
    """Regroup the echoes of mentions published in ``[since, until)``; return how many are echoes."""
    from analysis.echoes import group_echoes

    stored = repository.window(since, until)
    ids = {s.mention.key: s.id for s in stored}
    groups = group_echoes(s.mention for s in stored)
    assignment: dict[int, int | None] = {s.id: None for s in stored}
    echoes = 0
    for group in groups:
        canonical = ids[group.canonical_key]
        for key in group.member_keys:
            if key in ids:
                assignment[ids[key]] = canonical
                echoes += 1
    repository.set_echo_groups(assignment)
    logger.info("echoes: %d of %d mentions grouped under %d originals", echoes, len(stored), len(groups),
                extra={"new": echoes})
    return echoes


def group_new_echoes(repository: Repository, *, lookback: timedelta, batch: int = 2000) -> tuple[int, int]:
    """Group the next ``batch`` mentions past the watermark; return ``(handled, echoes found)``.

    The pool is the new mentions plus the canonical mentions already handled and published within
    ``lookback`` before them. A new mention published before an old canonical one (a slow feed) becomes
    the canonical: the old one and its echoes move under it, so a group never has two originals.
    """
    from analysis.echoes import group_echoes
    from storage import MentionFilter

    mark = repository.echo_mark()
    new = repository.search_mentions(MentionFilter(min_id=mark, order="id", limit=batch))
    if not new:
        return 0, 0
    earliest = min(s.mention.published_at for s in new)
    latest = max(s.mention.published_at for s in new)
    known = [s for s in repository.window(earliest - lookback, latest + timedelta(microseconds=1))
             if s.id <= mark]
    echoes_of: dict[int, list[int]] = defaultdict(list)
    for s in known:
        if s.echo_of_id is not None:
            echoes_of[s.echo_of_id].append(s.id)
    pool: dict[int, StoredMention] = {s.id: s for s in known if s.echo_of_id is None}
    pool.update((s.id, s) for s in new)
    ids = {s.mention.key: s.id for s in pool.values()}
    assignment: dict[int, int | None] = {}
    found = 0
    for group in group_echoes(s.mention for s in pool.values()):
        canonical = ids[group.canonical_key]
        assignment[canonical] = None
        for key in group.member_keys:
            member = ids.get(key)
            if member is None:  # a referenced post that is not stored
                continue
            if pool[member].echo_of_id != canonical:
                found += member > mark
            assignment[member] = canonical
            for echo in echoes_of.get(member, ()):
                assignment[echo] = canonical
    repository.set_echo_groups(assignment, mark=max(s.id for s in new))
    return len(new), found


@dataclass
class EchoJob:
    """Group the echoes of what was stored since the last run (a stage of the service, after analysis)."""

    repository: Repository
    lookback: timedelta = timedelta(days=3)
    batch: int = 2000
    max_batches: int = 10
    """Per run, so one run after a long pause stays bounded; the rest is the backlog of the next runs."""

    def __call__(self, now: datetime) -> JobResult:
        """Handle up to ``batch * max_batches`` new mentions; report the echoes found and what is left."""
        echoes = 0
        for _ in range(self.max_batches):
            handled, found = group_new_echoes(self.repository, lookback=self.lookback, batch=self.batch)
            echoes += found
            if handled < self.batch:
                break
        from storage import MentionFilter

        left = self.repository.count_mentions(MentionFilter(min_id=self.repository.echo_mark()))
        if echoes:
            logger.info("echoes: %d new echo(es) grouped under their originals", echoes,
                        extra={"job": "echoes", "new": echoes})
        return JobResult(items=echoes, backlog=left)
