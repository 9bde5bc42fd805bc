"""The daily digest job: build yesterday's digest from stored mentions and send it to its channels.

``listener digest`` and the scheduled job share :func:`make_digest` and :func:`send_digest`, so a
digest sent by hand is the one the service would send.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from alerts.digest import build_digest, digest_message, digest_span, render_digest
from alerts.notifiers import SmtpConfig
from alerts.notifiers.email import send_message
from alerts.window import Window
from listener.config import Settings
from listener.core.errors import DeliveryError
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


def make_digest(settings: Settings, read_window: SpanRead, day: date, drivers: Drivers | None = None) -> Any:
    """Build the digest of ``day`` from the repository, with what drove the day's spikes if given."""
    start, end = digest_span(day, settings.timezone)
    names = {t.id: t.name for t in settings.topics}
    roles = {t.id: t.role for t in settings.topics}
    built = build_digest(read_window(start, end), day, tz=settings.timezone, names=names, roles=roles)
    if drivers is None:
        return built
    return replace(built, drivers=drivers(end - timedelta(days=1), end))


def send_digest(settings: Settings, smtp: SmtpConfig, digest: Any, *,
                channels: Sequence[str] | None = None) -> int:
    """Send the digest to ``alerts.digest.channels`` (all channels when empty); return channels reached.

    E-mail channels get the full HTML digest with its inline chart; chat channels get the text
    version (cut to their length); log channels log its subject.
    """
    wanted = set(channels if channels is not None else settings.alerts.digest.channels)
    targets = [c for c in settings.alerts.channels if not wanted or c.id in wanted]
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


@dataclass
class DigestJob:
    """Build and send the digest of the local day before ``now`` (``dry_run``: build only)."""

    settings: Settings
    smtp: SmtpConfig
    read_window: SpanRead
    dry_run: bool = False
    drivers: Drivers | None = None

    def __call__(self, now: datetime) -> JobResult:
        """Send yesterday's digest; report how many channels it reached."""
        built = make_digest(self.settings, self.read_window, digest_day(now, self.settings.timezone),
                            self.drivers)
        return JobResult(items=0 if self.dry_run else send_digest(self.settings, self.smtp, built))
