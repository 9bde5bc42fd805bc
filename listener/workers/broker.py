"""Where the tasks go: the broker URL (environment only: it may hold a password) and the queue names."""

from __future__ import annotations

import os

from listener.core.errors import ListenerError

BROKER_ENV = "LISTENER_BROKER_URL"
DEFAULT_BROKER = "amqp://guest:guest@127.0.0.1:5672//"
"""RabbitMQ on loopback; Redis works too: ``LISTENER_BROKER_URL=redis://127.0.0.1:6379/0``."""
QUEUES = ("collect", "analyse", "alerts")
QUEUE_OF_KIND = {"collect": "collect", "analysis": "analyse", "echoes": "analyse", "routing": "alerts",
                 "alerts": "alerts", "digest": "alerts", "retention": "alerts"}


class BrokerUnavailable(ListenerError):
    """The broker could not take a message (down or restarting): the scheduler retries at its next tick."""


def broker_url() -> str:
    """Return the broker URL from ``LISTENER_BROKER_URL`` (RabbitMQ on loopback by default)."""
    return os.environ.get(BROKER_ENV, DEFAULT_BROKER)
