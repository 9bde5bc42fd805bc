"""One conformance harness per registered connector, each serving that source's genuine recordings."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from connectors import BlueskyConnector, HackerNewsConnector, MastodonConnector, RssConnector
from connectors._http import HttpClient
from listener.core.model import Connector, Query
from tests.connectors.conformance import Harness
from tests.replay import ReplayServer, Reply, Seen, add_cassette, algolia_fixtures, cassette, feed_file

# --- rss: the Guardian's real RSS feed ----------------------------------------------------------------

GUARDIAN = "feeds/realworld/rss-parser/guardian.rss"


def _rss_ok(server: ReplayServer, data: Path) -> None:
    server.add("/feeds/guardian.rss", feed_file(data / GUARDIAN, "application/rss+xml"))


def _rss_malformed(server: ReplayServer, data: Path) -> None:
    body = (data / GUARDIAN).read_bytes()
    broken = body.replace(b"<item>", b"<item><description></description></item><item>", 1)
    server.add("/feeds/guardian.rss", Reply(headers={"Content-Type": "application/rss+xml"}, body=broken))


def _rss_build(server: ReplayServer, client: HttpClient) -> Connector:
    return RssConnector(feeds=[server.url + "/feeds/guardian.rss"], client=client)


# --- hackernews: the Algolia fixtures (query "apple") ------------------------------------------------

ALGOLIA = "hackernews/algolia_v1_node-hacker-news-api/fixtures.json"
HN_TARGETS = (
    "/api/v1/search_by_date?hitsPerPage=1&tags=(story)&query=apple",
    "/api/v1/search_by_date?hitsPerPage=1&tags=(comment)&query=apple",
)


def _hn_ok(server: ReplayServer, data: Path) -> None:
    fixtures = algolia_fixtures(data / ALGOLIA)
    for target in HN_TARGETS:
        server.add(target, Reply.json(fixtures[target]))


def _hn_malformed(server: ReplayServer, data: Path) -> None:
    fixtures = algolia_fixtures(data / ALGOLIA)
    for index, target in enumerate(HN_TARGETS):
        reply = copy.deepcopy(fixtures[target])
        if index == 0:
            broken = copy.deepcopy(reply["hits"][0])
            broken.pop("objectID")
            reply["hits"].insert(0, broken)
        server.add(target, Reply.json(reply))


def _hn_build(server: ReplayServer, client: HttpClient) -> Connector:
    return HackerNewsConnector(base_url=server.url + "/api/v1", page_size=1, max_pages=1, client=client)


# --- mastodon: a real hashtag timeline with Link pagination -------------------------------------------

PAGINATION = "mastodon/cassettes/localhost_instance/test_pagination_iterator.yaml"
TAG = "fgiztsshwiaqqiztpmmjbtvmescsculuvmgjgopwoeidbcrixp"
TAG_PATH = f"/api/v1/timelines/tag/{TAG}"


def _mastodon_ok(server: ReplayServer, data: Path) -> None:
    add_cassette(server, data / PAGINATION, only=range(31, 36))


def _mastodon_malformed(server: ReplayServer, data: Path) -> None:
    chosen = cassette(data / PAGINATION)[31:36]
    for number, interaction in enumerate(chosen):
        reply = interaction.reply
        if number == 0:
            statuses = json.loads(reply.body)
            broken = copy.deepcopy(statuses[0])
            broken.pop("uri")
            broken["id"] = str(int(broken["id"]) + 1)
            reply = Reply(reply.status, reply.headers, json.dumps([broken, *statuses]).encode())
        server.add(interaction.target, reply)


def _mastodon_build(server: ReplayServer, client: HttpClient) -> Connector:
    return MastodonConnector(instances=[server.url], use_search=False, page_size=10, max_pages=5,
                             client=client)


# --- bluesky: a real searchPosts answer, profiles from a real getProfiles answer -----------------------

SEARCH = "bluesky/bskyr_vcr_cassettes/f_search.yml"
PROFILE = "bluesky/bskyr_vcr_cassettes/a_profile.yml"
SEARCH_PATH = "/xrpc/app.bsky.feed.searchPosts"


def profiles_handler(data: Path, followers: int = 1234) -> Any:
    """Answer getProfiles for any DIDs with the recorded profile, re-labelled for each DID asked."""
    template = json.loads(cassette(data / PROFILE)[0].reply.body)["profiles"][0]

    def answer(seen: Seen) -> Reply:
        actors = seen.values("actors")
        profiles = []
        for index, did in enumerate(actors):
            profile = dict(template, did=did, followersCount=followers + index)
            profiles.append(profile)
        return Reply.json({"profiles": profiles})

    return answer


def _bluesky_ok(server: ReplayServer, data: Path) -> None:
    add_cassette(server, data / SEARCH)
    server.add(SEARCH_PATH + "?cursor=25", Reply.json({"posts": []}))
    server.add("/xrpc/app.bsky.actor.getProfiles", profiles_handler(data))


def _bluesky_malformed(server: ReplayServer, data: Path) -> None:
    interaction = cassette(data / SEARCH)[0]
    body = json.loads(interaction.reply.body)
    broken = copy.deepcopy(body["posts"][0])
    broken.pop("record")
    broken["uri"] += "x"
    body["posts"].insert(0, broken)
    server.add(interaction.target, Reply(200, interaction.reply.headers, json.dumps(body).encode()))
    server.add(SEARCH_PATH + "?cursor=25", Reply.json({"posts": []}))
    server.add("/xrpc/app.bsky.actor.getProfiles", profiles_handler(data))


def _bluesky_build(server: ReplayServer, client: HttpClient) -> Connector:
    return BlueskyConnector(base_url=server.url, client=client)


HARNESSES = {
    "rss": Harness("rss", Query(id="news", name="News", expression="trump"), _rss_ok, _rss_malformed,
                   "/feeds/guardian.rss", _rss_build),
    "hackernews": Harness("hackernews", Query(id="apple", name="Apple", expression="apple"), _hn_ok,
                          _hn_malformed, "/api/v1/search_by_date", _hn_build),
    "mastodon": Harness("mastodon", Query(id="tag", name="Tag", expression=f"#{TAG}"), _mastodon_ok,
                        _mastodon_malformed, TAG_PATH, _mastodon_build),
    "bluesky": Harness("bluesky", Query(id="redis", name="Redistricting", expression="redistricting"),
                       _bluesky_ok, _bluesky_malformed, SEARCH_PATH, _bluesky_build),
}

from tests.connectors.sdk_harnesses import SDK_HARNESSES  # noqa: E402 (twitter, reddit)

HARNESSES.update(SDK_HARNESSES)
