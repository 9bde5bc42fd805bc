"""The retention job: every night, delete mentions older than ``retention.mentions_days``.

Their daily counts are kept (``storage.retention``), so past volumes do not change; ``listener db
prune`` does the same by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from listener.service import JobResult

if TYPE_CHECKING:
    from storage import Repository


@dataclass
class RetentionJob:
    """Prune the mentions published more than ``keep`` before ``now``; report how many went."""

    repository: Repository
    keep: timedelta

    def __call__(self, now: datetime) -> JobResult:
        """Delete the mentions older than the limit (their daily counts stay)."""
        return JobResult(items=self.repository.prune_mentions(now - self.keep))
