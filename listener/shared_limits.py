"""Provider request rates shared by every worker process: the HTTP token buckets kept in the database.

``connectors._http.HttpClient`` waits on a per-host token bucket before each request. In one process
(``listener run``) the in-memory :class:`~connectors._http.HostLimiter` is enough; with several worker
processes on several machines each would allow the full rate and together they would exceed the
provider's limit. :class:`SharedHostLimiter` hands the client buckets that draw from one row per host
in PostgreSQL (``storage.coordination.reserve_token``), so the rate holds for the whole fleet. A
pause after a 429 is shared the same way (:meth:`SharedHostLimiter.pause`), and so are monthly caps
(:class:`SharedMonthlyQuota`, the ``quota_usage`` rows: X's posts read per month).
"""

from __future__ import annotations

from connectors._http import HostLimiter, HttpPolicy, MonthlyQuota, TokenBucket
from storage.coordinator import Coordinator


class SharedTokenBucket(TokenBucket):
    """A token bucket whose tokens live in the database (one row per host, for every worker)."""

    def __init__(self, coordinator: Coordinator, key: str, rate_per_s: float, burst: int) -> None:
        super().__init__(rate_per_s, burst)
        self._coordinator = coordinator
        self.key = key

    def reserve(self, now: float) -> float:
        """Take one token from the shared bucket; return the seconds to wait (``now`` is not needed)."""
        del now  # the database row keeps its own stamp, from the repository's clock
        return self._coordinator.reserve_token(self.key, self.rate_per_s, self.burst)


class SharedMonthlyQuota:
    """A monthly allowance every worker draws from: one ``quota_usage`` row per (key, month)."""

    def __init__(self, coordinator: Coordinator, key: str) -> None:
        self._coordinator = coordinator
        self.key = key

    def reserve(self, month: str, want: int, cap: int) -> tuple[int, int]:
        """Take up to ``want`` units under ``cap``; return (granted, used after)."""
        return self._coordinator.reserve_quota(self.key, month, want, cap)

    def give_back(self, month: str, amount: int) -> None:
        """Return units reserved but not used."""
        self._coordinator.release_quota(self.key, month, amount)


class SharedHostLimiter(HostLimiter):
    """Per-host token buckets every worker process shares (what the workers' HTTP clients get)."""

    def __init__(self, coordinator: Coordinator) -> None:
        super().__init__()
        self._coordinator = coordinator

    def bucket(self, host: str, policy: HttpPolicy) -> TokenBucket:
        """Return the shared bucket of ``host`` at ``policy``'s rate."""
        return SharedTokenBucket(self._coordinator, f"host:{host}", policy.rate_per_s, policy.burst)

    def pause(self, host: str, seconds: float) -> None:
        """Hold every worker's requests to ``host`` for ``seconds`` (the host said retry later)."""
        self._coordinator.pause_bucket(f"host:{host}", seconds)

    def monthly_quota(self, key: str) -> MonthlyQuota:
        """Return the fleet-wide monthly quota ``key`` (e.g. ``twitter:posts``)."""
        return SharedMonthlyQuota(self._coordinator, key)
