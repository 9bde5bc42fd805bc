"""The Reddit connector against a loopback server replaying praw's genuine Betamax recordings.

praw and prawcore run for real, pointed at the server through ``oauth_url`` / ``reddit_url``; the
token request, listings, searches and errors are the recorded ones. Our own scenarios (a 429, a
current-API watched subreddit with author lookups) live in ``tests/recordings/reddit/``.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors._http import HostLimiter, HttpClient, HttpPolicy
from connectors.reddit import RedditConnector
from listener.core.errors import AuthFailed, RetryLater, SourceUnavailable
from listener.core.model import Cursor, Query
from tests.connectors.sdk_recordings import betamax, body_json, own_recording, with_headers
from tests.replay import ReplayServer, Reply

OWN = Path(__file__).resolve().parent.parent / "recordings" / "reddit"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
QUERY = Query(id="brand", name="Brand", expression="praw oauth search")
TOKEN_PATH = "/api/v1/access_token"


def _cassette(shared: Path, name: str) -> list[Any]:
    return betamax(shared / "reddit" / "cassettes" / f"{name}.json")


def _reply(shared: Path, name: str, index: int) -> Reply:
    return _cassette(shared, name)[index].reply  # type: ignore[no-any-return]


def _children(reply: Reply) -> list[dict[str, Any]]:
    return [c["data"] for c in body_json(reply)["data"]["children"]]


@pytest.fixture
def reddit_server(server: ReplayServer, shared_data: Path) -> ReplayServer:
    """The replay server, answering praw's token request with a recorded one."""
    server.add(TOKEN_PATH, _reply(shared_data, "TestSubreddit.test_search", 0))
    return server


def _client() -> HttpClient:
    policy = HttpPolicy(max_attempts=3, backoff_base_s=0.01, backoff_max_s=0.02,
                        connect_timeout_s=2, read_timeout_s=5)
    return HttpClient("reddit", policy=policy, limiter=HostLimiter())


def _connector(server: ReplayServer, **kwargs: Any) -> RedditConnector:
    kwargs.setdefault("client", _client())
    return RedditConnector(
        client_id="test-client", client_secret="test-secret", user_agent="listener tests by u/nobody",
        oauth_url=server.url, reddit_url=server.url, clock=lambda: NOW, **kwargs,
    )


def _serve_own(server: ReplayServer, scenario: str) -> None:
    for path in sorted((OWN / scenario).glob("*.json")):
        for interaction in own_recording(path):
            server.add(interaction.target, interaction.reply)


def test_search_maps_real_submissions(reddit_server: ReplayServer, shared_data: Path) -> None:
    """r/all search: score, comments, subreddit, permalink, conversation and author come from the page."""
    search = _reply(shared_data, "TestSubreddit.test_search", 1)
    reddit_server.add("/r/all/search/", search)

    batch = _connector(reddit_server).fetch(QUERY, None)

    recorded = {d["name"]: d for d in _children(search)}
    assert {m.external_id for m in batch.mentions} == set(recorded)
    for mention in batch.mentions:
        data = recorded[mention.external_id]
        assert mention.source == "reddit" and mention.query_id == "brand"
        assert mention.title == data["title"]
        assert mention.text == (data["selftext"] or data["title"])
        assert mention.published_at == datetime.fromtimestamp(data["created_utc"], tz=UTC)
        assert mention.fetched_at == NOW
        assert mention.url == "https://www.reddit.com" + data["permalink"]
        assert mention.metrics.score == data["score"]
        assert mention.metrics.replies == data["num_comments"]
        assert mention.conversation_id == mention.external_id and mention.in_reply_to is None
        assert mention.author.handle == data["author"] and mention.author.source == "reddit"
        assert mention.raw["subreddit"] == data["subreddit"]
        assert mention.raw["permalink"] == data["permalink"]
        assert mention.links == (() if data["is_self"] else (data["url"],))
    assert [m.published_at for m in batch.mentions] == sorted((m.published_at for m in batch.mentions),
                                                              reverse=True)
    [sent] = reddit_server.requests_to("/r/all/search/")
    assert sent.query["q"] == "praw oauth search" and sent.query["sort"] == "new"
    assert sent.headers["authorization"] == "bearer <ACCESS_TOKEN>"
    [token] = reddit_server.requests_to(TOKEN_PATH)
    assert token.method == "POST" and token.headers["authorization"].startswith("Basic ")
    assert batch.requests == 2


def test_new_posts_and_comments_of_a_watched_subreddit(
    reddit_server: ReplayServer, shared_data: Path
) -> None:
    """r/askreddit new and comments: comments point at their parent and their submission."""
    new = _reply(shared_data, "TestSubredditListings.test_new", 1)
    comments = _reply(shared_data, "TestSubredditListings.test_comments", 1)
    reddit_server.add("/r/askreddit/new", new)
    reddit_server.add("/r/askreddit/comments/", comments)

    batch = _connector(reddit_server, search_all=False, watched_subreddits=["askreddit"]).fetch(QUERY, None)

    by_id = {m.external_id: m for m in batch.mentions}
    assert len(by_id) == len(batch.mentions) == len(_children(new)) + len(_children(comments))
    for data in _children(comments):
        mention = by_id[data["name"]]
        assert mention.text == data["body"]
        assert mention.in_reply_to == data["parent_id"]
        assert mention.conversation_id == data["link_id"]
        assert [(r.kind, r.external_id) for r in mention.references] == [("reply", data["parent_id"])]
        assert mention.metrics.score == data["score"]
        assert mention.url is not None and data["link_id"].removeprefix("t3_") in mention.url
        assert mention.author.karma is None  # 2016 listings carry no author_fullname to look up
    assert reddit_server.requests_to("/api/user_data_by_account_ids") == []


def test_listing_pages_follow_after(reddit_server: ReplayServer, shared_data: Path) -> None:
    """With room for 200 items praw asks for a second page with the first page's ``after``."""
    first = _reply(shared_data, "TestSubredditListings.test_new", 1)
    second = _reply(shared_data, "TestFront.test_new", 1)
    after = body_json(first)["data"]["after"]
    reddit_server.add("/r/askreddit/new", first)
    reddit_server.add(f"/r/askreddit/new?after={after}", second)
    reddit_server.add("/r/askreddit/comments/", Reply.json({"kind": "Listing", "data": {"children": []}}))

    connector = _connector(reddit_server, search_all=False, watched_subreddits=["askreddit"],
                           max_items_per_listing=200)
    batch = connector.fetch(QUERY, None)

    pages = reddit_server.requests_to("/r/askreddit/new")
    assert len(pages) == 2 and pages[1].query["after"] == after
    expected = {d["name"] for d in _children(first) + _children(second)}
    assert {m.external_id for m in batch.mentions} == expected


def test_marks_advance_and_a_second_run_brings_nothing_old(
    reddit_server: ReplayServer, shared_data: Path
) -> None:
    """Per-listing marks (creation time + fullnames) survive JSON; a mark in the middle cuts the page."""
    new = _reply(shared_data, "TestSubredditListings.test_new", 1)
    reddit_server.add("/r/askreddit/new", new)
    reddit_server.add("/r/askreddit/comments/", Reply.json({"kind": "Listing", "data": {"children": []}}))
    connector = _connector(reddit_server, search_all=False, watched_subreddits=["askreddit"])

    first = connector.fetch(QUERY, None)
    assert first.next_cursor is not None
    cursor = Cursor.from_json(first.next_cursor.to_json())
    newest = max(d["created_utc"] for d in _children(new))
    assert cursor.data["listings"]["new:askreddit"]["created_utc"] == newest
    assert connector.fetch(QUERY, cursor).mentions == ()

    middle = sorted(_children(new), key=lambda d: d["created_utc"])[50]
    mark = {"new:askreddit": {"created_utc": middle["created_utc"], "fullnames": [middle["name"]]}}
    partial = connector.fetch(QUERY, Cursor({"listings": mark}))
    expected = {d["name"] for d in _children(new)
                if d["created_utc"] > middle["created_utc"]
                or (d["created_utc"] == middle["created_utc"] and d["name"] != middle["name"])}
    assert {m.external_id for m in partial.mentions} == expected


def test_a_listing_that_overflows_its_item_budget_says_so(
    reddit_server: ReplayServer, shared_data: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """More new items than ``max_items_per_listing`` before the mark: a WARNING names the gap."""
    new = _reply(shared_data, "TestSubredditListings.test_new", 1)
    reddit_server.add("/r/askreddit/new", new)
    reddit_server.add("/r/askreddit/comments/", Reply.json({"kind": "Listing", "data": {"children": []}}))
    oldest = min(_children(new), key=lambda d: d["created_utc"])
    mark = {"new:askreddit": {"created_utc": oldest["created_utc"], "fullnames": [oldest["name"]]}}
    connector = _connector(reddit_server, search_all=False, watched_subreddits=["askreddit"],
                           max_items_per_listing=10)

    with caplog.at_level(logging.WARNING, logger="connectors.reddit"):
        batch = connector.fetch(QUERY, Cursor({"listings": mark}))

    assert len(batch.mentions) == 10
    assert any("without reaching its mark" in r.getMessage() for r in caplog.records)


def test_an_item_found_by_search_and_by_a_listing_comes_once(reddit_server: ReplayServer) -> None:
    """The same posts answered by the search and the watched listing give one mention each."""
    _serve_own(reddit_server, "watched_subreddit")
    [listing] = [i for i in own_recording(OWN / "watched_subreddit" / "listings.json")
                 if i.target == "/r/cafetierebleue/new"]
    reddit_server.add("/r/all/search/", listing.reply)

    batch = _connector(reddit_server, watched_subreddits=["cafetierebleue"]).fetch(QUERY, None)

    ids = [m.external_id for m in batch.mentions]
    assert len(ids) == len(set(ids)) == 4
    assert batch.next_cursor is not None
    assert {"search:all", "new:cafetierebleue", "comments:cafetierebleue"} <= {
        k.rsplit(":", 1)[0] if k.startswith("search:") else k for k in batch.next_cursor.data["listings"]
    }


def test_current_api_fields_karma_account_age_and_deleted_author(reddit_server: ReplayServer) -> None:
    """Our watched-subreddit scenario: karma and account age from one author lookup, a deleted author."""
    _serve_own(reddit_server, "watched_subreddit")

    connector = _connector(reddit_server, search_all=False, watched_subreddits=["cafetierebleue"])
    batch = connector.fetch(QUERY, None)

    by_id = {m.external_id: m for m in batch.mentions}
    post = by_id["t3_1gx0003"]
    assert post.author.external_id == "t2_m4r1e" and post.author.handle == "marie_r"
    assert post.author.karma == 120 + 3400
    assert post.author.created_at == datetime(2015, 3, 2, 8, 0, tzinfo=UTC)
    assert post.raw["upvote_ratio"] == 0.93 and post.raw["subreddit"] == "cafetierebleue"
    assert post.raw["ai_summary_beta"] == {"enabled": False}
    assert post.metrics.score == 42 and post.metrics.replies == 17
    deleted = by_id["t3_1gx0002"]
    assert deleted.author.handle == "[deleted]" and deleted.author.karma is None
    crosspost = by_id["t3_1gx0001"]
    assert crosspost.reposted_id == "t3_1gw9999"
    assert crosspost.links == ("https://example.org/blog/cafetiere-bleue-3",)
    comment = by_id["t1_lz00002"]
    assert comment.conversation_id == "t3_1gx0003" and comment.in_reply_to == "t1_lz00001"
    assert comment.author.karma == 24000
    [lookup] = reddit_server.requests_to("/api/user_data_by_account_ids")
    assert lookup.query["ids"] == "t2_b4r1s,t2_m4r1e"


def test_a_real_deleted_comment_keeps_its_place_with_a_deleted_author(
    reddit_server: ReplayServer, shared_data: Path
) -> None:
    """praw's recorded deleted comment (author ``[deleted]``, praw gives None) served as a comment listing."""
    info = _reply(shared_data, "TestComment.test_refresh__deleted_comment", 1)
    reddit_server.add("/r/kakapo/new", Reply.json({"kind": "Listing", "data": {"children": []}}))
    reddit_server.add("/r/kakapo/comments/", info)

    batch = _connector(reddit_server, search_all=False, watched_subreddits=["kakapo"]).fetch(QUERY, None)

    [data] = _children(info)
    [mention] = batch.mentions
    assert data["author"] == "[deleted]"
    assert mention.author.handle == "[deleted]" and mention.author.external_id == "[deleted]"
    assert mention.text == data["body"]


def test_429_becomes_retry_later_without_sleeping(reddit_server: ReplayServer) -> None:
    """Our 429: one request, no prawcore retry or sleep, RetryLater after ``x-ratelimit-reset``."""
    _serve_own(reddit_server, "rate_limited_429")
    started = time.monotonic()
    with pytest.raises(RetryLater) as caught:
        _connector(reddit_server).fetch(QUERY, None)
    assert 400 <= caught.value.retry_after_s <= 420
    assert len(reddit_server.requests_to("/r/all/search/")) == 1
    assert time.monotonic() - started < 5


def test_a_spent_window_stops_before_the_next_request(reddit_server: ReplayServer, shared_data: Path) -> None:
    """Headers saying 0 requests left: the next listing is not requested and prawcore does not sleep."""
    search = with_headers(_reply(shared_data, "TestSubreddit.test_search", 1),
                          x_ratelimit_remaining="0.0", x_ratelimit_used="600", x_ratelimit_reset="300")
    reddit_server.add("/r/all/search/", search)
    reddit_server.add("/r/askreddit/new", _reply(shared_data, "TestSubredditListings.test_new", 1))

    started = time.monotonic()
    with pytest.raises(RetryLater) as caught:
        _connector(reddit_server, watched_subreddits=["askreddit"]).fetch(QUERY, None)
    assert 290 <= caught.value.retry_after_s <= 300
    assert reddit_server.requests_to("/r/askreddit/new") == []
    assert time.monotonic() - started < 5


def test_prawcore_never_sees_the_rate_headers_so_it_never_sleeps(
    reddit_server: ReplayServer, shared_data: Path
) -> None:
    """One request left of 600: prawcore would sleep ~10 s before the next call; ours goes at once."""
    search = with_headers(_reply(shared_data, "TestSubreddit.test_search", 1),
                          x_ratelimit_remaining="1.0", x_ratelimit_used="599", x_ratelimit_reset="300")
    reddit_server.add("/r/all/search/", search)
    reddit_server.add("/r/askreddit/new", _reply(shared_data, "TestSubredditListings.test_new", 1))
    reddit_server.add("/r/askreddit/comments/", Reply.json({"kind": "Listing", "data": {"children": []}}))

    started = time.monotonic()
    batch = _connector(reddit_server, watched_subreddits=["askreddit"]).fetch(QUERY, None)

    assert time.monotonic() - started < 5
    assert len(reddit_server.requests_to("/r/askreddit/new")) == 1 and len(batch.mentions) > 100


def test_recorded_401_is_auth_failed(reddit_server: ReplayServer, shared_data: Path) -> None:
    """praw's recorded 401 (invalid token): AuthFailed at once, no retry, no sleep."""
    unauthorized = _reply(shared_data, "TestAuthImplicit.test_implicit__with_invalid_token", 0)
    reddit_server.add("/r/all/search/", unauthorized)
    with pytest.raises(AuthFailed):
        _connector(reddit_server).fetch(QUERY, None)
    assert len(reddit_server.requests_to("/r/all/search/")) == 1


def test_recorded_500_is_source_unavailable(reddit_server: ReplayServer, shared_data: Path) -> None:
    """A recorded 500: the shared policy retries it (3 tries), then the source is unavailable."""
    reddit_server.add("/r/all/search/", _reply(shared_data, "TestModNotes.test_delete_note__all_notes", 2))
    with pytest.raises(SourceUnavailable, match="500"):
        _connector(reddit_server).fetch(QUERY, None)
    assert len(reddit_server.requests_to("/r/all/search/")) == 3


def test_a_private_subreddit_is_reported_once_and_skipped(
    reddit_server: ReplayServer, shared_data: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The recorded 403 on a watched subreddit: one WARNING, other listings kept, skipped next run."""
    forbidden = _reply(shared_data, "TestSubredditQuarantine.test_opt_out", 2)
    assert forbidden.status == 403
    reddit_server.add("/r/ferguson/new", forbidden)
    reddit_server.add("/r/ferguson/comments/", forbidden)
    reddit_server.add("/r/askreddit/new", _reply(shared_data, "TestSubredditListings.test_new", 1))
    reddit_server.add("/r/askreddit/comments/", Reply.json({"kind": "Listing", "data": {"children": []}}))
    now = [NOW]
    connector = RedditConnector(
        client_id="id", client_secret="secret", user_agent="listener tests by u/nobody",
        oauth_url=reddit_server.url, reddit_url=reddit_server.url, search_all=False,
        watched_subreddits=["ferguson", "askreddit"], clock=lambda: now[0], client=_client(),
    )

    with caplog.at_level(logging.WARNING, logger="connectors.reddit"):
        first = connector.fetch(QUERY, None)
        assert first.next_cursor is not None
        second = connector.fetch(QUERY, Cursor.from_json(first.next_cursor.to_json()))

    assert len(first.mentions) == 100 and second.mentions == ()
    warnings = [r for r in caplog.records if "ferguson" in r.getMessage()]
    assert len(warnings) == 1 and "not readable" in warnings[0].getMessage()
    assert len(reddit_server.requests_to("/r/ferguson/new")) == 1
    assert reddit_server.requests_to("/r/ferguson/comments/") == []
    assert second.next_cursor is not None and "ferguson" in second.next_cursor.data["unavailable"]

    now[0] = NOW + timedelta(days=2)  # past recheck_unavailable_s: asked again, not reported again
    with caplog.at_level(logging.WARNING, logger="connectors.reddit"):
        connector.fetch(QUERY, second.next_cursor)
    assert len(reddit_server.requests_to("/r/ferguson/new")) == 2
    assert len([r for r in caplog.records if "ferguson" in r.getMessage()]) == 1


def test_without_credentials_the_connector_is_disabled_with_one_message(server: ReplayServer) -> None:
    """No client id/secret: a reason to show, no praw client, no request."""
    connector = RedditConnector(
        client_id=None, client_secret=None, oauth_url=server.url, reddit_url=server.url
    )
    assert connector.is_configured is False
    assert connector.disabled_reason is not None and "REDDIT_CLIENT_ID" in connector.disabled_reason
    with pytest.raises(AuthFailed):
        connector.fetch(QUERY, None)
    assert server.seen == []


def test_the_registry_builds_it_from_its_config_section(monkeypatch: pytest.MonkeyPatch) -> None:
    """``connectors.build`` reads ``sources.reddit``; secrets come from the environment only."""
    from connectors import REGISTRY, build
    from listener.config import parse_settings

    text = (
        "sources:\n  reddit:\n    client_id: ${REDDIT_CLIENT_ID}\n"
        "    client_secret: ${REDDIT_CLIENT_SECRET}\n"
        "    watched_subreddits: [cafetierebleue]\n    subreddits: [france]\n"
    )
    monkeypatch.setenv("REDDIT_CLIENT_ID", "id-from-env")
    monkeypatch.setenv("REDDIT_CLIENT_SECRET", "secret-from-env")
    connector = build("reddit", parse_settings(text).sources.reddit)
    assert REGISTRY["reddit"] is RedditConnector and isinstance(connector, RedditConnector)
    assert connector.is_configured
    keys = [listing.key.rsplit(":", 1)[0] for listing in connector.listings_for(QUERY)]
    assert keys == ["search:all", "search:france", "new", "comments"]
    assert json.dumps(connector.disabled_reason) == "null"
