"""When a polling job runs next: its interval, stretched after failures and empty runs, honouring retry-after.

Pure policy (no clock, no scheduler) so it is tested with plain calls; :mod:`listener.service` applies it.
Follows miniflux's adaptive polling: errors double the wait up to ``max_interval``; a source with
nothing new is polled a little less often; a 429's ``Retry-After`` is a floor, never shortened.
"""

from __future__ import annotations

from datetime import timedelta


def next_delay(interval: timedelta, max_interval: timedelta, *, failures: int = 0, empty_runs: int = 0,
               retry_after_s: float | None = None) -> timedelta:
    """Return how long to wait before the next run of a job that just finished."""
    ceiling = max(interval, max_interval)
    delay: timedelta
    if failures > 0:
        delay = min(interval * (2 ** min(failures, 16)), ceiling)
    elif empty_runs > 0:
        delay = min(interval * (1 + 0.5 * min(empty_runs, 64)), ceiling)
    else:
        delay = interval
    if retry_after_s is not None:
        delay = max(delay, timedelta(seconds=retry_after_s))
    return delay
