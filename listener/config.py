"""Load and validate ``config.yaml`` into typed settings, failing early with the file, line and key path.

Secrets never live in the file: a secret field holds a ``${ENV_VAR}`` reference, resolved from the
environment at load time into a ``SecretStr`` (which prints as ``**********``). Every section has a
default, so an empty file is a valid config (SQLite, the offline demo source).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from listener.analysis_settings import AnalysisSettings, AspectSettings
from listener.core.errors import ConfigError
from listener.core.model import Query
from listener.routing import RoutingSettings
from listener.source_settings import (
    BlueskySourceSettings,
    DemoSourceSettings,
    Duration,
    HackerNewsSourceSettings,
    MastodonSourceSettings,
    RedditSourceSettings,
    RssSourceSettings,
    Secret,
    SourceSettings,
    SourcesSettings,
    TwitterSourceSettings,
    _parse_duration,
    _Section,
)
from listener.web.settings import WebSettings


class DatabaseSettings(_Section):
    """Where mentions are stored: a SQLite file by default, PostgreSQL for bigger teams."""

    url: str = "sqlite:///listener.db"
    """SQLAlchemy URL, e.g. ``postgresql+psycopg://user@host/db``; may reference ``${ENV}``."""

    @field_validator("url", mode="before")
    @classmethod
    def _expand(cls, value: Any) -> Any:
        if isinstance(value, str):
            return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda m: os.environ.get(m.group(1), ""), value)
        return value


def _check_query(value: str) -> str:
    """Parse a boolean query so a mistake fails at load time, pointing at its column."""
    from listener.core.query import QuerySyntaxError, parse

    try:
        parse(value)
    except QuerySyntaxError as err:
        raise ValueError(str(err)) from err
    return value


class TopicSettings(_Section):
    """A brand, product, competitor or campaign to watch, described by a boolean query."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    name: str
    query: Annotated[str, Field(min_length=1)]
    role: Literal["brand", "competitor", "campaign", "other"] = "brand"
    languages: tuple[str, ...] = ()

    @field_validator("query")
    @classmethod
    def _parses(cls, value: str) -> str:
        return _check_query(value)

    def to_query(self) -> Query:
        """Return the layer-neutral query handed to connectors."""
        return Query(
            id=self.id, name=self.name, expression=self.query, role=self.role, languages=self.languages
        )


class ChannelSettings(_Section):
    """Where alerts go: an e-mail recipient list or an apprise URL (Slack, Teams, Discord, webhook...)."""

    id: str
    type: Literal["email", "apprise", "log"]
    to: tuple[str, ...] = ()
    url: Secret = None
    lang: Literal["fr", "en"] = "en"
    max_length: int | None = Field(default=None, ge=100)
    """Cut chat messages to this many characters when the receiver is stricter than the service."""


class RuleSettings(_Section):
    """One alert rule; ``kind`` picks the evaluator."""

    id: str
    kind: Literal["negative_spike", "negative_share", "influencer_negative", "keyword"]
    topics: tuple[str, ...] = ()
    """Topic ids this rule watches; empty means every topic."""
    threshold: float | None = None
    window: Duration = timedelta(hours=1)
    cooldown: Duration = timedelta(hours=6)
    min_volume: int = 5
    query: str | None = None
    channels: tuple[str, ...] = ()
    severity: Literal["info", "warning", "critical"] = "warning"
    seasonal: bool = False
    """negative_spike: learn the baseline from the same hour of previous days."""
    min_history: int = Field(default=6, ge=1)
    """negative_spike: past windows needed before the rule may fire."""
    growth: float = Field(default=2.0, gt=1.0)
    """An open alert thread gets a follow-up only when its count reaches growth × the last one sent."""

    @model_validator(mode="after")
    def _keyword_has_query(self) -> RuleSettings:
        if self.kind == "keyword" and not self.query:
            raise ValueError(f"rule {self.id!r} of kind 'keyword' needs a 'query'")
        return self


class SmtpSettings(_Section):
    """Outgoing mail server; credentials come from the environment."""

    host: str = "localhost"
    port: int = 25
    security: Literal["none", "starttls", "ssl"] = "none"
    username: Secret = None
    password: Secret = None
    sender: str = "listener@localhost"
    timeout: Duration = timedelta(seconds=30)
    ca_file: Path | None = None
    """PEM bundle of an extra CA to trust (a self-hosted server with its own certificate)."""


class DigestSettings(_Section):
    """The daily digest e-mail."""

    enabled: bool = False
    at: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] = "08:00"
    channels: tuple[str, ...] = ()


class AlertsSettings(_Section):
    """Rules, channels and the digest."""

    channels: tuple[ChannelSettings, ...] = ()
    rules: tuple[RuleSettings, ...] = ()
    smtp: SmtpSettings = SmtpSettings()
    digest: DigestSettings = DigestSettings()
    interval: Duration = timedelta(minutes=1)
    """How often the rules are evaluated and failed deliveries retried."""
    history: Duration = timedelta(days=14)
    """How far back spike baselines look."""
    retry_max: Duration = timedelta(hours=1)
    """Failed deliveries are retried with exponential backoff up to this delay, never dropped."""
    unhealthy_after: int = Field(default=3, ge=1)
    """Consecutive failed deliveries after which a channel shows as unhealthy."""
    negative_margin: float = Field(default=0.0, ge=0.0, le=1.0)
    """A mention counts as negative in alerts when labelled negative and p(negative) - p(positive)
    is at least this; 0 trusts the label alone (see benchmarks/accuracy.py for the trade-off)."""
    negative_margin_by_language: dict[str, float] = Field(default_factory=dict)
    """Margins for mentions in one language (``{en: 0.6}``), overriding ``negative_margin``: the same
    margin buys different precision in French and English (README, "precision / recall by margin")."""

    @field_validator("negative_margin_by_language")
    @classmethod
    def _margins_in_range(cls, margins: dict[str, float]) -> dict[str, float]:
        for lang, margin in margins.items():
            if not 0.0 <= margin <= 1.0:
                raise ValueError(f"the margin for {lang!r} must be between 0 and 1, got {margin}")
        return {lang.lower(): margin for lang, margin in margins.items()}

    @model_validator(mode="after")
    def _channels_exist(self) -> AlertsSettings:
        known = {c.id for c in self.channels}
        for rule in self.rules:
            for name in rule.channels:
                if name not in known:
                    raise ValueError(f"rule {rule.id!r} names unknown channel {name!r}")
        return self


class ServiceSettings(_Section):
    """The long-running service (``listener run``): scheduling slack and the health endpoint."""

    jitter: Duration = timedelta(seconds=30)
    """Random delay added to each collection run so sources are not hit in lockstep."""
    misfire_grace: Duration = timedelta(minutes=5)
    """A run missed by less than this (busy machine, suspend) still happens once."""
    health_port: int | None = Field(default=None, ge=0, le=65535)
    """Serve ``/healthz`` JSON on 127.0.0.1 at this port (0: any free port; unset: off)."""
    health_host: str = "127.0.0.1"


class LoggingSettings(_Section):
    """Log level and format (``json`` gives one JSON object per line)."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["text", "json"] = "text"


class RetentionSettings(_Section):
    """How long mentions are kept; their daily counts stay (see ``storage.retention``)."""

    mentions_days: int | None = Field(default=None, ge=15)
    """Delete mentions published more than this many days ago (unset: keep them all). At least 15:
    spike rules compare with 14 days of history."""


class Settings(_Section):
    """The whole configuration file."""

    database: DatabaseSettings = DatabaseSettings()
    data_dir: Path = Path(".listener")
    """Models, caches and the demo database live here (relative to the config file)."""
    timezone: str = "UTC"
    language: Literal["fr", "en"] = "en"
    topics: tuple[TopicSettings, ...] = ()
    sources: SourcesSettings = SourcesSettings()
    analysis: AnalysisSettings = AnalysisSettings()
    alerts: AlertsSettings = AlertsSettings()
    service: ServiceSettings = ServiceSettings()
    logging: LoggingSettings = LoggingSettings()
    web: WebSettings = WebSettings()
    routing: RoutingSettings = RoutingSettings()

    @model_validator(mode="after")
    def _routing_names_exist(self) -> Settings:
        departments = {d.id for d in self.routing.departments}
        channels = {c.id for c in self.alerts.channels}
        for rule in self.routing.rules:
            if rule.department not in departments:
                raise ValueError(f"routing rule {rule.id!r} names unknown department {rule.department!r}")
        for department in self.routing.departments:
            for channel in department.channels:
                if channel not in channels:
                    raise ValueError(f"department {department.id!r} names unknown channel {channel!r}")
        return self
    retention: RetentionSettings = RetentionSettings()

    @field_validator("topics")
    @classmethod
    def _unique_topics(cls, topics: tuple[TopicSettings, ...]) -> tuple[TopicSettings, ...]:
        seen: set[str] = set()
        for topic in topics:
            if topic.id in seen:
                raise ValueError(f"topic id {topic.id!r} is declared twice")
            seen.add(topic.id)
        return topics

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/Paris)") from err
        return value

    def queries(self) -> list[Query]:
        """Return every topic as a connector query."""
        return [t.to_query() for t in self.topics]


class _Twice(ValueError):
    """A key written twice in one YAML mapping (its line, path and first line)."""


def _line_index(node: yaml.Node, path: tuple[str | int, ...], out: dict[tuple[str | int, ...], int]) -> None:
    """Record the 1-based line of every key path in a YAML tree; a key twice in a mapping is refused."""
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            if (*path, key) in out:
                dotted = ".".join(str(p) for p in (*path, key))
                raise _Twice(f"{key_node.start_mark.line + 1}: {dotted}: written twice (line "
                             f"{out[(*path, key)]} too); keep one")
            out[(*path, key)] = key_node.start_mark.line + 1
            _line_index(value_node, (*path, key), out)
            out[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_index(item, (*path, index), out)


def _describe(error: ValidationError, lines: Mapping[tuple[str | int, ...], int], source: str) -> str:
    """Render pydantic errors as ``file:line: key.path: what was expected``."""
    messages = []
    for item in error.errors():
        loc = tuple(part for part in item["loc"] if not str(part).startswith("function-"))
        line = None
        for end in range(len(loc), -1, -1):
            if loc[:end] in lines:
                line = lines[loc[:end]]
                break
        dotted = ".".join(str(p) for p in loc) or "(top level)"
        msg = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            msg = "unknown key (check its spelling and indentation)"
        where = f"{source}:{line}" if line else source
        messages.append(f"{where}: {dotted}: {msg}")
    return "\n".join(messages)


def parse_settings(text: str, *, source: str = "<config>") -> Settings:
    """Validate YAML text into settings, raising :class:`ConfigError` with file, line and key path."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        problem = getattr(err, "problem", None) or str(err)
        raise ConfigError(f"{where}: not valid YAML: {problem}") from err
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}:1: the config must be a mapping of sections (database, topics, ...)")
    lines: dict[tuple[str | int, ...], int] = {}
    if node is not None:
        try:
            _line_index(node, (), lines)
        except _Twice as err:
            raise ConfigError(f"{source}:{err}") from err
    try:
        return Settings.model_validate(data)
    except ValidationError as err:
        raise ConfigError(_describe(err, lines, source)) from err


DEMO_STREAM_DB = "demo-stream.db"
"""The demo source's own SQLite file, in ``data_dir`` (``sources.demo.database: own``)."""


def load_settings(path: Path) -> Settings:
    """Read and validate a config file; relative ``data_dir`` and SQLite paths follow the file.

    With the demo source enabled (``sources.demo.database: own``, the default) the database is the demo's
    own file in ``data_dir``, whatever ``database.url`` says: fictional mentions never enter a real one.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise ConfigError(f"{path}: no such config file (run 'listener init' to write one)") from err
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read the config file: {err}") from err
    settings = parse_settings(text, source=str(path))
    base = path.resolve().parent
    updates: dict[str, Any] = {}
    if not settings.data_dir.is_absolute():
        updates["data_dir"] = base / settings.data_dir
    url = settings.database.url
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////") and ":memory:" not in url:
        updates["database"] = DatabaseSettings(url="sqlite:///" + str(base / url.removeprefix("sqlite:///")))
    demo = settings.sources.demo
    if demo.enabled and demo.database == "own":
        data_dir = updates.get("data_dir", settings.data_dir)
        updates["database"] = DatabaseSettings(url=f"sqlite:///{data_dir / DEMO_STREAM_DB}")
    return settings.model_copy(update=updates) if updates else settings


__all__ = [  # the source settings live in listener/source_settings.py; re-exported for their importers
    "DEMO_STREAM_DB",
    "AlertsSettings",
    "AnalysisSettings",
    "AspectSettings",
    "BlueskySourceSettings",
    "ChannelSettings",
    "DatabaseSettings",
    "DemoSourceSettings",
    "DigestSettings",
    "HackerNewsSourceSettings",
    "LoggingSettings",
    "MastodonSourceSettings",
    "RedditSourceSettings",
    "RssSourceSettings",
    "RuleSettings",
    "ServiceSettings",
    "Settings",
    "SmtpSettings",
    "SourceSettings",
    "SourcesSettings",
    "TopicSettings",
    "TwitterSourceSettings",
    "_parse_duration",
    "load_settings",
    "parse_settings",
]
