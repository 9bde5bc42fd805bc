"""The collection step against real connectors, a loopback replay server and a real database.

Across a success, a 503, a 429, a new feed version and a repeat, nothing is stored twice and nothing
already stored is lost; every run leaves a health entry and one clear log line.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analysis.matching import TopicMatcher as AnalysisMatcher
from connectors import HackerNewsConnector, RssConnector
from connectors._http import HostLimiter, HttpClient, HttpPolicy
from listener.cli import app
from listener.core.errors import AuthFailed, RetryLater, SourceUnavailable
from listener.core.model import Query
from listener.jobs.collect import run_cycle, run_once
from storage import MentionFilter, Repository
from tests.replay import ReplayServer, Reply, algolia_fixtures, feed_file, serve

GUARDIAN = "feeds/realworld/rss-parser/guardian.rss"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
QUERY = Query(id="news", name="News", expression="trump")


@pytest.fixture(scope="module")
def server() -> Iterator[ReplayServer]:
    yield from serve()


@pytest.fixture
def repository(db_url: str) -> Iterator[Repository]:
    repo = Repository.from_url(db_url)
    repo.upgrade()
    yield repo
    repo.close()


def _client(source: str, sleeps: list[float]) -> HttpClient:
    policy = HttpPolicy(read_timeout_s=1.0, max_attempts=2, breaker_threshold=50)
    return HttpClient(source, policy=policy, sleep=sleeps.append, limiter=HostLimiter())


def _older_half(body: bytes, drop: int) -> bytes:
    """Return the real feed without its first ``drop`` items (an earlier version of the same feed)."""
    start = body.index(b"<item>")
    end = body.rindex(b"</item>") + len(b"</item>")
    items = [piece + b"</item>" for piece in body[start:end].split(b"</item>") if piece.strip()]
    return body[:start] + b"".join(items[drop:]) + body[end:]


def _count(repository: Repository, source: str) -> int:
    return repository.count_mentions(MentionFilter(sources=(source,), limit=None))


def test_nothing_stored_twice_nothing_lost(server: ReplayServer, shared_data: Path, repository: Repository,
                                           caplog: pytest.LogCaptureFixture) -> None:
    server.reset()
    body = (shared_data / GUARDIAN).read_bytes()
    total = body.count(b"<item>")
    older = _older_half(body, 10)
    headers = {"Content-Type": "application/rss+xml"}
    server.add("/guardian.rss",
               Reply(headers=headers, body=older),                      # run 1: an earlier version
               Reply(status=503), Reply(status=503),                     # run 2: down (2 tries)
               Reply(status=429, headers={"Retry-After": "120"}),       # run 3: rate limited
               feed_file(shared_data / GUARDIAN, "application/rss+xml"))  # runs 4, 5: the full feed
    sleeps: list[float] = []
    connector = RssConnector(feeds=[server.url + "/guardian.rss"], client=_client("rss", sleeps))

    first = run_once(connector, QUERY, repository, now=lambda: NOW)
    assert first.outcome == "ok" and first.stored is not None
    assert first.stored.inserted == total - 10 == _count(repository, "rss")
    cursor_after_first = repository.load_cursor("rss", QUERY.id)

    with caplog.at_level(logging.WARNING, logger="listener.jobs.collect"):
        down = run_once(connector, QUERY, repository, now=lambda: NOW)
    assert down.outcome == "error" and isinstance(down.failure, SourceUnavailable)
    assert any(r.getMessage() == "rss: source unavailable" for r in caplog.records)
    assert repository.load_cursor("rss", QUERY.id) == cursor_after_first
    assert _count(repository, "rss") == total - 10

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="listener.jobs.collect"):
        limited = run_once(connector, QUERY, repository, now=lambda: NOW)
    assert isinstance(limited.failure, RetryLater)
    assert limited.next_run_not_before == NOW + timedelta(seconds=120)
    assert [r.getMessage() for r in caplog.records] == ["rss: rate limited, retry in 120s"]
    (health,) = repository.source_health("rss")
    assert health.consecutive_failures == 2
    assert health.next_run_not_before is not None
    assert health.next_run_not_before.replace(tzinfo=UTC) == NOW + timedelta(seconds=120)
    assert "RetryLater" in (health.last_error or "")

    recovered = run_once(connector, QUERY, repository, now=lambda: NOW + timedelta(minutes=5))
    assert recovered.outcome == "ok" and recovered.stored is not None
    assert recovered.stored.inserted == 10 and recovered.fetched == 10
    assert _count(repository, "rss") == total

    again = run_once(connector, QUERY, repository, now=lambda: NOW + timedelta(minutes=20))
    assert again.outcome == "ok" and again.fetched == 0
    assert _count(repository, "rss") == total
    (health,) = repository.source_health("rss")
    assert health.consecutive_failures == 0 and health.last_success_at is not None
    assert health.items_fetched_total == total


def test_matcher_keeps_and_records_topics(server: ReplayServer, shared_data: Path,
                                          repository: Repository) -> None:
    server.reset()
    server.add("/guardian.rss", feed_file(shared_data / GUARDIAN, "application/rss+xml"))
    connector = RssConnector(feeds=[server.url + "/guardian.rss"], client=_client("rss", []))
    matcher = AnalysisMatcher.compile([("trump", "trump"), ("brexit", "brexit OR \"theresa may\"")])
    outcome = run_once(connector, QUERY, repository, matcher)
    assert 0 < outcome.kept < outcome.fetched
    stored = repository.search_mentions(MentionFilter(sources=("rss",), limit=None))
    assert len(stored) == outcome.kept
    assert all(m.topics for m in stored)
    assert repository.count_mentions(MentionFilter(topics=("trump",), limit=None)) > 0


def test_one_failing_source_does_not_stop_the_others(server: ReplayServer, shared_data: Path,
                                                     repository: Repository) -> None:
    server.reset()
    server.add("/feed.rss", Reply(status=401))
    fixtures = algolia_fixtures(shared_data / "hackernews/algolia_v1_node-hacker-news-api/fixtures.json")
    for kind in ("story", "comment"):
        target = f"/api/v1/search_by_date?hitsPerPage=1&tags=({kind})&query=apple"
        server.add(target, Reply.json(fixtures[target]))
    rss = RssConnector(feeds=[server.url + "/feed.rss"], client=_client("rss", []))
    hn = HackerNewsConnector(base_url=server.url + "/api/v1", page_size=1, max_pages=1,
                             client=_client("hackernews", []))
    query = Query(id="apple", name="Apple", expression="apple")
    matcher = AnalysisMatcher.compile([("apple", "apple")])
    outcomes = run_cycle([(rss, query), (hn, query)], repository, matcher, now=lambda: NOW)
    assert [o.outcome for o in outcomes] == ["error", "ok"]
    assert isinstance(outcomes[0].failure, AuthFailed)
    assert _count(repository, "hackernews") == outcomes[1].kept > 0
    health = {h.source: h for h in repository.source_health()}
    assert health["rss"].consecutive_failures == 1 and health["hackernews"].consecutive_failures == 0


def test_sources_command(server: ReplayServer, tmp_path: Path, sqlite_url: str) -> None:
    server.reset()
    server.add("/feed.rss", Reply(status=429, headers={"Retry-After": "60"}))
    with Repository.from_url(sqlite_url) as repository:
        repository.upgrade()
        rss = RssConnector(feeds=[server.url + "/feed.rss"], client=_client("rss", []))
        run_once(rss, QUERY, repository, now=lambda: NOW)
    config = tmp_path / "config.yaml"
    config.write_text(f"database:\n  url: {sqlite_url}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["sources", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "rss" in result.output and "news" in result.output and "RetryLater" in result.output
