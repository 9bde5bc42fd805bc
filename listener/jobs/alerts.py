"""The alert job: read one window wide enough for every rule, let the dispatcher decide and deliver.

The same dispatcher and window reader also replay a past period (:func:`replay_alerts`, used by the
demo), so what the demo shows is what a scheduled tick would have sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from alerts.dispatch import Dispatcher
from alerts.window import Window
from listener.config import Settings
from listener.service import JobResult


def rules_span(settings: Settings) -> timedelta:
    """Return the longest rule window (what one shared window read must cover)."""
    return max((r.window for r in settings.alerts.rules), default=timedelta(hours=1))


WindowRead = Callable[[datetime, timedelta], Window]
"""``read(now, span)``: the mentions of ``[now - span, now]`` and their history (``WindowReader.read``)."""


@dataclass
class AlertJob:
    """Read the window, decide, store, deliver.

    Rules count distinct posts, so ``group_echoes`` (the echo stage) runs first: in a fleet the alert
    task may run before the echo task has seen the newest mentions, and a repost not yet grouped would
    count as one more voice. Under ``listener run`` the echo stage already ran and this is a no-op.
    """

    dispatcher: Dispatcher
    read_window: WindowRead
    span: timedelta
    group_echoes: Callable[[datetime], object] | None = None

    def __call__(self, now: datetime) -> JobResult:
        """Run one tick at ``now``."""
        if self.group_echoes is not None:
            self.group_echoes(now)
        result = self.dispatcher.tick(self.read_window(now, self.span), now)
        failed = sum(1 for d in result.deliveries if not d.is_ok)
        return JobResult(items=len(result.decided), backlog=failed)


def replay_alerts(dispatcher: Dispatcher, read_window: WindowRead, span: timedelta, *, start: datetime,
                  end: datetime, step: timedelta = timedelta(minutes=15)) -> list[tuple[datetime, Any]]:
    """Tick ``dispatcher`` at every ``step`` from ``start`` to ``end``; return ``(time, alert)`` decided."""
    decided: list[tuple[datetime, Any]] = []
    at = start
    while at <= end:
        decided += [(at, alert) for alert in dispatcher.tick(read_window(at, span), at).decided]
        at += step
    return decided
