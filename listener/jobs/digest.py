"""The daily digest job: build yesterday's digest from stored mentions and send it to its channels.

``listener digest`` and the scheduled job share :func:`make_digest` and :func:`send_digest`, so a
digest sent by hand is the one the service would send. Sending goes through the alerts' dispatcher
(``alerts.digest_alert``): the digest is stored first, each channel is sent to on its own, failures are
retried on the next cycle and every attempt shows in ``listener alerts``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from alerts.digest import build_digest, digest_span
from alerts.digest_alert import digest_alert
from alerts.dispatch import Dispatcher
from alerts.notifiers.base import Delivery
from alerts.window import Window
from listener.config import Settings
from listener.core.model import JSON
from listener.service import JobResult

logger = logging.getLogger(__name__)

SpanRead = Callable[[datetime, datetime], Window]
"""``read(start, end)``: the window of mentions in ``[start, end]``."""


def digest_day(now: datetime, tz: str) -> date:
    """Return the local day a digest sent at ``now`` reports on: the day before."""
    return (now.astimezone(ZoneInfo(tz)) - timedelta(days=1)).date()


Drivers = Callable[[datetime, datetime], tuple[Mapping[str, JSON], ...]]
"""``drivers(start, end)``: what drove the spikes of ``[start, end)`` (``listener.spike_explainer``)."""


Ideas = Callable[[datetime], tuple[Mapping[str, JSON], ...]]
"""``ideas(end)``: the new and rising ideas of the day ending at ``end`` (``listener.jobs.ideas``)."""


def make_digest(settings: Settings, read_window: SpanRead, day: date, drivers: Drivers | None = None,
                ideas: Ideas | None = None) -> Any:
    """Build the digest of ``day`` from the repository, with what drove the day's spikes and the new and
    rising ideas if given."""
    start, end = digest_span(day, settings.timezone)
    names = {t.id: t.name for t in settings.topics}
    roles = {t.id: t.role for t in settings.topics}
    built = build_digest(read_window(start, end), day, tz=settings.timezone, names=names, roles=roles)
    if drivers is not None:
        built = replace(built, drivers=drivers(end - timedelta(days=1), end))
    if ideas is not None:
        built = replace(built, ideas=ideas(end))
    return built


def digest_channels(settings: Settings) -> list[str]:
    """Return the channels the digest goes to: ``alerts.digest.channels``, or every channel when empty."""
    wanted = set(settings.alerts.digest.channels)
    return [c.id for c in settings.alerts.channels if not wanted or c.id in wanted]


def send_digest(dispatcher: Dispatcher, digest: Any, channels: Sequence[str],
                now: datetime) -> list[Delivery]:
    """Store the digest as a message (once per day), then deliver what is owed; return the attempts.

    Each channel is sent to on its own and every attempt is recorded; a channel that fails is retried by
    the next delivery pass (the alert job's, every cycle), as for any alert. A digest already stored for
    that day is not stored again: only what is still owed is sent.
    """
    alert = digest_alert(digest, channels)
    dispatcher.enqueue(alert, channels)
    return [d for d in dispatcher.deliver_due(now) if d.alert_key == alert.dedupe_key]


@dataclass
class DigestJob:
    """Build the digest of the local day before ``now`` and hand it to the alerts' dispatcher."""

    settings: Settings
    read_window: SpanRead
    dispatcher: Dispatcher
    drivers: Drivers | None = None
    ideas: Ideas | None = None

    def __call__(self, now: datetime) -> JobResult:
        """Store and send yesterday's digest; report the channels reached and those still owed."""
        built = make_digest(self.settings, self.read_window, digest_day(now, self.settings.timezone),
                            self.drivers, self.ideas)
        attempts = send_digest(self.dispatcher, built, digest_channels(self.settings), now)
        return JobResult(items=sum(1 for d in attempts if d.is_ok),
                         backlog=sum(1 for d in attempts if not d.is_ok))
