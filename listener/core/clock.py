"""The one clock: every component asks it for "now" instead of reading the wall clock itself.

Why: the service, the demo and their tests must behave the same on any day they run. Wiring builds one
clock and passes it down; pure code takes ``now`` as a parameter. ``LISTENER_CLOCK`` (an ISO-8601
instant with its offset, e.g. ``2030-03-31T01:30:00+02:00``) starts the clock at that instant and lets
it run at normal speed from there: the whole service then believes it is that day, which is how the
tests check several dates and how an operator replays what the service would have done.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from listener.core.errors import ConfigError

Clock = Callable[[], datetime]
"""A zero-argument callable returning the current instant, timezone-aware, in UTC."""

ENV_VAR = "LISTENER_CLOCK"


def system_clock() -> datetime:
    """Return the wall-clock instant in UTC."""
    return datetime.now(UTC)


def starting_at(instant: datetime) -> Clock:
    """Return a clock that reads ``instant`` now and advances at normal speed from there."""
    if instant.tzinfo is None:
        raise ValueError("the clock's start needs a time zone offset, e.g. 2030-03-31T01:30:00+02:00")
    origin = instant.astimezone(UTC)
    tick = time.monotonic()

    def now() -> datetime:
        return origin + timedelta(seconds=time.monotonic() - tick)

    return now


def fixed(instant: datetime) -> Clock:
    """Return a clock that always reads ``instant`` (for pure replays and tests)."""
    pinned = instant.astimezone(UTC)
    return lambda: pinned


def from_environment(environ: Mapping[str, str] | None = None) -> Clock:
    """Return the wall clock, or the clock ``LISTENER_CLOCK`` asks for."""
    value = (environ if environ is not None else os.environ).get(ENV_VAR, "").strip()
    if not value:
        return system_clock
    try:
        instant = datetime.fromisoformat(value)
    except ValueError as err:
        raise ConfigError(f"{ENV_VAR}={value!r}: expected an ISO-8601 instant such as "
                          f"2030-03-31T01:30:00+02:00") from err
    if instant.tzinfo is None:
        raise ConfigError(f"{ENV_VAR}={value!r}: add the time zone offset, e.g. {value}+00:00")
    return starting_at(instant)


def start_of_day(instant: datetime) -> datetime:
    """Return midnight UTC of the day ``instant`` falls on."""
    return instant.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
