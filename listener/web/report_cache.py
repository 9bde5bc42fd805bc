"""Reuse a costly report (the author rankings) while the data it read is unchanged, computing it once.

Ranking a period's authors reads every mention of the period and runs the influence graph: seconds at
a week of a busy account. Eight people opening the People page at once used to run it eight times in
parallel on the same data. Here an entry is keyed by the request's parameters and tagged with storage's
data version (:meth:`storage.Repository.data_version`, the newest id of mentions, authors, annotations,
labels and tombstones): a new mention, an erasure or a pruning recomputes it on the next request. Changes
made in place (a re-analysis, echo grouping) are caught by ``max_age`` on the injected clock. Concurrent
requests for the same missing entry wait for the one computing it instead of repeating the work.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from listener.core.clock import Clock

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Entry:
    version: tuple[int, ...]
    computed_at: datetime
    value: Any


class ReportCache:
    """A small, thread-safe, versioned cache of computed reports with one computation per key at a time."""

    def __init__(self, *, clock: Clock, max_age: timedelta = timedelta(seconds=60), size: int = 64) -> None:
        self._clock = clock
        self._max_age = max_age
        self._size = size
        self._entries: dict[Hashable, _Entry] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    def _fresh(self, key: Hashable, version: tuple[int, ...]) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is None or entry.version != version:
            return None
        age = self._clock() - entry.computed_at
        return entry if timedelta(0) <= age < self._max_age else None

    def get(self, key: Hashable, version: tuple[int, ...], compute: Callable[[], T]) -> T:
        """Return the entry for ``key`` computed on ``version`` of the data, computing it if needed."""
        with self._guard:
            entry = self._fresh(key, version)
            if entry is not None:
                return entry.value  # type: ignore[no-any-return]
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._guard:
                entry = self._fresh(key, version)
            if entry is not None:
                return entry.value  # type: ignore[no-any-return]
            computed_at = self._clock()
            value = compute()
            with self._guard:
                self._entries.pop(key, None)
                self._entries[key] = _Entry(version, computed_at, value)
                while len(self._entries) > self._size:
                    oldest = next(iter(self._entries))
                    del self._entries[oldest]
                    self._locks.pop(oldest, None)
            return value

    def clear(self) -> None:
        """Forget every entry (after a change the data version cannot see)."""
        with self._guard:
            self._entries.clear()
