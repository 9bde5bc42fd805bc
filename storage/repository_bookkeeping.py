"""Run health, job runs, alerts and their deliveries: the service's bookkeeping half of the storage
facade, kept apart so each file stays readable (:class:`storage.Repository` inherits it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.engine import Connection

from listener.core.clock import Clock
from listener.core.model import Alert
from storage import alerts, health
from storage._database import Database
from storage.health import RunOutcome
from storage.records import (
    DeliveryOutcome,
    DeliveryRecord,
    JobRun,
    PendingDelivery,
    SourceHealth,
    StoredAlert,
)


class RunsAndAlerts:
    """Methods over run health, job runs, alerts and deliveries, each in one transaction."""

    _db: Database
    _dialect: str
    _clock: Clock

    # --- runs and health ----------------------------------------------------------------------

    def record_run(
        self,
        source: str,
        query_id: str,
        *,
        outcome: RunOutcome,
        items: int = 0,
        error: str | None = None,
        duration_ms: int | None = None,
        next_run_not_before: datetime | None = None,
        at: datetime | None = None,
    ) -> None:
        """Fold one connector run into the health of ``(source, query_id)``.

        A success (``ok``, ``not_modified``) resets ``consecutive_failures``; an ``error`` adds one
        and keeps the message (never put secrets in it).
        """
        when = at or self._clock()
        self._db.run(
            lambda conn: health.record_run(
                conn,
                self._dialect,
                source,
                query_id,
                outcome=outcome,
                at=when,
                items=items,
                error=error,
                duration_ms=duration_ms,
                next_run_not_before=next_run_not_before,
            )
        )

    def source_health(self, source: str | None = None) -> list[SourceHealth]:
        """Return the health of every (source, query) job."""
        return self._db.read(lambda conn: health.source_health(conn, source))

    def start_job(self, job_id: str) -> int:
        """Record that a scheduled job started; return the run id for :meth:`finish_job`."""
        now = self._clock()
        return self._db.run(lambda conn: health.start_job(conn, job_id, now))

    def finish_job(
        self, run_id: int, *, outcome: str, error: str | None = None, items: int | None = None
    ) -> None:
        """Record how a job run ended."""
        now = self._clock()
        self._db.run(
            lambda conn: health.finish_job(
                conn, run_id, finished_at=now, outcome=outcome, error=error, items=items
            )
        )

    def job_runs(self, job_id: str | None = None, *, limit: int = 50) -> list[JobRun]:
        """Return the latest job runs, newest first."""
        return self._db.read(lambda conn: health.job_runs(conn, job_id, limit))

    # --- alerts -------------------------------------------------------------------------------

    def record_alert(self, alert: Alert) -> int | None:
        """Store an alert before sending it; return its id, or None if its dedupe key already exists."""
        now = self._clock()
        return self._db.run(lambda conn: alerts.record(conn, self._dialect, alert, now))

    def alert_exists(self, dedupe_key: str) -> bool:
        """Tell whether an alert with this dedupe key was recorded."""
        return self._db.read(lambda conn: alerts.exists(conn, dedupe_key))

    def get_alert(self, alert_id: int) -> StoredAlert | None:
        """Return one alert by id."""
        return self._db.read(lambda conn: alerts.get(conn, alert_id))

    def alerts(
        self, *, since: datetime | None = None, rule_id: str | None = None, limit: int | None = 100
    ) -> list[StoredAlert]:
        """Return recorded alerts, newest first (``limit=None``: every one since ``since``)."""
        return self._db.read(lambda conn: alerts.recent(conn, since=since, rule_id=rule_id, limit=limit))

    def record_delivery(
        self, alert_id: int, channel: str, *, outcome: DeliveryOutcome, error: str | None = None
    ) -> DeliveryRecord:
        """Record one attempt to send an alert on a channel (attempt numbers count up per channel)."""
        now = self._clock()

        def work(conn: Connection) -> DeliveryRecord:
            return alerts.record_delivery(conn, alert_id, channel, outcome=outcome, error=error, now=now)

        return self._db.run(work)

    def alert_id(self, dedupe_key: str) -> int | None:
        """Return the id of the alert stored under ``dedupe_key``, or None."""
        return self._db.read(lambda conn: alerts.id_of(conn, dedupe_key))

    def deliveries_of(self, alert_ids: Sequence[int]) -> list[DeliveryRecord]:
        """Return every delivery attempt of these alerts, by alert, channel and attempt."""
        return self._db.read(lambda conn: alerts.deliveries_of(conn, alert_ids))

    def deliveries(self, alert_id: int) -> list[DeliveryRecord]:
        """Return every delivery attempt of one alert."""
        return self._db.read(lambda conn: alerts.deliveries(conn, alert_id))

    def pending_deliveries(
        self, *, max_attempts: int = 5, channels: Sequence[str] | None = None
    ) -> list[PendingDelivery]:
        """Return (alert, channel) pairs that failed and were never sent, with attempts left."""
        return self._db.read(lambda conn: alerts.pending(conn, max_attempts, channels))
