"""What ``listener status`` and ``/healthz`` show about the fleet: leader, workers, queues, quotas.

Everything but the queue depths comes from the leases in the database (``storage.coordination``):
the scheduler leader, each worker's heartbeat, the jobs waiting in a queue (with the age of the
oldest), the collections running now and this month's shared quotas (e.g. X posts read by all
workers). Depths come from the broker, asked passively and briefly;
an unreachable broker is reported, never raised.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage.coordinator import Coordinator


def queue_depths(url: str, queues: tuple[str, ...], timeout_s: float = 2.0) -> dict[str, int] | str:
    """Return the messages waiting in each queue, or why the broker could not be asked."""
    from kombu.connection import Connection
    from kombu.exceptions import KombuError

    conn: Any = Connection(url, connect_timeout=timeout_s)  # type: ignore[no-untyped-call]
    depths: dict[str, int] = {}
    try:
        conn.ensure_connection(max_retries=1)
        for queue in queues:
            channel = conn.channel()
            try:
                depths[queue] = int(channel.queue_declare(queue=queue, passive=True).message_count)
            except conn.channel_errors:
                depths[queue] = 0  # not declared yet: no worker ever listened, nothing waits
            finally:
                channel.close()
    except (*conn.connection_errors, KombuError, OSError) as err:
        return f"broker unreachable: {type(err).__name__}"
    finally:
        conn.release()
    return depths


def fleet_status(coordinator: Coordinator, now: datetime, depths: dict[str, int] | str | None = None
                 ) -> dict[str, Any]:
    """Return the leader, live workers, waiting jobs (oldest age), running collections, month's quotas."""
    leader = coordinator.live_leases("scheduler")
    queued = coordinator.live_leases("queued:")
    oldest = min((lease.acquired_at for lease in queued), default=None)
    return {
        "leader": leader[0].holder if leader else None,
        "leader_since": leader[0].acquired_at.isoformat() if leader else None,
        "workers": [lease.holder for lease in coordinator.live_leases("worker:")],
        "queued_jobs": len(queued),
        "oldest_queued_age_s": round((now - oldest).total_seconds(), 1) if oldest else None,
        "running": [lease.name.removeprefix("collect:") for lease in coordinator.live_leases("collect:")],
        "queues": depths,
        "quotas": coordinator.quota_usage(now.strftime("%Y-%m")),
    }
