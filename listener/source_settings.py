"""The ``sources:`` section of ``config.yaml``: one settings model per connector, and the value types.

Split from ``listener/config.py`` (which re-exports every name here) so each source's options read in
one place. ``Duration`` accepts ``90s``/``15m``/``2h``/``1d``; ``Secret`` accepts only a ``${ENV_VAR}``
reference, resolved from the environment at load time, so a secret never sits in the file.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, SecretStr

_ENV_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _parse_duration(value: Any) -> Any:
    """Accept ``90``, ``"90s"``, ``"15m"``, ``"2h"``, ``"1d"`` (seconds when no unit)."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=value)
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])
        raise ValueError(f"expected a duration such as '90s', '15m', '2h' or '1d', got {value!r}")
    return value


Duration = Annotated[timedelta, BeforeValidator(_parse_duration)]


def _resolve_secret(value: Any) -> Any:
    """Turn a ``${ENV_VAR}`` reference into the variable's value; refuse literal secrets."""
    if value is None or isinstance(value, SecretStr):
        return value
    if not isinstance(value, str):
        raise ValueError("expected a ${ENV_VAR} reference")
    match = _ENV_REF.match(value.strip())
    if not match:
        raise ValueError(
            "secrets are never written in the config file: give a ${ENV_VAR} reference and set "
            "that variable in the environment"
        )
    resolved = os.environ.get(match.group(1))
    return SecretStr(resolved) if resolved else None


Secret = Annotated[SecretStr | None, BeforeValidator(_resolve_secret)]
"""A credential: ``None`` when its environment variable is unset (the source is then disabled)."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceSettings(_Section):
    """What every source shares: whether it runs and how often."""

    enabled: bool = False
    interval: Duration = timedelta(minutes=15)
    max_interval: Duration = timedelta(hours=2)
    """Adaptive polling backs off up to this after errors or empty runs."""


class DemoSourceSettings(SourceSettings):
    """The simulated stream of ``listener demo``: fictional mentions, so it runs only when asked for.

    Off unless ``enabled: true`` is written (the starter config does), and stored in its own SQLite
    file (``database: own``, ``<data_dir>/demo-stream.db``) so simulated mentions never enter the
    database of real ones; ``database: shared`` stores them in ``database.url`` on purpose.
    """

    enabled: bool = False
    database: Literal["own", "shared"] = "own"
    seed: int = 42
    days: int = 7
    start: AwareDatetime | None = None
    """Pin the first instant of the simulated week; by default the week ends at today's midnight UTC."""


class RssSourceSettings(SourceSettings):
    """Plain feeds filtered by the topic matcher, and news-search feeds built from each topic's query."""

    feeds: tuple[str, ...] = ()
    news_search: tuple[str, ...] = ()
    """URL templates with ``{query}`` (and optionally ``{lang}``), e.g. a Google News RSS search."""


class HackerNewsSourceSettings(SourceSettings):
    """Hacker News through the Algolia search API."""

    base_url: str = "https://hn.algolia.com/api/v1"
    kinds: tuple[Literal["story", "comment", "poll", "show_hn", "ask_hn"], ...] = ("story", "comment")
    page_size: int = Field(default=100, ge=1, le=1000)
    max_pages: int = Field(default=5, ge=1)
    """Pages per kind and run; older items beyond them are left for no one (HN moves fast)."""


class MastodonSourceSettings(SourceSettings):
    """Mastodon hashtag timelines and search on one or more instances."""

    instances: tuple[str, ...] = ("https://mastodon.social",)
    access_token: Secret = None
    """Optional; many instances only return full-text status search to logged-in apps."""
    hashtags: tuple[str, ...] = ()
    """Hashtag timelines polled for every topic, besides the hashtags each topic's query names."""
    use_search: bool = True
    page_size: int = Field(default=40, ge=1, le=40)
    max_pages: int = Field(default=3, ge=1)


class BlueskySourceSettings(SourceSettings):
    """Bluesky post search on the public AppView."""

    base_url: str = "https://public.api.bsky.app"
    page_size: int = Field(default=25, ge=1, le=100)
    max_pages: int = Field(default=4, ge=1)
    fetch_profiles: bool = True
    """Fetch authors' follower counts (app.bsky.actor.getProfiles, 25 per call)."""


class TwitterSourceSettings(SourceSettings):
    """X/Twitter API v2 recent search through tweepy."""

    bearer_token: Secret = None
    """``${X_BEARER_TOKEN}``; without it the source is disabled with one message."""
    monthly_post_cap: int = Field(default=10_000, ge=0)
    """Posts a topic may read per calendar month (X bills the cap per post read)."""
    backfill_requests: int = Field(default=10, ge=1)
    """Pages of 100 posts a topic's first run may read going back up to 7 days."""
    max_requests_per_run: int = Field(default=20, ge=1)
    """Pages one incremental run may read before it stops and logs the gap."""
    api_url: str = "https://api.twitter.com"
    """Where tweepy's requests go (a proxy, or a loopback replay server in tests)."""


class RedditSourceSettings(SourceSettings):
    """Reddit search and subreddit listings through praw (a read-only script app)."""

    client_id: Secret = None
    """``${REDDIT_CLIENT_ID}`` of a read-only "script" app; without it the source is disabled."""
    client_secret: Secret = None
    """``${REDDIT_CLIENT_SECRET}``."""
    user_agent: str = "listener (self-hosted social listening)"
    subreddits: tuple[str, ...] = ()
    """Search each topic within these subreddits too (besides all of Reddit)."""
    watched_subreddits: tuple[str, ...] = ()
    """Read every new post and comment of these (the brand's own subreddit, say)."""
    search_all: bool = True
    """Search each topic across all of Reddit."""
    max_items_per_listing: int = Field(default=100, ge=1, le=1000)
    """Items one run reads per listing (100 per request)."""
    recheck_unavailable_s: float = Field(default=86_400.0, ge=0)
    """How long a private or banned watched subreddit is skipped before it is tried again."""
    oauth_url: str = "https://oauth.reddit.com"
    reddit_url: str = "https://www.reddit.com"


class SourcesSettings(_Section):
    """One block per connector; the key is the connector's name."""

    demo: DemoSourceSettings = DemoSourceSettings()
    rss: RssSourceSettings = RssSourceSettings()
    hackernews: HackerNewsSourceSettings = HackerNewsSourceSettings()
    mastodon: MastodonSourceSettings = MastodonSourceSettings()
    bluesky: BlueskySourceSettings = BlueskySourceSettings()
    twitter: TwitterSourceSettings = TwitterSourceSettings()
    reddit: RedditSourceSettings = RedditSourceSettings()


