"""``listener scheduler``: enqueue due jobs, with exactly one acting scheduler among those running.

Every scheduler process ticks once a second. Each tick it tries to take or renew the lease
``scheduler`` (``storage.coordination``, ``lease_s`` long). Only the holder enqueues; the others wait.
When the leader dies it stops renewing, and one of the others takes over at most ``lease_s`` (plus one
tick) later; the new leader treats every job as due at once (collections are idempotent), then keeps
each job's interval. A job already waiting in a queue is not enqueued again: the enqueue takes the
lease ``queued:<job>`` (released by the task when it starts, or expiring after two intervals if
the broker lost the message), which is also how ``listener status`` tells the age of the oldest waiting
task.

Distributed mode keeps the fixed interval of each job (the adaptive back-off of ``listener run`` is a
single-process refinement); a collection that fails is simply enqueued again at its next interval.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from listener.core.clock import Clock
from listener.core.errors import ListenerError
from listener.service import JobSpec
from storage.coordinator import Coordinator

logger = logging.getLogger(__name__)

LEADER_LEASE = "scheduler"
Send = Callable[[JobSpec, str], None]
"""Enqueue one job with its ``queued:`` marker (the Celery ``send_task`` call, given by the CLI)."""


def next_daily(after: datetime, spec: JobSpec, zone: ZoneInfo) -> datetime:
    """Return the first instant after ``after`` when a daily ``spec.at`` job is due (in ``zone``)."""
    assert spec.at is not None
    local = after.astimezone(zone)
    candidate = local.replace(hour=spec.at.hour, minute=spec.at.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate = (candidate + timedelta(days=1)).replace(hour=spec.at.hour, minute=spec.at.minute)
    return candidate


class LeaderScheduler:
    """Enqueue the jobs of ``specs`` on time while this process holds the scheduler lease."""

    def __init__(self, coordinator: Coordinator, specs: Mapping[str, JobSpec], send: Send, *,
                 name: str, clock: Clock, lease_s: float = 30.0, timezone: str = "UTC") -> None:
        self.coordinator = coordinator
        self.specs = dict(specs)
        self.send = send
        self.name = name
        self.clock = clock
        self.lease_s = lease_s
        self.zone = ZoneInfo(timezone)
        self.is_leader = False
        self._due: dict[str, datetime] = {}

    def tick(self) -> int:
        """Renew leadership, then enqueue what is due; return how many jobs were enqueued."""
        lease = self.coordinator.acquire_lease(LEADER_LEASE, self.name, self.lease_s)
        if lease is None:
            if self.is_leader:
                logger.warning("scheduler: leadership lost", extra={"holder": self.name})
            self.is_leader = False
            self._due.clear()
            return 0
        if not self.is_leader:
            logger.info("scheduler: now the leader", extra={"holder": self.name, "token": lease.token})
            self.is_leader = True
        now = self.clock()
        sent = 0
        for spec in self.specs.values():
            due = self._due.get(spec.id)
            if due is None:
                due = next_daily(now, spec, self.zone) if spec.at is not None else now
                self._due[spec.id] = due
            if now < due:
                continue
            is_daily = spec.at is not None
            self._due[spec.id] = next_daily(now, spec, self.zone) if is_daily else now + spec.interval
            sent += self._enqueue(spec)
        return sent

    def _enqueue(self, spec: JobSpec) -> int:
        marker = uuid.uuid4().hex
        # two intervals: the next due time finds it still waiting (not queued twice); the one after
        # assumes the broker lost it and queues it again
        wait_s = 2 * max(spec.interval.total_seconds(), 1.0) if spec.at is None else 3600.0
        if self.coordinator.acquire_lease(f"queued:{spec.id}", marker, wait_s) is None:
            return 0  # still waiting in its queue since the last time
        try:
            self.send(spec, marker)
        except ListenerError:
            # not queued (broker down): free the marker so the next tick after recovery queues it at once
            self.coordinator.release_lease(f"queued:{spec.id}", marker)
            raise
        return 1

    def run(self, stop: threading.Event, tick_s: float = 1.0) -> None:
        """Tick until ``stop`` is set, then give leadership up at once."""
        while not stop.is_set():
            try:
                self.tick()
            except ListenerError as err:  # database or broker down: keep trying, act again once back
                # (leadership is dropped and retaken, so every job is due again: a lost round is redone)
                logger.warning("scheduler: tick failed, retrying: %s", err, extra={"holder": self.name})
                self.is_leader = False
                self._due.clear()
            stop.wait(tick_s)
        if self.is_leader:
            self.coordinator.release_lease(LEADER_LEASE, self.name)
