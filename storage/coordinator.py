"""The facade workers and the scheduler use to agree with each other (see ``storage/coordination.py``).

Each method is one short transaction of its own (retried like every repository call), so a lease or a
claim is visible to the other processes as soon as the method returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.engine import Connection

from listener.core.clock import Clock
from storage import coordination
from storage._database import Database
from storage.coordination import Lease
from storage.records import StoredMention


class Coordinator:
    """Leases, analysis claims, shared rate buckets and quotas on the repository's database."""

    def __init__(self, database: Database, *, clock: Clock) -> None:
        self._db = database
        self._dialect = database.dialect
        self._clock = clock

    def acquire_lease(self, name: str, holder: str, ttl_s: float) -> Lease | None:
        """Take or renew the lease ``name`` for ``ttl_s`` seconds; None while another holds it."""
        now = self._clock()
        return self._db.run(
            lambda conn: coordination.acquire_lease(
                conn, self._dialect, name=name, holder=holder, ttl_s=ttl_s, now=now
            )
        )

    def release_lease(self, name: str, holder: str) -> bool:
        """Give the lease up now (others may take it at once); False if ``holder`` did not hold it."""
        now = self._clock()
        return self._db.run(lambda conn: coordination.release_lease(conn, name, holder, now))

    def live_leases(self, prefix: str = "") -> list[Lease]:
        """Return the unexpired leases whose name starts with ``prefix`` (leader, runs, workers)."""
        now = self._clock()
        return self._db.read(lambda conn: coordination.live_leases(conn, prefix, now))

    def claim_unanalysed(
        self, stage: str, version: str, worker: str, *, limit: int = 500, ttl_s: float = 600.0
    ) -> list[StoredMention]:
        """Claim a batch of mentions lacking ``stage`` at ``version``; nobody else gets them for ``ttl_s``."""
        now = self._clock()

        def work(conn: Connection) -> list[StoredMention]:
            return coordination.claim_unanalysed(
                conn,
                self._dialect,
                stage=stage,
                version=version,
                worker=worker,
                limit=limit,
                ttl_s=ttl_s,
                now=now,
            )

        return self._db.run(work)

    def release_claims(self, stage: str, worker: str, mention_ids: Sequence[int]) -> int:
        """Drop ``worker``'s claims once the annotations are saved; return how many were dropped."""
        ids = list(mention_ids)
        return self._db.run(lambda conn: coordination.release_claims(conn, stage, worker, ids))

    def reserve_token(self, key: str, rate_per_s: float, burst: int) -> float:
        """Take a token from the bucket every worker shares for ``key``; return the seconds to wait."""
        now = self._clock()
        return self._db.run(
            lambda conn: coordination.reserve_token(conn, self._dialect, key, (rate_per_s, burst), now)
        )

    def pause_bucket(self, key: str, seconds: float) -> None:
        """Hold every worker's requests on ``key`` for ``seconds`` (a provider said retry later)."""
        now = self._clock()
        until = now + timedelta(seconds=seconds)
        self._db.run(lambda conn: coordination.pause_bucket(conn, self._dialect, key, until, now))

    def consume_quota(self, key: str, period: str, amount: int, cap: int) -> int | None:
        """Count ``amount`` against ``key``'s cap for ``period``; None (nothing counted) past the cap."""
        return self._db.run(
            lambda conn: coordination.consume_quota(
                conn, self._dialect, key=key, period=period, amount=amount, cap=cap
            )
        )

    def reserve_quota(self, key: str, period: str, want: int, cap: int) -> tuple[int, int]:
        """Take up to ``want`` units of ``key``'s cap for ``period``; return (granted, used after)."""
        return self._db.run(
            lambda conn: coordination.reserve_quota(
                conn, self._dialect, key=key, period=period, want=want, cap=cap
            )
        )

    def release_quota(self, key: str, period: str, amount: int) -> None:
        """Give back ``amount`` reserved units that were not used."""
        self._db.run(lambda conn: coordination.release_quota(conn, key=key, period=period, amount=amount))

    def quota_usage(self, period: str) -> dict[str, int]:
        """Return every quota's usage in ``period`` (summed over every worker), by key."""
        return self._db.read(lambda conn: coordination.quota_usage(conn, period))

    def quota_used(self, key: str, period: str) -> int:
        """Return the usage of ``key`` in ``period`` summed over every worker."""
        return self._db.read(lambda conn: coordination.quota_used(conn, key, period))


__all__ = ["Coordinator", "Lease"]
