"""Hacker News stories and comments through the Algolia search API (no account needed).

``/search_by_date`` lists newest first; one request per kind (``tags=(story)``, ``tags=(comment)``),
numbered pages (``page`` / ``nbPages``). Incremental by ``created_at_i``: the cursor keeps the newest
timestamp and the ids seen at exactly that second, and the next run asks for
``numericFilters=created_at_i>=T``, dropping those ids, so items posted in the same second as the
last run's newest item are neither lost nor returned twice. Items at or before the cursor are also
dropped locally, in case the filter is ignored. HN's HTML (``comment_text``, ``story_text``) becomes
plain text; points and comment counts are the engagement.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

from connectors._http import HttpClient, HttpPolicy
from connectors._paging import PageNumberPaginator
from connectors._query import provider_queries
from connectors._text import html_to_text
from connectors._values import as_int, jsonable, parse_time
from listener.core.clock import Clock, system_clock
from listener.core.errors import SkippableItem, SourceUnavailable
from listener.core.model import Author, Batch, Cursor, Mention, Metrics, Query
from listener.core.query import SearchSyntax

logger = logging.getLogger(__name__)

ITEM_URL = "https://news.ycombinator.com/item?id={id}"
USER_URL = "https://news.ycombinator.com/user?id={id}"


class HackerNewsConnector:
    """Search HN stories and comments by date, incrementally."""

    name: ClassVar[str] = "hackernews"
    # Hacker News (Algolia): words, "phrase", -word; authors and tags are separate parameters
    search_syntax: ClassVar[SearchSyntax] = SearchSyntax(
        name="hackernews", sources=("hackernews",), has_or=False, negation="-",
        can_negate_groups=False, hashtag=None, handle=None, site=None, author=None, lang=None,
        max_length=500)
    """What this source's native search understands (``listener.core.query.translate`` reads it)."""
    options: ClassVar[tuple[str, ...]] = ("base_url", "kinds", "page_size", "max_pages")

    def __init__(
        self,
        *,
        base_url: str = "https://hn.algolia.com/api/v1",
        kinds: Sequence[str] = ("story", "comment"),
        page_size: int = 100,
        max_pages: int = 5,
        client: HttpClient | None = None,
        policy: HttpPolicy | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self._clock = clock
        self.base_url = base_url.rstrip("/")
        self.kinds = tuple(kinds)
        self.page_size = page_size
        self.max_pages = max_pages
        self.client = client or HttpClient(self.name, policy=policy, wall_clock=lambda: clock().timestamp())

    def fetch(self, query: Query, cursor: Cursor | None) -> Batch:
        """Return stories and comments newer than the cursor, every page of them."""
        fetched_at = self._clock()
        since = as_int(cursor.get("created_at_i")) if cursor is not None else None
        ids_at = {str(i) for i in (cursor.get("ids_at") or [])} if cursor is not None else set()
        requests_before = self.client.requests
        found: dict[str, Mention] = {}
        skipped = 0
        for search in provider_queries(query, self.search_syntax):
            for kind in self.kinds:
                hits = self._search(search.text, kind, since)
                for hit in hits:
                    try:
                        mention = hit_to_mention(hit, query, fetched_at)
                    except SkippableItem as err:
                        logger.warning("hackernews: skipped a hit: %s", err, extra={"source": self.name})
                        skipped += 1
                        continue
                    stamp = int(mention.published_at.timestamp())
                    is_old = since is not None and (
                        stamp < since or (stamp == since and mention.external_id in ids_at)
                    )
                    if is_old:
                        continue
                    found[mention.external_id] = mention
        mentions = tuple(found.values())
        return Batch(
            mentions=mentions,
            next_cursor=_next_cursor(mentions, since, ids_at),
            skipped=skipped,
            requests=self.client.requests - requests_before,
        )

    def _search(self, text: str, kind: str, since: int | None) -> list[Mapping[str, Any]]:
        """Return every hit of one kind, across pages."""
        paginator = PageNumberPaginator(max_pages=self.max_pages)
        hits: list[Mapping[str, Any]] = []
        while paginator.has_more:
            params: dict[str, str | int] = {"query": text, "tags": f"({kind})", "hitsPerPage": self.page_size}
            if since is not None:
                params["numericFilters"] = f"created_at_i>={since}"
            params.update(paginator.params())
            body = self.client.get(f"{self.base_url}/search_by_date", params=params).json(self.name)
            page_hits = body.get("hits") if isinstance(body, Mapping) else None
            if not isinstance(page_hits, list):
                raise SourceUnavailable("hackernews: search answer has no 'hits' list", source=self.name)
            hits.extend(h for h in page_hits if isinstance(h, Mapping))
            paginator.advance(total_pages=as_int(body.get("nbPages")), item_count=len(page_hits))
        return hits


def _next_cursor(mentions: Sequence[Mention], since: int | None, ids_at: set[str]) -> Cursor | None:
    """Return the newest timestamp and the ids seen at that very second (never moving backwards)."""
    if not mentions:
        return Cursor({"created_at_i": since, "ids_at": sorted(ids_at)}) if since is not None else None
    newest = max(int(m.published_at.timestamp()) for m in mentions)
    at_newest = {m.external_id for m in mentions if int(m.published_at.timestamp()) == newest}
    if since is not None and since > newest:
        return Cursor({"created_at_i": since, "ids_at": sorted(ids_at)})
    if since == newest:
        at_newest |= ids_at
    return Cursor({"created_at_i": newest, "ids_at": sorted(at_newest)})


def hit_to_mention(hit: Mapping[str, Any], query: Query, fetched_at: datetime) -> Mention:
    """Map one Algolia hit (story or comment) to a Mention."""
    object_id = str(hit.get("objectID") or "").strip()
    if not object_id:
        raise SkippableItem("hit has no objectID")
    published = parse_time(hit.get("created_at_i")) or parse_time(hit.get("created_at"))
    if published is None:
        raise SkippableItem(f"hit {object_id} has no creation time")
    tags = hit.get("_tags") or []
    is_comment = "comment" in tags or bool(hit.get("comment_text"))
    title = hit.get("title") or None
    text = html_to_text(hit.get("comment_text") or hit.get("story_text") or "") or (title or "")
    if not text:
        raise SkippableItem(f"hit {object_id} has no text")
    author_name = str(hit.get("author") or "").strip() or "[deleted]"
    story_id = hit.get("story_id")
    parent_id = hit.get("parent_id")
    link = hit.get("url") or hit.get("story_url") or None
    return Mention(
        source="hackernews",
        external_id=object_id,
        text=text,
        title=str(title) if title else None,
        url=ITEM_URL.format(id=object_id),
        author=Author(source="hackernews", external_id=author_name, handle=author_name,
                      url=USER_URL.format(id=author_name)),
        published_at=published,
        fetched_at=fetched_at,
        metrics=Metrics(score=as_int(hit.get("points")), replies=as_int(hit.get("num_comments"))),
        in_reply_to=str(parent_id) if is_comment and parent_id else None,
        conversation_id=str(story_id) if story_id else (object_id if not is_comment else None),
        links=(str(link),) if link else (),
        query_id=query.id,
        raw=_raw(hit),
    )


def _raw(hit: Mapping[str, Any]) -> dict[str, Any]:
    raw = jsonable({k: v for k, v in hit.items() if k != "_highlightResult"})
    return raw if isinstance(raw, dict) else {}


__all__ = ["HackerNewsConnector", "hit_to_mention"]
