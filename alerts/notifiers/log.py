"""A notifier that writes alerts to the log and keeps them in memory: ``--dry-run`` and tests use it."""

from __future__ import annotations

import logging
from typing import ClassVar

from alerts.digest_alert import digest_of, render_any
from alerts.i18n import Lang
from alerts.messages import Rendered, log_line
from alerts.notifiers.base import Delivery
from listener.core.clock import Clock, system_clock
from listener.core.model import Alert

logger = logging.getLogger(__name__)


class LogNotifier:
    """Log each alert at INFO and remember what was rendered, in order."""

    scheme: ClassVar[str] = "log"
    display_name: ClassVar[str] = "Log"
    body_maxlen: ClassVar[int] = 0

    def __init__(self, channel: str = "log", *, lang: Lang = "en", tz: str = "UTC",
                 clock: Clock = system_clock) -> None:
        self.channel = channel
        self.clock = clock
        self.lang: Lang = lang
        self.tz = tz
        self.sent: list[tuple[Alert, Rendered]] = []

    def send(self, alert: Alert) -> Delivery:
        """Render ``alert``, log its subject and keep it; always succeeds."""
        rendered = render_any(alert, self.lang, tz=self.tz)
        self.sent.append((alert, rendered))
        line = rendered.subject if digest_of(alert) is not None else log_line(alert, self.lang)
        logger.info("%s", line,
                    extra={"rule_id": alert.rule_id, "channel": self.channel})
        return Delivery(alert_key=alert.dedupe_key, channel=self.channel, is_ok=True,
                        attempted_at=self.clock())
