"""Logging set-up for the service and the CLI: one stderr handler, text or JSON lines (STYLE §4.2).

Kept apart from the wiring so any entry point (``listener run``, a worker, the web app) sets logging the
same way before it builds anything, and so the JSON formatter is one small class a test can read.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from listener.config import Settings


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the ``extra`` fields."""

    _standard = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as one JSON line (tracebacks in a ``traceback`` field)."""
        data: dict[str, Any] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(), "level": record.levelname,
            "logger": record.name, "message": record.getMessage()}
        data.update({k: v for k, v in record.__dict__.items() if k not in self._standard})
        if record.exc_info:
            data["traceback"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str)


class TextFormatter(logging.Formatter):
    """One readable line: UTC time with its offset, level, logger, message, then ``key=value`` extras.

    The extras carry what the message leaves out ("service: job finished" is about ``job=demo:lumio``),
    so a text log names its job, its outcome and its figures as the JSON one does.
    """

    _standard = JsonFormatter._standard

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as one line (a traceback, if any, on the lines after it)."""
        at = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        extras = " ".join(f"{k}={v}" for k, v in record.__dict__.items() if k not in self._standard)
        line = f"{at} {record.levelname} {record.name} {record.getMessage()}"
        line += f" {extras}" if extras else ""
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class _CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Write to whatever ``sys.stderr`` is when a record comes, not the one at start-up.

    A test runner (or an embedding program) may swap and close the stream it gave us; a handler
    bound to the old one then fails with "I/O operation on closed file" on every later record.
    """

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure_logging(settings: Settings) -> None:
    """Set the root logger from ``logging.level`` and ``logging.format`` (text or json)."""
    handler = _CurrentStderr()
    if settings.logging.format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.logging.level)
    for noisy in ("apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # httpx logs every request line at INFO: those belong to DEBUG (shown only when asked for)
    logging.getLogger("httpx").setLevel(logging.DEBUG if root.level <= logging.DEBUG else logging.WARNING)
