"""``listener worker`` and ``listener scheduler``: scale out over PostgreSQL and a Celery broker.

``listener run`` stays the single-box mode. For more, run one ``listener scheduler`` or two (exactly
one acts) and any number of ``listener worker`` processes, on as many machines, all with the same
config (``database.url`` on PostgreSQL) and ``LISTENER_BROKER_URL`` (RabbitMQ on loopback by default).
"""

from __future__ import annotations

import faulthandler
import os
import signal
import socket
import threading
from types import FrameType
from typing import Annotated

import typer

from listener.cli._common import DEFAULT_CONFIG, ConfigOption, current_clock, settings_from, user_errors


def worker(
    config: ConfigOption = DEFAULT_CONFIG,
    queues: Annotated[str, typer.Option(help="Queues to serve, comma-separated.")] = "collect,analyse,alerts",
    concurrency: Annotated[int, typer.Option(min=1, help="Tasks run at once (threads).")] = 4,
) -> None:
    """Run a Celery worker for the chosen queues (collect, analyse, alerts); SIGTERM stops it."""
    from listener.workers.context import CONFIG_ENV

    settings_from(config)  # a broken config fails here, with its line and key path
    os.environ[CONFIG_ENV] = str(config.resolve())
    from listener.workers.tasks import app

    name = f"listener-{socket.gethostname()}-{os.getpid()}@{socket.gethostname()}"
    app.worker_main(["worker", "-Q", queues, "-c", str(concurrency), "-P", "threads", "-n", name,
                     "--loglevel", "INFO", "--without-gossip", "--without-mingle"])


def scheduler(
    config: ConfigOption = DEFAULT_CONFIG,
    lease_s: Annotated[float, typer.Option(min=1.0, help="Leadership lease: the takeover bound.")] = 30.0,
) -> None:
    """Enqueue due jobs for the workers; run two for safety, exactly one acts (SIGTERM stops it)."""
    from kombu.exceptions import OperationalError

    from listener.logging_setup import configure_logging
    from listener.service import JobSpec
    from listener.workers.broker import QUEUE_OF_KIND, BrokerUnavailable
    from listener.workers.context import CONFIG_ENV, build_context, worker_name
    from listener.workers.leader import LeaderScheduler
    from listener.workers.tasks import app

    settings = settings_from(config)
    os.environ[CONFIG_ENV] = str(config.resolve())
    configure_logging(settings)
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    faulthandler.register(signal.SIGUSR1)  # `kill -USR1 <pid>` prints every thread's stack: where it waits
    with user_errors():
        ctx = build_context(config.resolve())

        def send(spec: JobSpec, marker: str) -> None:
            name = "listener.analyse" if spec.kind == "analysis" else "listener.run_job"
            args = [marker] if spec.kind == "analysis" else [spec.id, marker]
            try:
                app.send_task(name, args=args, queue=QUEUE_OF_KIND[spec.kind])
            except OperationalError as err:  # kombu's "broker unreachable", after its own short retries
                raise BrokerUnavailable(f"scheduler: broker unreachable: {err}") from err

        leader = LeaderScheduler(ctx.repository.coordinator, ctx.specs, send, name=worker_name(),
                                 clock=current_clock(), lease_s=lease_s, timezone=settings.timezone)
        leader.run(stop)
        ctx.repository.close()


def register(app: typer.Typer) -> None:
    """Add the scale-out commands to the CLI."""
    app.command("worker")(worker)
    app.command("scheduler")(scheduler)
