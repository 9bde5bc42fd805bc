"""Build the object graph from settings: the only caller of the collaborators' constructors.

The CLI, the in-process scheduler, the web app and the workers take their repository, connectors,
analyzer, matcher, notifiers, jobs and service from here; everything else receives its collaborators
through its constructor (STYLE §1.1, checked from the source by ``tests/test_wiring_only.py``). Heavy
packages (storage, analysis, apprise) are imported inside the builders, so ``listener --help`` stays light.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alerts.dispatch import AlertLog, Dispatcher, MemoryAlertLog
from alerts.notifiers import EmailNotifier, LogNotifier, SmtpConfig, chat_notifier
from alerts.notifiers.base import Notifier
from alerts.rules import Rule, TextMatcher
from listener.config import ChannelSettings, RuleSettings, Settings
from listener.core.clock import Clock, system_clock
from listener.core.errors import ConfigError
from listener.core.model import Connector
from listener.jobs.alerts import AlertJob, rules_span
from listener.jobs.collect import CollectJob
from listener.jobs.digest import DigestJob, Drivers
from listener.jobs.echoes import EchoJob
from listener.jobs.retention import RetentionJob
from listener.service import JobSpec, Service
from listener.status import StorageRunRecorder, status_path

if TYPE_CHECKING:
    from fastapi import FastAPI

    from analysis.analyzer import Analyzer
    from analysis.matching import TopicMatcher
    from analysis.theme_vectors import ThemeEncoder
    from connectors._http import HostLimiter
    from listener.alert_store import WindowReader
    from listener.jobs.ideas import IdeasStep
    from listener.jobs.trends import TrendsStep
    from listener.spike_explainer import SpikeExplainer
    from storage import Repository

logger = logging.getLogger(__name__)


# --- storage -------------------------------------------------------------------------------------


def repository_at(url: str, *, clock: Clock = system_clock) -> Repository:
    """Open the database at ``url`` as it is (no migration): the one place a Repository is made."""
    from analysis.rising_days import day_counts  # deleting mentions recounts their days' term counts
    from storage import Repository

    return Repository.from_url(url, clock=clock, count_day=day_counts)


def open_repository(settings: Settings, *, clock: Clock = system_clock) -> Repository:
    """Open the configured database and bring its schema up to date."""
    repository = repository_at(settings.database.url, clock=clock)
    repository.upgrade()
    return repository


# --- analysis ------------------------------------------------------------------------------------


def topic_matcher(topics: Sequence[tuple[str, str]]) -> TopicMatcher:
    """Compile ``(topic id, query)`` pairs once (raises ``QuerySyntaxError`` on a bad query)."""
    from analysis.matching import TopicMatcher

    return TopicMatcher.compile(list(topics))


def settings_matcher(settings: Settings) -> TopicMatcher | None:
    """Return the matcher of the configured topics, or None when there are none (keep everything)."""
    return topic_matcher([(t.id, t.query) for t in settings.topics]) if settings.topics else None


def model_folder(
    settings: Settings, *, say: Callable[[str], None] | None = None, step: Callable[[str], None] | None = None
) -> Path:
    """Build the encoder on first use on this machine (a one-off step), then reuse it."""
    from analysis.model_build import ModelBuildError
    from analysis.model_ready import ensure_model

    try:
        return ensure_model(settings.data_dir, settings.analysis.runtime, say=say, step=step)
    except ModelBuildError as err:
        raise ConfigError(str(err)) from err


def load_analyzer(
    settings: Settings, *, say: Callable[[str], None] | None = None, step: Callable[[str], None] | None = None
) -> Analyzer:
    """Encoder + newest heads (the data dir's trained versions win over the shipped ones)."""
    from analysis import analyzer
    from analysis.model_build import ModelBuildError

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    folder = model_folder(settings, say=say, step=step)
    try:
        return analyzer.load(
            folder,
            data_dir=settings.data_dir,
            runtime=settings.analysis.runtime,
            batch_size=max(8, min(settings.analysis.batch_size, 128)),
            threads=settings.analysis.threads,
        )
    except ModelBuildError as err:
        raise ConfigError(str(err)) from err


# --- alerts --------------------------------------------------------------------------------------


def keyword_matcher(query: str, *, rule_id: str = "keyword") -> TextMatcher:
    """Compile a crisis query with the topic query language (``analysis.matching.TopicMatcher``)."""
    from listener.core.query import QuerySyntaxError

    try:
        return topic_matcher([(rule_id, query)]).matches_text
    except QuerySyntaxError as err:
        raise ConfigError(f"alerts.rules.{rule_id}.query: {err}") from err


def build_rule(settings: RuleSettings) -> Rule:
    """Turn one configured rule into the alerts layer's rule (compiling a keyword query)."""
    return Rule(id=settings.id, kind=settings.kind, topics=settings.topics, threshold=settings.threshold,
                window=settings.window, cooldown=settings.cooldown, min_volume=settings.min_volume,
                severity=settings.severity, channels=settings.channels, query=settings.query,
                seasonal=settings.seasonal, min_history=settings.min_history, growth=settings.growth,
                matcher=keyword_matcher(settings.query, rule_id=settings.id) if settings.query else None)


def smtp_config(settings: Settings) -> SmtpConfig:
    """Return the SMTP settings with credentials revealed from the environment, here only."""
    smtp = settings.alerts.smtp
    return SmtpConfig(host=smtp.host, port=smtp.port, security=smtp.security,
                      username=smtp.username.get_secret_value() if smtp.username else None,
                      password=smtp.password.get_secret_value() if smtp.password else None,
                      sender=smtp.sender, timeout_s=smtp.timeout.total_seconds(),
                      ca_file=str(smtp.ca_file) if smtp.ca_file else None)


def build_notifier(channel: ChannelSettings, settings: Settings, *, clock: Clock = system_clock) -> Notifier:
    """Return the notifier for one configured channel."""
    tz = settings.timezone
    if channel.type == "email":
        return EmailNotifier(channel.id, smtp=smtp_config(settings), to=channel.to, lang=channel.lang, tz=tz,
                             clock=clock)
    if channel.type == "apprise":
        if channel.url is None:
            raise ConfigError(f"alerts.channels.{channel.id}.url: the environment variable it names is unset")
        return chat_notifier(channel.id, channel.url.get_secret_value(), lang=channel.lang, tz=tz,
                             max_length=channel.max_length, clock=clock)
    return LogNotifier(channel.id, lang=channel.lang, tz=tz, clock=clock)


def build_notifiers(settings: Settings, *, dry_run: bool = False,
                    clock: Clock = system_clock) -> dict[str, Notifier]:
    """Return every configured channel; with ``dry_run`` each one is a LogNotifier of the same id."""
    channels = settings.alerts.channels or (ChannelSettings(id="log", type="log", lang=settings.language),)
    if dry_run:
        return {c.id: LogNotifier(c.id, lang=c.lang, tz=settings.timezone, clock=clock) for c in channels}
    return {c.id: build_notifier(c, settings, clock=clock) for c in channels}


def build_dispatcher(settings: Settings, log: AlertLog, *, dry_run: bool = False,
                     notifiers: Mapping[str, Notifier] | None = None,
                     clock: Clock = system_clock, repository: Repository | None = None) -> Dispatcher:
    """Return the dispatcher for the configured rules and channels (spikes explained from ``repository``)."""
    rules = [build_rule(r) for r in settings.alerts.rules]
    chosen = notifiers if notifiers is not None else build_notifiers(settings, dry_run=dry_run, clock=clock)
    explain = spike_explainer(settings, repository) if repository is not None else None
    return Dispatcher(log, chosen, rules, retry_max=settings.alerts.retry_max, explain=explain)


def stored_dispatcher(settings: Settings, repository: Repository, *, dry_run: bool = False,
                      clock: Clock = system_clock) -> Dispatcher:
    """Return the dispatcher keeping alerts and deliveries in ``repository`` (in memory with ``dry_run``)."""
    from listener.alert_store import RepositoryAlertLog

    log: AlertLog = MemoryAlertLog() if dry_run else RepositoryAlertLog(repository)
    return build_dispatcher(settings, log, dry_run=dry_run, clock=clock, repository=repository)


def spike_explainer(settings: Settings, repository: Repository) -> SpikeExplainer:
    """Return what attaches "what drove this spike" to spike alerts and the digest."""
    from listener.spike_explainer import SpikeExplainer

    return SpikeExplainer(repository, {t.id: t.role for t in settings.topics})


def digest_drivers(settings: Settings, repository: Repository) -> Drivers:
    """Return the digest's ``drivers(start, end)``: the stories of the brand topics' bursts that day."""
    from listener.spike_explainer import digest_drivers as stories

    explainer = spike_explainer(settings, repository)
    brands = [t.id for t in settings.topics if t.role == "brand"]
    return lambda start, end: stories(explainer, brands, start, end)


def window_reader(settings: Settings, repository: Repository) -> WindowReader:
    """Return the reader that builds rule windows from the repository."""
    from listener.alert_store import WindowReader

    return WindowReader(repository, [t.id for t in settings.topics], history=settings.alerts.history,
                        negative_margin=settings.alerts.negative_margin,
                        margins_by_language=settings.alerts.negative_margin_by_language)


def replay_alerts(settings: Settings, repository: Repository, *, start: datetime, end: datetime,
                  step: timedelta = timedelta(minutes=15), notifiers: Mapping[str, Notifier] | None = None,
                  store: bool = False) -> list[tuple[datetime, Any]]:
    """Evaluate the rules at every ``step`` from ``start`` to ``end`` over stored mentions (for the demo).

    Alerts live in a :class:`MemoryAlertLog`, or with ``store`` in the repository with their deliveries
    (deduplicated by key, as the service's); they go to log channels unless other ``notifiers`` are given.
    Returns ``(time, alert)`` for every message decided, in order."""
    from listener.alert_store import RepositoryAlertLog
    from listener.jobs import alerts

    log: AlertLog = RepositoryAlertLog(repository) if store else MemoryAlertLog()
    dispatcher = build_dispatcher(settings, log, dry_run=notifiers is None, notifiers=notifiers,
                                  repository=repository)
    reader = window_reader(settings, repository)
    return alerts.replay_alerts(dispatcher, reader.read, rules_span(settings), start=start, end=end,
                                step=step)


# --- connectors and the service ------------------------------------------------------------------


def build_connector(name: str, section: object, *, clock: Clock = system_clock,
                    limiter: HostLimiter | None = None) -> Connector:
    """Return the registered connector ``name`` configured from its ``sources.<name>`` section.

    ``limiter``: the per-host request buckets its HTTP client draws from (workers pass the shared,
    database-backed ones of ``listener.shared_limits``; by default the process's own).
    """
    import connectors
    from connectors._http import HttpClient

    client = (HttpClient(name, limiter=limiter, wall_clock=lambda: clock().timestamp())
              if limiter is not None else None)
    return connectors.build(name, section, clock=clock, client=client)


def build_collect_jobs(settings: Settings, repository: Repository, *,
                       clock: Clock = system_clock, limiter: HostLimiter | None = None) -> list[JobSpec]:
    """Return the collection jobs of every enabled source: one per topic (RSS: its plain feeds once)."""
    import connectors

    matcher = settings_matcher(settings)
    jobs: list[JobSpec] = []
    for name in type(settings.sources).model_fields:
        section = getattr(settings.sources, name)
        if not section.enabled:
            continue
        if name not in connectors.REGISTRY:
            logger.warning("service: no connector named %s, source skipped", name)
            continue
        connector = build_connector(name, section, clock=clock, limiter=limiter)
        if not getattr(connector, "is_configured", True):
            # One clear message at start-up, instead of an error on every cycle.
            logger.warning("service: source %s disabled: %s", name,
                           getattr(connector, "disabled_reason", "not configured"), extra={"source": name})
            continue
        for runner, query in connectors.collection_runs(connector, settings.queries()):
            jobs.append(JobSpec(id=f"{name}:{query.id}", kind="collect", interval=section.interval,
                                max_interval=section.max_interval, is_adaptive=True, source=name,
                                query_id=query.id,
                                run=CollectJob(runner, query, repository, matcher, clock)))
    return jobs


def build_analysis_job(settings: Settings, repository: Repository) -> JobSpec | None:
    """Return the analysis job, or None when analysis is off."""
    from listener.jobs.analyse import AnalysisJob

    if not settings.analysis.enabled:
        return None
    models: list[Analyzer] = []

    def model() -> Analyzer:  # loaded once, shared by the analysis job and the ideas step
        if not models:
            models.append(load_analyzer(settings))
        return models[0]

    trends = trends_step(settings, repository)
    ideas = ideas_step(settings, repository, model)

    def after(now: datetime) -> None:
        trends(now)
        ideas(now)

    return JobSpec(id="analysis", kind="analysis", interval=settings.analysis.interval,
                   run=AnalysisJob(repository, model, batch_size=settings.analysis.batch_size, after=after))


def ideas_step(settings: Settings, repository: Repository, model: Callable[[], Analyzer]) -> IdeasStep:
    """Return the step grouping the week's suggestions into ideas once the analysis has caught up."""
    from listener.jobs.ideas import IdeasStep

    return IdeasStep(repository, model, settings.queries)


def build_routing_job(settings: Settings, repository: Repository, *, dry_run: bool = False,
                      clock: Clock = system_clock, require_analysis: bool = True) -> JobSpec:
    """Return the job routing newly analysed mentions to departments (``routing:`` in the config)."""
    from listener.jobs.routing import RoutingJob
    from storage import WebStore

    job = RoutingJob(repository, WebStore.of(repository, clock=clock), settings.routing,
                     build_notifiers(settings, dry_run=dry_run, clock=clock),
                     require_analysis=require_analysis)
    return JobSpec(id="routing", kind="routing", interval=settings.analysis.interval, run=job)


def trends_step(settings: Settings, repository: Repository) -> TrendsStep:
    """Return the step run after each analysis slice (rollups; theme vectors when configured)."""
    from listener.jobs.trends import TrendsStep

    def encoder() -> ThemeEncoder:
        return theme_encoder(settings)

    return TrendsStep(repository, encoder if settings.analysis.theme_vectors else None)


def theme_encoder(settings: Settings, *, say: Callable[[str], None] | None = None) -> ThemeEncoder:
    """Return the plain e5 encoder themes cluster with (built and exported on first use)."""
    from analysis.theme_vectors import ThemeEncoder

    return ThemeEncoder(model_folder(settings, say=say))


def build_service(settings: Settings, repository: Repository, *, dry_run: bool = False,
                  collect_jobs: Sequence[JobSpec] = (), analysis_job: JobSpec | None = None,
                  clock: Clock = system_clock) -> Service:
    """Return the service with its collection, analysis, echo, routing, alert, digest and retention jobs."""
    dispatcher = stored_dispatcher(settings, repository, dry_run=dry_run, clock=clock)
    reader = window_reader(settings, repository)
    specs: list[JobSpec] = [*collect_jobs]
    if analysis_job is not None:
        specs.append(analysis_job)
    specs.append(JobSpec(id="echoes", kind="echoes", interval=settings.analysis.interval,
                         run=EchoJob(repository)))
    if settings.routing.rules:
        specs.append(build_routing_job(settings, repository, dry_run=dry_run, clock=clock,
                                       require_analysis=analysis_job is not None))
    specs.append(JobSpec(id="alerts", kind="alerts", interval=settings.alerts.interval,
                         run=AlertJob(dispatcher, reader.read, rules_span(settings), EchoJob(repository))))
    digest = settings.alerts.digest
    if digest.enabled:
        from listener.jobs.ideas import digest_ideas

        hour, minute = (int(p) for p in digest.at.split(":"))
        job = DigestJob(settings, lambda s, e: reader.read(e, e - s), dispatcher,
                        digest_drivers(settings, repository), digest_ideas(repository, settings.language))
        specs.append(JobSpec(id="digest", kind="digest", run=job, at=time(hour, minute)))
    if settings.retention.mentions_days is not None and not dry_run:
        keep = timedelta(days=settings.retention.mentions_days)
        specs.append(JobSpec(id="retention", kind="retention", at=time(3, 30),
                             run=RetentionJob(repository, keep)))
    service = settings.service
    return Service(specs, timezone=settings.timezone, jitter=service.jitter,
                   misfire_grace=service.misfire_grace, status_path=status_path(settings),
                   recorders=[StorageRunRecorder(repository)], clock=clock)


def build_job_runner(spec: JobSpec, repository: Repository, *, clock: Clock = system_clock) -> Service:
    """Return a never-started service of one job: a worker runs tasks with ``listener run``'s error policy."""
    return Service([spec], recorders=[StorageRunRecorder(repository)], clock=clock)


def build_full_service(settings: Settings, repository: Repository, *, dry_run: bool = False,
                       clock: Clock = system_clock, limiter: HostLimiter | None = None) -> Service:
    """Return the service with every job the configuration asks for, all reading ``clock``."""
    return build_service(settings, repository, dry_run=dry_run,
                         collect_jobs=build_collect_jobs(settings, repository, clock=clock, limiter=limiter),
                         analysis_job=build_analysis_job(settings, repository), clock=clock)


# --- web -----------------------------------------------------------------------------------------


def build_web_app(settings: Settings, repository: Repository, *, clock: Clock = system_clock) -> FastAPI:
    """Return the web API over ``repository`` (accounts and workflow through :class:`storage.WebStore`)."""
    from listener.web.app import create_app
    from storage import WebStore

    return create_app(repository, WebStore.of(repository, clock=clock), clock=clock, settings=settings,
                      theme_encoder=lambda: theme_encoder(settings))
