"""The notifier interface: one method, ``send(alert) -> Delivery``, and metadata as class attributes.

A notifier never raises for a delivery problem: it returns a failed :class:`Delivery` that says why,
so the dispatcher records it and retries later, and one broken channel never blocks the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Protocol

from listener.core.model import Alert


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    """The outcome of one attempt to deliver one alert to one channel."""

    alert_key: str
    """The alert's ``dedupe_key``."""
    channel: str
    is_ok: bool
    attempted_at: datetime
    error: str | None = None
    """Why it failed, without secrets (no URL tokens, no passwords)."""
    recipients: tuple[str, ...] = ()


class Notifier(Protocol):
    """A channel alerts can be sent to."""

    scheme: ClassVar[str]
    """URL scheme or type name the notifier answers to (``mailto``, ``slack``, ``json``, ``log``)."""
    display_name: ClassVar[str]
    body_maxlen: ClassVar[int]
    """Longest body the service accepts; longer messages are cut at a line end (0: no limit)."""

    channel: str
    """The configured channel id."""

    def send(self, alert: Alert) -> Delivery:
        """Deliver ``alert`` and say how it went; never raise for a delivery failure."""
        ...
