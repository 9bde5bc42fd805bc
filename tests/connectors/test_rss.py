"""RSS/Atom scenarios on genuine feeds: real-world feeds, encodings, broken XML, HTML pages, 304."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from connectors._http import HttpClient
from connectors.rss import RssConnector
from listener.core.errors import QueryRejected, RetryLater
from listener.core.model import Query
from tests.replay import ReplayServer, Reply, feed_file, feedparser_test

QUERY = Query(id="q", name="Q", expression="brand")
REALWORLD = ["feedjira", "rss-parser"]


def _connector(server: ReplayServer, client: HttpClient, *paths: str) -> RssConnector:
    return RssConnector(feeds=[server.url + p for p in paths], client=client)


def _realworld(shared_data: Path) -> list[Path]:
    found = []
    for folder in REALWORLD:
        found += sorted((shared_data / "feeds/realworld" / folder).glob("*"))
    return found


def test_every_real_world_feed(server: ReplayServer, shared_data: Path,
                               make_client: Callable[..., HttpClient]) -> None:
    """Each real feed parses to mentions with text, or is refused clearly; none crashes."""
    refused = {}
    total = 0
    for path in _realworld(shared_data):
        server.add(f"/rw/{path.name}", feed_file(path))
        try:
            batch = _connector(server, make_client("rss"), f"/rw/{path.name}").fetch(QUERY, None)
        except QueryRejected as err:
            refused[path.name] = str(err)
            continue
        total += len(batch.mentions)
        assert all(m.text or m.title for m in batch.mentions), path.name
    assert total > 300
    assert len(refused) <= 2, refused


def test_google_alerts_html_titles_and_redirect_links(server: ReplayServer, shared_data: Path,
                                                      make_client: Callable[..., HttpClient]) -> None:
    server.add("/alerts", feed_file(shared_data / "feeds/realworld/feedjira/google_alerts_atom.xml"))
    batch = _connector(server, make_client("rss"), "/alerts").fetch(QUERY, None)
    first = batch.mentions[0]
    assert first.title and "<b>" not in first.title and "Slack" in first.title
    assert first.url and first.url.startswith("https://www.google.com/url?")
    assert "&amp;" not in first.url


def test_windows_1252_feed_claiming_utf8(server: ReplayServer, shared_data: Path,
                                         make_client: Callable[..., HttpClient],
                                         caplog: pytest.LogCaptureFixture) -> None:
    """The real Latin-1 UOL feed served with a false ``charset=utf-8``: decoded, not mangled."""
    body = (shared_data / "feeds/realworld/rss-parser/uolNoticias.rss").read_bytes()
    server.add("/uol", Reply(headers={"Content-Type": "application/rss+xml; charset=utf-8"}, body=body))
    with caplog.at_level(logging.INFO):
        batch = _connector(server, make_client("rss"), "/uol").fetch(QUERY, None)
    text = " ".join((m.title or "") + m.text for m in batch.mentions)
    assert "ç" in text or "ã" in text
    assert "\ufffd" not in text
    assert any("wrong encoding" in r.getMessage() for r in caplog.records)


def test_entities_decoded(server: ReplayServer, shared_data: Path,
                          make_client: Callable[..., HttpClient]) -> None:
    """feedparser's entity cases (é, «, ’, &nbsp;...), their channel title copied into one item."""
    hits = 0
    for path in sorted((shared_data / "feeds/feedparser_tests/entities").glob("*.xml")):
        body = path.read_bytes()
        title = re.search(rb"<title>(.*?)</title>", body)
        if title is None:
            continue
        item = b"<item><guid>e1</guid><title>" + title.group(1) + b"</title></item></channel>"
        server.add(f"/ent/{path.name}", Reply(headers=feedparser_test(path).headers,
                                              body=body.replace(b"</channel>", item, 1)))
        try:
            batch = _connector(server, make_client("rss"), f"/ent/{path.name}").fetch(QUERY, None)
        except QueryRejected:
            continue
        for mention in batch.mentions:
            assert not re.search(r"&#?\w+;", mention.text), (path.name, mention.text)
            assert mention.text.startswith("testing ") or mention.text, path.name
            hits += 1
    assert hits > 5


def test_not_well_formed_keeps_recovered_items(server: ReplayServer, shared_data: Path,
                                               make_client: Callable[..., HttpClient],
                                               caplog: pytest.LogCaptureFixture) -> None:
    """A real feed cut in the middle of an item is not well-formed; the items before the cut stay."""
    body = (shared_data / "feeds/realworld/rss-parser/guardian.rss").read_bytes()
    cut = body[: len(body) // 2]
    server.add("/half", Reply(headers={"Content-Type": "application/rss+xml"}, body=cut))
    with caplog.at_level(logging.WARNING):
        batch = _connector(server, make_client("rss"), "/half").fetch(QUERY, None)
    assert 5 < len(batch.mentions) < 55
    assert any("not well-formed" in r.getMessage() for r in caplog.records)


def test_html_page_instead_of_a_feed(server: ReplayServer, make_client: Callable[..., HttpClient]) -> None:
    page = b"<!DOCTYPE html><html><head><title>Home</title></head><body><p>Welcome</p></body></html>"
    server.add("/page", Reply(headers={"Content-Type": "text/html; charset=utf-8"}, body=page))
    with pytest.raises(QueryRejected, match="HTML page, not a feed"):
        _connector(server, make_client("rss"), "/page").fetch(QUERY, None)


def test_one_bad_feed_does_not_stop_the_others(server: ReplayServer, shared_data: Path,
                                               make_client: Callable[..., HttpClient],
                                               caplog: pytest.LogCaptureFixture) -> None:
    server.add("/ok", feed_file(shared_data / "feeds/realworld/rss-parser/heise.atom"))
    server.add("/limited", Reply(status=429, headers={"Retry-After": "60"}))
    with caplog.at_level(logging.WARNING):
        batch = _connector(server, make_client("rss"), "/limited", "/ok").fetch(QUERY, None)
    assert batch.mentions
    assert any("rate limited" in r.getMessage() for r in caplog.records)
    assert batch.next_cursor is not None
    assert list(batch.next_cursor.get("feeds")) == [server.url + "/ok"]
    with pytest.raises(RetryLater):
        _connector(server, make_client("rss"), "/limited").fetch(QUERY, None)


def test_304_not_modified_with_recorded_etag(server: ReplayServer, shared_data: Path,
                                             make_client: Callable[..., HttpClient]) -> None:
    """feedparser's ETag test feed, served with its ``Header: ETag``, answers our second GET with 304."""
    path = shared_data / "feeds/feedparser_tests/wellformed/http/headers_etag.xml"
    reply = feedparser_test(path)
    assert "ETag" in reply.headers or "Etag" in reply.headers
    server.add("/etag", reply)
    connector = _connector(server, make_client("rss"), "/etag")
    first = connector.fetch(QUERY, None)
    second = connector.fetch(QUERY, first.next_cursor)
    assert second.is_not_modified and second.mentions == ()
    assert second.next_cursor == first.next_cursor or second.next_cursor is not None
    assert server.requests_to("/etag")[1].headers.get("if-none-match")


def test_incremental_fetch_without_validators(server: ReplayServer, shared_data: Path,
                                              make_client: Callable[..., HttpClient]) -> None:
    """A feed without ETag returns 200 again; nothing already returned comes back."""
    server.add("/tc", feed_file(shared_data / "feeds/realworld/feedjira/TechCrunch.xml"))
    connector = _connector(server, make_client("rss"), "/tc")
    first = connector.fetch(QUERY, None)
    second = connector.fetch(QUERY, first.next_cursor)
    assert first.mentions and second.mentions == ()
    assert not second.is_not_modified


def test_relative_links_resolved(server: ReplayServer, make_client: Callable[..., HttpClient],
                                 shared_data: Path) -> None:
    """Relative item links resolve against the feed's URL (Content-Location), as browsers do."""
    body = (shared_data / "feeds/realworld/rss-parser/guardian.rss").read_bytes()
    relative = body.replace(b"<link>https://www.theguardian.com/", b"<link>/")
    server.add("/news/feed", Reply(headers={"Content-Type": "application/rss+xml"}, body=relative))
    batch = _connector(server, make_client("rss"), "/news/feed").fetch(QUERY, None)
    urls = [m.url for m in batch.mentions if m.url]
    assert all(u.startswith("http") for u in urls)
    assert any(u.startswith(server.url + "/") for u in urls)


def test_news_search_template(server: ReplayServer, shared_data: Path,
                              make_client: Callable[..., HttpClient]) -> None:
    server.add("/rss/search", feed_file(shared_data / "feeds/realworld/feedjira/google_alerts_atom.xml"))
    connector = RssConnector(news_search=[server.url + "/rss/search?q={query}&hl={lang}"],
                             client=make_client("rss"))
    query = Query(id="acme", name="Acme", expression='"Acme Corp" OR acme', languages=("fr",))
    batch = connector.fetch(query, None)
    assert batch.mentions
    seen = server.requests_to("/rss/search")[0]
    assert "acme" in seen.query["q"].lower() and seen.query["hl"] == "fr"


def test_podcast_feed_tolerated(server: ReplayServer, shared_data: Path,
                                make_client: Callable[..., HttpClient]) -> None:
    server.add("/pod", feed_file(shared_data / "feeds/realworld/feedjira/itunes.xml"))
    batch = _connector(server, make_client("rss"), "/pod").fetch(QUERY, None)
    assert batch.mentions
    assert any(link.endswith((".mp3", ".m4a", ".mp4")) for m in batch.mentions for link in m.links)


def test_gzip_feed(server: ReplayServer, shared_data: Path, make_client: Callable[..., HttpClient]) -> None:
    path = shared_data / "feeds/realworld/rss-parser/reddit.rss"
    server.add("/gz", Reply(headers={"Content-Type": "application/rss+xml"}, body=path.read_bytes(),
                            gzip_body=True))
    assert _connector(server, make_client("rss"), "/gz").fetch(QUERY, None).mentions


def test_topic_excluding_news_fetches_nothing(server: ReplayServer,
                                              make_client: Callable[..., HttpClient]) -> None:
    connector = RssConnector(news_search=[server.url + "/rss/search?q={query}"], client=make_client("rss"))
    batch = connector.fetch(Query(id="r", name="R", expression="lumio source:reddit"), None)
    assert batch.mentions == () and server.seen == []
