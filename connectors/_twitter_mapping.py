"""Map X API v2 tweet and user objects (with a page's ``includes``) to listener mentions and authors.

Pure functions, no I/O: the connector (``connectors.twitter``) pages and calls them. Unknown fields
are ignored here and kept in ``Mention.raw``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from listener.core.errors import SkippableItem
from listener.core.model import Author, Mention, Metrics, Reference, ReferenceKind

_REFERENCE_KINDS: Mapping[str, ReferenceKind] = {
    "replied_to": "reply",
    "quoted": "quote",
    "retweeted": "repost",
}
_TWITTER_EPOCH_MS = 1288834974657
"""Snowflake ids carry their creation time in milliseconds since this instant."""


def snowflake_time(tweet_id: str) -> datetime:
    """Return the creation time encoded in a tweet id (used when ``created_at`` is missing)."""
    return datetime.fromtimestamp(((int(tweet_id) >> 22) + _TWITTER_EPOCH_MS) / 1000, tz=UTC)


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def map_tweet(
    tweet: Any,
    *,
    users: Mapping[str, Mapping[str, Any]],
    tweets: Mapping[str, Mapping[str, Any]],
    query_id: str | None,
    now: datetime,
) -> Mention:
    """Map one v2 tweet object (with the page's ``includes``) to a mention; unknown fields are kept in raw."""
    if not isinstance(tweet, dict) or not str(tweet.get("id", "")).isdigit():
        raise SkippableItem("post without a numeric id")
    tweet_id = str(tweet["id"])
    author_id = tweet.get("author_id")
    if not author_id:
        raise SkippableItem(f"post {tweet_id} has no author_id (was author_id requested?)")
    author = map_user(str(author_id), users.get(str(author_id)))
    text, entities = _full_text(tweet, users=users, tweets=tweets)
    references = []
    in_reply_to = None
    for ref in tweet.get("referenced_tweets") or []:
        kind = _REFERENCE_KINDS.get(str(ref.get("type")))
        ref_id = str(ref.get("id", ""))
        if kind is None or not ref_id:
            continue
        ref_author = (tweets.get(ref_id) or {}).get("author_id")
        references.append(Reference(kind=kind, external_id=ref_id, author_external_id=ref_author))
        if kind == "reply":
            in_reply_to = ref_id
    metrics = tweet.get("public_metrics") or {}
    return Mention(
        source="twitter",
        external_id=tweet_id,
        text=text,
        author=author,
        published_at=_parse_time(tweet.get("created_at")) or snowflake_time(tweet_id),
        fetched_at=now,
        url=f"https://x.com/{author.handle}/status/{tweet_id}"
        if author.handle != author.external_id
        else f"https://x.com/i/web/status/{tweet_id}",
        lang=tweet.get("lang") if tweet.get("lang") not in (None, "und", "qme", "zxx") else None,
        metrics=Metrics(
            likes=_int_or_none(metrics.get("like_count")),
            reposts=_int_or_none(metrics.get("retweet_count")),
            replies=_int_or_none(metrics.get("reply_count")),
            quotes=_int_or_none(metrics.get("quote_count")),
            views=_int_or_none(metrics.get("impression_count")),
        ),
        in_reply_to=in_reply_to,
        conversation_id=str(tweet["conversation_id"]) if tweet.get("conversation_id") else None,
        references=tuple(references),
        hashtags=tuple(str(h.get("tag")) for h in entities.get("hashtags") or [] if h.get("tag")),
        mentioned_handles=tuple(
            str(m.get("username")) for m in entities.get("mentions") or [] if m.get("username")
        ),
        links=tuple(
            str(u.get("unwound_url") or u.get("expanded_url") or u.get("url"))
            for u in entities.get("urls") or []
            if u.get("unwound_url") or u.get("expanded_url") or u.get("url")
        ),
        query_id=query_id,
        raw=tweet,
    )


def _full_text(
    tweet: Mapping[str, Any],
    *,
    users: Mapping[str, Mapping[str, Any]],
    tweets: Mapping[str, Mapping[str, Any]],
) -> tuple[str, dict[str, list[Any]]]:
    """Return a post's text and entities; a retweet gets its original's full text and entities.

    X truncates a retweet's own ``text`` ("RT @user: ...…") and its entities with it; the original,
    expanded in ``includes.tweets``, carries what the topic matcher needs (X itself matched on it).
    """
    text = str(tweet.get("text") or "")
    entities: dict[str, list[Any]] = {
        k: list(v) for k, v in (tweet.get("entities") or {}).items() if isinstance(v, list)
    }
    for ref in tweet.get("referenced_tweets") or []:
        original = tweets.get(str(ref.get("id", "")))
        if ref.get("type") != "retweeted" or not original or not original.get("text"):
            continue
        handle = (users.get(str(original.get("author_id", ""))) or {}).get("username")
        text = f"RT @{handle}: {original['text']}" if handle else str(original["text"])
        for kind, items in (original.get("entities") or {}).items():
            if isinstance(items, list):
                known = entities.setdefault(kind, [])
                known.extend(item for item in items if item not in known)
    return text, entities


def map_user(author_id: str, user: Mapping[str, Any] | None) -> Author:
    """Map an ``includes.users`` entry; a missing one (suspended, deleted) leaves the id as handle."""
    if user is None:
        return Author(source="twitter", external_id=author_id, handle=author_id)
    metrics = user.get("public_metrics") or {}
    handle = str(user.get("username") or author_id)
    verified = user.get("verified")
    return Author(
        source="twitter",
        external_id=author_id,
        handle=handle,
        display_name=user.get("name"),
        url=f"https://x.com/{handle}" if handle != author_id else None,
        followers=_int_or_none(metrics.get("followers_count")),
        following=_int_or_none(metrics.get("following_count")),
        posts_count=_int_or_none(metrics.get("tweet_count")),
        verified=verified if isinstance(verified, bool) else None,
        created_at=_parse_time(user.get("created_at")),
    )
