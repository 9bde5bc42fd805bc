"""Bluesky post search (``app.bsky.feed.searchPosts``) on a configurable AppView, no login needed.

Pages follow the response's ``cursor`` token. Incremental: the cursor keeps the newest post time and
the post URIs seen at exactly that instant; the next run sends ``since=<time>`` (inclusive) and drops
those URIs and anything older, so nothing is returned twice or lost at the boundary.

Facets are byte ranges over the UTF-8 text: mention facets give ``mentioned_handles`` (the
``@handle`` as written), link facets ``links`` (full URLs, where the text shows them shortened),
tag facets ``hashtags``. Followers are not in search results: the authors' profiles are fetched
afterwards with ``app.bsky.actor.getProfiles``, 25 actors per call (the API's limit); if that
fails the posts are kept with ``followers=None`` and a WARNING.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

from connectors._http import HttpClient, HttpPolicy
from connectors._paging import TokenPaginator
from connectors._query import provider_queries
from connectors._values import as_int, jsonable, parse_time
from listener.core.clock import Clock, system_clock
from listener.core.errors import ConnectorError, SkippableItem, SourceUnavailable
from listener.core.model import Author, Batch, Cursor, Mention, Metrics, Query, Reference
from listener.core.query import SearchSyntax

logger = logging.getLogger(__name__)

PROFILES_PER_CALL = 25
"""``app.bsky.actor.getProfiles`` accepts at most 25 actors."""


class BlueskyConnector:
    """Search Bluesky posts by date and attach their authors' follower counts."""

    name: ClassVar[str] = "bluesky"
    # Bluesky app.bsky.feed.searchPosts q: words, "phrase", #tag, from:, mentions:, domain:, lang:
    search_syntax: ClassVar[SearchSyntax] = SearchSyntax(
        name="bluesky", sources=("bluesky",), has_or=False, negation=None, can_negate_groups=False,
        hashtag="#", handle="mentions:", site="domain:", author="from:", lang="lang:",
        max_length=300)
    """What this source's native search understands (``listener.core.query.translate`` reads it)."""
    options: ClassVar[tuple[str, ...]] = ("base_url", "page_size", "max_pages", "fetch_profiles")

    def __init__(
        self,
        *,
        base_url: str = "https://public.api.bsky.app",
        page_size: int = 25,
        max_pages: int = 4,
        fetch_profiles: bool = True,
        client: HttpClient | None = None,
        policy: HttpPolicy | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self._clock = clock
        self.base_url = base_url.rstrip("/")
        self.page_size = page_size
        self.max_pages = max_pages
        self.fetch_profiles = fetch_profiles
        self.client = client or HttpClient(self.name, policy=policy, wall_clock=lambda: clock().timestamp())

    def fetch(self, query: Query, cursor: Cursor | None) -> Batch:
        """Return posts newer than the cursor with their authors' followers."""
        fetched_at = self._clock()
        since = parse_time(cursor.get("newest_at")) if cursor is not None else None
        uris_at = {str(u) for u in (cursor.get("uris_at") or [])} if cursor is not None else set()
        requests_before = self.client.requests
        found: dict[str, Mention] = {}
        skipped = 0
        for search in provider_queries(query, self.search_syntax):
            for post in self._search(search.text, since, query):
                try:
                    mention = post_to_mention(post, query, fetched_at)
                except SkippableItem as err:
                    logger.warning("bluesky: skipped a post: %s", err, extra={"source": self.name})
                    skipped += 1
                    continue
                if since is not None and (
                    mention.published_at < since
                    or (mention.published_at == since and mention.external_id in uris_at)
                ):
                    continue
                found[mention.external_id] = mention
        mentions = self._with_followers(list(found.values()))
        return Batch(
            mentions=tuple(mentions),
            next_cursor=_next_cursor(mentions, since, uris_at),
            skipped=skipped,
            requests=self.client.requests - requests_before,
        )

    def _search(self, text: str, since: datetime | None, query: Query) -> list[Mapping[str, Any]]:
        paginator = TokenPaginator(max_pages=self.max_pages)
        posts: list[Mapping[str, Any]] = []
        url = f"{self.base_url}/xrpc/app.bsky.feed.searchPosts"
        while paginator.has_more:
            params: dict[str, Any] = {"q": text, "limit": self.page_size, "sort": "latest"}
            if since is not None:
                params["since"] = since.isoformat().replace("+00:00", "Z")
            if len(query.languages) == 1:
                params["lang"] = query.languages[0]
            params.update(paginator.params())
            body = self.client.get(url, params=params).json(self.name)
            page = body.get("posts") if isinstance(body, Mapping) else None
            if not isinstance(page, list):
                raise SourceUnavailable("bluesky: search answer has no 'posts' list", source=self.name)
            posts.extend(p for p in page if isinstance(p, Mapping))
            token = body.get("cursor")
            paginator.advance(next_token=str(token) if token else None, item_count=len(page))
        return posts

    def _with_followers(self, mentions: list[Mention]) -> list[Mention]:
        """Fill ``author.followers`` from getProfiles, 25 DIDs per request."""
        if not self.fetch_profiles or not mentions:
            return mentions
        dids = list(dict.fromkeys(m.author.external_id for m in mentions))
        profiles: dict[str, Mapping[str, Any]] = {}
        url = f"{self.base_url}/xrpc/app.bsky.actor.getProfiles"
        try:
            for start in range(0, len(dids), PROFILES_PER_CALL):
                chunk = dids[start : start + PROFILES_PER_CALL]
                body = self.client.get(url, params={"actors": chunk}).json(self.name)
                for profile in body.get("profiles", []) if isinstance(body, Mapping) else []:
                    if isinstance(profile, Mapping) and profile.get("did"):
                        profiles[str(profile["did"])] = profile
        except ConnectorError as err:
            logger.warning("bluesky: author profiles unavailable, followers left unknown: %s", err,
                           extra={"source": self.name})
        out = []
        for mention in mentions:
            profile = profiles.get(mention.author.external_id)
            if profile is None:
                out.append(mention)
                continue
            author = dataclasses.replace(
                mention.author,
                followers=as_int(profile.get("followersCount")),
                following=as_int(profile.get("followsCount")),
                posts_count=as_int(profile.get("postsCount")),
            )
            out.append(dataclasses.replace(mention, author=author))
        return out


def _next_cursor(mentions: Sequence[Mention], since: datetime | None, uris_at: set[str]) -> Cursor | None:
    if not mentions:
        if since is None:
            return None
        return Cursor({"newest_at": since.isoformat(), "uris_at": sorted(uris_at)})
    newest = max(m.published_at for m in mentions)
    if since is not None and since > newest:
        return Cursor({"newest_at": since.isoformat(), "uris_at": sorted(uris_at)})
    at_newest = {m.external_id for m in mentions if m.published_at == newest}
    if since == newest:
        at_newest |= uris_at
    return Cursor({"newest_at": newest.isoformat(), "uris_at": sorted(at_newest)})


def _facets(record: Mapping[str, Any]) -> tuple[list[str], list[str], list[str]]:
    """Return (mentioned handles, links, tags) from a post record's facets."""
    text_bytes = str(record.get("text") or "").encode("utf-8")
    handles: list[str] = []
    links: list[str] = []
    tags: list[str] = []
    for facet in record.get("facets") or []:
        if not isinstance(facet, Mapping):
            continue
        index = facet.get("index") or {}
        for feature in facet.get("features") or []:
            kind = str(feature.get("$type") or "")
            if kind.endswith("#mention"):
                start, end = as_int(index.get("byteStart")), as_int(index.get("byteEnd"))
                shown = text_bytes[start:end].decode("utf-8", "replace") if start is not None else ""
                handles.append(shown if shown.startswith("@") else str(feature.get("did") or shown))
            elif kind.endswith("#link") and feature.get("uri"):
                links.append(str(feature["uri"]))
            elif kind.endswith("#tag") and feature.get("tag"):
                tags.append(str(feature["tag"]).lower())
    return handles, links, tags


def _references(record: Mapping[str, Any]) -> list[Reference]:
    refs: list[Reference] = []
    reply = record.get("reply")
    if isinstance(reply, Mapping) and isinstance(reply.get("parent"), Mapping) and reply["parent"].get("uri"):
        refs.append(Reference(kind="reply", external_id=str(reply["parent"]["uri"])))
    embed = record.get("embed")
    if isinstance(embed, Mapping):
        target = embed.get("record")
        if isinstance(target, Mapping) and isinstance(target.get("record"), Mapping):
            target = target["record"]  # recordWithMedia nests the quoted record one level deeper
        if isinstance(target, Mapping) and str(target.get("uri") or "").startswith("at://"):
            refs.append(Reference(kind="quote", external_id=str(target["uri"])))
    return refs


def post_to_mention(post: Mapping[str, Any], query: Query, fetched_at: datetime) -> Mention:
    """Map one ``app.bsky.feed.defs#postView`` to a Mention."""
    uri = str(post.get("uri") or "")
    record = post.get("record")
    author = post.get("author")
    if not uri.startswith("at://") or not isinstance(record, Mapping) or not isinstance(author, Mapping):
        raise SkippableItem(f"post {uri or '?'} lacks a uri, record or author")
    did = str(author.get("did") or "")
    handle = str(author.get("handle") or did)
    published = parse_time(record.get("createdAt")) or parse_time(post.get("indexedAt"))
    if not did or published is None:
        raise SkippableItem(f"post {uri} lacks an author DID or a creation time")
    handles, links, tags = _facets(record)
    reply = record.get("reply")
    root = reply.get("root") if isinstance(reply, Mapping) else None
    parent = reply.get("parent") if isinstance(reply, Mapping) else None
    langs = record.get("langs") or []
    raw = jsonable(post)
    return Mention(
        source="bluesky",
        external_id=uri,
        text=str(record.get("text") or ""),
        url=f"https://bsky.app/profile/{handle}/post/{uri.rsplit('/', 1)[-1]}",
        author=Author(source="bluesky", external_id=did, handle=handle,
                      display_name=str(author.get("displayName") or "") or None,
                      url=f"https://bsky.app/profile/{handle}",
                      created_at=parse_time(author.get("createdAt"))),
        published_at=published,
        fetched_at=fetched_at,
        lang=str(langs[0]) if langs else None,
        metrics=Metrics(likes=as_int(post.get("likeCount")), reposts=as_int(post.get("repostCount")),
                        replies=as_int(post.get("replyCount")), quotes=as_int(post.get("quoteCount"))),
        in_reply_to=str(parent["uri"]) if isinstance(parent, Mapping) and parent.get("uri") else None,
        conversation_id=str(root["uri"]) if isinstance(root, Mapping) and root.get("uri") else uri,
        references=tuple(_references(record)),
        hashtags=tuple(dict.fromkeys(tags)),
        mentioned_handles=tuple(dict.fromkeys(handles)),
        links=tuple(dict.fromkeys(links)),
        query_id=query.id,
        raw=raw if isinstance(raw, dict) else {},
    )


__all__ = ["PROFILES_PER_CALL", "BlueskyConnector", "post_to_mention"]
