"""Every error listener raises on purpose; each class tells the caller what to do next.

::

    ListenerError
    ├── ConfigError              startup: exit non-zero, name the file, line and key path
    ├── ConnectorError
    │   ├── RetryLater(retry_after_s)  429/503/quota: reschedule, never sleep
    │   ├── SourceUnavailable          network/5xx/timeout after backoff: count it, reschedule
    │   ├── AuthFailed                 401/403 or missing credentials: pause the job, tell the operator
    │   └── QueryRejected              400/404/410 for this query: disable the query
    ├── SkippableItem            one bad item: WARNING, keep the rest of the batch
    ├── StorageError
    │   └── DatabaseUnavailable      unreachable or locked after retries
    └── DeliveryError            one notifier failed: record it, retry next tick

Library exceptions (httpx, prawcore, tweepy, SQLAlchemy) are translated into these once, at the
boundary of the layer that calls the library; nothing else catches them. This module is a leaf.
"""

from __future__ import annotations


class ListenerError(Exception):
    """Base class of every error listener raises on purpose."""


class ConfigError(ListenerError):
    """The configuration is invalid; the message names the file, line and key path."""


class ConnectorError(ListenerError):
    """A connector could not complete a fetch."""

    def __init__(self, message: str, *, source: str = "") -> None:
        super().__init__(message)
        self.source = source


class RetryLater(ConnectorError):
    """The source asked us to wait (429, 503, quota); reschedule no earlier than ``retry_after_s``."""

    def __init__(self, message: str, *, retry_after_s: float, source: str = "") -> None:
        super().__init__(message, source=source)
        self.retry_after_s = retry_after_s


class SourceUnavailable(ConnectorError):
    """Network error, timeout or 5xx that persisted after the short backoff."""


class AuthFailed(ConnectorError):
    """Credentials are missing, invalid or forbidden; retrying will not help until config changes."""


class QueryRejected(ConnectorError):
    """The source refuses this query (400/404/410); other queries may still work."""


class SkippableItem(ListenerError):
    """One item of a batch cannot be mapped; log it and keep the rest."""


class StorageError(ListenerError):
    """The database refused an operation."""


class DatabaseUnavailable(StorageError):
    """The database is unreachable or locked, and stayed so after retries."""


class DeliveryError(ListenerError):
    """A notifier could not deliver an alert; it is recorded and retried on the next tick."""

    def __init__(self, message: str, *, channel: str = "") -> None:
        super().__init__(message)
        self.channel = channel
