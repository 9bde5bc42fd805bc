"""alerts layer of listener: rules over a window of mentions, alert threads, notifiers and the digest.

Pure parts (``window``, ``rules``, ``threads``) take ``now`` as a parameter and do no I/O; ``dispatch``
stores and delivers through the :class:`~alerts.dispatch.AlertLog` and notifier protocols; ``digest``
(pandas, matplotlib) is imported on its own so importing this package stays light.
"""

from __future__ import annotations

from alerts.dispatch import AlertLog, Dispatcher, MemoryAlertLog
from alerts.rules import KINDS, Rule, evaluate, evaluate_all
from alerts.threads import Thread, decide, threads_from
from alerts.window import HistoryBucket, Window, WindowMention

__all__ = ["KINDS", "AlertLog", "Dispatcher", "HistoryBucket", "MemoryAlertLog", "Rule", "Thread", "Window",
           "WindowMention", "decide", "evaluate", "evaluate_all", "threads_from"]
