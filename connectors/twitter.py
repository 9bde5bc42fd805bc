"""X/Twitter through tweepy: API v2 recent search for each topic, incremental by ``since_id``.

How the HTTP works (STYLE §1.3, third-party SDKs): tweepy builds the requests and sends them through
a ``requests.Session`` we give it, whose adapter (``connectors._sdk.HttpClientAdapter``) rebases its
hard-coded ``https://api.twitter.com`` onto ``api_url`` (tests point it at a loopback replay server)
and sends them through the shared ``HttpClient``: timeouts, backoff, limits and the status table are
the same as for every source, and ``wait_on_rate_limit`` stays off. The ``x-rate-limit-*`` headers
are read on every answer, so a spent window raises ``RetryLater`` before the refused request is sent.
What reaches tweepy is a 2xx; anything tweepy still raises is translated once, by the one table
``tweepy_errors`` (read by ``_sdk_errors.translated``). tweepy logs request headers (the bearer
token) at DEBUG, so its client logger is held at INFO.

The cursor (one per topic) holds:

- ``queries``: for each provider query (a long topic is split into several under X's 512-character
  limit), keyed by a short hash of its text, the ``since_id`` reached;
- ``since_id``: the newest id over all of them (for display);
- ``month`` and ``posts_read``: posts retrieved this calendar month (UTC) for this topic, the figure X
  bills against the monthly post cap; ``fetch`` refuses to go past ``monthly_post_cap``.

With several workers (``listener worker``), the cap holds for the whole fleet: the HTTP client's limiter
hands out the shared quota ``twitter:posts`` (kept in the database), each request first reserves the
posts it asks for (``max_results``, at most 100, at least X's minimum of 10) and gives back what the
answer did not use, so workers racing for the last posts of the month never go past the cap together.

A provider query without a ``since_id`` is a first run: it backfills the last 7 days (what recent
search covers) within ``backfill_requests`` pages. Later runs page with ``next_token`` until they
reach the ``since_id``, at most ``max_requests_per_run`` pages; past that the entry keeps
``pending: {next_token, newest_id}`` and the next run pages on from there before ``since_id`` moves
(an expired token restarts the paging from ``since_id``), so a burst is never skipped.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

import requests
import tweepy

from connectors._http import HttpClient, HttpPolicy, retry_after_s
from connectors._query import SearchText, provider_queries
from connectors._sdk import HttpClientAdapter, RateBudget, sdk_session
from connectors._sdk_errors import ErrorRow, translated
from connectors._twitter_mapping import map_tweet, map_user, snowflake_time
from connectors._twitter_quota import MAX_RESULTS, QUOTA_KEY, CapUsage, QuotaGate, month_of, next_month
from listener.core.clock import Clock, system_clock
from listener.core.errors import AuthFailed, QueryRejected, RetryLater, SkippableItem, SourceUnavailable
from listener.core.model import Batch, Cursor, Mention, Query
from listener.core.query import SearchSyntax

logger = logging.getLogger(__name__)
logging.getLogger("tweepy.client").setLevel(logging.INFO)  # its DEBUG lines carry the bearer token

TWITTER_API = "https://api.twitter.com"
DEFAULT_RETRY_AFTER_S = 900.0
"""X's rate-limit window (15 minutes), used when a 429 carries no reset header."""

EXPANSIONS = (
    "author_id",
    "referenced_tweets.id",
    "referenced_tweets.id.author_id",
    "entities.mentions.username",
    "in_reply_to_user_id",
)
TWEET_FIELDS = (
    "created_at",
    "lang",
    "public_metrics",
    "conversation_id",
    "entities",
    "referenced_tweets",
    "in_reply_to_user_id",
    "author_id",
)
USER_FIELDS = ("public_metrics", "verified", "created_at", "username", "name")

def _default_translate(query: Query) -> list[SearchText]:
    """Translate a topic into X search strings (several when it exceeds 512 characters)."""
    return provider_queries(query, TwitterConnector.search_syntax)


def _query_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _rate_limited(clock: Clock) -> Callable[[tweepy.TooManyRequests], RetryLater]:
    def mapped(err: tweepy.TooManyRequests) -> RetryLater:
        wait = retry_after_s(err.response.headers, now=clock().timestamp(), default=DEFAULT_RETRY_AFTER_S)
        return RetryLater(f"twitter: rate limited (429), retry in {wait:.0f}s", retry_after_s=wait,
                          source="twitter")

    return mapped


def _rejected(err: tweepy.HTTPException) -> QueryRejected:
    detail = "; ".join(str(m) for m in err.api_messages) or str(err.response.status_code)
    return QueryRejected(f"twitter: query rejected: {detail}", source="twitter")


_TOKEN_HINT = "check X_BEARER_TOKEN and the app's access level"


def tweepy_errors(clock: Clock) -> tuple[ErrorRow, ...]:
    """tweepy and requests exceptions -> ``listener.core.errors``, first match wins: the one mapping point.

    A 429's wait is read against ``clock`` (the connector's), so a replay at another date waits the same.
    """
    return (
        # from HttpClient: say which credential to check
        (AuthFailed, lambda err: AuthFailed(f"twitter: the bearer token was refused ({err}); {_TOKEN_HINT}",
                                            source="twitter")),
        (tweepy.TooManyRequests, _rate_limited(clock)),
        ((tweepy.Unauthorized, tweepy.Forbidden),
         lambda err: AuthFailed(f"twitter: the bearer token was refused ({err.response.status_code}); "
                                f"{_TOKEN_HINT}", source="twitter")),
        ((tweepy.BadRequest, tweepy.NotFound), _rejected),
        (tweepy.TwitterServerError,
         lambda err: SourceUnavailable(f"twitter: server error {err.response.status_code} after retries",
                                       source="twitter")),
        (tweepy.HTTPException,
         lambda err: QueryRejected(f"twitter: unexpected status {err.response.status_code}",
                                   source="twitter")),
        (requests.RequestException,
         lambda err: SourceUnavailable(f"twitter: network error: {type(err).__name__}", source="twitter")),
        # a body that is not JSON
        (ValueError, lambda err: SourceUnavailable(f"twitter: unreadable response: {err}", source="twitter")),
    )


class TwitterConnector:
    """Recent search on X for each topic; one ``fetch`` walks every provider query of the topic."""

    name: ClassVar[str] = "twitter"
    # X API v2 search: https://docs.x.com/x-api/posts/search/integrate/build-a-query (512 chars on v2 basic)
    search_syntax: ClassVar[SearchSyntax] = SearchSyntax(
        name="twitter", sources=("twitter", "x"), has_or=True, negation="-", can_negate_groups=True,
        hashtag="#", handle="@", site="url:", author="from:", lang="lang:", max_length=512)
    """What this source's native search understands (``listener.core.query.translate`` reads it)."""
    required_secrets: ClassVar[tuple[str, ...]] = ("bearer_token",)
    """The ``sources.twitter`` secrets it needs before it can run (``listener check`` reports them)."""
    options: ClassVar[tuple[str, ...]] = (
        "bearer_token", "api_url", "backfill_requests", "max_requests_per_run", "monthly_post_cap",
    )
    """Constructor arguments ``connectors.build`` reads from ``sources.twitter``."""

    def __init__(
        self,
        *,
        bearer_token: str | None = None,
        api_url: str = TWITTER_API,
        backfill_requests: int = 10,
        max_requests_per_run: int = 20,
        monthly_post_cap: int = 10_000,
        client: HttpClient | None = None,
        policy: HttpPolicy | None = None,
        translate: Callable[[Query], Sequence[SearchText]] = _default_translate,
        clock: Clock = system_clock,
    ) -> None:
        self.bearer_token = bearer_token or None
        self.api_url = api_url.rstrip("/")
        self.backfill_requests = max(1, backfill_requests)
        self.max_requests_per_run = max(1, max_requests_per_run)
        self.monthly_post_cap = monthly_post_cap
        self._translate = translate
        self._clock = clock
        self.budget = RateBudget(
            remaining_header="x-rate-limit-remaining", reset_header="x-rate-limit-reset", reset_is_epoch=True,
            clock=lambda: self._clock().timestamp(),
        )
        self.client = client or HttpClient(self.name, policy=policy, wall_clock=lambda: clock().timestamp())
        self._adapter = HttpClientAdapter(self.client, rebase={TWITTER_API: self.api_url}, budget=self.budget)
        self._session = sdk_session(self._adapter, TWITTER_API, self.api_url)
        self._client = tweepy.Client(
            bearer_token=self.bearer_token, wait_on_rate_limit=False, return_type=requests.Response
        )
        self._client.session = self._session

    @property
    def is_configured(self) -> bool:
        """Return True when a bearer token was found in the environment."""
        return self.bearer_token is not None

    @property
    def disabled_reason(self) -> str | None:
        """Return why the connector cannot run (shown once by the runner), or None."""
        if self.is_configured:
            return None
        return (
            "twitter: no bearer token; set X_BEARER_TOKEN in the environment "
            "(sources.twitter.bearer_token: ${X_BEARER_TOKEN})"
        )

    def cap_usage(self, cursors: Sequence[Cursor | None]) -> CapUsage:
        """Sum this month's posts read over the topics' cursors, for the operator's dashboard."""
        month = month_of(self._clock())
        used = sum(int(c.get("posts_read", 0)) for c in cursors if c is not None and c.get("month") == month)
        return CapUsage(month=month, posts_read=used, cap=self.monthly_post_cap)

    def fetch(self, query: Query, cursor: Cursor | None) -> Batch:
        """Return the posts newer than the cursor for every provider query of this topic."""
        if not self.is_configured:
            raise AuthFailed(self.disabled_reason or "twitter: not configured", source=self.name)
        now = self._clock()
        state = dict(cursor.data) if cursor is not None else {}
        month = month_of(now)
        posts_read = int(state.get("posts_read", 0)) if state.get("month") == month else 0
        if posts_read >= self.monthly_post_cap:
            wait = (next_month(now) - now).total_seconds()
            raise RetryLater(
                f"twitter: monthly post cap reached ({posts_read}/{self.monthly_post_cap}) for {query.id}",
                retry_after_s=wait,
                source=self.name,
            )
        old_ids: Mapping[str, Any] = state.get("queries") or {}
        new_ids: dict[str, dict[str, Any]] = {}
        mentions: dict[str, Mention] = {}
        skipped = 0
        sent_before = self._adapter.sent
        shared = self.client.monthly_quota(QUOTA_KEY)
        gate = QuotaGate(shared, month, self.monthly_post_cap, now) if shared is not None else None
        for provider in self._translate(query):
            key = _query_key(provider.text)
            previous = old_ids.get(key) or {}
            run = self._search_resuming(provider.text, previous, query.id, now, gate)
            skipped += run.skipped
            posts_read += run.posts
            for mention in run.mentions:
                mentions.setdefault(mention.external_id, mention)
            new_ids[key] = run.next_state(previous.get("since_id"))
        all_newest = [int(v["since_id"]) for v in new_ids.values() if v.get("since_id")]
        next_state: dict[str, Any] = {
            "queries": new_ids,
            "since_id": str(max(all_newest)) if all_newest else None,
            "month": month,
            "posts_read": posts_read,
        }
        ordered = sorted(mentions.values(), key=lambda m: int(m.external_id), reverse=True)
        return Batch(
            mentions=tuple(ordered),
            next_cursor=Cursor(next_state),
            skipped=skipped,
            requests=self._adapter.sent - sent_before,
        )

    def _search_resuming(
        self, text: str, previous: Mapping[str, Any], query_id: str, now: datetime, gate: QuotaGate | None
    ) -> _SearchRun:
        """Continue an interrupted pagination if there is one, else start from ``since_id``."""
        since_id = previous.get("since_id")
        pending = previous.get("pending")
        if not isinstance(pending, Mapping) or not pending.get("next_token"):
            return self._search(text, since_id, query_id, now, gate=gate)
        try:
            run = self._search(text, since_id, query_id, now, next_token=str(pending["next_token"]),
                               gate=gate)
        except QueryRejected as err:  # the token expired: page again from since_id
            logger.warning(
                "twitter: could not resume paging (%s), starting again from since_id", err,
                extra={"source": self.name, "query_id": query_id},
            )
            return self._search(text, since_id, query_id, now, gate=gate)
        run.note_newest(pending.get("newest_id"))
        return run

    def _search(
        self, text: str, since_id: str | None, query_id: str, now: datetime, *, next_token: str | None = None,
        gate: QuotaGate | None = None,
    ) -> _SearchRun:
        """Page through one provider query, newest first, until ``since_id`` or the page budget.

        A first run (no ``since_id``) stops at ``backfill_requests`` pages and leaves the older posts
        out, by design. An incremental run that reaches ``max_requests_per_run`` keeps its place
        (``pending``) so the next run pages on from there before the cursor moves.
        """
        limit = self.max_requests_per_run if since_id else self.backfill_requests
        run = _SearchRun()
        while True:
            asked = gate.take(query_id) if gate is not None else MAX_RESULTS
            if asked == 0:  # the fleet reached the cap mid-fetch: keep our place, like the page limit
                if since_id and next_token:
                    run.pending_token = next_token
                return run
            params: dict[str, Any] = {
                "max_results": asked,
                "expansions": list(EXPANSIONS),
                "tweet_fields": list(TWEET_FIELDS),
                "user_fields": list(USER_FIELDS),
            }
            if since_id:
                params["since_id"] = since_id
            if next_token:
                params["next_token"] = next_token
            page: Mapping[str, Any] = {}
            try:
                with translated(tweepy_errors(self._clock)):
                    response = self._client.search_recent_tweets(text, **params)
                    page = response.json()
            finally:  # X bills the posts it returned: give back the rest (all of it on an error)
                if gate is not None:
                    gate.quota.give_back(gate.month, asked - len(page.get("data") or []))
            run.requests += 1
            run.add_page(page, since_id=since_id, query_id=query_id, now=now)
            next_token = (page.get("meta") or {}).get("next_token")
            if not next_token:
                return run
            if run.requests >= limit:
                if since_id:
                    run.pending_token = next_token
                    logger.info(
                        "twitter: page limit reached before since_id, the next run pages on from here",
                        extra={"source": self.name, "query_id": query_id, "fetched": run.posts},
                    )
                return run


class _SearchRun:
    """What paging one provider query produced."""

    def __init__(self) -> None:
        self.mentions: list[Mention] = []
        self.newest_id: str | None = None
        self.requests = 0
        self.skipped = 0
        self.posts = 0
        self.pending_token: str | None = None
        """Where an incremental pagination stopped for lack of budget."""

    def note_newest(self, tweet_id: Any) -> None:
        """Take ``tweet_id`` as the newest seen if it is newer (a resumed run's earlier pages)."""
        value = str(tweet_id or "")
        if value.isdigit() and (self.newest_id is None or int(value) > int(self.newest_id)):
            self.newest_id = value

    def next_state(self, since_id: str | None) -> dict[str, Any]:
        """Return this provider query's cursor entry: advanced, or holding its place in the pages."""
        if self.pending_token and since_id:
            return {"since_id": since_id, "pending": {"next_token": self.pending_token,
                                                      "newest_id": self.newest_id}}
        newest = self.newest_id or since_id
        if newest and since_id and int(since_id) > int(newest):
            newest = since_id
        return {"since_id": newest} if newest else {}

    def add_page(
        self, page: Mapping[str, Any], *, since_id: str | None, query_id: str, now: datetime
    ) -> None:
        """Map one page's posts, remembering the newest id even for posts that are skipped."""
        data = page.get("data") or []
        includes = page.get("includes") or {}
        users = {u["id"]: u for u in includes.get("users") or [] if isinstance(u, dict) and "id" in u}
        tweets = {t["id"]: t for t in includes.get("tweets") or [] if isinstance(t, dict) and "id" in t}
        self.posts += len(data)
        for tweet in data:
            tweet_id = str(tweet.get("id", "")) if isinstance(tweet, dict) else ""
            self.note_newest(tweet_id)
            if since_id and tweet_id.isdigit() and int(tweet_id) <= int(since_id):
                continue  # the API already excludes these; guard anyway so a cursor never regresses
            try:
                self.mentions.append(map_tweet(tweet, users=users, tweets=tweets, query_id=query_id, now=now))
            except SkippableItem as err:
                self.skipped += 1
                logger.warning(
                    "twitter: skipped a post: %s", err, extra={"source": "twitter", "query_id": query_id}
                )


__all__ = ["CapUsage", "TwitterConnector", "map_tweet", "map_user", "snowflake_time"]
