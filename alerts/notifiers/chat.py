"""Chat channels through apprise URLs: Slack, Microsoft Teams (workflows), Mattermost, Discord, JSON webhook.

Each service is a small class whose metadata (``scheme``, ``display_name``, ``body_maxlen``) is
declared as class attributes; :func:`chat_notifier` picks the class from the URL scheme. apprise
reports failures through its logger and a boolean, so we capture its log lines during the call and
keep the last one as the recorded reason (apprise never sees, and we never log, the URL itself).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import ClassVar

import apprise

from alerts.digest_alert import render_any
from alerts.i18n import Lang
from alerts.messages import truncate
from alerts.notifiers.base import Delivery
from listener.core.clock import Clock, system_clock
from listener.core.model import Alert

logger = logging.getLogger(__name__)


class ChatNotifier:
    """Post alerts to one apprise URL as a title plus a plain-text body cut at ``body_maxlen``."""

    scheme: ClassVar[str] = "json"
    display_name: ClassVar[str] = "Webhook (JSON)"
    body_maxlen: ClassVar[int] = 4000
    """A generic webhook has no documented limit; keep chat-sized messages."""
    schemes: ClassVar[tuple[str, ...]] = ("json", "jsons")

    def __init__(self, channel: str, *, url: str, lang: Lang = "en", tz: str = "UTC",
                 max_length: int | None = None, clock: Clock = system_clock) -> None:
        self.channel = channel
        self.clock = clock
        self._url = url
        self.lang: Lang = lang
        self.tz = tz
        self.max_length = min(filter(None, (self.body_maxlen, max_length)), default=0)
        """The cut in force: the service's ``body_maxlen`` or the channel's stricter ``max_length``."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(channel={self.channel!r})"

    def body(self, alert: Alert) -> tuple[str, str]:
        """Return ``(title, body)`` with the body cut so that title and body fit ``max_length``."""
        rendered = render_any(alert, self.lang, tz=self.tz)
        room = self.max_length - len(rendered.subject) - 2 if self.max_length else 0
        return rendered.subject, truncate(rendered.text.split("\n\n", 1)[-1], room)

    def send(self, alert: Alert) -> Delivery:
        """Post ``alert``; a refused URL or a failed post becomes a failed delivery with apprise's reason."""
        attempted_at = self.clock()
        client = apprise.Apprise()
        if not client.add(self._url):
            return Delivery(alert_key=alert.dedupe_key, channel=self.channel, is_ok=False,
                            attempted_at=attempted_at,
                            error=f"{self.scheme}: apprise does not accept this channel's url")
        title, body = self.body(alert)
        with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:  # type: ignore[no-untyped-call]
            is_ok = bool(client.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT))
            lines = [line for line in captured.getvalue().splitlines() if line.strip()]
        error = None if is_ok else f"{self.scheme}: {lines[-1] if lines else 'apprise reported a failure'}"
        return Delivery(alert_key=alert.dedupe_key, channel=self.channel, is_ok=is_ok,
                        attempted_at=attempted_at, error=error)


class SlackNotifier(ChatNotifier):
    """Slack incoming webhooks or bot tokens (``slack://``)."""

    scheme: ClassVar[str] = "slack"
    display_name: ClassVar[str] = "Slack"
    body_maxlen: ClassVar[int] = 35000
    schemes: ClassVar[tuple[str, ...]] = ("slack",)


class TeamsNotifier(ChatNotifier):
    """Microsoft Teams through Power Automate workflows (``workflows://``), apprise's Teams route."""

    scheme: ClassVar[str] = "workflows"
    display_name: ClassVar[str] = "Microsoft Teams"
    body_maxlen: ClassVar[int] = 1000
    schemes: ClassVar[tuple[str, ...]] = ("workflow", "workflows")


class MattermostNotifier(ChatNotifier):
    """Mattermost incoming webhooks (``mmost://`` / ``mmosts://``)."""

    scheme: ClassVar[str] = "mmost"
    display_name: ClassVar[str] = "Mattermost"
    body_maxlen: ClassVar[int] = 4000
    schemes: ClassVar[tuple[str, ...]] = ("mmost", "mmosts")


class DiscordNotifier(ChatNotifier):
    """Discord webhooks (``discord://``)."""

    scheme: ClassVar[str] = "discord"
    display_name: ClassVar[str] = "Discord"
    body_maxlen: ClassVar[int] = 2000
    schemes: ClassVar[tuple[str, ...]] = ("discord",)


CHAT_NOTIFIERS: tuple[type[ChatNotifier], ...] = (
    SlackNotifier, TeamsNotifier, MattermostNotifier, DiscordNotifier, ChatNotifier,
)
"""Every built-in chat notifier, registered like a third-party one would be."""
BY_SCHEME: Mapping[str, type[ChatNotifier]] = {s: cls for cls in CHAT_NOTIFIERS for s in cls.schemes}


def chat_notifier(channel: str, url: str, *, lang: Lang = "en", tz: str = "UTC",
                  max_length: int | None = None, clock: Clock = system_clock) -> ChatNotifier:
    """Return the notifier for ``url``'s scheme (any other apprise scheme gets the generic class)."""
    scheme = url.split("://", 1)[0].lower()
    cls = BY_SCHEME.get(scheme, ChatNotifier)
    return cls(channel, url=url, lang=lang, tz=tz, max_length=max_length, clock=clock)
