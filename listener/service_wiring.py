"""Build the service's object graph from settings: rules, notifiers, dispatcher, and the scheduled jobs.

Kept apart from ``listener/wiring.py`` so the service can be wired while other parts of the graph are
still being built; the lead may fold it in. Everything here is construction: no job logic.
"""

from __future__ import annotations

import logging
import smtplib
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from alerts.digest import build_digest, digest_message, digest_span
from alerts.dispatch import AlertLog, Dispatcher, MemoryAlertLog
from alerts.notifiers import EmailNotifier, LogNotifier, SmtpConfig, chat_notifier
from alerts.notifiers.base import Notifier
from alerts.notifiers.email import send_message
from alerts.rules import Rule, TextMatcher
from alerts.window import Window
from listener.config import ChannelSettings, RuleSettings, Settings
from listener.core.clock import Clock, system_clock
from listener.core.errors import ConfigError, DeliveryError
from listener.core.model import Author, Mention
from listener.service import JobResult, JobSpec, JobStatus, Service

if TYPE_CHECKING:
    from storage import Repository

logger = logging.getLogger(__name__)


def keyword_matcher(query: str, *, rule_id: str = "keyword") -> TextMatcher:
    """Compile a crisis query with the topic query language (``analysis.matching.TopicMatcher``)."""
    from analysis.matching import TopicMatcher
    from listener.core.query import QuerySyntaxError

    try:
        matcher = TopicMatcher.compile([(rule_id, query)])
    except QuerySyntaxError as err:
        raise ConfigError(f"alerts.rules.{rule_id}.query: {err}") from err
    stamp = datetime(2000, 1, 1, tzinfo=UTC)
    author = Author(source="alerts", external_id="-", handle="-")

    def matches(text: str) -> bool:
        probe = Mention(source="alerts", external_id="-", text=text, author=author, published_at=stamp,
                        fetched_at=stamp)
        return bool(matcher.match(probe))

    return matches


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
                     clock: Clock = system_clock) -> Dispatcher:
    """Return the dispatcher for the configured rules and channels."""
    rules = [build_rule(r) for r in settings.alerts.rules]
    chosen = notifiers if notifiers is not None else build_notifiers(settings, dry_run=dry_run, clock=clock)
    return Dispatcher(log, chosen, rules, retry_max=settings.alerts.retry_max)


def rules_span(settings: Settings) -> timedelta:
    """Return the longest rule window (what one shared window read must cover)."""
    return max((r.window for r in settings.alerts.rules), default=timedelta(hours=1))


@dataclass
class AlertJob:
    """The alert evaluation job: read the window, decide, store, deliver."""

    dispatcher: Dispatcher
    read_window: Callable[[datetime, timedelta], Window]
    span: timedelta

    def __call__(self, now: datetime) -> JobResult:
        """Run one tick at ``now``."""
        result = self.dispatcher.tick(self.read_window(now, self.span), now)
        failed = sum(1 for d in result.deliveries if not d.is_ok)
        return JobResult(items=len(result.decided), backlog=failed)


def digest_day(now: datetime, tz: str) -> date:
    """Return the local day a digest sent at ``now`` reports on: the day before."""
    return (now.astimezone(ZoneInfo(tz)) - timedelta(days=1)).date()


def make_digest(settings: Settings, read_window: Callable[[datetime, datetime], Window], day: date) -> Any:
    """Build the digest of ``day`` from the repository."""
    start, end = digest_span(day, settings.timezone)
    names = {t.id: t.name for t in settings.topics}
    roles = {t.id: t.role for t in settings.topics}
    return build_digest(read_window(start, end), day, tz=settings.timezone, names=names, roles=roles)


def send_digest(settings: Settings, digest: Any, *, channels: Sequence[str] | None = None) -> int:
    """Send the digest to ``alerts.digest.channels`` (all channels when empty); return channels reached.

    E-mail channels get the full HTML digest with its inline chart; chat channels get the text
    version (cut to their length); log channels log its subject.
    """
    from alerts.digest import render_digest

    wanted = set(channels if channels is not None else settings.alerts.digest.channels)
    targets = [c for c in settings.alerts.channels if not wanted or c.id in wanted]
    smtp = smtp_config(settings)
    sent = 0
    for channel in targets:
        if channel.type == "email":
            message = digest_message(digest, channel.lang, sender=smtp.sender, to=channel.to)
            try:
                send_message(smtp, message, channel.to)
            except (OSError, smtplib.SMTPException) as err:
                raise DeliveryError(f"digest: {type(err).__name__}: {err}", channel=channel.id) from err
        elif channel.type == "apprise" and channel.url is not None:
            import apprise

            subject, text, _ = render_digest(digest, channel.lang)
            client = apprise.Apprise()
            client.add(channel.url.get_secret_value())
            if not client.notify(title=subject, body=text[: channel.max_length or 4000]):
                raise DeliveryError("digest: the chat channel refused the digest", channel=channel.id)
        else:
            subject, _, _ = render_digest(digest, channel.lang)
            logger.info("alerts: digest %s", subject, extra={"channel": channel.id})
        sent += 1
    return sent


def status_path(settings: Settings) -> Path:
    """Return where the running service writes its status for ``listener status``."""
    return settings.data_dir / "service-status.json"


def build_service(settings: Settings, repository: Repository, *, dry_run: bool = False,
                  collect_jobs: Sequence[JobSpec] = (), analysis_job: JobSpec | None = None,
                  clock: Clock = system_clock) -> Service:
    """Return the service with its collection, analysis, alert and digest jobs."""
    from listener.alert_store import RepositoryAlertLog, WindowReader

    log: AlertLog = MemoryAlertLog() if dry_run else RepositoryAlertLog(repository)
    dispatcher = build_dispatcher(settings, log, dry_run=dry_run, clock=clock)
    reader = WindowReader(repository, [t.id for t in settings.topics], history=settings.alerts.history,
                          negative_margin=settings.alerts.negative_margin)
    specs: list[JobSpec] = [*collect_jobs]
    if analysis_job is not None:
        specs.append(analysis_job)
    specs.append(JobSpec(id="alerts", kind="alerts", interval=settings.alerts.interval,
                         run=AlertJob(dispatcher, reader.read, rules_span(settings))))
    digest = settings.alerts.digest
    if digest.enabled:
        hour, minute = (int(p) for p in digest.at.split(":"))

        def run_digest(now: datetime) -> JobResult:
            day = digest_day(now, settings.timezone)
            built = make_digest(settings, lambda s, e: reader.read(e, e - s), day)
            return JobResult(items=0 if dry_run else send_digest(settings, built))

        specs.append(JobSpec(id="digest", kind="digest", run=run_digest, at=time(hour, minute)))
    if settings.retention.mentions_days is not None and not dry_run:
        keep = timedelta(days=settings.retention.mentions_days)
        specs.append(JobSpec(id="retention", kind="retention", at=time(3, 30),
                             run=lambda now: JobResult(items=repository.prune_mentions(now - keep))))
    service = settings.service
    return Service(specs, timezone=settings.timezone, jitter=service.jitter,
                   misfire_grace=service.misfire_grace, status_path=status_path(settings),
                   recorders=[StorageRunRecorder(repository)], clock=clock)


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


class _JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the ``extra`` fields."""

    _standard = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        import json

        data: dict[str, Any] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(), "level": record.levelname,
            "logger": record.name, "message": record.getMessage()}
        data.update({k: v for k, v in record.__dict__.items() if k not in self._standard})
        if record.exc_info:
            data["traceback"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str)


class _CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Write to whatever ``sys.stderr`` is when a record comes, not the one at start-up.

    A test runner (or an embedding program) may swap and close the stream it gave us; a handler
    bound to the old one then fails with "I/O operation on closed file" on every later record.
    """

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure_logging(settings: Settings) -> None:
    """Set the root logger from ``logging.level`` and ``logging.format`` (text or json)."""
    handler = _CurrentStderr()
    if settings.logging.format == "json":
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.logging.level)
    for noisy in ("apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # httpx logs every request line at INFO: those belong to DEBUG (shown only when asked for)
    logging.getLogger("httpx").setLevel(logging.DEBUG if root.level <= logging.DEBUG else logging.WARNING)


def open_repository(settings: Settings, *, clock: Clock = system_clock) -> Repository:
    """Open the configured database and bring its schema up to date."""
    from storage import Repository

    repository = Repository.from_url(settings.database.url, clock=clock)
    repository.upgrade()
    return repository


def window_reader(settings: Settings, repository: Repository) -> Any:
    """Return the reader that builds rule windows from the repository."""
    from listener.alert_store import WindowReader

    return WindowReader(repository, [t.id for t in settings.topics], history=settings.alerts.history,
                          negative_margin=settings.alerts.negative_margin)


def status_document(settings: Settings, repository: Repository,
                    service: Service | None = None, *, clock: Clock = system_clock) -> dict[str, Any]:
    """Return what ``listener status`` and ``/healthz`` show: job statuses plus channel health.

    Jobs come from the running ``service`` when given, else from the status file it last wrote.
    """
    import json

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
    return document


_FAILURES: Mapping[str, Any] = {"RetryLater": "retry_later", "AuthFailed": "auth_failed",
                                "QueryRejected": "rejected"}


@dataclass
class CollectJob:
    """One (source, topic) collection run through ``listener.collect.run_once``."""

    connector: Any
    query: Any
    repository: Any
    matcher: Any
    clock: Clock = system_clock

    def __call__(self, now: datetime) -> JobResult:
        """Fetch and store; a source failure (already logged and recorded) is reported, not raised."""
        from listener.collect import run_once

        outcome = run_once(self.connector, self.query, self.repository, self.matcher, now=self.clock)
        if outcome.is_success:
            return JobResult(items=outcome.kept)
        retry_after_s = None
        if outcome.next_run_not_before is not None:
            retry_after_s = max((outcome.next_run_not_before - self.clock()).total_seconds(), 0.0)
        return JobResult(failure=_FAILURES.get(outcome.error_kind or "", "failed"), error=outcome.error,
                         retry_after_s=retry_after_s)


def build_collect_jobs(settings: Settings, repository: Repository, *,
                       clock: Clock = system_clock) -> list[JobSpec]:
    """Return one collection job per enabled source and topic."""
    import connectors
    from analysis.matching import TopicMatcher

    matcher = TopicMatcher.compile([(t.id, t.query) for t in settings.topics]) if settings.topics else None
    jobs: list[JobSpec] = []
    for name in type(settings.sources).model_fields:
        section = getattr(settings.sources, name)
        if not section.enabled:
            continue
        if name == "demo":
            from connectors.demo import DemoConnector, DemoSettings, DemoWorld

            world = DemoWorld(DemoSettings(seed=section.seed, days=section.days, start=section.start),
                              now=clock())
            connector: Any = DemoConnector(world, clock=clock)
        elif name in connectors.REGISTRY:
            connector = connectors.build(name, section)
        else:
            logger.warning("service: no connector named %s, source skipped", name)
            continue
        if not getattr(connector, "is_configured", True):
            # One clear message at start-up, instead of an error on every cycle.
            logger.warning("service: source %s disabled: %s", name,
                           getattr(connector, "disabled_reason", "not configured"), extra={"source": name})
            continue
        for query in settings.queries():
            jobs.append(JobSpec(id=f"{name}:{query.id}", kind="collect", interval=section.interval,
                                max_interval=section.max_interval, is_adaptive=True, source=name,
                                query_id=query.id,
                                run=CollectJob(connector, query, repository, matcher, clock)))
    return jobs


@dataclass
class AnalysisJob:
    """The analysis job: annotate what is not yet analysed, a bounded slice per run (``listener.analyse``)."""

    settings: Settings
    repository: Any
    model: Any = None
    per_run: int = 2000

    def __call__(self, now: datetime) -> JobResult:
        """Load the model on first use, annotate up to ``per_run`` mentions per stage, report the backlog."""
        from listener import analyse

        if self.model is None:
            self.model = analyse.load_analyzer(self.settings)
        result = analyse.run(self.repository, self.model, batch_size=self.settings.analysis.batch_size,
                             now=now, limit=self.per_run)
        version = analyse.stage_version("sentiment", self.model)
        backlog = len(self.repository.unanalysed("sentiment", version, self.per_run))
        return JobResult(items=result.total, backlog=backlog)


def build_analysis_job(settings: Settings, repository: Repository) -> JobSpec | None:
    """Return the analysis job, or None when analysis is off."""
    if not settings.analysis.enabled:
        return None
    return JobSpec(id="analysis", kind="analysis", interval=settings.analysis.interval,
                   run=AnalysisJob(settings, repository))


def build_full_service(settings: Settings, repository: Repository, *, dry_run: bool = False,
                       clock: Clock = system_clock) -> Service:
    """Return the service with every job the configuration asks for, all reading ``clock``."""
    return build_service(settings, repository, dry_run=dry_run,
                         collect_jobs=build_collect_jobs(settings, repository, clock=clock),
                         analysis_job=build_analysis_job(settings, repository), clock=clock)


def replay_alerts(settings: Settings, repository: Repository, *, start: datetime, end: datetime,
                  step: timedelta = timedelta(minutes=15),
                  notifiers: Mapping[str, Notifier] | None = None) -> list[tuple[datetime, Any]]:
    """Evaluate the rules at every ``step`` from ``start`` to ``end`` over stored mentions (for the demo).

    Nothing is stored: alerts live in a :class:`MemoryAlertLog` and go to log channels unless other
    ``notifiers`` are given. Returns ``(time, alert)`` for every message decided, in order.
    """
    dispatcher = build_dispatcher(settings, MemoryAlertLog(), dry_run=notifiers is None, notifiers=notifiers)
    reader = window_reader(settings, repository)
    span = rules_span(settings)
    decided: list[tuple[datetime, Any]] = []
    at = start
    while at <= end:
        decided += [(at, alert) for alert in dispatcher.tick(reader.read(at, span), at).decided]
        at += step
    return decided
