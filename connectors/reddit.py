"""Reddit through praw (a read-only script app): search, and the new posts and comments of watched subreddits.

How the HTTP works (STYLE §1.3, third-party SDKs): praw builds the requests, for the hosts we
configure (``oauth_url``, ``reddit_url``; tests point both at a loopback replay server), and sends them
through a session we give it (``requestor_kwargs``) whose adapter
(``connectors._sdk.HttpClientAdapter``) sends every GET through the shared ``HttpClient``: the same
timeouts, backoff, limits and status table as every source. prawcore would sleep on the
``x-ratelimit-*`` headers: the adapter reads them, hides them from prawcore, and refuses a request
once the window is spent (``RetryLater``). Failures therefore reach prawcore as ``listener.core.errors``,
which it wraps in ``RequestException`` and does not retry; :func:`prawcore_errors` unwraps them
and translates anything prawcore raises itself (the token POST), once.

Each fetch reads several *listings*, newest first, each with its own high-water mark in the cursor
(``{"listings": {key: {"created_utc": t, "fullnames": [...]}}}``): a search of all of Reddit, a
search restricted to the configured subreddits, and the ``new`` submissions and ``comments`` of each
watched subreddit. Items at or below a listing's mark are dropped; an item found by two listings is
returned once. Watched-listing items are not filtered here: the topic matcher does that downstream,
as for plain feeds. A private, quarantined or banned watched subreddit is reported once (WARNING),
remembered in the cursor and skipped until ``recheck_unavailable_s`` has passed.

Object attributes are read through ``vars()``: touching a missing attribute on a praw object makes
praw fetch it, one request per item.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

import praw
import prawcore

from connectors._http import HttpClient, HttpPolicy, Outcome, classify, retry_after_s
from connectors._query import SearchText, provider_queries
from connectors._reddit_mapping import map_author, map_item
from connectors._sdk import HttpClientAdapter, RateBudget, sdk_session
from connectors._sdk_errors import ErrorRow, mapped, translated
from listener.core.clock import Clock, system_clock
from listener.core.errors import (
    AuthFailed,
    ConnectorError,
    QueryRejected,
    RetryLater,
    SkippableItem,
    SourceUnavailable,
)
from listener.core.model import JSON, Batch, Cursor, Mention, Query
from listener.core.query import SearchSyntax

logger = logging.getLogger(__name__)

OAUTH_URL = "https://oauth.reddit.com"
REDDIT_URL = "https://www.reddit.com"
DEFAULT_RETRY_AFTER_S = 60.0
_RATE_HEADERS = ("x-ratelimit-remaining", "x-ratelimit-used", "x-ratelimit-reset")


class SubredditUnavailable(QueryRejected):
    """A watched subreddit answered 403/404/redirect: private, quarantined, banned or missing."""

    def __init__(self, message: str, *, subreddit: str) -> None:
        super().__init__(message, source="reddit")
        self.subreddit = subreddit


def _unreadable(subreddit: str, detail: str) -> SubredditUnavailable:
    return SubredditUnavailable(
        f"reddit: r/{subreddit} is not readable ({detail})", subreddit=subreddit)


def _refused(err: prawcore.ResponseException) -> ConnectorError:
    """Only the token POST gets here: GETs go through ``_http``, whose table already sorted them."""
    status = err.response.status_code
    outcome = classify(status, err.response.headers)
    if outcome is Outcome.AUTH:
        return AuthFailed(f"reddit: credentials refused ({status})", source="reddit")
    if outcome is Outcome.TRANSIENT:
        return SourceUnavailable(f"reddit: server error {status}", source="reddit")
    return QueryRejected(f"reddit: request refused ({status})", source="reddit")


def prawcore_errors(budget: RateBudget, subreddit: str | None = None, *,
                    clock: Clock = system_clock) -> tuple[ErrorRow, ...]:
    """Return the table turning prawcore exceptions into ``listener.core.errors``: the one mapping point.

    ``subreddit`` names the watched subreddit being listed, whose 403/404 is about that subreddit
    (skip it) rather than about our credentials or query. ``budget`` saw the rate-limit headers
    that the session hid from prawcore. A ``RequestException`` wrapping one of our own errors (the
    shared ``HttpClient`` raised it inside prawcore) is unwrapped and mapped by the same table.
    """

    def ours(err: ConnectorError) -> ConnectorError:
        if subreddit is None or isinstance(err, SubredditUnavailable):
            return err
        return _unreadable(subreddit, f"private, quarantined, banned or gone: {err}")

    def rate_limited(err: prawcore.TooManyRequests) -> RetryLater:
        wait = retry_after_s(err.response.headers, now=clock().timestamp(), default=0.0) or budget.wait_s()
        wait = wait or DEFAULT_RETRY_AFTER_S
        return RetryLater(f"reddit: rate limited (429), retry in {wait:.0f}s", retry_after_s=wait,
                          source="reddit")

    def missing(err: prawcore.ResponseException) -> ConnectorError:
        status = err.response.status_code
        if subreddit is not None:
            return _unreadable(subreddit, f"{status}: private, quarantined, banned or gone")
        if isinstance(err, prawcore.Forbidden):
            return AuthFailed(f"reddit: access refused ({status}); check the app credentials",
                              source="reddit")
        return QueryRejected(f"reddit: not found ({status})", source="reddit")

    def request_failed(err: prawcore.RequestException) -> BaseException:
        original = err.original_exception
        if isinstance(original, ConnectorError):
            return mapped(table, original) or original
        return SourceUnavailable(f"reddit: network error: {type(original).__name__}", source="reddit")

    table: tuple[ErrorRow, ...] = (
        ((AuthFailed, QueryRejected), ours),
        (prawcore.TooManyRequests, rate_limited),
        ((prawcore.Forbidden, prawcore.NotFound, prawcore.Redirect), missing),
        ((prawcore.InvalidToken, prawcore.OAuthException, prawcore.InsufficientScope),
         lambda err: AuthFailed(f"reddit: credentials refused ({type(err).__name__}); check REDDIT_CLIENT_ID "
                                "and REDDIT_CLIENT_SECRET", source="reddit")),
        (prawcore.ResponseException, _refused),
        (prawcore.RequestException, request_failed),
        (prawcore.PrawcoreException,
         lambda err: SourceUnavailable(f"reddit: {type(err).__name__}: {err}", source="reddit")),
    )
    return table


@dataclass(frozen=True, slots=True)
class _Listing:
    """One newest-first listing read for a topic; ``key`` names its mark in the cursor."""

    key: str
    kind: str  # "search", "new" or "comments"
    subreddit: str
    text: str = ""

    @property
    def is_watched(self) -> bool:
        return self.kind != "search"


def _mark_of(value: Any) -> tuple[float, frozenset[str]]:
    if not isinstance(value, Mapping):
        return (0.0, frozenset())
    return (float(value.get("created_utc") or 0.0), frozenset(value.get("fullnames") or ()))


class RedditConnector:
    """Search Reddit for each topic and read the new posts and comments of watched subreddits."""

    name: ClassVar[str] = "reddit"
    # Reddit search: AND/OR/NOT, quotes, author:, site: (no hashtags, no language)
    search_syntax: ClassVar[SearchSyntax] = SearchSyntax(
        name="reddit", sources=("reddit",), has_or=True, negation="NOT ", can_negate_groups=True,
        hashtag=None, handle=None, site="site:", author="author:", lang=None, max_length=512)
    """What this source's native search understands (``listener.core.query.translate`` reads it)."""
    required_secrets: ClassVar[tuple[str, ...]] = ("client_id", "client_secret")
    """The ``sources.reddit`` secrets it needs before it can run (``listener check`` reports them)."""
    options: ClassVar[tuple[str, ...]] = (
        "client_id", "client_secret", "user_agent", "subreddits", "watched_subreddits", "search_all",
        "max_items_per_listing", "oauth_url", "reddit_url", "recheck_unavailable_s",
    )
    """Constructor arguments ``connectors.build`` reads from ``sources.reddit``."""

    def __init__(
        self,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        user_agent: str = "listener (self-hosted social listening)",
        subreddits: Sequence[str] = (),
        watched_subreddits: Sequence[str] = (),
        search_all: bool = True,
        max_items_per_listing: int = 100,
        oauth_url: str = OAUTH_URL,
        reddit_url: str = REDDIT_URL,
        recheck_unavailable_s: float = 86_400.0,
        client: HttpClient | None = None,
        policy: HttpPolicy | None = None,
        translate: Callable[[Query], Sequence[SearchText]] = lambda q: provider_queries(
            q, RedditConnector.search_syntax),
        clock: Clock = system_clock,
    ) -> None:
        self.client_id = client_id or None
        self.client_secret = client_secret or None
        self.subreddits = tuple(s.removeprefix("r/") for s in subreddits)
        self.watched_subreddits = tuple(s.removeprefix("r/") for s in watched_subreddits)
        self.search_all = search_all
        self.max_items_per_listing = max(1, max_items_per_listing)
        self.recheck_unavailable_s = recheck_unavailable_s
        self._translate = translate
        self._clock = clock
        self.budget = RateBudget(
            remaining_header="x-ratelimit-remaining", reset_header="x-ratelimit-reset", reset_is_epoch=False,
            clock=lambda: self._clock().timestamp(),
        )
        self.client = client or HttpClient(self.name, policy=policy, wall_clock=lambda: clock().timestamp())
        self._adapter = HttpClientAdapter(
            self.client, rebase={}, budget=self.budget, hide_headers=_RATE_HEADERS
        )
        self._session = sdk_session(self._adapter, oauth_url, reddit_url)
        self._reddit: praw.Reddit | None = None
        if self.is_configured:
            self._reddit = praw.Reddit(
                client_id=self.client_id,
                client_secret=self.client_secret,
                user_agent=user_agent,
                oauth_url=oauth_url.rstrip("/"),
                reddit_url=reddit_url.rstrip("/"),
                requestor_kwargs={"session": self._session},
                check_for_updates=False,
                ratelimit_seconds=0,
            )
            self._reddit.read_only = True

    @property
    def is_configured(self) -> bool:
        """Return True when the app's client id and secret were found in the environment."""
        return self.client_id is not None and self.client_secret is not None

    @property
    def disabled_reason(self) -> str | None:
        """Return why the connector cannot run (shown once by the runner), or None."""
        if self.is_configured:
            return None
        return (
            "reddit: no app credentials; set REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET in the environment "
            "(sources.reddit.client_id: ${REDDIT_CLIENT_ID}, client_secret: ${REDDIT_CLIENT_SECRET})"
        )

    def listings_for(self, query: Query) -> list[_Listing]:
        """Return the listings one fetch reads for ``query``."""
        out: list[_Listing] = []
        try:
            searches = list(self._translate(query)) if self.search_all or self.subreddits else []
        except QueryRejected as err:
            if not self.watched_subreddits:
                raise
            logger.debug("%s; reading the watched subreddits only", err)
            searches = []
        for search in searches:
            digest = hashlib.sha256(search.text.encode()).hexdigest()[:10]
            if self.search_all:
                out.append(_Listing(f"search:all:{digest}", "search", "all", search.text))
            if self.subreddits:
                subs = "+".join(self.subreddits)
                out.append(_Listing(f"search:{subs}:{digest}", "search", subs, search.text))
        for sub in self.watched_subreddits:
            out.append(_Listing(f"new:{sub}", "new", sub))
            out.append(_Listing(f"comments:{sub}", "comments", sub))
        return out

    def fetch(self, query: Query, cursor: Cursor | None) -> Batch:
        """Return the posts and comments newer than each listing's mark, once each."""
        if self._reddit is None:
            raise AuthFailed(self.disabled_reason or "reddit: not configured", source=self.name)
        now = self._clock()
        state = dict(cursor.data) if cursor is not None else {}
        marks: dict[str, JSON] = dict(state.get("listings") or {})
        unavailable: dict[str, JSON] = dict(state.get("unavailable") or {})
        sent_before = self._adapter.sent
        found: dict[str, Any] = {}
        for listing in self.listings_for(query):
            if listing.is_watched and self._still_unavailable(unavailable.get(listing.subreddit), now):
                continue
            try:
                items = self._read(listing, _mark_of(marks.get(listing.key)))
            except SubredditUnavailable as err:
                if listing.subreddit not in unavailable:
                    logger.warning("%s; skipped until rechecked", err,
                                   extra={"source": self.name, "query_id": query.id})
                unavailable[listing.subreddit] = {"reason": str(err), "checked_at": now.timestamp()}
                continue
            if listing.is_watched:
                unavailable.pop(listing.subreddit, None)
            if items:
                marks[listing.key] = _new_mark(items, marks.get(listing.key))
            for item in items:
                found.setdefault(str(vars(item)["name"]), item)
        with translated(prawcore_errors(self.budget, clock=self._clock)):
            karma = self._authors(found.values())
        mentions: list[Mention] = []
        skipped = 0
        for item in found.values():
            try:
                mentions.append(map_item(item, karma=karma, query_id=query.id, now=now))
            except SkippableItem as err:
                skipped += 1
                logger.warning(
                    "reddit: skipped an item: %s", err, extra={"source": self.name, "query_id": query.id}
                )
        mentions.sort(key=lambda m: m.published_at, reverse=True)
        next_state: dict[str, JSON] = {"listings": marks, "unavailable": unavailable}
        return Batch(
            mentions=tuple(mentions),
            next_cursor=Cursor(next_state),
            skipped=skipped,
            requests=self._adapter.sent - sent_before,
        )

    def _still_unavailable(self, entry: JSON, now: datetime) -> bool:
        if not isinstance(entry, Mapping):
            return False
        return now.timestamp() - float(entry.get("checked_at") or 0.0) < self.recheck_unavailable_s

    def _read(self, listing: _Listing, mark: tuple[float, frozenset[str]]) -> list[Any]:
        """Read one listing newest first, stopping at the mark."""
        assert self._reddit is not None
        subreddit = self._reddit.subreddit(listing.subreddit)
        limit = self.max_items_per_listing
        if listing.kind == "search":
            generator: Iterable[Any] = subreddit.search(
                listing.text, sort="new", time_filter="all", limit=limit
            )
        elif listing.kind == "new":
            generator = subreddit.new(limit=limit)
        else:
            generator = subreddit.comments(limit=limit)
        newest_at, seen = mark
        items = []
        is_at_mark = False
        with translated(prawcore_errors(self.budget, listing.subreddit if listing.is_watched else None,
                                        clock=self._clock)):
            for item in generator:
                data = vars(item)
                created = float(data.get("created_utc") or 0.0)
                if created < newest_at:
                    is_at_mark = True
                    break
                if created == newest_at and str(data.get("name")) in seen:
                    continue
                items.append(item)
        if newest_at and not is_at_mark and len(items) >= limit:
            logger.warning(
                "reddit: %s gave %d new items without reaching its mark; older ones are left out "
                "(raise max_items_per_listing or poll more often)", listing.key, len(items),
                extra={"source": "reddit"},
            )
        return items

    def _authors(self, items: Iterable[Any]) -> dict[str, dict[str, Any]]:
        """Look up karma and account age of the authors, 100 per request (``user_data_by_account_ids``)."""
        assert self._reddit is not None
        ids = sorted({str(vars(i)["author_fullname"]) for i in items if vars(i).get("author_fullname")})
        if not ids:
            return {}
        return {str(vars(p)["fullname"]): vars(p) for p in self._reddit.redditors.partial_redditors(ids)}


def _new_mark(items: Sequence[Any], old: JSON) -> dict[str, JSON]:
    newest = max(float(vars(i).get("created_utc") or 0.0) for i in items)
    old_at, old_names = _mark_of(old)
    names = {str(vars(i)["name"]) for i in items if float(vars(i).get("created_utc") or 0.0) == newest}
    if newest == old_at:
        names |= old_names
    return {"created_utc": newest, "fullnames": sorted(names)}


__all__ = ["RedditConnector", "SubredditUnavailable", "map_author", "map_item"]
