"""The shared HTTP policy against a real loopback server: retries, timeouts, cut bodies, 304, limits."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from connectors._http import (
    USER_AGENT,
    HostLimiter,
    HttpClient,
    HttpPolicy,
    Outcome,
    TokenBucket,
    classify,
    retry_after_s,
)
from listener.core.errors import AuthFailed, QueryRejected, RetryLater, SourceUnavailable
from tests.replay import ReplayServer, Reply, cassette

OK = Reply(headers={"Content-Type": "text/plain"}, body=b"hello")


@pytest.mark.parametrize(
    ("status", "headers", "outcome"),
    [
        (200, {}, Outcome.OK),
        (304, {}, Outcome.NOT_MODIFIED),
        (429, {}, Outcome.RATE_LIMITED),
        (503, {"retry-after": "30"}, Outcome.RATE_LIMITED),
        (503, {}, Outcome.TRANSIENT),
        (500, {}, Outcome.TRANSIENT),
        (408, {}, Outcome.TRANSIENT),
        (401, {}, Outcome.AUTH),
        (403, {}, Outcome.AUTH),
        (400, {}, Outcome.REJECTED),
        (404, {}, Outcome.REJECTED),
        (410, {}, Outcome.REJECTED),
        (422, {}, Outcome.REJECTED),
    ],
)
def test_classify(status: int, headers: dict[str, str], outcome: Outcome) -> None:
    assert classify(status, headers) is outcome


def test_retry_after_forms() -> None:
    now = 1_747_676_000.0
    assert retry_after_s({"retry-after": "120"}, now=now, default=60) == 120
    http_date = "Mon, 19 May 2025 17:35:20 GMT"  # 1747676120
    assert retry_after_s({"retry-after": http_date}, now=now, default=60) == pytest.approx(120)
    assert retry_after_s({"ratelimit-reset": "1747676784"}, now=now, default=60) == pytest.approx(784)
    assert retry_after_s({"x-rate-limit-reset": "1747676030"}, now=now, default=60) == pytest.approx(30)
    assert retry_after_s({"ratelimit-reset": "45"}, now=now, default=60) == 45
    iso = "2025-05-19T17:35:00.000Z"  # 1747676100
    assert retry_after_s({"x-ratelimit-reset": iso}, now=now, default=60) == pytest.approx(100)
    assert retry_after_s({"retry-after": "soon"}, now=now, default=60) == 60
    assert retry_after_s({}, now=now, default=60) == 60


def test_rate_limit_reset_from_real_bluesky_headers(server: ReplayServer, shared_data: Path) -> None:
    """A 429 carrying the real RateLimit-* headers of a recorded bsky answer waits until its reset."""
    recorded = cassette(shared_data / "bluesky/bskyr_vcr_cassettes/f_search.yml")[0].reply
    reset = float(recorded.headers["RateLimit-Reset"])
    server.add("/limited", Reply(status=429, headers=recorded.headers, body=b'{"error":"RateLimitExceeded"}'))
    client = HttpClient("bluesky", wall_clock=lambda: reset - 90, sleep=lambda s: None, limiter=HostLimiter())
    with pytest.raises(RetryLater) as caught:
        client.get(server.url + "/limited")
    assert caught.value.retry_after_s == pytest.approx(90)


def test_token_bucket_spaces_requests() -> None:
    bucket = TokenBucket(rate_per_s=2.0, burst=2)
    assert bucket.reserve(0.0) == 0
    assert bucket.reserve(0.0) == 0
    assert bucket.reserve(0.0) == pytest.approx(0.5)
    assert bucket.reserve(10.0) == 0  # refilled


def test_bucket_wait_goes_through_the_sleep(server: ReplayServer, sleeps: list[float]) -> None:
    server.add("/x", OK)
    client = HttpClient("rss", policy=HttpPolicy(rate_per_s=1.0, burst=1), sleep=sleeps.append,
                        monotonic=lambda: 100.0, limiter=HostLimiter())
    client.get(server.url + "/x")
    client.get(server.url + "/x")
    assert sleeps == [pytest.approx(1.0)]


def test_500_then_success(server: ReplayServer, make_client: Callable[..., HttpClient],
                          sleeps: list[float], caplog: pytest.LogCaptureFixture) -> None:
    server.add("/flaky", Reply(status=500, body=b"oops"), OK)
    with caplog.at_level(logging.WARNING):
        response = make_client("rss").get(server.url + "/flaky")
    assert response.body == b"hello"
    assert len(server.requests_to("/flaky")) == 2
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 0.5
    assert any("unexpected status 500" in r.getMessage() and "retrying" in r.getMessage()
               for r in caplog.records)


def test_timeout_is_retried_then_unavailable(server: ReplayServer, make_client: Callable[..., HttpClient],
                                             sleeps: list[float]) -> None:
    server.add("/slow", Reply(body=b"late", delay_s=0.6))
    client = make_client("rss", read_timeout_s=0.2, max_attempts=2)
    with pytest.raises(SourceUnavailable) as caught:
        client.get(server.url + "/slow")
    assert "timeout" in str(caught.value)
    assert len(server.requests_to("/slow")) == 2


def test_truncated_body_is_transient(server: ReplayServer, make_client: Callable[..., HttpClient]) -> None:
    body = b"x" * 10_000
    server.add("/cut", Reply(body=body, truncate_at=5_000), Reply(body=body))
    response = make_client("rss").get(server.url + "/cut")
    assert response.body == body
    assert len(server.requests_to("/cut")) == 2


def test_always_truncated_gives_up(server: ReplayServer, make_client: Callable[..., HttpClient]) -> None:
    server.add("/cut", Reply(body=b"y" * 4000, truncate_at=100))
    with pytest.raises(SourceUnavailable, match="network error"):
        make_client("rss").get(server.url + "/cut")


def test_conditional_get(server: ReplayServer, make_client: Callable[..., HttpClient]) -> None:
    server.add("/feed", Reply(headers={"ETag": '"v1"', "Last-Modified": "Mon, 19 May 2025 17:41:36 GMT"},
                              body=b"<rss/>"))
    client = make_client("rss")
    first = client.get(server.url + "/feed")
    assert first.etag == '"v1"' and first.last_modified
    again = client.get(server.url + "/feed", etag=first.etag, last_modified=first.last_modified)
    assert again.is_not_modified and again.body == b""
    assert server.requests_to("/feed")[1].headers["if-none-match"] == '"v1"'


def test_errors_map_once(server: ReplayServer, make_client: Callable[..., HttpClient]) -> None:
    server.add("/gone", Reply(status=410))
    server.add("/forbidden", Reply(status=403))
    client = make_client("mastodon")
    with pytest.raises(QueryRejected, match="status 410"):
        client.get(server.url + "/gone")
    with pytest.raises(AuthFailed, match="status 403"):
        client.get(server.url + "/forbidden")
    with pytest.raises(QueryRejected):
        client.get("ftp://example.invalid/feed")


def test_body_size_limit(server: ReplayServer, make_client: Callable[..., HttpClient]) -> None:
    server.add("/big", Reply(body=b"z" * 5000))
    with pytest.raises(QueryRejected, match="limit"):
        make_client("rss", max_body_bytes=1000).get(server.url + "/big")


def test_gzip_body_is_decoded(server: ReplayServer, make_client: Callable[..., HttpClient]) -> None:
    server.add("/gz", Reply(body=b"compressed text " * 50, gzip_body=True))
    assert make_client("rss").get(server.url + "/gz").body == b"compressed text " * 50


def test_user_agent_and_redacted_debug_log(server: ReplayServer, caplog: pytest.LogCaptureFixture) -> None:
    server.add("/me", OK)
    client = HttpClient("mastodon", headers={"Authorization": "Bearer s3cr3t-token"}, limiter=HostLimiter())
    with caplog.at_level(logging.DEBUG, logger="connectors._http"):
        client.get(server.url + "/me")
    seen = server.requests_to("/me")[0]
    assert seen.headers["user-agent"] == USER_AGENT and USER_AGENT.startswith("listener/")
    assert seen.headers["authorization"] == "Bearer s3cr3t-token"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "GET" in logged and "[redacted]" in logged
    assert "s3cr3t-token" not in logged


def test_circuit_breaker_fails_fast(server: ReplayServer, make_client: Callable[..., HttpClient]) -> None:
    server.add("/down", Reply(status=502))
    client = make_client("hackernews", max_attempts=1, breaker_threshold=2, breaker_cooldown_s=300)
    for _ in range(2):
        with pytest.raises(SourceUnavailable):
            client.get(server.url + "/down")
    with pytest.raises(RetryLater, match="circuit open") as caught:
        client.get(server.url + "/down")
    assert 0 < caught.value.retry_after_s <= 300
    assert len(server.requests_to("/down")) == 2  # the third call never reached the server
    other_host = server.url.replace("127.0.0.1", "localhost")
    server.add("/up", OK)
    assert client.get(other_host + "/up").body == b"hello"  # another host of the source still works
