"""``listener run``, ``status``, ``digest`` and ``alerts``: the service and what it has been doing."""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from listener.cli._common import (
    DEFAULT_CONFIG,
    ConfigOption,
    console,
    current_clock,
    open_repository,
    settings_from,
    user_errors,
)
from listener.cli._common import in_language as _
from listener.core.clock import Clock

logger = logging.getLogger(__name__)


def _open(settings: Any, clock: Clock | None = None) -> Any:
    """Open and migrate the database: only ``run`` does (the one schema rule, see ``open_repository``)."""
    from listener.wiring import open_repository as open_and_upgrade

    return open_and_upgrade(settings, clock=clock or current_clock())


def _start_web(settings: Any, repository: Any, clock: Clock) -> Any:
    """Serve the web API on a thread beside the scheduler (``web.enabled``)."""
    from listener.web.serve import WebServer
    from listener.wiring import build_web_app

    app = build_web_app(settings, repository, clock=clock)
    server = WebServer(app, host=settings.web.host, port=settings.web.port)
    server.start()
    console.print(_("listener API on {url}").format(url=f"http://{settings.web.host}:{server.port}/api/"),
                  highlight=False)
    return server


def run(
    config: ConfigOption = DEFAULT_CONFIG,
    once: Annotated[bool, typer.Option("--once", help="Run one cycle of every job, then exit.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Log alerts, do not send.")] = False,
    health_port: Annotated[int | None, typer.Option(help="Serve /healthz on 127.0.0.1:PORT.")] = None,
) -> None:
    """Run the service: collect, analyse, alert and send the digest on schedule (SIGTERM stops it)."""
    from listener.health import HealthServer
    from listener.logging_setup import configure_logging
    from listener.service import run_until_signalled
    from listener.status import status_document
    from listener.wiring import build_full_service

    settings = settings_from(config)
    clock = current_clock()
    configure_logging(settings)
    with user_errors():
        repository = _open(settings, clock)
        service = build_full_service(settings, repository, dry_run=dry_run, clock=clock)
        if once:
            statuses = service.run_once()
            repository.close()
            for status in statuses:
                console.print(f"{status.id:32} {status.outcome:12} items={status.items} "
                              f"{status.duration_ms or 0} ms{' ' + status.error if status.error else ''}",
                              highlight=False)
            if any(s.outcome == "failed" for s in statuses):
                raise typer.Exit(1)
            return
        web = _start_web(settings, repository, clock) if settings.web.enabled else None
        port = health_port if health_port is not None else settings.service.health_port
        health = None
        if port is not None:
            health = HealthServer(lambda: status_document(settings, repository, service, clock=clock),
                                  host=settings.service.health_host, port=port)
            health.start()

        def stopped() -> None:
            if health is not None:
                health.stop()
            if web is not None:
                web.stop()
            repository.close()

        run_until_signalled(service, on_stop=stopped)

def status(
    config: ConfigOption = DEFAULT_CONFIG,
    as_json: Annotated[bool, typer.Option("--json", help="Print the /healthz document.")] = False,
) -> None:
    """Show each job's last run, duration, outcome and backlog, and each channel's health."""
    from alerts.i18n import translator
    from listener.cli._tables import narrow_table, when
    from listener.status import status_document

    settings = settings_from(config)
    with user_errors():
        repository = open_repository(settings)
        document = status_document(settings, repository, clock=current_clock())
        repository.close()
    if as_json:
        console.print_json(json.dumps(document, default=str))
        return
    zone = settings.timezone
    _ = translator(settings.language)
    kept = (_("job"), _("outcome"), _("last run"), _("took"), _("next run"))
    table = narrow_table(_("Jobs (times in {zone})").format(zone=zone), *kept[:4], _("items"), _("backlog"),
                         kept[4], keep=kept)
    for job in document["jobs"]:
        failures = job.get("consecutive_failures", 0)
        backlog, took = job.get("backlog"), (job.get("duration_ms") or 0) / 1000
        table.add_row(job["id"], str(job["outcome"]) + (f" ×{failures}" if failures else ""),
                      when(job.get("last_finished_at"), zone), f"{took:.1f} s",
                      str(job.get("items", 0)), "-" if backlog is None else str(backlog),
                      when(job.get("next_run_at"), zone))
    console.print(table)
    channels = narrow_table(_("Alert channels"), _("channel"), _("healthy"), _("failures"), _("last error"),
                            keep=(_("channel"), _("healthy")))
    for channel in document["channels"]:
        channels.add_row(channel["channel"], _("yes") if channel["is_healthy"] else _("NO"),
                         str(channel["consecutive_failures"]), channel["last_error"] or "")
    console.print(channels)
    fleet = document.get("fleet") or {}
    if fleet.get("leader") or fleet.get("workers"):
        workers = ", ".join(fleet["workers"]) or "-"
        console.print(_("scheduler leader: {leader}; workers: {workers}; queued jobs: {queued} "
                        "(oldest {age} s); queues: {queues}").format(
                            leader=fleet["leader"] or "-", workers=workers, queued=fleet["queued_jobs"],
                            age=fleet["oldest_queued_age_s"] or 0, queues=fleet.get("queues")),
                      highlight=False)
    x_posts = (fleet.get("quotas") or {}).get("twitter:posts")
    if x_posts is not None:
        console.print(_("X posts read this month by all workers: {used} of {cap} "
                        "(sources.twitter.monthly_post_cap)").format(
                            used=x_posts, cap=settings.sources.twitter.monthly_post_cap),
                      highlight=False)
    console.print(_("overall: {status}").format(status=document["status"]))

def digest(
    config: ConfigOption = DEFAULT_CONFIG,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Write it, do not send.")] = False,
    day: Annotated[str | None, typer.Option(help="Day (YYYY-MM-DD); default yesterday.")] = None,
    out: Annotated[Path | None, typer.Option(help="With --dry-run: write the .eml here.")] = None,
) -> None:
    """Build the daily digest and send it (or, with --dry-run, print it and write the .eml)."""
    from alerts.digest import digest_message, render_digest
    from listener.jobs.digest import digest_channels, digest_day, make_digest, send_digest
    from listener.jobs.ideas import digest_ideas
    from listener.wiring import digest_drivers, smtp_config, stored_dispatcher, window_reader

    settings = settings_from(config)
    with user_errors():
        repository = open_repository(settings)
        now = current_clock()()
        chosen = date.fromisoformat(day) if day else digest_day(now, settings.timezone)
        reader = window_reader(settings, repository)
        built = make_digest(settings, lambda s, e: reader.read(e, e - s), chosen,
                            digest_drivers(settings, repository), digest_ideas(repository, settings.language))
        if dry_run:
            _subject, text, _html = render_digest(built, settings.language)
            console.print(text, highlight=False, markup=False)
            if out is not None:
                message = digest_message(built, settings.language, sender=smtp_config(settings).sender,
                                         to=["dry-run@localhost"], now=now)
                out.write_bytes(bytes(message))
                console.print(_("written to {path}").format(path=out))
        else:
            attempts = send_digest(stored_dispatcher(settings, repository), built, digest_channels(settings),
                                   now)
            for attempt in attempts:
                outcome = _("sent") if attempt.is_ok else _("failed, retried by the service: {error}").format(
                    error=attempt.error)
                console.print(_("digest for {day} -> {channel}: {outcome}").format(
                    day=chosen, channel=attempt.channel, outcome=outcome))
            if not attempts:
                console.print(_("digest for {day}: already delivered on every channel (see listener alerts)")
                              .format(day=chosen))
        repository.close()

def alerts_list(
    config: ConfigOption = DEFAULT_CONFIG,
    days: Annotated[int, typer.Option(help="How many days back.")] = 7,
    limit: Annotated[int, typer.Option(help="At most this many alerts.")] = 50,
) -> None:
    """List the alerts stored, newest first, and how each delivery went (one line each)."""
    from listener.cli._tables import when

    settings = settings_from(config)
    with user_errors():
        repository = open_repository(settings)
        stored = repository.alerts(since=current_clock()() - timedelta(days=days), limit=limit)
        lines = []
        for item in stored:
            attempts = repository.deliveries(item.id)
            summary = " ".join(f"{d.channel}:{d.outcome}#{d.attempt}" for d in attempts) or _("pending")
            alert = item.alert
            lines.append(f"{item.id:>5}  {when(item.created_at, settings.timezone)}  {alert.rule_id}  "
                         f"{alert.subject}  {alert.details.get('phase', '')}  [{summary}]  {alert.title}")
        repository.close()
    if lines:
        console.print(_("times in {zone}").format(zone=settings.timezone), style="dim", highlight=False)
    for line in lines or [_("no alerts in that period")]:
        console.print(line, highlight=False, markup=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the service commands to the CLI."""
    app.command("run")(run)
    app.command("status")(status)
    app.command("digest")(digest)
    app.command("alerts")(alerts_list)
