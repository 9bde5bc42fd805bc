"""The one place where connectors do HTTP: timeouts, identity, limits, retries and error mapping.

Every connector fetches through :class:`HttpClient`, so no connector module contains a sleep, a
retry loop or a table of status codes (../shared/STYLE.md §1.3). The client:

- sends a User-Agent naming listener and its version, uses HTTP/2 when ``h2`` is installed, applies
  connect/read timeouts and refuses bodies larger than :attr:`HttpPolicy.max_body_bytes`;
- sends conditional GET headers (``If-None-Match`` / ``If-Modified-Since``) when asked;
- waits on a per-host token bucket before each request (shared by every client in the process);
- sorts each response into an :class:`Outcome` (:func:`classify`) and computes a retry-after from
  ``Retry-After`` or the provider's reset headers (:func:`retry_after_s`);
- retries transient failures (5xx, timeouts, network errors, truncated bodies) a few times with a
  short exponential backoff and jitter, and nothing else: a 429 is never slept on, it becomes
  :class:`~listener.core.errors.RetryLater` so the scheduler moves the next run;
- keeps a circuit breaker per source and host: after repeated transient failures it fails fast for a
  while (per host, so one dead Mastodon instance does not block the source's other instances);
- translates everything into ``listener.core.errors`` here, once (``_translate``).

The sleep function, the clocks and the random source are injectable so tests run fast against a real
loopback server; the defaults are the real ones.
"""

from __future__ import annotations

import email.utils
import importlib.util
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

import httpx

from listener.core.errors import AuthFailed, ConnectorError, QueryRejected, RetryLater, SourceUnavailable

logger = logging.getLogger(__name__)

try:
    from importlib.metadata import PackageNotFoundError, version

    _VERSION = version("listener")
except PackageNotFoundError:  # running from a checkout that is not installed
    _VERSION = "0.1.0"

USER_AGENT = f"listener/{_VERSION} (self-hosted social listening; +https://github.com/listener)"
"""Sent on every request so providers can tell who is calling."""

_HAS_H2 = importlib.util.find_spec("h2") is not None
_REDACTED_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization", "x-api-key"})


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


@dataclass(slots=True)
class _Attempt:
    """Bookkeeping of one logical request across its retries."""

    number: int = 0
    last_error: str = ""
    delays: list[float] = field(default_factory=list)


class _Transient(Exception):
    """Internal signal: this try failed in a way worth retrying."""


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def redact(headers: Mapping[str, str]) -> dict[str, str]:
    """Return headers safe to log: credentials replaced by ``[redacted]``."""
    return {k: ("[redacted]" if k.lower() in _REDACTED_HEADERS else v) for k, v in headers.items()}


class HttpClient:
    """An httpx client wrapped with listener's HTTP policy, for one source."""

    def __init__(
        self,
        source: str,
        *,
        policy: HttpPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        rng: Callable[[], float] = random.random,
        limiter: HostLimiter | None = None,
    ) -> None:
        self.source = source
        self.policy = policy or HttpPolicy()
        self._sleep = sleep
        self._monotonic = monotonic
        self._wall_clock = wall_clock
        self._rng = rng
        self._limiter = limiter or DEFAULT_LIMITER
        self._breakers: dict[str, CircuitBreaker] = {}
        self.requests = 0
        """Requests sent since creation (for quota accounting in a Batch)."""
        base_headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
        base_headers.update(headers or {})
        timeout = httpx.Timeout(self.policy.read_timeout_s, connect=self.policy.connect_timeout_s)
        self._client = httpx.Client(
            headers=base_headers, timeout=timeout, follow_redirects=True, http2=_HAS_H2
        )

    def breaker(self, url: str) -> CircuitBreaker:
        """Return the circuit breaker of ``url``'s host for this source."""
        host = _host(url)
        found = self._breakers.get(host)
        if found is None:
            found = self._breakers[host] = CircuitBreaker(
                self.policy.breaker_threshold, self.policy.breaker_cooldown_s
            )
        return found

    def close(self) -> None:
        """Release the connection pool."""
        self._client.close()

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Response:
        """GET ``url`` under the policy; return an OK or 304 response, raise a ConnectorError otherwise."""
        extra = dict(headers or {})
        if etag:
            extra["If-None-Match"] = etag
        if last_modified:
            extra["If-Modified-Since"] = last_modified
        breaker = self.breaker(url)
        left = breaker.remaining_s(self._monotonic())
        if left > 0:
            raise RetryLater(
                f"{self.source}: circuit open for {_host(url)} after {breaker.failures} failures, "
                f"retry in {left:.0f}s",
                retry_after_s=left,
                source=self.source,
            )
        attempt = _Attempt()
        while True:
            attempt.number += 1
            try:
                response = self._try_once(url, params, extra)
            except _Transient as err:
                attempt.last_error = str(err)
                if attempt.number >= self.policy.max_attempts:
                    breaker.record(is_success=False, now=self._monotonic())
                    raise SourceUnavailable(
                        f"{self.source}: {attempt.last_error} (gave up after {attempt.number} tries)",
                        source=self.source,
                    ) from err
                delay = self._backoff(attempt.number)
                attempt.delays.append(delay)
                logger.warning(
                    "%s: %s, retrying in %.1fs", self.source, attempt.last_error, delay,
                    extra={"source": self.source, "retry_after_s": delay},
                )
                self._sleep(delay)
                continue
            breaker.record(is_success=True, now=self._monotonic())
            return response

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with "equal jitter": half fixed, half random."""
        cap = min(self.policy.backoff_max_s, self.policy.backoff_base_s * 2.0 ** (attempt - 1))
        return float(cap / 2 + self._rng() * cap / 2)

    def _wait_for_token(self, url: str) -> None:
        host = _host(url)
        wait = self._limiter.bucket(host, self.policy).reserve(self._monotonic())
        if wait <= 0:
            return
        if wait > self.policy.max_bucket_wait_s:
            raise RetryLater(
                f"{self.source}: local rate limit for {host}, retry in {wait:.0f}s",
                retry_after_s=wait,
                source=self.source,
            )
        logger.debug("%s: waiting %.2fs for a request slot on %s", self.source, wait, host)
        self._sleep(wait)

    def _try_once(self, url: str, params: Mapping[str, Any] | None, headers: dict[str, str]) -> Response:
        self._wait_for_token(url)
        request = self._client.build_request("GET", url, params=params, headers=headers)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s: GET %s headers=%s", self.source, request.url, redact(dict(request.headers)),
                extra={"source": self.source},
            )
        started = self._monotonic()
        self.requests += 1
        with self._translate(str(request.url)):
            response = self._client.send(request, stream=True)
            try:
                body = self._read_limited(response)
            finally:
                response.close()
        result = Response(
            status=response.status_code,
            url=str(response.url),
            headers={k.lower(): v for k, v in response.headers.items()},
            body=body,
        )
        logger.debug(
            "%s: %s %s in %.0fms (%d bytes)", self.source, result.status, result.url,
            (self._monotonic() - started) * 1000, len(body),
            extra={"source": self.source, "status": result.status},
        )
        return self._judge(result)

    def _read_limited(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length")
        limit = self.policy.max_body_bytes
        if declared and declared.isdigit() and int(declared) > limit:
            raise QueryRejected(
                f"{self.source}: response of {declared} bytes exceeds the {limit}-byte limit",
                source=self.source,
            )
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise QueryRejected(
                    f"{self.source}: response exceeds the {limit}-byte limit", source=self.source
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _judge(self, response: Response) -> Response:
        """Return OK and 304 responses; raise the listener error that fits any other status."""
        outcome = classify(response.status, response.headers)
        host = _host(response.url)
        if outcome in (Outcome.OK, Outcome.NOT_MODIFIED):
            return response
        if outcome is Outcome.TRANSIENT:
            raise _Transient(f"unexpected status {response.status} from {host}")
        if outcome is Outcome.RATE_LIMITED:
            wait = retry_after_s(
                response.headers, now=self._wall_clock(), default=self.policy.default_retry_after_s
            )
            raise RetryLater(
                f"{self.source}: rate limited by {host}, retry in {wait:.0f}s",
                retry_after_s=wait,
                source=self.source,
            )
        if outcome is Outcome.AUTH:
            raise AuthFailed(
                f"{self.source}: {host} refused our credentials (status {response.status})",
                source=self.source,
            )
        raise QueryRejected(
            f"{self.source}: {host} rejected the request (status {response.status}) for {response.url}",
            source=self.source,
        )

    @contextmanager
    def _translate(self, url: str) -> Iterator[None]:
        """Map httpx exceptions to a retryable signal or to listener errors (the one mapping point)."""
        host = _host(url)
        try:
            yield
        except ConnectorError:
            raise
        except httpx.TimeoutException as err:
            raise _Transient(f"timeout talking to {host} ({type(err).__name__})") from err
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as err:
            raise QueryRejected(f"{self.source}: invalid URL {url!r}: {err}", source=self.source) from err
        except httpx.TooManyRedirects as err:
            raise QueryRejected(f"{self.source}: too many redirects from {host}", source=self.source) from err
        except (httpx.TransportError, httpx.DecodingError) as err:
            raise _Transient(f"network error with {host}: {type(err).__name__}: {err}") from err


__all__ = [
    "DEFAULT_LIMITER",
    "USER_AGENT",
    "CircuitBreaker",
    "HostLimiter",
    "HttpClient",
    "HttpPolicy",
    "Outcome",
    "Response",
    "TokenBucket",
    "classify",
    "redact",
    "retry_after_s",
]

