"""Let an SDK that speaks ``requests`` (tweepy, praw) send its GETs through listener's ``HttpClient``.

tweepy and praw build their own requests, and tweepy hard-codes ``https://api.twitter.com``. We hand
each of them a ``requests.Session`` whose adapter, :class:`HttpClientAdapter`:

- rewrites the SDK's host onto the configured base URL (tests point it at a loopback replay server);
- sends every GET through :class:`connectors._http.HttpClient`, so the shared policy applies as for
  every other source: timeouts, body limit, per-host token bucket, circuit breaker, the short
  backoff for transient failures, and the one status table (429 becomes ``RetryLater``, 401/403
  ``AuthFailed``, 5xx after the retries ``SourceUnavailable``, other 4xx ``QueryRejected``);
- reads the provider's rate-limit headers (:class:`RateBudget`) and refuses a request once the window
  is spent (``RetryLater``) instead of sending one we know would be refused, and hides those headers
  from an SDK that would otherwise sleep on them (prawcore's ``RateLimiter``);
- sends the rare non-GET (praw's OAuth token POST) with plain ``requests``, with the policy's
  timeouts and no retry.

Errors raised here are ``listener.core.errors`` already; tweepy lets them through, prawcore wraps them in
``RequestException`` and each connector's boundary unwraps them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from requests.structures import CaseInsensitiveDict

from connectors._http import HttpClient
from listener.core.errors import RetryLater

_NOT_FORWARDED = frozenset({"accept-encoding", "content-length", "connection", "host"})


class RateBudget:
    """What a provider's rate-limit headers last said: requests left and when the window resets.

    ``reset_is_epoch`` tells whether the reset header is an epoch time (X) or seconds from now
    (Reddit). Thread-safe: several topics may share one connector.
    """

    def __init__(
        self,
        *,
        remaining_header: str,
        reset_header: str,
        reset_is_epoch: bool,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.remaining_header = remaining_header
        self.reset_header = reset_header
        self.reset_is_epoch = reset_is_epoch
        self._clock = clock
        self._lock = threading.Lock()
        self.remaining: float | None = None
        self.reset_at: float | None = None
        """Epoch seconds at which the window resets."""

    def observe(self, headers: Mapping[str, str]) -> None:
        """Record the rate-limit headers of one response (absent or garbled headers change nothing)."""
        remaining = headers.get(self.remaining_header)
        reset = headers.get(self.reset_header)
        if remaining is None or reset is None:
            return
        try:
            remaining_f, reset_f = float(remaining), float(reset)
        except ValueError:
            return
        with self._lock:
            self.remaining = remaining_f
            self.reset_at = reset_f if self.reset_is_epoch else self._clock() + reset_f

    def wait_s(self) -> float:
        """Return how long to wait before the next request: 0 unless the window is used up."""
        with self._lock:
            if self.remaining is None or self.reset_at is None or self.remaining >= 1:
                return 0.0
            return max(0.0, self.reset_at - self._clock())


class HttpClientAdapter(BaseAdapter):
    """A ``requests`` transport that rebases URLs and sends GETs through an ``HttpClient``."""

    def __init__(
        self,
        client: HttpClient,
        *,
        rebase: Mapping[str, str],
        budget: RateBudget,
        hide_headers: tuple[str, ...] = (),
    ) -> None:
        super().__init__()
        self.client = client
        self.rebase = {k.rstrip("/"): v.rstrip("/") for k, v in rebase.items()}
        self.budget = budget
        self.hide_headers = hide_headers
        self.sent = 0
        """Requests sent through this adapter (for ``Batch.requests``)."""
        self._plain = HTTPAdapter(max_retries=0)

    def _rebased(self, url: str) -> str:
        for origin, base in self.rebase.items():
            if url.startswith(origin + "/") or url == origin:
                return base + url[len(origin) :]
        return url

    def send(  # noqa: PLR0917 (requests' adapter signature)
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        """Send one request the SDK prepared; raise ``listener.core.errors`` for any failure."""
        url = self._rebased(request.url or "")
        wait = self.budget.wait_s()
        if wait > 0:
            raise RetryLater(
                f"{self.client.source}: rate-limit window used up, retry in {wait:.0f}s",
                retry_after_s=wait,
                source=self.client.source,
            )
        self.sent += 1
        if (request.method or "GET").upper() != "GET":
            request.url = url
            policy = self.client.policy
            return self._plain.send(
                request, stream=stream, timeout=(policy.connect_timeout_s, policy.read_timeout_s),
                verify=verify, cert=cert, proxies=proxies,
            )
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _NOT_FORWARDED}
        answer = self.client.get(url, headers=headers)
        self.budget.observe(answer.headers)
        response = requests.Response()
        response.status_code = answer.status
        response.headers = CaseInsensitiveDict(
            {k: v for k, v in answer.headers.items() if k.lower() not in self.hide_headers}
        )
        response.headers.pop("content-encoding", None)  # httpx has already decoded the body
        response._content = answer.body
        response.url = answer.url
        response.reason = "OK" if answer.status < 300 else ""
        response.encoding = requests.utils.get_encoding_from_headers(response.headers) or "utf-8"
        response.request = request
        return response

    def close(self) -> None:
        """Release the plain adapter's pool (the HttpClient belongs to the connector)."""
        self._plain.close()


def sdk_session(adapter: HttpClientAdapter, *prefixes: str) -> requests.Session:
    """Return a session that sends every request under ``prefixes`` through ``adapter``."""
    session = requests.Session()
    for prefix in {p.rstrip("/") for p in prefixes}:
        session.mount(prefix + "/", adapter)
    return session
