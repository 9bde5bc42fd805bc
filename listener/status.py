"""What the running service reports: job runs recorded in storage, and the status document.

``listener status`` and ``/healthz`` read :func:`status_document`; the service writes the status file
at :func:`status_path` and records each run through :class:`StorageRunRecorder`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alerts.dispatch import Dispatcher
from alerts.notifiers import LogNotifier
from listener.config import Settings
from listener.core.clock import Clock, system_clock
from listener.core.errors import StorageError
from listener.service import JobSpec, JobStatus, Service

if TYPE_CHECKING:
    from storage import Repository


def status_path(settings: Settings) -> Path:
    """Return where the running service writes its status for ``listener status``."""
    return settings.data_dir / "service-status.json"


class StorageRunRecorder:
    """Record every job run in storage's ``job_runs`` table (start, end, outcome, items)."""

    def __init__(self, repository: Repository) -> None:
        self.repository = repository

    def started(self, spec: JobSpec) -> object:
        """Insert the run as started; return its row id."""
        return self.repository.start_job(spec.id)

    def finished(self, spec: JobSpec, token: object, status: JobStatus) -> None:
        """Close the run with its outcome."""
        if isinstance(token, int):
            self.repository.finish_job(token, outcome=status.outcome, error=status.error, items=status.items)


def status_document(settings: Settings, repository: Repository,
                    service: Service | None = None, *, clock: Clock = system_clock) -> dict[str, Any]:
    """Return what ``listener status`` and ``/healthz`` show: job statuses plus channel health.

    Jobs come from the running ``service`` when given, else from the status file it last wrote.
    """
    from listener.alert_store import RepositoryAlertLog

    path = status_path(settings)
    document: dict[str, Any] = {"status": "never-run", "jobs": []}
    if service is not None:
        document = service.snapshot()
    elif path.is_file():
        document = json.loads(path.read_text(encoding="utf-8"))
    notifiers = {c.id: LogNotifier(c.id) for c in settings.alerts.channels}
    dispatcher = Dispatcher(RepositoryAlertLog(repository), notifiers, [])
    health = dispatcher.health(clock(), unhealthy_after=settings.alerts.unhealthy_after)
    document["channels"] = [
        {"channel": h.channel, "is_healthy": h.is_healthy, "consecutive_failures": h.consecutive_failures,
         "last_error": h.last_error, "last_ok_at": h.last_ok_at}
        for h in health.values()]
    if any(not h.is_healthy for h in health.values()) and document["status"] == "ok":
        document["status"] = "degraded"
    document["fleet"] = _fleet(repository, clock)
    return document


def _fleet(repository: Repository, clock: Clock) -> dict[str, Any]:
    """The scale-out section: leader, workers, waiting jobs; queue depths once a fleet is running."""
    from listener.workers.broker import QUEUES, broker_url
    from listener.workers.fleet import fleet_status, queue_depths

    try:
        fleet = fleet_status(repository.coordinator, clock())
    except StorageError as err:  # a schema not upgraded yet has no leases: say so, show the rest
        return {"error": str(err)}
    if fleet["leader"] or fleet["workers"]:
        fleet["queues"] = queue_depths(broker_url(), QUEUES)
    return fleet
