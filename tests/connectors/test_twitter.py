"""The X/Twitter connector against a loopback server replaying genuine API v2 responses.

tweepy runs for real: its session is rebased onto the replay server (``api_url``), nothing is
patched. Field mapping uses the academictwitteR v2 search responses (they carry ``includes``);
paging uses tweepy's own recorded recent-search page, whose gzip body is sent as recorded. Our own
scenarios (429, 503, unknown fields) live in ``tests/recordings/twitter/``.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors._http import HostLimiter, HttpClient, HttpPolicy
from connectors._query import SearchText
from connectors.twitter import TwitterConnector, snowflake_time
from listener.core.errors import AuthFailed, QueryRejected, RetryLater, SourceUnavailable
from listener.core.model import Cursor, Mention, Query
from tests.connectors.sdk_recordings import (
    academic_reply,
    body_json,
    own_recording,
    tweepy_cassette,
    with_headers,
)
from tests.replay import ReplayServer, Reply

SEARCH = "/2/tweets/search/recent"
OWN = Path(__file__).resolve().parent.parent / "recordings" / "twitter"
TOKEN = "test-bearer-AAAA"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
QUERY = Query(id="brand", name="Brand", expression="#commtwitter")


def _academic(shared: Path, stem: str) -> Path:
    return next((shared / "twitter" / "academictwitteR_v2_responses").glob(f"{stem}*.json"))


def _body(shared: Path, stem: str) -> dict:  # type: ignore[type-arg]
    return json.loads(_academic(shared, stem).read_text())["body"]  # type: ignore[no-any-return]


def _tweepy_page(shared: Path) -> Reply:
    path = shared / "twitter" / "cassettes" / "test_client_search_recent_tweets.yaml"
    [interaction] = tweepy_cassette(path)
    assert interaction.reply.gzip_body, "the sync cassette stores a gzip body"
    return interaction.reply


def _client(max_attempts: int = 2) -> HttpClient:
    policy = HttpPolicy(max_attempts=max_attempts, backoff_base_s=0.01, backoff_max_s=0.02,
                        connect_timeout_s=2, read_timeout_s=5)
    return HttpClient("twitter", policy=policy, limiter=HostLimiter())


def _connector(server: ReplayServer, **kwargs: object) -> TwitterConnector:
    return TwitterConnector(
        bearer_token=TOKEN,
        api_url=server.url,
        client=_client(),
        clock=lambda: NOW,
        **kwargs,  # type: ignore[arg-type]
    )


def _serve_own(server: ReplayServer, scenario: str) -> None:
    for interaction in own_recording(OWN / scenario / "search.json"):
        server.add(interaction.target, interaction.reply)


def _check_mention(mention: Mention, tweet: dict, users: dict, included: dict) -> None:  # type: ignore[type-arg]
    """Compare one mapped mention with the recorded tweet and its expansions."""
    user = users[tweet["author_id"]]
    assert mention.source == "twitter" and mention.query_id == "brand"
    retweeted = [r["id"] for r in tweet.get("referenced_tweets", []) if r["type"] == "retweeted"]
    original = included.get(retweeted[0]) if retweeted else None
    if original is None:
        assert mention.text == tweet["text"]
    else:  # X truncates a retweet's text; the original's full text is used
        handle = users[original["author_id"]]["username"]
        assert mention.text == f"RT @{handle}: {original['text']}"
        assert tweet["text"].endswith("…") and len(mention.text) > len(tweet["text"])
    assert mention.published_at == datetime.fromisoformat(tweet["created_at"].replace("Z", "+00:00"))
    assert mention.published_at.tzinfo is not None
    assert mention.fetched_at == NOW
    assert mention.lang == tweet["lang"]
    assert mention.conversation_id == tweet["conversation_id"]
    assert mention.url == f"https://x.com/{user['username']}/status/{tweet['id']}"
    assert mention.author.external_id == tweet["author_id"]
    assert mention.author.handle == user["username"]
    assert mention.author.display_name == user["name"]
    assert mention.author.followers == user["public_metrics"]["followers_count"]
    assert mention.author.following == user["public_metrics"]["following_count"]
    assert mention.author.posts_count == user["public_metrics"]["tweet_count"]
    assert mention.author.verified == user["verified"]
    assert mention.author.created_at == datetime.fromisoformat(user["created_at"].replace("Z", "+00:00"))
    metrics = tweet["public_metrics"]
    assert mention.metrics.likes == metrics["like_count"]
    assert mention.metrics.reposts == metrics["retweet_count"]
    assert mention.metrics.replies == metrics["reply_count"]
    assert mention.metrics.quotes == metrics["quote_count"]
    entities = tweet.get("entities", {})
    both = [entities, (original or {}).get("entities", {})]
    assert set(mention.hashtags) == {h["tag"] for e in both for h in e.get("hashtags", [])}
    assert set(mention.mentioned_handles) == {m["username"] for e in both for m in e.get("mentions", [])}
    assert set(mention.links) == {u.get("unwound_url") or u["expanded_url"] for e in both
                                  for u in e.get("urls", [])}
    kinds = {"replied_to": "reply", "quoted": "quote", "retweeted": "repost"}
    assert [(r.kind, r.external_id) for r in mention.references] == [
        (kinds[r["type"]], r["id"]) for r in tweet.get("referenced_tweets", [])
    ]
    for ref in mention.references:
        assert ref.author_external_id == included.get(ref.external_id, {}).get("author_id")
    assert dict(mention.raw) == tweet


def test_maps_every_field_of_a_real_search_page(server: ReplayServer, shared_data: Path) -> None:
    """Author, metrics, lang, conversation, references and entities come from the recorded page."""
    body = _body(shared_data, "2__tweets__search__all-45a673")
    server.add(SEARCH, academic_reply(_academic(shared_data, "2__tweets__search__all-45a673")))

    batch = _connector(server).fetch(QUERY, None)

    assert batch.requests == 1 and batch.skipped == 0
    assert {m.external_id for m in batch.mentions} == {t["id"] for t in body["data"]}
    users = {u["id"]: u for u in body["includes"]["users"]}
    included = {t["id"]: t for t in body["includes"]["tweets"]}
    for mention, tweet in zip(
        sorted(batch.mentions, key=lambda m: m.external_id),
        sorted(body["data"], key=lambda t: t["id"]),
        strict=True,
    ):
        _check_mention(mention, tweet, users, included)
    # the page really contains what we claim to map, retweets included
    assert any(m.hashtags for m in batch.mentions)
    assert any(m.reposted_id for m in batch.mentions)
    assert any(m.references for m in batch.mentions)

    sent = server.requests_to(SEARCH)[0]
    assert sent.query["query"] == "#commtwitter"
    assert sent.query["max_results"] == "100"
    assert set(sent.query["expansions"].split(",")) == {
        "author_id", "referenced_tweets.id", "referenced_tweets.id.author_id",
        "entities.mentions.username", "in_reply_to_user_id",
    }
    assert {"created_at", "lang", "public_metrics", "conversation_id", "entities", "referenced_tweets",
            "in_reply_to_user_id"} <= set(sent.query["tweet.fields"].split(","))
    assert {"public_metrics", "verified", "created_at", "username", "name"} <= set(
        sent.query["user.fields"].split(","))
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"


def test_retweets_become_repost_references_to_the_original_author(
    server: ReplayServer, shared_data: Path
) -> None:
    """The ``retweets_of:kfc`` page: every post is an echo of a KFC post, with its author expanded."""
    stem = "2__tweets__search__all-e2249a"
    body = _body(shared_data, stem)
    server.add(SEARCH, academic_reply(_academic(shared_data, stem)))

    batch = _connector(server).fetch(Query(id="kfc", name="KFC", expression="kfc"), None)

    included = {t["id"]: t for t in body["includes"]["tweets"]}
    reposts = [m for m in batch.mentions if m.reposted_id is not None]
    assert reposts, "the recording is a retweets_of query"
    for mention in reposts:
        ref = next(r for r in mention.references if r.kind == "repost")
        assert ref.author_external_id == included[ref.external_id]["author_id"]


def test_next_token_paging_walks_to_the_last_page(server: ReplayServer, shared_data: Path) -> None:
    """Page 1 is tweepy's recorded gzip page (bare tweets, no author: skipped); page 2 has no token."""
    first = _tweepy_page(shared_data)
    token = body_json(first)["meta"]["next_token"]
    page2 = _academic(shared_data, "2__tweets__search__all-45a673")
    server.add(SEARCH, first)
    server.add(f"{SEARCH}?next_token={token}", academic_reply(page2))

    batch = _connector(server).fetch(QUERY, None)

    sent = server.requests_to(SEARCH)
    assert len(sent) == 2 and batch.requests == 2
    assert "next_token" not in sent[0].query and sent[1].query["next_token"] == token
    assert batch.skipped == 10  # tweepy's page was recorded without author_id
    assert len(batch.mentions) == len(_body(shared_data, "2__tweets__search__all-45a673")["data"])
    page1_ids = [t["id"] for t in body_json(first)["data"]]
    assert batch.next_cursor is not None
    assert batch.next_cursor.get("since_id") == max(page1_ids, key=int)
    assert batch.next_cursor.get("posts_read") == 10 + len(batch.mentions)


def test_since_id_advances_and_a_second_run_brings_no_duplicates(
    server: ReplayServer, shared_data: Path
) -> None:
    """The cursor keeps the newest id, survives JSON, is sent back, and never regresses."""
    stem = "2__tweets__search__all-45a673"
    newest = _body(shared_data, stem)["meta"]["newest_id"]
    server.add(SEARCH, academic_reply(_academic(shared_data, stem)))
    connector = _connector(server)

    first = connector.fetch(QUERY, None)
    assert first.next_cursor is not None
    cursor = Cursor.from_json(first.next_cursor.to_json())
    assert cursor.get("since_id") == newest

    second = connector.fetch(QUERY, cursor)

    assert server.requests_to(SEARCH)[1].query["since_id"] == newest
    assert second.mentions == ()
    assert second.next_cursor is not None and second.next_cursor.get("since_id") == newest


def test_first_run_backfill_stops_at_the_request_budget(server: ReplayServer, shared_data: Path) -> None:
    """A page that always offers a next_token is followed only ``backfill_requests`` times."""
    page = _tweepy_page(shared_data)
    server.add(SEARCH, page)

    batch = _connector(server, backfill_requests=3).fetch(QUERY, None)

    assert len(server.requests_to(SEARCH)) == 3 and batch.requests == 3


def test_incremental_page_limit_keeps_its_place_and_the_next_run_pages_on(
    server: ReplayServer, shared_data: Path
) -> None:
    """Past ``max_requests_per_run`` the cursor holds the next_token; the next run resumes there."""
    page = _tweepy_page(shared_data)
    token = body_json(page)["meta"]["next_token"]
    older = _academic(shared_data, "2__tweets__search__all-45a673")
    server.add(SEARCH, page)
    server.add(f"{SEARCH}?next_token={token}", academic_reply(older))
    connector = _connector(server, max_requests_per_run=1)
    key = next(iter(connector.fetch(QUERY, None).next_cursor.data["queries"]))  # type: ignore[union-attr]
    old = Cursor({"queries": {key: {"since_id": "1"}}})

    interrupted = connector.fetch(QUERY, old)
    assert interrupted.next_cursor is not None
    entry = interrupted.next_cursor.data["queries"][key]
    newest = max((t["id"] for t in body_json(page)["data"]), key=int)
    assert entry == {"since_id": "1", "pending": {"next_token": token, "newest_id": newest}}

    resumed = connector.fetch(QUERY, Cursor.from_json(interrupted.next_cursor.to_json()))

    last = server.requests_to(SEARCH)[-1]
    assert last.query["next_token"] == token and last.query["since_id"] == "1"
    older_ids = {t["id"] for t in _body(shared_data, "2__tweets__search__all-45a673")["data"]}
    assert {m.external_id for m in resumed.mentions} == older_ids
    assert resumed.next_cursor is not None
    assert resumed.next_cursor.data["queries"][key] == {"since_id": newest}


def test_an_expired_resume_token_pages_again_from_since_id(
    server: ReplayServer, shared_data: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """X refuses a stale next_token (the recorded 400): one WARNING, then paging restarts."""
    page = _tweepy_page(shared_data)
    server.add(SEARCH, page)
    refused = academic_reply(_academic(shared_data, "2__tweets__search__all-92adbd"))
    server.add(f"{SEARCH}?next_token=stale", refused)
    connector = _connector(server, max_requests_per_run=1)
    key = next(iter(connector.fetch(QUERY, None).next_cursor.data["queries"]))  # type: ignore[union-attr]
    pending = {"next_token": "stale", "newest_id": "5"}
    cursor = Cursor({"queries": {key: {"since_id": "1", "pending": pending}}})

    with caplog.at_level(logging.WARNING, logger="connectors.twitter"):
        batch = connector.fetch(QUERY, cursor)

    sent = server.requests_to(SEARCH)[-2:]
    assert sent[0].query.get("next_token") == "stale" and "next_token" not in sent[1].query
    assert any("could not resume" in r.getMessage() for r in caplog.records)
    assert batch.skipped == 10  # the restarted page was read


def test_429_becomes_retry_later_with_the_reset_delay(server: ReplayServer) -> None:
    """Our recorded 429: no retry, no sleep, RetryLater until ``x-rate-limit-reset``."""
    [recorded] = own_recording(OWN / "rate_limited_429" / "search.json")
    server.add(recorded.target, with_headers(recorded.reply, x_rate_limit_reset=str(int(time.time()) + 120)))

    started = time.monotonic()
    with pytest.raises(RetryLater) as caught:
        _connector(server).fetch(QUERY, None)

    assert 100 <= caught.value.retry_after_s <= 121
    assert caught.value.source == "twitter"
    assert len(server.requests_to(SEARCH)) == 1
    assert time.monotonic() - started < 5


def test_a_spent_window_stops_paging_before_the_refused_request(
    server: ReplayServer, shared_data: Path
) -> None:
    """``x-rate-limit-remaining: 0`` on page 1 means page 2 is not even sent."""
    page = _tweepy_page(shared_data)
    reset = int(NOW.timestamp()) + 300  # the connector reads the same clock as the server here
    server.add(SEARCH, with_headers(page, x_rate_limit_remaining="0", x_rate_limit_reset=str(reset)))

    with pytest.raises(RetryLater) as caught:
        _connector(server).fetch(QUERY, None)

    assert len(server.requests_to(SEARCH)) == 1
    assert 250 <= caught.value.retry_after_s <= 301


def test_recorded_401_is_auth_failed(server: ReplayServer, shared_data: Path) -> None:
    """The academictwitteR 401 problem JSON."""
    server.add(SEARCH, academic_reply(_academic(shared_data, "2__tweets__search__all-90b063")))
    with pytest.raises(AuthFailed, match="bearer token was refused"):
        _connector(server).fetch(QUERY, None)


def test_recorded_400_and_404_reject_the_query(server: ReplayServer, shared_data: Path) -> None:
    """A 400 problem JSON (its detail is kept) and an HTML 404 page."""
    server.add(SEARCH, academic_reply(_academic(shared_data, "2__tweets__search__all-92adbd")))
    with pytest.raises(QueryRejected, match="400"):
        _connector(server).fetch(QUERY, None)
    server.reset()
    server.add(SEARCH, academic_reply(_academic(shared_data, "2__tweets__search__allall-088954")))
    with pytest.raises(QueryRejected):
        _connector(server).fetch(QUERY, None)


def test_503_is_retried_then_source_unavailable(server: ReplayServer) -> None:
    """The transport retries a transient status (policy: 2 attempts), then the fetch gives up."""
    _serve_own(server, "server_error_503")
    with pytest.raises(SourceUnavailable):
        _connector(server).fetch(QUERY, None)
    assert len(server.requests_to(SEARCH)) == 2


def test_network_error_is_source_unavailable() -> None:
    """Nothing listens on the port: a connection error after the retries."""
    connector = TwitterConnector(
        bearer_token=TOKEN, api_url="http://127.0.0.1:9", client=_client(max_attempts=1), clock=lambda: NOW,
    )
    with pytest.raises(SourceUnavailable, match="network error"):
        connector.fetch(QUERY, None)


def test_without_a_token_the_connector_is_disabled_with_one_message(
    server: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``${X_BEARER_TOKEN}`` unset: config resolves to None and the connector says why, sending nothing."""
    from listener.config import parse_settings

    monkeypatch.delenv("X_BEARER_TOKEN", raising=False)
    settings = parse_settings("sources:\n  twitter:\n    bearer_token: ${X_BEARER_TOKEN}\n")
    token = settings.sources.twitter.bearer_token
    assert token is None
    connector = TwitterConnector(bearer_token=None, api_url=server.url)

    assert connector.is_configured is False
    assert connector.disabled_reason is not None and "X_BEARER_TOKEN" in connector.disabled_reason
    with pytest.raises(AuthFailed):
        connector.fetch(QUERY, None)
    assert server.seen == []
    assert TwitterConnector(bearer_token="abc").disabled_reason is None


def test_unknown_fields_are_tolerated_and_kept_in_raw(server: ReplayServer) -> None:
    """New keys everywhere, an unknown reference type, a missing author and a missing created_at."""
    _serve_own(server, "unknown_fields")

    batch = _connector(server).fetch(QUERY, None)

    by_id = {m.external_id: m for m in batch.mentions}
    reply = by_id["1859000000000000002"]
    assert reply.raw["community_vibe"] == "tense"
    assert reply.author.handle == "marie_r" and reply.author.posts_count == 5400
    assert reply.in_reply_to == "1859000000000000001"
    assert [r.kind for r in reply.references] == ["reply"]
    assert reply.metrics.views == 840
    assert reply.links == ("https://example.org/ticket/42",)
    assert reply.hashtags == ("SAV",) and reply.mentioned_handles == ("CafetiereBleue",)
    orphan = by_id["1859000000000000001"]
    assert orphan.author.external_id == "4003" and orphan.author.handle == "4003"
    assert orphan.author.followers is None
    assert orphan.url == "https://x.com/i/web/status/1859000000000000001"
    assert orphan.published_at == snowflake_time("1859000000000000001")
    assert orphan.published_at.year == 2024


def test_monthly_post_cap_is_counted_and_enforced(server: ReplayServer, shared_data: Path) -> None:
    """Posts read add up in the cursor; at the cap no request is sent until next month."""
    stem = "2__tweets__search__all-45a673"
    server.add(SEARCH, academic_reply(_academic(shared_data, stem)))
    connector = _connector(server, monthly_post_cap=8)
    n = len(_body(shared_data, stem)["data"])

    first = connector.fetch(QUERY, None)
    assert first.next_cursor is not None
    assert first.next_cursor.get("posts_read") == n and first.next_cursor.get("month") == "2026-11"
    second = connector.fetch(QUERY, first.next_cursor)
    assert second.next_cursor is not None and second.next_cursor.get("posts_read") == 2 * n
    assert connector.cap_usage([first.next_cursor, second.next_cursor, None]).posts_read == 3 * n

    with pytest.raises(RetryLater, match="monthly post cap") as caught:
        connector.fetch(QUERY, second.next_cursor)
    assert len(server.requests_to(SEARCH)) == 2
    assert caught.value.retry_after_s == (datetime(2026, 12, 1, tzinfo=UTC) - NOW).total_seconds()
    december = Cursor({**second.next_cursor.data, "month": "2026-10"})
    connector.fetch(QUERY, december)  # a new month starts from zero
    assert len(server.requests_to(SEARCH)) == 3


def test_several_provider_queries_are_merged_without_duplicates(
    server: ReplayServer, shared_data: Path
) -> None:
    """A topic split in two (X's 512-character limit) gives one batch and a since_id per part."""
    stem = "2__tweets__search__all-45a673"
    server.add(SEARCH, academic_reply(_academic(shared_data, stem)))
    parts = [SearchText("(a OR b)"), SearchText("(c OR d)")]

    batch = _connector(server, translate=lambda q: parts).fetch(QUERY, None)

    assert [s.query["query"] for s in server.requests_to(SEARCH)] == ["(a OR b)", "(c OR d)"]
    assert len(batch.mentions) == len({m.external_id for m in batch.mentions})
    assert batch.next_cursor is not None and len(batch.next_cursor.data["queries"]) == 2


def test_a_topic_longer_than_512_characters_is_split_by_the_query_language(
    server: ReplayServer, shared_data: Path
) -> None:
    """The real ``listener.core.query`` translation: each request stays under X's limit, one batch results."""
    server.add(SEARCH, academic_reply(_academic(shared_data, "2__tweets__search__all-45a673")))
    expression = " OR ".join(f'"marque{i} produit{i}"' for i in range(40))

    batch = _connector(server).fetch(Query(id="long", name="Long", expression=expression), None)

    sent = [s.query["query"] for s in server.requests_to(SEARCH)]
    assert len(sent) >= 2 and all(len(text) <= 512 for text in sent)
    assert "marque0" in sent[0] and "marque39" in sent[-1]
    assert len(batch.mentions) == len({m.external_id for m in batch.mentions}) > 0


def test_the_token_never_reaches_the_logs(
    server: ReplayServer, shared_data: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """tweepy logs request headers at DEBUG; its logger is held at INFO."""
    server.add(SEARCH, academic_reply(_academic(shared_data, "2__tweets__search__all-45a673")))
    with caplog.at_level(logging.DEBUG):
        _connector(server).fetch(QUERY, None)
    assert TOKEN not in caplog.text


def test_the_registry_builds_it_from_its_config_section(monkeypatch: pytest.MonkeyPatch) -> None:
    """``connectors.build`` reads ``sources.twitter``; the token comes from the environment only."""
    from connectors import REGISTRY, build
    from listener.config import parse_settings

    text = "sources:\n  twitter:\n    bearer_token: ${X_BEARER_TOKEN}\n    backfill_requests: 3\n"
    monkeypatch.setenv("X_BEARER_TOKEN", "from-env")
    connector = build("twitter", parse_settings(text).sources.twitter)
    assert REGISTRY["twitter"] is TwitterConnector
    assert isinstance(connector, TwitterConnector)
    assert connector.is_configured and connector.backfill_requests == 3
    monkeypatch.delenv("X_BEARER_TOKEN")
    assert not build("twitter", parse_settings(text).sources.twitter).is_configured  # type: ignore[attr-defined]
