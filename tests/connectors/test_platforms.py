"""Hacker News, Mastodon and Bluesky scenarios on their genuine recordings: mapping, paging, cursors."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from connectors import HackerNewsConnector, MastodonConnector, build
from connectors._http import HttpClient
from connectors.bluesky import PROFILES_PER_CALL, BlueskyConnector
from listener.core.errors import AuthFailed
from listener.core.model import Cursor, Query
from tests.connectors.harnesses import (
    ALGOLIA,
    HN_TARGETS,
    PAGINATION,
    SEARCH,
    SEARCH_PATH,
    TAG,
    TAG_PATH,
    profiles_handler,
)
from tests.replay import ReplayServer, Reply, Seen, add_cassette, algolia_fixtures, cassette

LOCAL = "mastodon/cassettes/localhost_instance"


# --- Hacker News -------------------------------------------------------------------------------------

def test_hn_story_and_comment_mapping(server: ReplayServer, shared_data: Path,
                                      make_client: Callable[..., HttpClient]) -> None:
    fixtures = algolia_fixtures(shared_data / ALGOLIA)
    for target in HN_TARGETS:
        server.add(target, Reply.json(fixtures[target]))
    connector = HackerNewsConnector(base_url=server.url + "/api/v1", page_size=1, max_pages=1,
                                    client=make_client("hackernews"))
    batch = connector.fetch(Query(id="apple", name="Apple", expression="apple"), None)
    story_hit = fixtures[HN_TARGETS[0]]["hits"][0]
    comment_hit = fixtures[HN_TARGETS[1]]["hits"][0]
    by_id = {m.external_id: m for m in batch.mentions}
    story, comment = by_id[story_hit["objectID"]], by_id[comment_hit["objectID"]]
    assert story.metrics.score == story_hit["points"]
    assert story.title == story_hit["title"] and story.conversation_id == story.external_id
    assert comment.in_reply_to == str(comment_hit["parent_id"])
    assert comment.conversation_id == str(comment_hit["story_id"])
    assert "<p>" not in comment.text and "&#x27;" not in comment.text
    assert int(comment.published_at.timestamp()) == comment_hit["created_at_i"]
    assert comment.author.external_id == comment_hit["author"]
    sent = server.requests_to("/api/v1/search_by_date")
    assert {s.query["tags"] for s in sent} == {"(story)", "(comment)"}
    assert all("numericFilters" not in s.query for s in sent)


def test_hn_pagination_and_incremental_filter(server: ReplayServer, shared_data: Path,
                                              make_client: Callable[..., HttpClient]) -> None:
    """Pages 0..2 are generated from the real hits (one per page); the next run filters by time."""
    fixtures = algolia_fixtures(shared_data / ALGOLIA)
    hits = [fixtures[t]["hits"][0] for t in fixtures if "search_by_date" in t and fixtures[t]["hits"]]
    hits = sorted({h["objectID"]: h for h in hits}.values(), key=lambda h: -h["created_at_i"])[:3]

    def page(seen: Seen) -> Reply:
        number = int(seen.query.get("page", "0"))
        floor = int(seen.query.get("numericFilters", "created_at_i>=0").split(">=")[1])
        kept = [h for h in hits if h["created_at_i"] >= floor]
        return Reply.json({"hits": kept[number:number + 1], "nbPages": len(kept), "page": number})

    server.add("/api/v1/search_by_date", page)
    connector = HackerNewsConnector(base_url=server.url + "/api/v1", kinds=("story",), page_size=1,
                                    max_pages=10, client=make_client("hackernews"))
    query = Query(id="q", name="Q", expression="apple")
    first = connector.fetch(query, None)
    assert {m.external_id for m in first.mentions} == {h["objectID"] for h in hits}
    assert [s.query["page"] for s in server.requests_to("/api/v1/search_by_date")] == ["0", "1", "2"]
    assert first.next_cursor is not None
    assert first.next_cursor.get("created_at_i") == hits[0]["created_at_i"]
    second = connector.fetch(query, Cursor.from_json(first.next_cursor.to_json()))
    assert second.mentions == ()
    last = server.requests_to("/api/v1/search_by_date")[-1]
    assert last.query["numericFilters"] == f"created_at_i>={hits[0]['created_at_i']}"


# --- Mastodon ----------------------------------------------------------------------------------------

def test_mastodon_link_pagination_then_min_id(server: ReplayServer, shared_data: Path,
                                              make_client: Callable[..., HttpClient]) -> None:
    add_cassette(server, shared_data / PAGINATION, only=range(31, 36))
    connector = MastodonConnector(instances=[server.url], use_search=False, page_size=10, max_pages=10,
                                  client=make_client("mastodon"))
    query = Query(id="t", name="T", expression=f"#{TAG}")
    first = connector.fetch(query, None)
    assert len(first.mentions) == 30
    sent = [s.query.get("max_id") for s in server.requests_to(TAG_PATH)]
    assert sent == [None, "117020582177108552", "117020582097668259", "117020582018205171"]
    cursor = Cursor.from_json(first.next_cursor.to_json()) if first.next_cursor else None
    second = connector.fetch(query, cursor)
    assert second.mentions == ()
    assert server.requests_to(TAG_PATH)[-1].query["min_id"] == "117020582251615632"
    mention = first.mentions[0]
    assert mention.author.external_id.endswith("@" + server.url.split("//")[1])
    assert "<p>" not in mention.text and mention.hashtags == (TAG,)
    assert mention.author.followers == 0


def test_mastodon_boost_is_a_repost_reference(server: ReplayServer, shared_data: Path,
                                              make_client: Callable[..., HttpClient]) -> None:
    """The real boost returned by ``POST /reblog``, served in a tag timeline."""
    boost = json.loads(cassette(shared_data / LOCAL / "test_status_reblogged_by.yaml")[1].reply.body)
    server.add("/api/v1/timelines/tag/boosts", Reply.json([boost]))
    connector = MastodonConnector(instances=[server.url], use_search=False, client=make_client("mastodon"))
    batch = connector.fetch(Query(id="b", name="B", expression="#boosts"), None)
    (mention,) = batch.mentions
    assert mention.reposted_id == boost["reblog"]["uri"]
    assert mention.external_id == boost["uri"] != boost["reblog"]["uri"]


def test_mastodon_search_on_two_instances(server: ReplayServer, shared_data: Path,
                                          make_client: Callable[..., HttpClient]) -> None:
    """mastodon.social's real v2 search answer on one instance, the same on a second (a path prefix)."""
    recorded = cassette(shared_data / "mastodon/cassettes/mastodon_social/test_entity_searchv2.yaml")[2]
    server.add("/api/v2/search", recorded.reply)
    server.add("/second/api/v2/search", recorded.reply)
    connector = MastodonConnector(instances=[server.url, server.url + "/second"], access_token="tok-123",
                                  client=make_client("mastodon"))
    batch = connector.fetch(Query(id="h", name="H", expression="halcy"), None)
    statuses = json.loads(recorded.reply.body)["statuses"]
    assert len(batch.mentions) == len(statuses)  # the same posts via two instances are stored once
    seen = server.requests_to("/api/v2/search")[0]
    assert seen.query["type"] == "statuses" and seen.query["q"] == "halcy"
    assert seen.headers["authorization"] == "Bearer tok-123"
    assert all(m.author.followers is not None for m in batch.mentions)


def test_mastodon_recorded_401(server: ReplayServer, shared_data: Path,
                               make_client: Callable[..., HttpClient]) -> None:
    recorded = cassette(shared_data / LOCAL / "test_unauthed_home_tl_throws.yaml")[1].reply
    assert recorded.status == 401
    server.add(TAG_PATH, recorded)
    connector = MastodonConnector(instances=[server.url], use_search=False, client=make_client("mastodon"))
    with pytest.raises(AuthFailed):
        connector.fetch(Query(id="t", name="T", expression=f"#{TAG}"), None)


def test_build_from_settings_reveals_the_token() -> None:
    from listener.config import MastodonSourceSettings

    class _Secret:
        def get_secret_value(self) -> str:
            return "from-env"

    settings = MastodonSourceSettings(instances=("https://example.social",))
    connector = build("mastodon", settings)
    assert isinstance(connector, MastodonConnector) and connector.instances == ("https://example.social",)
    built = build("mastodon", {"instances": ["https://a.example"], "access_token": _Secret()})
    assert isinstance(built, MastodonConnector)
    assert built.client._client.headers.get("authorization") is None  # token goes per request
    assert built._auth == {"Authorization": "Bearer from-env"}


# --- Bluesky -----------------------------------------------------------------------------------------

def test_bluesky_mapping_facets_and_profiles(server: ReplayServer, shared_data: Path,
                                             make_client: Callable[..., HttpClient]) -> None:
    add_cassette(server, shared_data / SEARCH)
    server.add(SEARCH_PATH + "?cursor=25", Reply.json({"posts": []}))
    server.add("/xrpc/app.bsky.actor.getProfiles", profiles_handler(shared_data, followers=500))
    connector = BlueskyConnector(base_url=server.url, client=make_client("bluesky"))
    batch = connector.fetch(Query(id="r", name="R", expression="redistricting"), None)
    posts = json.loads(cassette(shared_data / SEARCH)[0].reply.body)["posts"]
    assert len(batch.mentions) == len(posts) == 25
    first = next(m for m in batch.mentions if m.external_id == posts[0]["uri"])
    assert first.links == ("https://osf.io/v87fn",)
    assert first.published_at.isoformat().startswith("2025-05-19T17:10:09")
    assert first.metrics.likes == 0 and first.metrics.quotes == 0
    assert any(m.hashtags for m in batch.mentions)
    assert all(m.author.followers is not None and m.author.followers >= 500 for m in batch.mentions)
    calls = server.requests_to("/xrpc/app.bsky.actor.getProfiles")
    assert calls and all(len(c.values("actors")) <= PROFILES_PER_CALL for c in calls)
    asked = {a for c in calls for a in c.values("actors")}
    assert asked == {m.author.external_id for m in batch.mentions}
    assert [s.query.get("cursor") for s in server.requests_to(SEARCH_PATH)] == [None, "25"]


def test_bluesky_profiles_down_keeps_posts(server: ReplayServer, shared_data: Path,
                                           make_client: Callable[..., HttpClient],
                                           caplog: pytest.LogCaptureFixture) -> None:
    add_cassette(server, shared_data / SEARCH)
    server.add(SEARCH_PATH + "?cursor=25", Reply.json({"posts": []}))
    server.add("/xrpc/app.bsky.actor.getProfiles", Reply(status=500))
    connector = BlueskyConnector(base_url=server.url, client=make_client("bluesky"))
    with caplog.at_level(logging.WARNING):
        batch = connector.fetch(Query(id="r", name="R", expression="redistricting"), None)
    assert len(batch.mentions) == 25
    assert all(m.author.followers is None for m in batch.mentions)
    assert any("followers left unknown" in r.getMessage() for r in caplog.records)


def test_bluesky_incremental_since(server: ReplayServer, shared_data: Path,
                                   make_client: Callable[..., HttpClient]) -> None:
    add_cassette(server, shared_data / SEARCH)
    server.add(SEARCH_PATH + "?cursor=25", Reply.json({"posts": []}))
    connector = BlueskyConnector(base_url=server.url, fetch_profiles=False, client=make_client("bluesky"))
    query = Query(id="r", name="R", expression="redistricting")
    first = connector.fetch(query, None)
    assert first.next_cursor is not None
    second = connector.fetch(query, Cursor.from_json(first.next_cursor.to_json()))
    assert second.mentions == ()
    assert server.requests_to(SEARCH_PATH)[-1].query["since"].startswith("2025-05-19T17:10:09")


READ_BY_CONFIG = {"demo": {"database"}}
"""Fields the config loader reads, not the connector: where the demo's simulated mentions are stored."""


@pytest.mark.parametrize("name", ["rss", "hackernews", "mastodon", "bluesky", "demo"])
def test_every_settings_field_reaches_the_connector(name: str) -> None:
    """Each field of ``sources.<name>`` (beyond the shared ones) is an option the connector reads."""
    from connectors import REGISTRY
    from listener.config import SourceSettings, SourcesSettings

    section = SourcesSettings.model_fields[name].annotation
    assert section is not None
    own = set(section.model_fields) - set(SourceSettings.model_fields) - READ_BY_CONFIG.get(name, set())
    assert own <= set(REGISTRY[name].options), own - set(REGISTRY[name].options)
    assert isinstance(build(name, section()), REGISTRY[name])
