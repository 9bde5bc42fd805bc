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

import importlib.util
import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from connectors._http_policy import (
    DEFAULT_LIMITER,
    CircuitBreaker,
    HostLimiter,
    HttpPolicy,
    MonthlyQuota,
    Outcome,
    Response,
    TokenBucket,
    _host,
    classify,
    retry_after_s,
)
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



@dataclass(slots=True)
class _Attempt:
    """Bookkeeping of one logical request across its retries."""

    number: int = 0
    last_error: str = ""
    delays: list[float] = field(default_factory=list)


class _Transient(Exception):
    """Internal signal: this try failed in a way worth retrying."""


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
        self.monthly_quota = self._limiter.monthly_quota
        """The fleet-wide monthly quota of a key, or None (see ``HostLimiter.monthly_quota``)."""
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
    "MonthlyQuota",
    "Outcome",
    "Response",
    "TokenBucket",
    "classify",
    "redact",
    "retry_after_s",
]

