"""Map praw Submission and Comment objects to listener mentions and authors.

Pure functions, no I/O. Attributes are read through ``vars()``: touching a missing attribute on a praw
object makes praw fetch it, one request per item. Unknown fields are kept in ``Mention.raw``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from listener.core.errors import SkippableItem
from listener.core.model import JSON, Author, Mention, Metrics, Reference

DELETED = "[deleted]"
"""How Reddit names an author whose account is gone."""


def _json_safe(value: Any) -> JSON:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return str(value)  # praw objects (Redditor, Subreddit) print as their name


_PRAW_ONLY = frozenset({"replies", "comment_limit", "comment_sort"})
"""Attributes praw adds to the objects it builds; not part of the payload."""


def _raw(data: Mapping[str, Any]) -> dict[str, JSON]:
    return {k: _json_safe(v) for k, v in data.items() if not k.startswith("_") and k not in _PRAW_ONLY}


def map_author(data: Mapping[str, Any], karma: Mapping[str, Mapping[str, Any]]) -> Author:
    """Map the author of a post or comment; a deleted account becomes the shared ``[deleted]`` author."""
    author = data.get("author")
    name = str(vars(author).get("name") or author) if author is not None else DELETED
    if name == DELETED:
        return Author(source="reddit", external_id=DELETED, handle=DELETED)
    fullname = str(data.get("author_fullname") or "") or None
    extra = karma.get(fullname or "", {})
    link, comment = extra.get("link_karma"), extra.get("comment_karma")
    created = extra.get("created_utc")
    return Author(
        source="reddit",
        external_id=fullname or name,
        handle=name,
        url=f"https://www.reddit.com/user/{name}",
        karma=int(link) + int(comment) if isinstance(link, int) and isinstance(comment, int) else None,
        created_at=datetime.fromtimestamp(float(created), tz=UTC) if created is not None else None,
    )


def map_item(item: Any, *, karma: Mapping[str, Mapping[str, Any]], query_id: str, now: datetime) -> Mention:
    """Map a praw Submission or Comment to a mention (conversation = the submission)."""
    data = vars(item)
    fullname = str(data.get("name") or "")
    created = data.get("created_utc")
    if not fullname or created is None:
        raise SkippableItem(f"item without fullname or creation time: {fullname or data.get('id')}")
    subreddit = str(data.get("subreddit") or "")
    permalink = data.get("permalink")
    raw = _raw(data)
    common: dict[str, Any] = {
        "source": "reddit",
        "external_id": fullname,
        "author": map_author(data, karma),
        "published_at": datetime.fromtimestamp(float(created), tz=UTC),
        "fetched_at": now,
        "query_id": query_id,
        "raw": raw,
    }
    if fullname.startswith("t1_"):
        link_id = str(data.get("link_id") or "")
        parent = str(data.get("parent_id") or "") or None
        if not permalink and link_id:
            permalink = f"/r/{subreddit}/comments/{link_id.removeprefix('t3_')}/_/{data.get('id')}/"
        return Mention(
            **common,
            text=str(data.get("body") or ""),
            url=f"https://www.reddit.com{permalink}" if permalink else None,
            metrics=Metrics(score=_int(data.get("score"))),
            in_reply_to=parent,
            conversation_id=link_id or None,
            references=(Reference(kind="reply", external_id=parent),) if parent else (),
        )
    title = str(data.get("title") or "")
    selftext = str(data.get("selftext") or "")
    link = data.get("url")
    is_self = bool(data.get("is_self"))
    references: tuple[Reference, ...] = ()
    if data.get("crosspost_parent"):
        references = (Reference(kind="repost", external_id=str(data["crosspost_parent"])),)
    return Mention(
        **common,
        text=selftext or title,
        title=title or None,
        url=f"https://www.reddit.com{permalink}" if permalink else None,
        metrics=Metrics(score=_int(data.get("score")), replies=_int(data.get("num_comments"))),
        conversation_id=fullname,
        references=references,
        links=(str(link),) if link and not is_self else (),
    )


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
