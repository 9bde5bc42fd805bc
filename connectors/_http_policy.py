"""HTTP policy values for ``connectors/_http.py``: outcomes, limits, retry-after, token buckets, breaker.

Pure rules and small state holders, split from the client so each stays readable: how a status
sorts into an :class:`Outcome` (:func:`classify`), how long a provider asks us to wait
(:func:`retry_after_s`), the per-host :class:`TokenBucket` / :class:`HostLimiter` and the
:class:`CircuitBreaker`. ``connectors._http`` re-exports every public name, so connectors import
them from there.
"""

from __future__ import annotations

import email.utils
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Protocol
from urllib.parse import urlsplit

from listener.core.errors import SourceUnavailable


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


class Outcome(Enum):
    """What a response means for the caller."""

    OK = "ok"
    NOT_MODIFIED = "not modified"
    RATE_LIMITED = "rate limited"
    TRANSIENT = "transient"
    AUTH = "auth"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpPolicy:
    """Limits and timings for one source's HTTP traffic (small value object, see STYLE §2.5)."""

    connect_timeout_s: float = 10.0
    read_timeout_s: float = 30.0
    max_body_bytes: int = 20 * 1024 * 1024
    max_attempts: int = 3
    """Tries per request for transient failures (the first try included)."""
    backoff_base_s: float = 0.5
    backoff_max_s: float = 8.0
    rate_per_s: float = 4.0
    """Steady request rate allowed per host; bursts of up to ``burst`` requests pass at once."""
    burst: int = 8
    max_bucket_wait_s: float = 30.0
    """Waiting longer than this for a token raises RetryLater instead of blocking the worker."""
    default_retry_after_s: float = 60.0
    """Used when a 429 carries no usable reset header."""
    breaker_threshold: int = 5
    """Consecutive failed requests that open the circuit."""
    breaker_cooldown_s: float = 300.0


@dataclass(frozen=True, slots=True)
class Response:
    """A fully read response: status, lower-cased headers and body bytes."""

    status: int
    url: str
    headers: Mapping[str, str]
    body: bytes

    @property
    def is_not_modified(self) -> bool:
        """Return True for a 304 answer to a conditional GET."""
        return self.status == 304

    @property
    def etag(self) -> str | None:
        """Return the ETag validator to send back next time."""
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        """Return the Last-Modified validator to send back next time."""
        return self.headers.get("last-modified")

    def json(self, source: str) -> Any:
        """Decode a JSON body; a cut or garbled body is a transient source problem."""
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as err:
            raise SourceUnavailable(
                f"{source}: response from {_host(self.url)} is not valid JSON ({err})", source=source
            ) from err


def classify(status: int, headers: Mapping[str, str] | None = None) -> Outcome:
    """Sort a status code into an outcome; a 503 with Retry-After is a rate limit, not an outage."""
    headers = headers or {}
    if 200 <= status < 300:
        return Outcome.OK
    if status == 304:
        return Outcome.NOT_MODIFIED
    if status == 429 or (status == 503 and "retry-after" in headers):
        return Outcome.RATE_LIMITED
    if status in (401, 403):
        return Outcome.AUTH
    if status in (408, 425) or status >= 500:
        return Outcome.TRANSIENT
    return Outcome.REJECTED


_RESET_HEADERS = ("x-rate-limit-reset", "ratelimit-reset", "x-ratelimit-reset")


def retry_after_s(headers: Mapping[str, str], *, now: float, default: float) -> float:
    """Return how long the provider asks us to wait, from ``Retry-After`` or a reset header.

    ``Retry-After`` is seconds or an HTTP date (RFC 9110). Reset headers are, depending on the
    provider, epoch seconds (Twitter, Bluesky), seconds from now (the IETF RateLimit draft) or an ISO
    timestamp (Mastodon's ``X-RateLimit-Reset``). ``now`` is wall-clock epoch seconds.
    """
    value = headers.get("retry-after")
    if value:
        seconds = _seconds_until(value.strip(), now=now, small_is_delta=True)
        if seconds is not None:
            return seconds
    for name in _RESET_HEADERS:
        value = headers.get(name)
        if value:
            seconds = _seconds_until(value.strip(), now=now, small_is_delta=True)
            if seconds is not None:
                return seconds
    return default


def _seconds_until(value: str, *, now: float, small_is_delta: bool) -> float | None:
    """Parse delta seconds, epoch seconds, an HTTP date or an ISO timestamp into seconds from now."""
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is not None:
        if small_is_delta and number < 1_000_000_000:
            return max(0.0, number)
        return max(0.0, number - now)
    when: datetime | None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        when = None
    if when is None:
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


class TokenBucket:
    """A per-host token bucket: ``rate_per_s`` tokens a second, at most ``burst`` saved up."""

    def __init__(self, rate_per_s: float, burst: int) -> None:
        self.rate_per_s = rate_per_s
        self.burst = burst
        self._tokens = float(burst)
        self._stamp: float | None = None
        self._lock = threading.Lock()

    def reserve(self, now: float) -> float:
        """Take one token and return how many seconds the caller must wait before using it."""
        with self._lock:
            if self._stamp is not None:
                self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate_per_s)
            self._stamp = now
            self._tokens -= 1.0
            if self._tokens >= 0:
                return 0.0
            return -self._tokens / self.rate_per_s


class MonthlyQuota(Protocol):
    """A provider's monthly allowance (e.g. X's posts read) shared by every worker of a fleet.

    ``reserve`` takes up to ``want`` units before a request and returns (granted, used after);
    ``give_back`` returns the units a shorter answer did not use. Kept in the database by the workers
    (``listener.shared_limits``), so racing workers never go past the cap together.
    """

    def reserve(self, month: str, want: int, cap: int) -> tuple[int, int]: ...
    def give_back(self, month: str, amount: int) -> None: ...


class HostLimiter:
    """The token buckets of every host, shared by all clients of the process."""

    def __init__(self) -> None:
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    def bucket(self, host: str, policy: HttpPolicy) -> TokenBucket:
        """Return the bucket of ``host``, created with ``policy``'s rate on first use."""
        with self._lock:
            found = self._buckets.get(host)
            if found is None:
                found = self._buckets[host] = TokenBucket(policy.rate_per_s, policy.burst)
            return found

    def monthly_quota(self, key: str) -> MonthlyQuota | None:
        """Return the fleet-wide monthly quota ``key``; None in one process (its cursors count it)."""
        del key
        return None


DEFAULT_LIMITER = HostLimiter()


@dataclass(slots=True)
class CircuitBreaker:
    """Fail fast for ``cooldown_s`` after ``threshold`` consecutive failed requests of one source."""

    threshold: int
    cooldown_s: float
    failures: int = 0
    opened_at: float | None = None

    def remaining_s(self, now: float) -> float:
        """Return how long the circuit stays open (0 when requests may go through)."""
        if self.opened_at is None:
            return 0.0
        left = self.opened_at + self.cooldown_s - now
        if left <= 0:
            return 0.0  # half-open: let one request probe the source
        return left

    def record(self, *, is_success: bool, now: float) -> None:
        """Count a request's result; a success closes the circuit."""
        if is_success:
            self.failures = 0
            self.opened_at = None
            return
        self.failures += 1
        if self.failures >= self.threshold:
            self.opened_at = now
