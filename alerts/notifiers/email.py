"""E-mail over SMTP (none / STARTTLS / SSL, optional login), multipart text + HTML, FR or EN per channel.

Messages of one alert thread share ``References`` / ``In-Reply-To`` headers derived from the thread's
dedupe key, so mail clients show a crisis as one conversation. ``smtplib`` and socket errors are
translated here, once, into a failed :class:`~alerts.notifiers.base.Delivery`.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import ClassVar, Literal

from alerts.digest_alert import digest_of
from alerts.i18n import Lang
from alerts.messages import render
from alerts.notifiers.base import Delivery
from listener.core.clock import Clock, system_clock
from listener.core.model import Alert

logger = logging.getLogger(__name__)

Security = Literal["none", "starttls", "ssl"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SmtpConfig:
    """How to reach the outgoing mail server; the password comes from the environment via config."""

    host: str = "localhost"
    port: int = 25
    security: Security = "none"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = "listener@localhost"
    timeout_s: float = 30.0
    ca_file: str | None = None
    """Extra CA bundle (PEM) to trust, for a self-hosted server with its own certificate."""


def message_id(key: str, domain: str = "listener.local") -> str:
    """Return a stable Message-ID for an alert or thread key (so a retry reuses the same id)."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def send_message(smtp: SmtpConfig, message: EmailMessage, recipients: Sequence[str]) -> None:
    """Send one message; raises ``smtplib.SMTPException`` or ``OSError`` for the caller to translate."""
    context = ssl.create_default_context(cafile=smtp.ca_file)
    client: smtplib.SMTP
    if smtp.security == "ssl":
        client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout_s, context=context)
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_s)
    with client:
        if smtp.security == "starttls":
            client.starttls(context=context)
        if smtp.username:
            client.login(smtp.username, smtp.password or "")
        client.send_message(message, from_addr=smtp.sender, to_addrs=list(recipients))


class EmailNotifier:
    """Send alerts as multipart e-mails to a fixed list of recipients."""

    scheme: ClassVar[str] = "mailto"
    display_name: ClassVar[str] = "E-mail"
    body_maxlen: ClassVar[int] = 0

    def __init__(self, channel: str, *, smtp: SmtpConfig, to: Sequence[str], lang: Lang = "en",
                 tz: str = "UTC", clock: Clock = system_clock) -> None:
        self.channel = channel
        self.clock = clock
        self.smtp = smtp
        self.to = tuple(to)
        self.lang: Lang = lang
        self.tz = tz

    def build(self, alert: Alert) -> EmailMessage:
        """Return the e-mail for ``alert``: subject, text part, HTML part and thread headers.

        A stored digest (``alerts.digest_alert``) becomes the digest e-mail with its inline chart.
        """
        digest = digest_of(alert, with_chart=True)
        if digest is not None:
            from alerts.digest import digest_message

            message = digest_message(digest, self.lang, sender=self.smtp.sender, to=self.to, now=self.clock(),
                                     message_id=message_id(alert.dedupe_key))
            message["X-Listener-Alert"] = alert.dedupe_key
            return message
        rendered = render(alert, self.lang, tz=self.tz)
        message = EmailMessage()
        message["Subject"] = f"[listener] {rendered.subject}"
        message["From"] = formataddr(("listener", self.smtp.sender))
        message["To"] = ", ".join(self.to)
        message["Date"] = format_datetime(self.clock())
        message["Message-ID"] = message_id(alert.dedupe_key)
        thread = alert.details.get("thread")
        if isinstance(thread, str) and thread != alert.dedupe_key:
            message["In-Reply-To"] = message_id(thread)
            message["References"] = message_id(thread)
        message["X-Listener-Alert"] = alert.dedupe_key
        message.set_content(rendered.text)
        message.add_alternative(rendered.html, subtype="html")
        return message

    def send(self, alert: Alert) -> Delivery:
        """Deliver ``alert`` to every recipient; an SMTP or network error becomes a failed delivery."""
        attempted_at = self.clock()
        if not self.to:
            return Delivery(alert_key=alert.dedupe_key, channel=self.channel, is_ok=False,
                            attempted_at=attempted_at, error="email: channel has no recipients")
        try:
            send_message(self.smtp, self.build(alert), self.to)
        except (smtplib.SMTPException, OSError) as err:
            return Delivery(alert_key=alert.dedupe_key, channel=self.channel, is_ok=False,
                            attempted_at=attempted_at, recipients=self.to,
                            error=f"email: {type(err).__name__}: {err}")
        return Delivery(alert_key=alert.dedupe_key, channel=self.channel, is_ok=True,
                        attempted_at=attempted_at, recipients=self.to)
