"""The long-running service: APScheduler 3 runs collection, analysis, alert and digest jobs.

One job per (source, topic) at its interval plus jitter, with ``max_instances=1`` (an overrunning job is
never started twice), ``coalesce=True`` (missed runs collapse into one) and a ``misfire_grace_time``.
After each collection run the next run is set by :func:`listener.backoff.next_delay`: a ``RetryLater``
is honoured, failures back off up to ``max_interval``. The job bodies are plain callables built by
the wiring; this module owns only timing, the error policy of a job run and the status table.

Only :meth:`Service._run` catches ``Exception`` (STYLE §4.1): it logs the traceback, records the failure
and returns, so one failing source never stops the others.
"""

from __future__ import annotations

import json
import logging
import os
import random
import signal
import tempfile
import threading
import time as _time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, time, timedelta
from pathlib import Path
from types import FrameType
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from listener.backoff import next_delay
from listener.core.clock import Clock, system_clock
from listener.core.errors import AuthFailed, ListenerError, QueryRejected, RetryLater

logger = logging.getLogger(__name__)

JobKind = Literal["collect", "analysis", "echoes", "routing", "alerts", "digest", "retention"]
Outcome = Literal["never", "running", "ok", "empty", "retry_later", "failed", "auth_failed", "rejected"]
ONCE_ORDER: tuple[JobKind, ...] = ("collect", "analysis", "echoes", "routing", "alerts")
"""What ``listener run --once`` runs, in this order (the digest has its own command)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class JobResult:
    """What a job body reports: items handled, what is left to do, and a failure it already logged.

    A body that handles its own errors (the collection step records and logs them) reports them
    here instead of raising, so the service applies its policy without logging them twice.
    """

    items: int = 0
    backlog: int | None = None
    failure: Literal["retry_later", "failed", "auth_failed", "rejected"] | None = None
    error: str | None = None
    retry_after_s: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class JobSpec:
    """One scheduled job: its body, and when it runs (every ``interval``, or daily ``at`` local time)."""

    id: str
    kind: JobKind
    run: Callable[[datetime], JobResult]
    interval: timedelta = timedelta(minutes=15)
    max_interval: timedelta = timedelta(hours=2)
    at: time | None = None
    """Daily run time in the service's time zone (the digest); ``interval`` is then ignored."""
    is_adaptive: bool = False
    """Collection jobs: the next run follows :func:`next_delay` rather than the fixed interval."""
    source: str | None = None
    query_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class JobStatus:
    """The last run of one job, as ``listener status`` and ``/healthz`` show it."""

    id: str
    kind: JobKind
    outcome: Outcome = "never"
    last_started_at: datetime | None = None
    last_finished_at: datetime | None = None
    duration_ms: int | None = None
    items: int = 0
    backlog: int | None = None
    error: str | None = None
    consecutive_failures: int = 0
    empty_runs: int = 0
    next_run_at: datetime | None = None
    is_paused: bool = False

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready mapping (datetimes as ISO strings)."""
        return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in asdict(self).items()}


class RunRecorder(Protocol):
    """Something told when each job run starts and ends (storage's job-run table, through the wiring).

    A run whose process is killed stays "started" without an end, which is itself the record of it.
    """

    def started(self, spec: JobSpec) -> object:
        """Record that a run started; return a token handed back to :meth:`finished`."""
        ...

    def finished(self, spec: JobSpec, token: object, status: JobStatus) -> None:
        """Record how the run ended."""
        ...


class Service:
    """Schedule and run the jobs; keep each job's status; stop cleanly."""

    def __init__(self, specs: Sequence[JobSpec], *, timezone: str = "UTC",
                 jitter: timedelta = timedelta(seconds=30), misfire_grace: timedelta = timedelta(minutes=5),
                 workers: int = 4, recorders: Iterable[RunRecorder] = (),
                 status_path: Path | None = None, clock: Clock = system_clock) -> None:
        self.clock = clock
        self.specs = {s.id: s for s in specs}
        self.timezone = timezone
        self.jitter = jitter
        self.misfire_grace = misfire_grace
        self.workers = workers
        self.recorders = tuple(recorders)
        self.status_path = status_path
        self._status = {s.id: JobStatus(id=s.id, kind=s.kind) for s in specs}
        self._lock = threading.Lock()
        self.scheduler: BackgroundScheduler | None = None

    # -- scheduling ---------------------------------------------------------------------------
    def start(self, now: datetime | None = None) -> None:
        """Start the background scheduler; interval jobs run once right away, then on their interval."""
        zone = ZoneInfo(self.timezone)
        scheduler = BackgroundScheduler(
            timezone=zone, executors={"default": ThreadPoolExecutor(self.workers)},
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": max(1, int(self.misfire_grace.total_seconds()))})
        start = now or self.clock()
        for index, spec in enumerate(self.specs.values()):
            if spec.at is not None:
                cron = CronTrigger(hour=spec.at.hour, minute=spec.at.minute, timezone=zone)
                scheduler.add_job(self._run, cron, args=[spec.id], id=spec.id, name=spec.id)
                continue
            jitter = self.jitter.total_seconds() if spec.kind == "collect" else 0
            trigger = IntervalTrigger(seconds=max(spec.interval.total_seconds(), 0.01),
                                      jitter=int(jitter) or None, timezone=zone)
            # stagger the first runs a little so all sources do not fire in the same instant
            first = start + timedelta(milliseconds=50 * index)
            scheduler.add_job(self._run, trigger, args=[spec.id], id=spec.id, name=spec.id,
                              next_run_time=first)
        self.scheduler = scheduler
        scheduler.start()
        logger.info("service: started", extra={"jobs": len(self.specs)})

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop scheduling; with ``wait`` the jobs in flight finish (their batch commits whole)."""
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=wait)
            logger.info("service: stopped")

    def run_once(self, kinds: Sequence[JobKind] = ONCE_ORDER) -> list[JobStatus]:
        """Run every job of ``kinds`` once, in that order, in this thread; return their statuses."""
        for kind in kinds:
            for spec in self.specs.values():
                if spec.kind == kind:
                    self._run(spec.id)
        return self.status()

    # -- one run ------------------------------------------------------------------------------
    def _run(self, job_id: str) -> None:
        """Run one job body with the error policy; never raises."""
        spec = self.specs[job_id]
        started = self.clock()
        tick = _time.monotonic()
        with self._lock:
            previous = self._status[job_id]
            self._status[job_id] = replace(previous, outcome="running", last_started_at=started)
        tokens = self._record_start(spec)
        outcome, result, error, retry_after_s = self._execute(spec, started)
        finished = self.clock()
        failures = previous.consecutive_failures + 1 if outcome in ("failed", "retry_later") else 0
        empties = previous.empty_runs + 1 if outcome == "empty" else 0
        is_paused = outcome in ("auth_failed", "rejected")
        try:
            next_run_at = self._reschedule(spec, finished, failures=failures, empties=empties,
                                           retry_after_s=retry_after_s, is_paused=is_paused)
        except (JobLookupError, SchedulerNotRunningError):
            next_run_at = None  # the service is stopping: there is no next run to set

        status = JobStatus(id=job_id, kind=spec.kind, outcome=outcome, last_started_at=started,
                           last_finished_at=finished, duration_ms=int((_time.monotonic() - tick) * 1000),
                           items=result.items, backlog=result.backlog, error=error,
                           consecutive_failures=failures, empty_runs=empties, next_run_at=next_run_at,
                           is_paused=is_paused)
        with self._lock:
            self._status[job_id] = status
        if outcome in ("ok", "empty"):
            logger.info("service: job finished", extra={
                "job": job_id, "outcome": outcome, "duration_ms": status.duration_ms, "items": result.items})
        for recorder, token in tokens:
            try:
                recorder.finished(spec, token, status)
            except ListenerError as err:
                logger.warning("service: could not record the job run: %s", err, extra={"job": job_id})
        self._write_status()

    def _record_start(self, spec: JobSpec) -> list[tuple[RunRecorder, object]]:
        tokens: list[tuple[RunRecorder, object]] = []
        for recorder in self.recorders:
            try:
                tokens.append((recorder, recorder.started(spec)))
            except ListenerError as err:
                logger.warning("service: could not record the job start: %s", err, extra={"job": spec.id})
        return tokens

    def _execute(self, spec: JobSpec,
                 started: datetime) -> tuple[Outcome, JobResult, str | None, float | None]:
        """Call the job body and sort what happened into an outcome (the one catch-all of STYLE §4.1)."""
        job_id = spec.id
        try:
            result = spec.run(started)
        except RetryLater as err:
            logger.warning("service: source asked to retry later", extra={
                "job": job_id, "retry_after_s": err.retry_after_s})
            return "retry_later", JobResult(), str(err), err.retry_after_s
        except AuthFailed as err:
            logger.error("service: credentials refused, job paused until the config changes: %s", err,
                         extra={"job": job_id})
            return "auth_failed", JobResult(), str(err), None
        except QueryRejected as err:
            logger.error("service: query rejected, job paused: %s", err, extra={"job": job_id})
            return "rejected", JobResult(), str(err), None
        except ListenerError as err:
            logger.warning("service: job failed: %s", err, extra={"job": job_id})
            return "failed", JobResult(), str(err), None
        except Exception as err:
            logger.exception("service: job crashed", extra={"job": job_id})
            return "failed", JobResult(), f"{type(err).__name__}: {err}", None
        if result.failure is not None:
            return result.failure, result, result.error, result.retry_after_s
        if spec.kind == "collect" and result.items == 0:
            return "empty", result, None, None
        return "ok", result, None, None

    def _reschedule(self, spec: JobSpec, finished: datetime, *, failures: int, empties: int,
                    retry_after_s: float | None, is_paused: bool) -> datetime | None:
        scheduler = self.scheduler
        if scheduler is None or not scheduler.running or scheduler.get_job(spec.id) is None:
            return None
        if is_paused:
            scheduler.pause_job(spec.id)
            return None
        if spec.is_adaptive or failures or retry_after_s is not None:
            delay = next_delay(spec.interval, spec.max_interval, failures=failures,
                               empty_runs=empties if spec.is_adaptive else 0, retry_after_s=retry_after_s)
            jitter = random.uniform(0, self.jitter.total_seconds()) if spec.kind == "collect" else 0.0
            next_at = finished + delay + timedelta(seconds=jitter)
            scheduler.modify_job(spec.id, next_run_time=next_at)
            return next_at
        job = scheduler.get_job(spec.id)
        return job.next_run_time if job is not None else None

    # -- status -------------------------------------------------------------------------------
    def status(self) -> list[JobStatus]:
        """Return a snapshot of every job's status, in declaration order."""
        with self._lock:
            return [self._status[i] for i in self.specs]

    def snapshot(self) -> dict[str, Any]:
        """Return the ``/healthz`` document: overall state and one entry per job."""
        jobs = [s.to_json() for s in self.status()]
        is_degraded = any(s["consecutive_failures"] >= 3 or s["is_paused"] for s in jobs)
        return {"status": "degraded" if is_degraded else "ok", "at": self.clock().isoformat(),
                "jobs": jobs}

    def _write_status(self) -> None:
        """Write the snapshot atomically so ``listener status`` can read it from another process."""
        if self.status_path is None:
            return
        self.status_path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps(self.snapshot(), indent=2)
        with self._lock:
            fd, tmp = tempfile.mkstemp(dir=self.status_path.parent, prefix=".status-")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(data)
            os.replace(tmp, self.status_path)


def run_until_signalled(service: Service, *, on_stop: Callable[[], None] | None = None) -> None:
    """Start ``service`` and block until SIGTERM or SIGINT, then stop it, waiting for jobs in flight."""
    stop = threading.Event()

    def _handler(signum: int, frame: FrameType | None) -> None:
        logger.info("service: stopping on signal", extra={"signal": signal.Signals(signum).name})
        stop.set()

    previous = {sig: signal.signal(sig, _handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        service.start()
        while not stop.wait(1.0):
            pass
    finally:
        service.shutdown(wait=True)
        if on_stop is not None:
            on_stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
