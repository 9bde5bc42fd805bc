"""Mastodon: hashtag timelines and status search on one or more instances (token optional).

Per instance and per stream (``/api/v1/timelines/tag/{tag}`` for each hashtag the query names or
the config lists, ``/api/v2/search?type=statuses`` for the query text), the cursor keeps the newest
local status id. A first run walks back through ``rel="next"`` links (older pages) up to
``max_pages``; later runs ask for ``min_id=<newest>`` and walk forward through ``rel="prev"`` links.
Only the id parameters of a Link are used, applied to our configured instance URL.

Identity: a status's ActivityPub ``uri`` is global, so the same post seen from two instances is
stored once. Author ids are full ``user@instance`` accounts (a local ``acct`` lacks the domain, so
the instance's host is added). A boost becomes a mention with a ``Reference(kind="repost")`` to the
boosted post (echo grouping happens in analysis). HTML ``content`` becomes plain text; the account's
``followers_count`` is its reach. One failing instance is logged and the others are kept.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

from connectors._http import HttpClient, HttpPolicy
from connectors._paging import LinkPaginator
from connectors._query import hashtags, provider_queries
from connectors._text import html_to_text
from connectors._values import as_int, jsonable, parse_time
from listener.core.clock import Clock, system_clock
from listener.core.errors import ConnectorError, QueryRejected, SkippableItem, SourceUnavailable
from listener.core.model import JSON, Author, Batch, Cursor, Mention, Metrics, Query, Reference
from listener.core.query import SearchSyntax

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Stream:
    """One thing to poll on one instance."""

    instance: str
    kind: str  # "tag" or "search"
    value: str

    @property
    def key(self) -> str:
        return f"{self.instance}|{self.kind}:{self.value}"


class MastodonConnector:
    """Poll hashtag timelines and status search on the configured instances."""

    name: ClassVar[str] = "mastodon"
    # Mastodon 4.2 full-text search: words, "phrase", -word, #tag, from:, language:; no OR
    search_syntax: ClassVar[SearchSyntax] = SearchSyntax(
        name="mastodon", sources=("mastodon",), has_or=False, negation="-", can_negate_groups=False,
        hashtag="#", handle=None, site=None, author="from:", lang="language:", max_length=500)
    """What this source's native search understands (``listener.core.query.translate`` reads it)."""
    options: ClassVar[tuple[str, ...]] = (
        "instances", "access_token", "hashtags", "use_search", "page_size", "max_pages",
    )

    def __init__(
        self,
        *,
        instances: Sequence[str] = ("https://mastodon.social",),
        access_token: str | None = None,
        hashtags: Sequence[str] = (),
        use_search: bool = True,
        page_size: int = 40,
        max_pages: int = 3,
        client: HttpClient | None = None,
        policy: HttpPolicy | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self._clock = clock
        self.instances = tuple(i.rstrip("/") for i in instances)
        self.hashtags = tuple(t.lstrip("#").lower() for t in hashtags)
        self.use_search = use_search
        self.page_size = page_size
        self.max_pages = max_pages
        self._auth = {"Authorization": f"Bearer {access_token}"} if access_token else {}
        self.client = client or HttpClient(self.name, policy=policy, wall_clock=lambda: clock().timestamp())

    def streams_for(self, query: Query) -> list[_Stream]:
        """Return the timelines and searches to poll for ``query`` on every instance."""
        tags = list(dict.fromkeys([*hashtags(query.expression), *self.hashtags]))
        texts: list[str] = []
        if self.use_search:
            try:
                texts = [s.text for s in provider_queries(query, self.search_syntax)]
            except QueryRejected as err:
                if not tags:
                    raise
                logger.warning("mastodon: searching hashtags only: %s", err, extra={"source": self.name})
        streams = []
        for instance in self.instances:
            streams += [_Stream(instance, "tag", tag) for tag in tags]
            streams += [_Stream(instance, "search", text) for text in texts if text]
        return streams

    def fetch(self, query: Query, cursor: Cursor | None) -> Batch:
        """Return new statuses of every stream; one failing instance does not stop the others."""
        fetched_at = self._clock()
        previous = cursor.get("streams", {}) if cursor is not None else {}
        previous = previous if isinstance(previous, Mapping) else {}
        positions: dict[str, JSON] = dict(previous)
        found: dict[str, Mention] = {}
        errors: list[ConnectorError] = []
        skipped = 0
        streams = self.streams_for(query)
        requests_before = self.client.requests
        for stream in streams:
            since = str(previous.get(stream.key) or "") or None
            try:
                statuses = self._poll(stream, since)
            except ConnectorError as err:
                errors.append(err)
                continue
            newest = since
            for status in statuses:
                local_id = str(status.get("id") or "")
                if since is not None and _id_key(local_id) <= _id_key(since):
                    continue
                try:
                    mention = status_to_mention(status, stream.instance, query, fetched_at)
                except SkippableItem as err:
                    logger.warning("mastodon: skipped a status: %s", err, extra={"source": self.name})
                    skipped += 1
                    continue
                found.setdefault(mention.external_id, mention)
                if newest is None or _id_key(local_id) > _id_key(newest):
                    newest = local_id
            if newest is not None:
                positions[stream.key] = newest
        if errors and len(errors) == len(streams):
            raise errors[0]
        for problem in errors:
            logger.warning("mastodon: stream skipped this run: %s", problem, extra={"source": self.name})
        return Batch(
            mentions=tuple(found.values()),
            next_cursor=Cursor({"streams": positions}),
            skipped=skipped,
            requests=self.client.requests - requests_before,
        )

    def _poll(self, stream: _Stream, since: str | None) -> list[Mapping[str, Any]]:
        """Return every status of one stream newer than ``since`` (or the newest pages)."""
        if stream.kind == "search":
            url = f"{stream.instance}/api/v2/search"
            base: dict[str, str | int] = {"q": stream.value, "type": "statuses", "limit": self.page_size}
        else:
            url = f"{stream.instance}/api/v1/timelines/tag/{quote(stream.value, safe='')}"
            base = {"limit": self.page_size}
        start = {"min_id": since} if since else {}
        paginator = LinkPaginator(max_pages=self.max_pages, rel="prev" if since else "next", start=start)
        statuses: list[Mapping[str, Any]] = []
        while paginator.has_more:
            response = self.client.get(url, params={**base, **paginator.params()}, headers=self._auth)
            body = response.json(self.name)
            page = body.get("statuses") if isinstance(body, Mapping) else body
            if not isinstance(page, list):
                raise SourceUnavailable(f"mastodon: unexpected answer from {url}", source=self.name)
            statuses.extend(s for s in page if isinstance(s, Mapping))
            if stream.kind == "search":
                break  # search answers carry no Link header; one page per run
            paginator.advance(link_header=response.headers.get("link"), item_count=len(page))
        return statuses


def _id_key(value: str) -> tuple[int, str]:
    """Order Mastodon ids: numeric snowflakes by value, anything else as text."""
    return (int(value), "") if value.isdigit() else (0, value)


def account_id(account: Mapping[str, Any], instance: str) -> str:
    """Return ``user@host`` for an account (local accounts get the instance's host)."""
    acct = str(account.get("acct") or account.get("username") or "").lstrip("@")
    if not acct:
        raise SkippableItem("status has no account")
    return acct if "@" in acct else f"{acct}@{urlsplit(instance).netloc}"


def _author(account: Mapping[str, Any], instance: str) -> Author:
    full = account_id(account, instance)
    return Author(
        source="mastodon",
        external_id=full,
        handle="@" + full,
        display_name=str(account.get("display_name") or "") or None,
        url=str(account.get("url")) if account.get("url") else None,
        followers=as_int(account.get("followers_count")),
        following=as_int(account.get("following_count")),
        posts_count=as_int(account.get("statuses_count")),
        verified=None,
        created_at=parse_time(account.get("created_at")),
    )


def status_to_mention(
    status: Mapping[str, Any], instance: str, query: Query, fetched_at: datetime
) -> Mention:
    """Map one status (or boost) to a Mention."""
    uri = str(status.get("uri") or "").strip()
    if not uri:
        raise SkippableItem(f"status {status.get('id')!r} has no uri")
    published = parse_time(status.get("created_at"))
    if published is None:
        raise SkippableItem(f"status {uri} has no creation time")
    account = status.get("account")
    if not isinstance(account, Mapping):
        raise SkippableItem(f"status {uri} has no account")
    boosted = status.get("reblog")
    content_of = boosted if isinstance(boosted, Mapping) else status
    references: list[Reference] = []
    if isinstance(boosted, Mapping) and boosted.get("uri"):
        boosted_account = boosted.get("account") if isinstance(boosted.get("account"), Mapping) else {}
        references.append(Reference(
            kind="repost", external_id=str(boosted["uri"]),
            author_external_id=account_id(boosted_account, instance) if boosted_account else None,
        ))
    quote = status.get("quote")
    quoted = quote.get("quoted_status") if isinstance(quote, Mapping) else None
    if isinstance(quoted, Mapping) and quoted.get("uri"):
        references.append(Reference(kind="quote", external_id=str(quoted["uri"])))
    reply_to = status.get("in_reply_to_id")
    host = urlsplit(instance).netloc
    if reply_to:
        references.append(Reference(kind="reply", external_id=f"{host}:{reply_to}"))
    text = html_to_text(str(content_of.get("content") or ""))
    spoiler = str(content_of.get("spoiler_text") or "").strip()
    raw = jsonable(status)
    return Mention(
        source="mastodon",
        external_id=uri,
        text=text,
        title=spoiler or None,
        url=str(status.get("url") or uri),
        author=_author(account, instance),
        published_at=published,
        fetched_at=fetched_at,
        lang=str(content_of.get("language")) if content_of.get("language") else None,
        metrics=Metrics(
            likes=as_int(status.get("favourites_count")),
            reposts=as_int(status.get("reblogs_count")),
            replies=as_int(status.get("replies_count")),
            quotes=as_int(status.get("quotes_count")),
        ),
        in_reply_to=f"{host}:{reply_to}" if reply_to else None,
        references=tuple(references),
        hashtags=tuple(str(t.get("name")).lower() for t in content_of.get("tags") or []
                       if isinstance(t, Mapping) and t.get("name")),
        mentioned_handles=tuple("@" + str(m.get("acct")) for m in content_of.get("mentions") or []
                                if isinstance(m, Mapping) and m.get("acct")),
        query_id=query.id,
        raw=raw if isinstance(raw, dict) else {},
    )


__all__ = ["MastodonConnector", "account_id", "status_to_mention"]
