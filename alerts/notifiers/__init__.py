"""Channels alerts are delivered to: e-mail, chat (apprise) and the log."""

from __future__ import annotations

from alerts.notifiers.base import Delivery, Notifier
from alerts.notifiers.chat import CHAT_NOTIFIERS, ChatNotifier, chat_notifier
from alerts.notifiers.email import EmailNotifier, SmtpConfig
from alerts.notifiers.log import LogNotifier

__all__ = ["CHAT_NOTIFIERS", "ChatNotifier", "Delivery", "EmailNotifier", "LogNotifier", "Notifier",
           "SmtpConfig", "chat_notifier"]
