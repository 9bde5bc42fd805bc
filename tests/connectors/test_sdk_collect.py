"""twitter and reddit through the real collection step: replay server -> connector -> matcher -> SQLite.

``listener.jobs.collect.run_once`` with the real ``storage.Repository`` on a SQLite file and the real
topic matcher: mentions and cursor are stored together, a second run stores nothing new, and a 429
becomes a health entry with the next allowed run instead of an exception.
"""

from __future__ import annotations

import time
from pathlib import Path

from analysis.matching import TopicMatcher
from connectors._http import HostLimiter, HttpClient, HttpPolicy
from connectors.reddit import RedditConnector
from connectors.twitter import TwitterConnector
from listener.core.errors import RetryLater
from listener.core.model import Query
from listener.jobs.collect import run_once
from storage import Repository
from tests.connectors.sdk_recordings import academic_reply, betamax, body_json, own_recording, with_headers
from tests.replay import ReplayServer, Reply

TWEETS = "twitter/academictwitteR_v2_responses/2__tweets__search__all-45a673.json"
OWN = Path(__file__).resolve().parent.parent / "recordings"


def _client(source: str) -> HttpClient:
    policy = HttpPolicy(max_attempts=2, backoff_base_s=0.01, backoff_max_s=0.02)
    return HttpClient(source, policy=policy, limiter=HostLimiter())


def test_twitter_run_once_stores_mentions_and_cursor_then_nothing_new(
    server: ReplayServer, shared_data: Path, sqlite_url: str
) -> None:
    """Two runs on the same recorded page: the first stores everything, the second nothing."""
    server.add("/2/tweets/search/recent", academic_reply(shared_data / TWEETS))
    query = Query(id="comm", name="Comm", expression="#commtwitter")
    matcher = TopicMatcher.compile([(query.id, query.expression)])
    connector = TwitterConnector(bearer_token="t", api_url=server.url, client=_client("twitter"))
    with Repository.from_url(sqlite_url) as repo:
        repo.upgrade()
        first = run_once(connector, query, repo, matcher)
        assert first.is_success and first.fetched > 0 and first.kept == first.fetched
        cursor = repo.load_cursor("twitter", "comm")
        assert cursor is not None
        assert cursor.get("since_id") == body_json(academic_reply(shared_data / TWEETS))["meta"]["newest_id"]
        second = run_once(connector, query, repo, matcher)
        assert second.is_success and second.fetched == 0
        assert server.requests_to("/2/tweets/search/recent")[1].query["since_id"] == cursor.get("since_id")
        first_id = body_json(academic_reply(shared_data / TWEETS))["data"][0]["id"]
        assert repo.get_mention_by_key("twitter", first_id) is not None


def test_reddit_watched_listing_is_filtered_by_the_topic_matcher_and_429_is_recorded(
    server: ReplayServer, sqlite_url: str
) -> None:
    """Only the watched subreddit's items that match the topic are kept; a 429 becomes health."""
    for path in sorted((OWN / "reddit" / "watched_subreddit").glob("*.json")):
        for interaction in own_recording(path):
            server.add(interaction.target, interaction.reply)
    server.add("/api/v1/access_token",
               Reply.json({"access_token": "x", "token_type": "bearer", "expires_in": 3600, "scope": "*"}))
    query = Query(id="fuite", name="Leaks", expression="fuit OR fuite")
    matcher = TopicMatcher.compile([(query.id, query.expression)])
    connector = RedditConnector(
        client_id="id", client_secret="secret", user_agent="listener tests", oauth_url=server.url,
        reddit_url=server.url, search_all=False, watched_subreddits=["cafetierebleue"],
        client=_client("reddit"),
    )
    with Repository.from_url(sqlite_url) as repo:
        repo.upgrade()
        outcome = run_once(connector, query, repo, matcher)
        assert outcome.is_success and outcome.fetched == 4
        assert outcome.kept == 1  # only "Ma cafetière fuit ..." mentions a leak
        assert repo.get_mention_by_key("reddit", "t3_1gx0003") is not None
        assert repo.get_mention_by_key("reddit", "t3_1gx0001") is None

        [limited] = own_recording(OWN / "reddit" / "rate_limited_429" / "search.json")
        server.reset()
        server.add("/r/cafetierebleue/new", with_headers(limited.reply, x_ratelimit_reset="600"))
        started = time.monotonic()
        failed = run_once(connector, query, repo, matcher)
        assert not failed.is_success and isinstance(failed.failure, RetryLater)
        assert failed.next_run_not_before is not None
        [health] = repo.source_health("reddit")
        assert health.consecutive_failures == 1 and health.next_run_not_before is not None
        assert time.monotonic() - started < 5
    assert betamax  # the genuine cassettes are exercised in test_reddit.py
