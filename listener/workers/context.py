"""What one worker process builds once: settings, clock, repository and the job specs, via the wiring.

A Celery worker is started by ``listener worker --config PATH``, which puts the path in
``LISTENER_CONFIG`` so the pool's child processes (forked or spawned) find the same configuration.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from listener.config import Settings, load_settings
from listener.core.clock import Clock, from_environment

if TYPE_CHECKING:
    from listener.service import JobSpec
    from storage import Repository

CONFIG_ENV = "LISTENER_CONFIG"


def worker_name() -> str:
    """Return this process's name in leases and claims: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class WorkerContext:
    """The collaborators every task of this process uses (built once, on the first task)."""

    settings: Settings
    clock: Clock
    repository: Repository
    specs: dict[str, JobSpec]

    @property
    def name(self) -> str:
        """Return this process's name (after a fork the pid changes, so it is read each time)."""
        return worker_name()


def build_context(config: Path) -> WorkerContext:
    """Build the settings, repository and every job spec from ``config`` (nothing is started)."""
    from listener.shared_limits import SharedHostLimiter
    from listener.wiring import build_full_service, open_repository

    settings = load_settings(config)
    clock = from_environment()
    repository = open_repository(settings, clock=clock)
    # every worker draws from the same per-host request buckets, kept in the database
    service = build_full_service(settings, repository, clock=clock,
                                 limiter=SharedHostLimiter(repository.coordinator))
    return WorkerContext(settings=settings, clock=clock, repository=repository, specs=dict(service.specs))


@cache
def current() -> WorkerContext:
    """Return this process's context, built from ``LISTENER_CONFIG`` (``config.yaml`` by default)."""
    return build_context(Path(os.environ.get(CONFIG_ENV, "config.yaml")))
