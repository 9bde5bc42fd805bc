"""From findings to deliveries: thread decisions, storing alerts before sending, retries and channel health.

Order of operations on every tick (the alert evaluation job):

1. evaluate the rules over the window and fold stored alerts into threads (:mod:`alerts.threads`);
2. store every message to send, with its target channels, *before* any send: its ``dedupe_key`` is
   unique, so a crash and restart neither loses it nor decides it again;
3. deliver what is due: each (alert, channel) without a successful delivery, whose backoff has
   elapsed. Every attempt is recorded; a failure waits 1, 2, 4... minutes up to ``retry_max`` and is
   retried forever (never dropped); one channel failing never stops the others.

The daily digest takes the same path (:meth:`Dispatcher.enqueue`, see ``alerts.digest_alert``): it is a
stored message whose dedupe key names its day, delivered and retried like any alert.

Persistence is behind the small :class:`AlertLog` protocol: storage implements it (through an
adapter in ``listener/``), :class:`MemoryAlertLog` is the shipped in-process one for ``--dry-run``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol

from alerts.notifiers.base import Delivery, Notifier
from alerts.rules import Rule, evaluate
from alerts.threads import decide, threads_from
from alerts.window import Window
from listener.core.model import JSON, Alert

logger = logging.getLogger(__name__)

FIRST_RETRY = timedelta(minutes=1)


class AlertLog(Protocol):
    """Where alerts and delivery attempts are kept (storage, or memory for a dry run)."""

    def alert_exists(self, key: str) -> bool:
        """Return True when an alert with this dedupe key is already stored."""
        ...

    def record_alert(self, alert: Alert) -> None:
        """Store ``alert`` (its ``details["channels"]`` names the targets); a known key is ignored."""
        ...

    def recent_alerts(self, since: datetime) -> Sequence[Alert]:
        """Return the alerts stored with ``window_end`` at or after ``since``."""
        ...

    def record_delivery(self, delivery: Delivery) -> None:
        """Append one delivery attempt."""
        ...

    def deliveries(self, alert_keys: Iterable[str]) -> Sequence[Delivery]:
        """Return every attempt recorded for these alerts, oldest first."""
        ...


@dataclass
class MemoryAlertLog:
    """An :class:`AlertLog` in memory: for ``--dry-run`` and for tests of the decision logic."""

    alerts: dict[str, Alert] = field(default_factory=dict)
    attempts: list[Delivery] = field(default_factory=list)

    def alert_exists(self, key: str) -> bool:
        """Return True when the key is known."""
        return key in self.alerts

    def record_alert(self, alert: Alert) -> None:
        """Keep ``alert`` unless its key is already known."""
        self.alerts.setdefault(alert.dedupe_key, alert)

    def recent_alerts(self, since: datetime) -> Sequence[Alert]:
        """Return alerts whose window ends at or after ``since``."""
        return [a for a in self.alerts.values() if a.window_end >= since]

    def record_delivery(self, delivery: Delivery) -> None:
        """Append the attempt."""
        self.attempts.append(delivery)

    def deliveries(self, alert_keys: Iterable[str]) -> Sequence[Delivery]:
        """Return attempts for these keys, oldest first."""
        keys = set(alert_keys)
        return [d for d in self.attempts if d.alert_key in keys]


def retry_delay(failures: int, retry_max: timedelta) -> timedelta:
    """Return how long to wait after the ``failures``-th consecutive failure: 1, 2, 4... min, capped."""
    delay: timedelta = FIRST_RETRY * (2 ** max(failures - 1, 0))
    return min(delay, retry_max)


@dataclass(frozen=True, slots=True, kw_only=True)
class ChannelHealth:
    """How a channel is doing: consecutive failures, last error, last success."""

    channel: str
    consecutive_failures: int = 0
    last_error: str | None = None
    last_ok_at: datetime | None = None
    last_attempt_at: datetime | None = None
    is_healthy: bool = True


def channel_health(deliveries: Iterable[Delivery], channels: Iterable[str], *,
                   unhealthy_after: int = 3) -> dict[str, ChannelHealth]:
    """Fold delivery attempts (oldest first) into one health entry per channel."""
    health = {name: ChannelHealth(channel=name) for name in channels}
    for d in sorted(deliveries, key=lambda d: d.attempted_at):
        current = health.get(d.channel, ChannelHealth(channel=d.channel))
        if d.is_ok:
            current = replace(current, consecutive_failures=0, last_ok_at=d.attempted_at,
                              last_attempt_at=d.attempted_at)
        else:
            current = replace(current, consecutive_failures=current.consecutive_failures + 1,
                              last_error=d.error, last_attempt_at=d.attempted_at)
        health[d.channel] = replace(current, is_healthy=current.consecutive_failures < unhealthy_after)
    return health


def due(alerts: Iterable[Alert], deliveries: Iterable[Delivery], now: datetime, *,
        retry_max: timedelta) -> list[tuple[Alert, str]]:
    """Return each (alert, channel) still owed a successful delivery whose backoff has elapsed."""
    by_target: dict[tuple[str, str], list[Delivery]] = {}
    for d in deliveries:
        by_target.setdefault((d.alert_key, d.channel), []).append(d)
    out: list[tuple[Alert, str]] = []
    for alert in sorted(alerts, key=lambda a: (a.window_end, a.dedupe_key)):
        for channel in _channels(alert):
            attempts = sorted(by_target.get((alert.dedupe_key, channel), []), key=lambda d: d.attempted_at)
            if any(d.is_ok for d in attempts):
                continue
            if attempts and now < attempts[-1].attempted_at + retry_delay(len(attempts), retry_max):
                continue
            out.append((alert, channel))
    return out


def _delivered(alerts: Iterable[Alert], deliveries: Iterable[Delivery]) -> set[str]:
    """Return the keys of alerts that every one of their channels has received."""
    sent = {(d.alert_key, d.channel) for d in deliveries if d.is_ok}
    return {a.dedupe_key for a in alerts if all((a.dedupe_key, c) in sent for c in _channels(a))}


def _channels(alert: Alert) -> tuple[str, ...]:
    raw: JSON = alert.details.get("channels", [])
    return tuple(str(c) for c in raw) if isinstance(raw, list | tuple) else ()


@dataclass(frozen=True, slots=True, kw_only=True)
class TickResult:
    """What one evaluation tick did."""

    decided: tuple[Alert, ...]
    deliveries: tuple[Delivery, ...]


class Dispatcher:
    """Run the rules, store the resulting messages, and deliver what is due to each channel."""

    def __init__(self, log: AlertLog, notifiers: Mapping[str, Notifier], rules: Sequence[Rule], *,
                 retry_max: timedelta = timedelta(hours=1), horizon: timedelta = timedelta(days=30),
                 default_channels: Sequence[str] = (),
                 explain: Callable[[Alert], Mapping[str, JSON] | None] | None = None) -> None:
        self.log = log
        self.explain = explain
        """Says what drove a finding (``details["drivers"]``), e.g. a spike's themes and terms."""
        self.notifiers = dict(notifiers)
        self.rules = tuple(rules)
        self.retry_max = retry_max
        self.horizon = horizon
        """How far back stored alerts are read to find open threads and unfinished deliveries."""
        self.default_channels = tuple(default_channels) or tuple(self.notifiers)
        self._last_seen: dict[tuple[str, str], datetime] = {}
        """When each (rule, subject) finding was last present; kept in memory (after a restart the last
        stored message stands in, so at worst a thread resolves one cool-down early)."""
        self._complete: set[str] = set()
        """Alerts delivered on every channel: a success is final, so they are not looked up again."""
        self._sending = threading.Lock()
        """The alert job and the digest job share this dispatcher: one delivery pass at a time."""

    def enqueue(self, alert: Alert, channels: Sequence[str] = ()) -> bool:
        """Store a message decided elsewhere (the digest) for ``channels``; False if its key is known.

        It is then delivered by :meth:`deliver_due` like any alert: each channel on its own, retried.
        """
        if self.log.alert_exists(alert.dedupe_key):
            return False
        targets = list(channels or self.default_channels)
        self.log.record_alert(replace(alert, details={**alert.details, "channels": targets}))
        logger.info("alerts: stored %s", alert.dedupe_key, extra={"rule_id": alert.rule_id})
        return True

    def decide(self, window: Window, now: datetime) -> list[Alert]:
        """Evaluate every rule and store the messages to send (before any send); return them."""
        threads = threads_from(self.log.recent_alerts(now - self.horizon))
        decided: list[Alert] = []
        for rule in self.rules:
            channels = list(rule.channels or self.default_channels)
            findings = list(evaluate(rule, window, now))
            for finding in findings:
                self._last_seen[(rule.id, finding.subject)] = now
            for alert in decide(rule, findings, threads, now, self._last_seen):
                if self.log.alert_exists(alert.dedupe_key):
                    continue
                drivers = self.explain(alert) if self.explain is not None else None
                extra: dict[str, JSON] = {"drivers": dict(drivers)} if drivers else {}
                stored = replace(alert, details={**alert.details, **extra, "channels": channels})
                self.log.record_alert(stored)
                decided.append(stored)
                logger.info("alerts: decided %s", stored.dedupe_key,
                            extra={"rule_id": rule.id, "subject": stored.subject})
        return decided

    def deliver_due(self, now: datetime) -> list[Delivery]:
        """Send every message owed to a channel whose retry time has come; record each attempt."""
        with self._sending:
            return self._deliver_due(now)

    def _deliver_due(self, now: datetime) -> list[Delivery]:
        recent = [a for a in self.log.recent_alerts(now - self.horizon) if a.dedupe_key not in self._complete]
        attempts = self.log.deliveries(a.dedupe_key for a in recent)
        owed = due(recent, attempts, now, retry_max=self.retry_max)
        self._complete |= _delivered(recent, attempts)
        out: list[Delivery] = []
        for alert, channel in owed:
            notifier = self.notifiers.get(channel)
            if notifier is None:
                delivery = Delivery(alert_key=alert.dedupe_key, channel=channel, is_ok=False,
                                    attempted_at=now, error=f"alerts: no channel named {channel!r}")
            else:
                delivery = replace(notifier.send(alert), attempted_at=now)
            self.log.record_delivery(delivery)
            out.append(delivery)
            if delivery.is_ok:
                logger.info("alerts: sent %s", alert.dedupe_key, extra={"channel": channel})
            else:
                logger.warning("alerts: delivery failed, will retry: %s", delivery.error,
                               extra={"channel": channel, "rule_id": alert.rule_id})
        return out

    def tick(self, window: Window, now: datetime) -> TickResult:
        """Decide, store, then deliver: one run of the alert evaluation job."""
        decided = self.decide(window, now)
        return TickResult(decided=tuple(decided), deliveries=tuple(self.deliver_due(now)))

    def health(self, now: datetime, *, unhealthy_after: int = 3) -> dict[str, ChannelHealth]:
        """Return each channel's health from the attempts within the horizon."""
        recent = self.log.recent_alerts(now - self.horizon)
        return channel_health(self.log.deliveries(a.dedupe_key for a in recent), self.notifiers,
                              unhealthy_after=unhealthy_after)
