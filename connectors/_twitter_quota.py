"""X's monthly post cap: this month's key, the operator's usage figure and the fleet-wide gate.

X bills the posts recent search returns against a monthly cap. In one process the topics' cursors count
them (``TwitterConnector.fetch``); with several workers :class:`QuotaGate` draws on the shared quota
``twitter:posts`` (``connectors._http.MonthlyQuota``, kept in the database by the workers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from connectors._http import MonthlyQuota
from listener.core.errors import RetryLater

MAX_RESULTS = 100
"""Largest page recent search allows."""
MIN_RESULTS = 10
"""Smallest page recent search allows: fewer posts left than this under the cap means the cap is reached."""
QUOTA_KEY = "twitter:posts"
"""The fleet-wide monthly quota (``quota_usage`` rows) of posts read."""


def month_of(now: datetime) -> str:
    """Return the billing month of ``now`` (X counts calendar months, UTC)."""
    return now.strftime("%Y-%m")


def next_month(now: datetime) -> datetime:
    """Return the first instant of the month after ``now``'s (when the cap starts again)."""
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return (first + timedelta(days=32)).replace(day=1)


@dataclass(frozen=True, slots=True)
class CapUsage:
    """Posts read this month against the monthly post cap (summed over the topics' cursors)."""

    month: str
    posts_read: int
    cap: int


class QuotaGate:
    """One fetch's draws on the fleet-wide monthly cap: reserve before each request, give back after."""

    def __init__(self, quota: MonthlyQuota, month: str, cap: int, now: datetime) -> None:
        self.quota = quota
        self.month = month
        self.cap = cap
        self.now = now
        self.granted_any = False

    def take(self, query_id: str) -> int:
        """Reserve a page's posts; 0 when the cap is reached mid-fetch; raise when reached at its start."""
        granted, used = self.quota.reserve(self.month, MAX_RESULTS, self.cap)
        if granted >= MIN_RESULTS:
            self.granted_any = True
            return granted
        self.quota.give_back(self.month, granted)
        if self.granted_any:
            return 0
        wait = (next_month(self.now) - self.now).total_seconds()
        raise RetryLater(
            f"twitter: monthly post cap reached for all workers ({used - granted}/{self.cap} posts read in "
            f"{self.month}); {query_id} waits until {next_month(self.now):%Y-%m-%d} "
            "(raise sources.twitter.monthly_post_cap if your X plan allows more)",
            retry_after_s=wait,
            source="twitter",
        )
