"""Fixtures of the alerts tests: the loopback SMTP inbox and webhook sink."""

from __future__ import annotations

from alert_receivers import smtp_inbox, webhook  # type: ignore[import-not-found]

__all__ = ["smtp_inbox", "webhook"]
