"""Group echoes among stored mentions: reposts, quotes and near-duplicates under one canonical mention.

Runs over a recent window (echoes arrive within hours or days of the original), so its cost follows the
window, not the whole history. The grouping itself is the pure ``analysis.echoes.group_echoes``; this
module only reads the window from storage and writes each mention's canonical id back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from analysis.echoes import group_echoes
from listener.service import JobResult

if TYPE_CHECKING:
    from storage import Repository

logger = logging.getLogger(__name__)


def refresh_echo_groups(repository: Repository, *, since: datetime, until: datetime) -> int:
    """Regroup the echoes of mentions published in ``[since, until)``; return how many are echoes."""
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


@dataclass
class EchoJob:
    """Regroup echoes over the recent ``lookback`` window, as a scheduled job (the demo runs it once)."""

    repository: Repository
    lookback: timedelta = timedelta(days=3)

    def __call__(self, now: datetime) -> JobResult:
        """Group the echoes of mentions published in ``[now - lookback, now)``."""
        return JobResult(items=refresh_echo_groups(self.repository, since=now - self.lookback, until=now))
