"""The Celery app and its tasks: thin shells over ``listener/jobs``, acknowledged late, idempotent.

- ``listener.run_job(job_id, marker)`` runs one job spec of the wiring (a collection for one (source,
  topic), the echo stage, the alert rules, the digest) through :class:`listener.service.Service`'s own
  error policy and run recorder. The echo stage takes the lease ``echoes``. A collection first takes the
  lease ``collect:<source>:<topic>``: if another worker holds
  it, this copy does nothing (the same (source, topic) never runs twice at once). Alerts and the
  digest take the lease ``alerts``, so alert threads are decided in one place at a time (and the
  alert's unique ``dedupe_key`` already keeps a thread from being sent twice).
- ``listener.analyse(marker)`` annotates claimed batches (``storage.coordination``): two workers never
  analyse the same mention, and a killed worker's batch is claimed again after its lease.

Acknowledged late with ``task_reject_on_worker_lost``: a worker killed mid-task leaves its message to
the broker, which hands it to another worker; the upsert and the cursor commit together, so running a
collection again is harmless. The broker is RabbitMQ (``amqp://guest:guest@127.0.0.1:5672//`` by
default); ``LISTENER_BROKER_URL`` chooses another, e.g. ``redis://127.0.0.1:6379/0``. It is read from
the environment only (it may hold a password).
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from celery import Celery, signals

from listener.core.errors import ListenerError
from listener.workers import context
from listener.workers.broker import broker_url
from storage.coordinator import Coordinator

logger = logging.getLogger(__name__)

RUN_LEASE_ENV = "LISTENER_RUN_LEASE_S"
"""Seconds a collection's lease lasts (default 600): a killed worker's (source, topic) is free after it."""
HEARTBEAT_ENV = "LISTENER_HEARTBEAT_S"
"""Seconds between a worker's heartbeats (default 10); its ``worker:`` lease lasts three of them."""


def make_app(url: str | None = None) -> Celery:
    """Build the Celery app: late acknowledgement, one message prefetched, no result backend."""
    celery = Celery("listener", broker=url or broker_url())
    celery.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_default_queue="collect",
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_cancel_long_running_tasks_on_connection_loss=True,
    )
    return celery


app = make_app()


def _run_lease_s() -> float:
    return float(os.environ.get(RUN_LEASE_ENV, "600"))


def _lease_name(kind: str, job_id: str) -> str:
    if kind == "collect":
        return f"collect:{job_id}"
    return "echoes" if kind == "echoes" else "alerts"  # one echo grouping at a time, on its own lease


def run_job(job_id: str, marker: str | None = None) -> str:
    """Run one job spec under its lease; return ``ok``/``empty``/``failed``..., ``busy`` or ``unknown``."""
    from listener.wiring import build_job_runner

    ctx = context.current()
    coordinator = ctx.repository.coordinator
    if marker:
        coordinator.release_lease(f"queued:{job_id}", marker)
    spec = ctx.specs.get(job_id)
    if spec is None:
        logger.warning("worker: no job %s in this configuration, task dropped", job_id, extra={"job": job_id})
        return "unknown"
    lease = _lease_name(spec.kind, job_id)
    ttl_s = _run_lease_s()
    # one holder per run, not per process: two task threads of one worker are two holders
    holder = f"{ctx.name}:{uuid.uuid4().hex[:8]}"
    if coordinator.acquire_lease(lease, holder, ttl_s) is None:
        logger.info("worker: %s is running elsewhere, this copy skipped", job_id, extra={"job": job_id})
        return "busy"
    with _renewed(coordinator, lease, holder, ttl_s):
        (status,) = build_job_runner(spec, ctx.repository, clock=ctx.clock).run_once((spec.kind,))
    return status.outcome


@contextmanager
def _renewed(coordinator: Coordinator, lease: str, holder: str, ttl_s: float) -> Iterator[None]:
    """Keep ``lease`` ours while the body runs (renewed every third of its length), then release it.

    A run slower than the lease must not let another worker start the same (source, topic); a killed
    worker stops renewing, so its lease ends at most ``ttl_s`` later.
    """
    done = threading.Event()

    def renew() -> None:
        while not done.wait(ttl_s / 3):
            try:
                if coordinator.acquire_lease(lease, holder, ttl_s) is None:
                    logger.warning("worker: lease %s lost during the run", lease, extra={"job": lease})
                    return
            except ListenerError as err:
                logger.warning("worker: could not renew lease %s: %s", lease, err, extra={"job": lease})

    thread = threading.Thread(target=renew, name=f"lease-{lease}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        coordinator.release_lease(lease, holder)


def analyse(marker: str | None = None, limit: int = 2000) -> int:
    """Annotate up to ``limit`` claimed mentions per stage; return how many were annotated."""
    from listener import analyse as analysis_run
    from listener.workers.claims import ClaimingStore, model_of

    ctx = context.current()
    if marker:
        ctx.repository.coordinator.release_lease("queued:analysis", marker)
    if not ctx.settings.analysis.enabled:
        return 0
    store = ClaimingStore(ctx.repository, f"{ctx.name}:{uuid.uuid4().hex[:8]}", ttl_s=_run_lease_s())
    result = analysis_run.run(store, model_of(ctx), batch_size=ctx.settings.analysis.batch_size,
                              now=ctx.clock(), limit=limit)
    return result.total


app.task(name="listener.run_job", acks_late=True, ignore_result=True)(run_job)
app.task(name="listener.analyse", acks_late=True, ignore_result=True)(analyse)


# --- heartbeat: ``listener status`` lists the live workers ----------------------------------------

_stop_heartbeat = threading.Event()


def _heartbeat(name: str) -> None:
    every_s = float(os.environ.get(HEARTBEAT_ENV, "10"))
    coordinator = context.current().repository.coordinator
    while not _stop_heartbeat.is_set():
        try:
            coordinator.acquire_lease(f"worker:{name}", name, ttl_s=every_s * 3)
        except ListenerError as err:  # database restarting: beat again next time, the worker lives on
            logger.warning("worker: heartbeat failed: %s", err, extra={"holder": name})
        _stop_heartbeat.wait(every_s)
    try:
        coordinator.release_lease(f"worker:{name}", name)
    except ListenerError as err:
        logger.warning("worker: could not release the heartbeat lease: %s", err, extra={"holder": name})


def _start_heartbeat(sender: Any = None, **_: Any) -> None:
    name = context.worker_name()
    threading.Thread(target=_heartbeat, args=(name,), name="listener-heartbeat", daemon=True).start()


def _end_heartbeat(sender: Any = None, **_: Any) -> None:
    _stop_heartbeat.set()


signals.worker_ready.connect(_start_heartbeat, weak=False)
signals.worker_shutdown.connect(_end_heartbeat, weak=False)
