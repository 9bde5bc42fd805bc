"""Conformance harnesses for the SDK connectors (twitter through tweepy, reddit through praw).

Each serves the genuine recordings (an academictwitteR v2 search page; praw's recorded r/all search
and token answer) and builds the connector on the suite's ``HttpClient``, so the shared checks (429,
401, 5xx retried then unavailable, a malformed item skipped) run through the real SDK code.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from connectors import RedditConnector, TwitterConnector
from connectors._http import HttpClient
from listener.core.model import Connector, Query
from tests.connectors.conformance import Harness
from tests.connectors.sdk_recordings import academic_reply, betamax
from tests.replay import ReplayServer, Reply

# --- twitter: academictwitteR's #commtwitter page, with includes -------------------------------------

TWEETS = "twitter/academictwitteR_v2_responses/2__tweets__search__all-45a673.json"
TWITTER_PATH = "/2/tweets/search/recent"


def _twitter_ok(server: ReplayServer, data: Path) -> None:
    server.add(TWITTER_PATH, academic_reply(data / TWEETS))


def _twitter_malformed(server: ReplayServer, data: Path) -> None:
    page = json.loads(academic_reply(data / TWEETS).body)
    broken = copy.deepcopy(page["data"][0])
    broken.pop("author_id")
    page["data"].insert(0, broken)
    server.add(TWITTER_PATH, Reply.json(page))


def _twitter_build(server: ReplayServer, client: HttpClient) -> Connector:
    return TwitterConnector(bearer_token="conformance-token", api_url=server.url, client=client)


# --- reddit: praw's recorded r/all search ------------------------------------------------------------

SEARCH = "reddit/cassettes/TestSubreddit.test_search.json"
REDDIT_PATH = "/r/all/search/"
TOKEN = Reply.json({"access_token": "conformance", "token_type": "bearer", "expires_in": 3600, "scope": "*"})
"""Our own token answer, so the failure checks (which serve only the failing path) get past OAuth."""


def _reddit_ok(server: ReplayServer, data: Path) -> None:
    token, search = betamax(data / SEARCH)
    server.add("/api/v1/access_token", token.reply)
    server.add(REDDIT_PATH, search.reply)


def _reddit_malformed(server: ReplayServer, data: Path) -> None:
    token, search = betamax(data / SEARCH)
    listing = json.loads(search.reply.body)
    broken = copy.deepcopy(listing["data"]["children"][0])
    broken["data"].pop("created_utc")
    broken["data"].pop("created", None)
    broken["data"]["id"], broken["data"]["name"] = "zzzzzz", "t3_zzzzzz"
    listing["data"]["children"].insert(0, broken)
    server.add("/api/v1/access_token", token.reply)
    server.add(REDDIT_PATH, Reply.json(listing))


def _reddit_build(server: ReplayServer, client: HttpClient) -> Connector:
    server.add("/api/v1/access_token", TOKEN)
    return RedditConnector(client_id="conformance", client_secret="conformance",
                           user_agent="listener conformance suite", oauth_url=server.url,
                           reddit_url=server.url, client=client)


SDK_HARNESSES = {
    "twitter": Harness("twitter", Query(id="comm", name="Comm", expression="#commtwitter"), _twitter_ok,
                       _twitter_malformed, TWITTER_PATH, _twitter_build),
    "reddit": Harness("reddit", Query(id="praw", name="PRAW", expression="praw oauth search"), _reddit_ok,
                      _reddit_malformed, REDDIT_PATH, _reddit_build),
}
