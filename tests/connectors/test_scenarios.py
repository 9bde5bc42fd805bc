"""Our own named scenarios (tests/recordings/<connector>/<scenario>/), replayed from loopback."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from connectors import HackerNewsConnector, RssConnector
from connectors._http import HttpClient
from listener.core.errors import RetryLater
from listener.core.model import Cursor, Query
from tests.replay import RECORDINGS, ReplayServer, scenario

QUERY = Query(id="lumio", name="Lumio", expression="lumio")
CREDENTIAL = re.compile(
    r"(bearer\s+[a-z0-9._-]{12,}|authorization\s*[:=]|api[_-]?key\s*[:=]|access_token\s*[:=]|"
    r"eyJ[a-zA-Z0-9_-]{10,}\.|ghp_[A-Za-z0-9]{20,}|xox[bp]-)",
    re.IGNORECASE,
)


def test_recordings_hold_no_credentials() -> None:
    files = [p for p in RECORDINGS.rglob("*") if p.is_file()]
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not CREDENTIAL.search(text), f"{path} looks like it holds a credential"


def test_hn_identical_timestamps(server: ReplayServer, make_client: Callable[..., HttpClient]) -> None:
    """Three stories share one second; a fourth arrives later in that same second: none lost, none twice."""
    server.add("/api/v1/search_by_date", *scenario("hackernews", "identical_timestamps"))
    connector = HackerNewsConnector(base_url=server.url + "/api/v1", kinds=("story",),
                                    client=make_client("hackernews"))
    first = connector.fetch(QUERY, None)
    assert sorted(m.external_id for m in first.mentions) == ["8999990", "9000001", "9000002"]
    assert first.next_cursor is not None
    assert first.next_cursor.get("ids_at") == ["9000001", "9000002"]
    second = connector.fetch(QUERY, Cursor.from_json(first.next_cursor.to_json()))
    assert [m.external_id for m in second.mentions] == ["9000003"]
    assert second.next_cursor is not None
    assert second.next_cursor.get("ids_at") == ["9000001", "9000002", "9000003"]
    asked = server.requests_to("/api/v1/search_by_date")[-1].query["numericFilters"]
    assert asked == "created_at_i>=1709287200"


def test_rss_no_publish_date(server: ReplayServer, make_client: Callable[..., HttpClient]) -> None:
    """Undated forum items get the fetch time, are returned once, and a new one is found next time."""
    server.add("/forum.rss", *scenario("rss", "no_publish_date"))
    connector = RssConnector(feeds=[server.url + "/forum.rss"], client=make_client("rss"))
    first = connector.fetch(QUERY, None)
    assert len(first.mentions) == 2
    mention = first.mentions[0]
    assert mention.published_at == mention.fetched_at
    assert mention.text == "Depuis la version 2.3, la lampe clignote étrangement."
    assert mention.lang is None and mention.author.handle == "Forum Lumio - derniers sujets"
    second = connector.fetch(QUERY, first.next_cursor)
    assert [m.url for m in second.mentions] == ["https://forum.example.org/t/1203"]


def test_rss_rate_limited(server: ReplayServer, make_client: Callable[..., HttpClient]) -> None:
    server.add("/busy.rss", *scenario("rss", "rate_limited_429"))
    connector = RssConnector(feeds=[server.url + "/busy.rss"], client=make_client("rss"))
    with pytest.raises(RetryLater) as caught:
        connector.fetch(QUERY, None)
    assert caught.value.retry_after_s == 120
