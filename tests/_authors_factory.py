"""Small builders for hand-made conversations used by the author and influence tests (our own words)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from listener.core.model import Author, Mention, Metrics, Reference, ReferenceKind

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def author(
    name: str,
    *,
    source: str = "twitter",
    followers: int | None = None,
    karma: int | None = None,
    created_days_ago: float | None = None,
) -> Author:
    """Return an author whose external id and handle are ``name``."""
    created = NOW - timedelta(days=created_days_ago) if created_days_ago is not None else None
    return Author(
        source=source,
        external_id=name,
        handle=name,
        display_name=name.title(),
        followers=followers,
        karma=karma,
        created_at=created,
    )


def mention(
    mid: str,
    who: Author,
    *,
    text: str = "a post",
    hours_ago: float = 1.0,
    likes: int | None = None,
    reposts: int | None = None,
    replies: int | None = None,
    score: int | None = None,
    reply_to: Mention | None = None,
    repost_of: Mention | None = None,
    quote_of: Mention | None = None,
    handles: tuple[str, ...] = (),
    topics: tuple[str, ...] = ("brand",),
) -> Mention:
    """Return a mention by ``who``; references name the addressed author as Twitter does."""
    refs: list[Reference] = []
    kinds: tuple[tuple[ReferenceKind, Mention | None], ...] = (
        ("reply", reply_to),
        ("repost", repost_of),
        ("quote", quote_of),
    )
    for kind, other in kinds:
        if other is not None:
            addressed = other.author.external_id
            refs.append(Reference(kind=kind, external_id=other.external_id, author_external_id=addressed))
    at = NOW - timedelta(hours=hours_ago)
    return Mention(
        source=who.source,
        external_id=mid,
        text=text,
        author=who,
        published_at=at,
        fetched_at=NOW,
        metrics=Metrics(likes=likes, reposts=reposts, replies=replies, score=score),
        in_reply_to=reply_to.external_id if reply_to else None,
        references=tuple(refs),
        mentioned_handles=handles,
        topics=topics,
    )
