"""HTTP plumbing for connectors whose third-party SDK makes the requests itself (tweepy, praw).

tweepy and praw speak ``requests``, not httpx, so they cannot go through ``connectors/_http.py``.
What we still control is the ``requests.Session`` they send through; this module builds it:

- :class:`RebasingAdapter` sends every request for an SDK's hard-coded host to a configured base URL
  instead (tweepy's ``Client.request`` hard-codes ``https://api.twitter.com``), applies a default
  timeout (tweepy sets none) and retries transient failures (5xx, connection errors) a few times with
  a short exponential backoff and jitter, through urllib3's ``Retry``: the retry lives in the
  transport, never in a connector module. 429 is never retried here: the connector turns it into
  ``RetryLater`` and the scheduler moves the next run.
- :class:`RateBudget` reads a provider's rate-limit headers from every response, so the connector can
  refuse to start a request it knows would be refused, and raise ``RetryLater`` instead of letting an
  SDK sleep (prawcore's ``RateLimiter`` sleeps when it sees those headers; we hide them from it).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

logger = logging.getLogger(__name__)

TRANSIENT_STATUSES = frozenset({500, 502, 503, 504, 520, 522})
"""Statuses retried in the transport; a 503 with ``Retry-After`` is retried too (urllib3 rule)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SdkHttpPolicy:
    """Timeouts and the transient-retry schedule for an SDK's session (a small value object)."""

    connect_timeout_s: float = 10.0
    read_timeout_s: float = 30.0
    max_attempts: int = 3
    """Tries per request for transient failures, the first one included."""
    backoff_base_s: float = 0.5
    backoff_max_s: float = 8.0

    def retry(self) -> Retry:
        """Return the urllib3 retry schedule: transient statuses and network errors, GET only."""
        return Retry(
            total=self.max_attempts - 1,
            connect=self.max_attempts - 1,
            read=self.max_attempts - 1,
            status=self.max_attempts - 1,
            other=0,
            redirect=3,
            allowed_methods=frozenset({"GET", "HEAD"}),
            status_forcelist=TRANSIENT_STATUSES,
            backoff_factor=self.backoff_base_s,
            backoff_max=self.backoff_max_s,
            backoff_jitter=self.backoff_base_s,
            respect_retry_after_header=False,
            raise_on_status=False,
        )


class RebasingAdapter(HTTPAdapter):
    """Send requests for ``origin`` to ``base_url`` instead, with a default timeout and retries."""

    def __init__(self, *, origin: str, base_url: str, policy: SdkHttpPolicy) -> None:
        super().__init__(max_retries=policy.retry())
        self.origin = origin.rstrip("/")
        self.base_url = base_url.rstrip("/")
        self.policy = policy

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        """Rewrite the URL's origin, fill in the timeout when the SDK gave none, then send."""
        url = request.url or ""
        if self.base_url != self.origin and url.startswith(self.origin):
            request.url = self.base_url + url[len(self.origin) :]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = (self.policy.connect_timeout_s, self.policy.read_timeout_s)
        return super().send(request, **kwargs)


def rebased_session(origins: Mapping[str, str], policy: SdkHttpPolicy) -> requests.Session:
    """Return a session whose requests to each origin go to its mapped base URL (often itself)."""
    session = requests.Session()
    for origin, base_url in origins.items():
        adapter = RebasingAdapter(origin=origin, base_url=base_url, policy=policy)
        session.mount(origin.rstrip("/") + "/", adapter)
        if base_url.rstrip("/") != origin.rstrip("/"):
            session.mount(base_url.rstrip("/") + "/", adapter)
    return session


class RateBudget:
    """What a provider's rate-limit headers last said: requests left and when the window resets.

    ``header_names`` are (remaining, reset) header names; ``reset_is_epoch`` tells whether the reset
    header is an epoch time (Twitter) or seconds from now (Reddit). Thread-safe: several topics may
    share one connector.
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
        """Record the rate-limit headers of one response (absent headers change nothing)."""
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


class BudgetExhausted(requests.RequestException):
    """Raised by :class:`BudgetedSession` instead of sending a request the provider would refuse."""

    def __init__(self, wait_s: float) -> None:
        super().__init__(f"rate-limit window used up, resets in {wait_s:.0f}s")
        self.wait_s = wait_s


class BudgetedSession(requests.Session):
    """A session that tracks rate-limit headers, refuses requests past the budget, and can hide them.

    ``hide_headers`` removes the rate-limit headers from responses after reading them, so an SDK that
    would sleep on them (prawcore) never sees them: pacing is ours, and ours never sleeps.
    """

    def __init__(self, budget: RateBudget, *, hide_headers: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.budget = budget
        self.hide_headers = hide_headers
        self.requests_sent = 0

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        """Send unless the budget is spent; record the rate-limit headers of the answer."""
        wait = self.budget.wait_s()
        if wait > 0:
            raise BudgetExhausted(wait)
        response = super().request(method, url, *args, **kwargs)
        self.requests_sent += 1
        self.budget.observe(response.headers)
        for name in self.hide_headers:
            response.headers.pop(name, None)
        return response
