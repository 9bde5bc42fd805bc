"""RSS, Atom, RDF and JSON feeds: plain feeds (blogs, forums, reviews) and news-search feeds.

Bytes are fetched through :mod:`connectors._http` (conditional GET with ETag / Last-Modified) and
handed to ``feedparser.parse(body, response_headers=...)``; feedparser never sees a URL, so our
timeouts, limits and replay tests apply (STYLE §5.2). The response headers matter: feedparser uses
the HTTP charset to decode, and ``Content-Location`` as the base that resolves relative links.

feedparser quirks handled here:

- ``bozo`` means "not well-formed". A ``CharacterEncodingOverride`` (a feed that claims UTF-8 but is
  Windows-1252) is decoded with feedparser's fallback and kept; any other bozo feed keeps whatever
  entries feedparser recovered, with a WARNING. A bozo document with no entries and no feed version
  is not a feed (often an HTML page): that is a :class:`~listener.core.errors.QueryRejected`.
- Dates come back as UTC ``struct_time``; items without a date take the fetch time.

Identity is guid, then link, then sha256(link + title + published), as miniflux does. The cursor,
per feed URL, is ``{etag, last_modified, newest_published, seen}``: validators for the next
conditional GET, the newest item date, and the ids in the last document (so undated items are not
returned twice).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import quote_plus, urlsplit

import feedparser

from connectors._http import HttpClient, HttpPolicy, Response
from connectors._query import provider_queries
from connectors._text import html_to_text
from connectors._values import jsonable, parse_time
from listener.core.clock import Clock, system_clock
from listener.core.errors import ConnectorError, QueryRejected, SkippableItem
from listener.core.model import JSON, Author, Batch, Cursor, Mention, Query
from listener.core.query import SearchSyntax

logger = logging.getLogger(__name__)

FEEDS_QUERY_ID = "_feeds"
"""The query id of the run fetching the plain feeds for every topic (topic ids never start with ``_``)."""
_MAX_SEEN = 1000
"""Ids remembered per feed; a feed document rarely holds more than a few hundred items."""
_NOT_A_FEED_HINTS = (b"<html", b"<!doctype html", b"<body")
_ENCODING_FALLBACKS = ("CharacterEncodingOverride",)


@dataclass(frozen=True, slots=True)
class FeedState:
    """What we remember about one feed URL between runs."""

    etag: str | None = None
    last_modified: str | None = None
    newest_published: str | None = None
    seen: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, JSON] | None) -> FeedState:
        """Read the state stored in a cursor (missing keys mean "nothing known")."""
        if not isinstance(data, Mapping):
            return cls()
        seen = data.get("seen") or ()
        return cls(
            etag=data.get("etag") or None,
            last_modified=data.get("last_modified") or None,
            newest_published=data.get("newest_published") or None,
            seen=tuple(str(s) for s in seen) if isinstance(seen, list | tuple) else (),
        )

    def to_json(self) -> dict[str, JSON]:
        """Return the JSON form stored in the cursor."""
        return {
            "etag": self.etag,
            "last_modified": self.last_modified,
            "newest_published": self.newest_published,
            "seen": list(self.seen),
        }


class RssConnector:
    """Fetch plain feeds and news-search feeds; the topic matcher filters plain feeds downstream."""

    name: ClassVar[str] = "rss"
    # Google News RSS q= (the news-search feeds): OR, -word, "phrase", site:
    search_syntax: ClassVar[SearchSyntax] = SearchSyntax(
        name="news", sources=("news", "rss"), has_or=True, negation="-", can_negate_groups=False,
        hashtag=None, handle=None, site="site:", author=None, lang=None, max_length=500)
    """What this source's native search understands (``listener.core.query.translate`` reads it)."""
    options: ClassVar[tuple[str, ...]] = ("feeds", "news_search")
    """Settings fields (``sources.rss``) this connector is built from."""

    def __init__(
        self,
        *,
        feeds: Sequence[str] = (),
        news_search: Sequence[str] = (),
        client: HttpClient | None = None,
        policy: HttpPolicy | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self._clock = clock
        self.feeds = tuple(feeds)
        self.news_search = tuple(news_search)
        self.client = client or HttpClient(self.name, policy=policy, wall_clock=lambda: clock().timestamp())

    def collection_runs(self, queries: Sequence[Query]) -> list[tuple[RssConnector, Query]]:
        """Return the (connector, query) runs one collection cycle needs for these topics.

        Plain feeds do not depend on the topic, and the collection's topic matcher gives every item all
        the topics it matches: so they are fetched once per cycle, by one run of their own (its cursor
        keeps each feed's ETag and Last-Modified), instead of once per topic. The news-search feeds,
        filled with each topic's search, stay one run per topic. Both share this connector's HTTP client.
        """
        runs: list[tuple[RssConnector, Query]] = []
        if self.feeds:
            plain = RssConnector(feeds=self.feeds, client=self.client, clock=self._clock)
            runs.append((plain, Query(id=FEEDS_QUERY_ID, name="feeds", expression="*")))
        if self.news_search:
            news = RssConnector(news_search=self.news_search, client=self.client, clock=self._clock)
            runs += [(news, query) for query in queries]
        return runs

    def urls_for(self, query: Query) -> list[str]:
        """Return the plain feeds plus each news template filled with the query's search text."""
        urls = list(self.feeds)
        if self.news_search:
            lang = query.languages[0] if query.languages else "en"
            for search in provider_queries(query, self.search_syntax):
                for template in self.news_search:
                    urls.append(template.replace("{query}", quote_plus(search.text)).replace("{lang}", lang))
        return list(dict.fromkeys(urls))

    def fetch(self, query: Query, cursor: Cursor | None) -> Batch:
        """Fetch every feed for ``query``; one broken feed is logged and the others are kept."""
        fetched_at = self._clock()
        previous = cursor.get("feeds", {}) if cursor is not None else {}
        previous = previous if isinstance(previous, Mapping) else {}
        states: dict[str, JSON] = dict(previous)
        mentions: list[Mention] = []
        skipped = 0
        errors: list[ConnectorError] = []
        all_not_modified = True
        if not self.feeds and not self.news_search:
            raise QueryRejected("rss: no feeds and no news_search templates are configured", source=self.name)
        urls = self.urls_for(query)
        if not urls:  # the topic excludes news (``source:``): nothing to fetch, nothing lost
            return Batch(mentions=(), next_cursor=cursor)
        requests_before = self.client.requests
        for url in urls:
            state = FeedState.from_json(previous.get(url))
            try:
                response = self.client.get(url, etag=state.etag, last_modified=state.last_modified)
            except ConnectorError as err:
                errors.append(err)
                continue
            if response.is_not_modified:
                logger.debug("rss: %s not modified", url, extra={"source": self.name})
                continue
            all_not_modified = False
            try:
                new_state, items, bad = self._read_feed(url, response, state, query, fetched_at)
            except QueryRejected as err:
                errors.append(err)
                continue
            states[url] = new_state.to_json()
            mentions.extend(items)
            skipped += bad
        if errors and len(errors) == len(urls):
            raise errors[0]
        for problem in errors:
            logger.warning("rss: feed skipped this run: %s", problem, extra={"source": self.name})
        return Batch(
            mentions=tuple(mentions),
            next_cursor=Cursor({"feeds": states}),
            is_not_modified=all_not_modified and not errors,
            skipped=skipped,
            requests=self.client.requests - requests_before,
        )

    def _read_feed(
        self, url: str, response: Response, state: FeedState, query: Query, fetched_at: datetime
    ) -> tuple[FeedState, list[Mention], int]:
        """Parse one feed document and map its new entries."""
        parsed = parse_feed(response)
        _check_is_feed(url, response, parsed)
        feed_meta = parsed.get("feed", {})
        seen = set(state.seen)
        newest = parse_time(state.newest_published)
        mentions: list[Mention] = []
        ids: list[str] = []
        skipped = 0
        for entry in parsed.get("entries", []):
            try:
                mention = entry_to_mention(entry, feed_meta, url, query, fetched_at)
            except SkippableItem as err:
                logger.warning("rss: skipped an item of %s: %s", url, err, extra={"source": self.name})
                skipped += 1
                continue
            ids.append(mention.external_id)
            if mention.external_id in seen:
                continue
            if not state.seen and newest is not None and mention.published_at <= newest:
                continue
            mentions.append(mention)
        dated = [m.published_at for m in mentions if m.published_at != fetched_at]
        if newest is not None:
            dated.append(newest)
        new_state = FeedState(
            etag=response.etag,
            last_modified=response.last_modified,
            newest_published=max(dated).isoformat() if dated else None,
            seen=tuple(dict.fromkeys(ids))[:_MAX_SEEN],
        )
        return new_state, mentions, skipped


def parse_feed(response: Response) -> Any:
    """Run feedparser on the body, with the HTTP headers that decide charset and base URL."""
    headers = dict(response.headers)
    headers.setdefault("content-location", response.url)
    headers.pop("content-encoding", None)  # httpx already decoded the body
    # sanitize_html=False: we never keep HTML (html_to_text drops scripts and styles and the text is
    # escaped wherever it is shown); feedparser's sanitizer was about a third of the parse time.
    return feedparser.parse(response.body, response_headers=headers, sanitize_html=False)


def _check_is_feed(url: str, response: Response, parsed: Any) -> None:
    """Reject HTML pages and non-feeds clearly; warn when a broken feed was partly recovered."""
    entries = parsed.get("entries", [])
    if not parsed.get("bozo"):
        if not entries and not parsed.get("version"):
            raise QueryRejected(f"rss: {url} is not a feed (no RSS, Atom or JSON feed found)", source="rss")
        return
    problem = parsed.get("bozo_exception")
    kind = type(problem).__name__
    if entries and kind in _ENCODING_FALLBACKS:
        logger.info("rss: %s declares the wrong encoding, decoded as %s", url, parsed.get("encoding"))
        return
    if entries:
        logger.warning(
            "rss: %s is not well-formed (%s), kept the %d items that could be recovered",
            url, problem, len(entries), extra={"source": "rss"},
        )
        return
    head = response.body[:2048].lower()
    content_type = response.headers.get("content-type", "")
    if "html" in content_type or any(hint in head for hint in _NOT_A_FEED_HINTS):
        raise QueryRejected(f"rss: {url} returned an HTML page, not a feed", source="rss")
    if parsed.get("version"):
        return  # an empty but valid-enough feed
    raise QueryRejected(f"rss: {url} is not a feed ({kind}: {problem})", source="rss")


def entry_identity(entry: Mapping[str, Any]) -> str:
    """Return guid, else link, else sha256(link + title + published) of a feed entry."""
    guid = str(entry.get("id") or "").strip()
    if guid:
        return guid
    link = str(entry.get("link") or "").strip()
    if link:
        return link
    title = str(entry.get("title") or "")
    published = str(entry.get("published") or entry.get("updated") or "")
    if not (title or published):
        raise SkippableItem("item has no guid, link, title or date")
    return "sha256:" + hashlib.sha256((link + title + published).encode("utf-8")).hexdigest()


def _entry_text(entry: Mapping[str, Any]) -> str:
    contents = entry.get("content") or []
    for content in contents:
        value = content.get("value") if isinstance(content, Mapping) else None
        if value:
            return html_to_text(str(value))
    return html_to_text(str(entry.get("summary") or ""))


def _entry_author(entry: Mapping[str, Any], feed: Mapping[str, Any], feed_url: str) -> Author:
    host = urlsplit(str(feed.get("link") or feed_url)).netloc or urlsplit(feed_url).netloc
    name = str(entry.get("author") or "").strip()
    detail = entry.get("author_detail") or {}
    if isinstance(detail, Mapping) and detail.get("name"):
        name = str(detail["name"]).strip()
    feed_title = html_to_text(str(feed.get("title") or "")) or host
    if name:
        return Author(source="rss", external_id=f"{host}/{name}", handle=name, display_name=name,
                      url=str(detail.get("href")) if isinstance(detail, Mapping) and detail.get("href")
                      else None)
    return Author(source="rss", external_id=host or feed_url, handle=feed_title, display_name=feed_title,
                  url=str(feed.get("link")) if feed.get("link") else None)


def _own(entry: Mapping[str, Any], key: str) -> Any:
    """Read a key feedparser really set (its ``get`` swaps updated/published, with a warning)."""
    return dict.get(entry, key) if isinstance(entry, dict) else entry.get(key)


def entry_to_mention(
    entry: Mapping[str, Any], feed: Mapping[str, Any], feed_url: str, query: Query, fetched_at: datetime
) -> Mention:
    """Map one feedparser entry to a Mention; raise SkippableItem when it has nothing to identify it."""
    external_id = entry_identity(entry)
    title = html_to_text(str(entry.get("title") or "")) or None
    text = _entry_text(entry) or (title or "")
    if not text:
        raise SkippableItem(f"item {external_id!r} has no title and no text")
    published = parse_time(_own(entry, "published_parsed")) or parse_time(_own(entry, "updated_parsed"))
    links = [
        str(link["href"]) for link in entry.get("links", []) if isinstance(link, Mapping) and link.get("href")
    ]
    raw = jsonable(entry)
    if not isinstance(raw, dict):  # pragma: no cover - feedparser entries are mappings
        raw = {}
    lang = entry.get("language") or feed.get("language")
    return Mention(
        source="rss",
        external_id=external_id,
        text=text,
        title=title,
        url=str(entry.get("link")) if entry.get("link") else None,
        author=_entry_author(entry, feed, feed_url),
        published_at=published or fetched_at,
        fetched_at=fetched_at,
        lang=str(lang).lower() if lang else None,
        links=tuple(dict.fromkeys(links)),
        query_id=query.id,
        raw=raw,
    )


__all__ = ["FeedState", "RssConnector", "entry_identity", "entry_to_mention", "parse_feed"]
