"""Read the real recordings in ../shared/data into ``Mention`` objects, at run time, for the benchmark.

A deliberately small reader (the connectors own the real mapping): it walks every JSON body of the
Twitter (academictwitteR v2 responses with ``includes.users``), Mastodon, Bluesky and Reddit
recordings and keeps the objects that look like posts with an author. Nothing is copied.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from listener.core.model import Author, Mention, Metrics, Reference, ReferenceKind

FETCHED = datetime(2026, 11, 20, tzinfo=UTC)


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _walk(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from _walk(child)
    elif isinstance(value, list):
        for child in value:
            yield from _walk(child)


def _bodies(path: Path) -> Iterator[Any]:
    text = path.read_text(encoding="utf-8", errors="replace")
    doc = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    interactions = (
        doc.get("interactions") or doc.get("http_interactions") or [] if isinstance(doc, dict) else []
    )
    for it in interactions:
        body = it.get("response", {}).get("body", {}).get("string")
        if isinstance(body, str) and body[:1] in "[{":
            try:
                yield json.loads(body)
            except ValueError:
                continue


def _twitter(folder: Path) -> list[Mention]:
    out: list[Mention] = []
    for path in sorted(folder.glob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8")).get("body")
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            continue
        includes = body.get("includes", {})
        users = {u["id"]: u for u in includes.get("users", [])}
        tweets = {t["id"]: t for t in includes.get("tweets", [])}
        for tweet in [*body["data"], *tweets.values()]:
            user = users.get(tweet.get("author_id", ""))
            if user is None or "created_at" not in tweet:
                continue
            pm = user.get("public_metrics", {})
            author = Author(
                source="twitter",
                external_id=user["id"],
                handle=user["username"],
                display_name=user.get("name"),
                followers=pm.get("followers_count"),
                posts_count=pm.get("tweet_count"),
                verified=user.get("verified"),
                created_at=_when(user["created_at"]) if "created_at" in user else None,
            )
            refs = []
            for ref in tweet.get("referenced_tweets", []):
                kind: ReferenceKind = {"replied_to": "reply", "quoted": "quote"}.get(ref["type"], "repost")  # type: ignore[assignment]
                target = tweets.get(ref["id"], {})
                refs.append(
                    Reference(kind=kind, external_id=ref["id"], author_external_id=target.get("author_id"))
                )
            tm = tweet.get("public_metrics", {})
            out.append(
                Mention(
                    source="twitter",
                    external_id=tweet["id"],
                    text=tweet.get("text", ""),
                    author=author,
                    published_at=_when(tweet["created_at"]),
                    fetched_at=FETCHED,
                    metrics=Metrics(
                        likes=tm.get("like_count"),
                        reposts=tm.get("retweet_count"),
                        replies=tm.get("reply_count"),
                        quotes=tm.get("quote_count"),
                    ),
                    references=tuple(refs),
                    mentioned_handles=tuple(
                        m["username"] for m in tweet.get("entities", {}).get("mentions", [])
                    ),
                )
            )
    return out


def _mastodon(obj: dict[str, Any]) -> Mention | None:
    account = obj.get("account")
    if not isinstance(account, dict) or "followers_count" not in account or "content" not in obj:
        return None
    if not obj.get("id") or not obj.get("created_at") or not account.get("id"):
        return None
    instance = (account.get("url") or "").split("/")[2] if account.get("url") else "local"
    author = Author(
        source="mastodon",
        external_id=f"{instance}/{account['id']}",
        handle=account["acct"],
        display_name=account.get("display_name"),
        followers=account.get("followers_count"),
        posts_count=account.get("statuses_count"),
        created_at=_when(account["created_at"]) if account.get("created_at") else None,
    )
    refs = []
    if obj.get("in_reply_to_id"):
        refs.append(
            Reference(
                kind="reply",
                external_id=obj["in_reply_to_id"],
                author_external_id=f"{instance}/{obj['in_reply_to_account_id']}",
            )
        )
    if isinstance(obj.get("reblog"), dict):
        refs.append(Reference(kind="repost", external_id=obj["reblog"]["id"]))
    return Mention(
        source="mastodon",
        external_id=obj["id"],
        text=obj.get("content") or "",
        author=author,
        published_at=_when(obj["created_at"]),
        fetched_at=FETCHED,
        metrics=Metrics(
            likes=obj.get("favourites_count"),
            reposts=obj.get("reblogs_count"),
            replies=obj.get("replies_count"),
        ),
        references=tuple(refs),
        mentioned_handles=tuple(m["acct"] for m in obj.get("mentions", [])),
        raw={"account": {"bot": account.get("bot")}},
    )


def _bluesky(obj: dict[str, Any]) -> Mention | None:
    author, record = obj.get("author"), obj.get("record")
    if (
        not isinstance(author, dict)
        or not isinstance(record, dict)
        or "uri" not in obj
        or "did" not in author
    ):
        return None
    if "createdAt" not in record:
        return None
    refs = []
    parent = (record.get("reply") or {}).get("parent", {}).get("uri")
    if parent:
        refs.append(Reference(kind="reply", external_id=parent, author_external_id=parent.split("/")[2]))
    return Mention(
        source="bluesky",
        external_id=obj["uri"],
        text=record.get("text", ""),
        fetched_at=FETCHED,
        author=Author(
            source="bluesky",
            external_id=author["did"],
            handle=author["handle"],
            display_name=author.get("displayName"),
            followers=author.get("followersCount"),
        ),
        published_at=_when(record["createdAt"]),
        metrics=Metrics(
            likes=obj.get("likeCount"),
            reposts=obj.get("repostCount"),
            replies=obj.get("replyCount"),
            quotes=obj.get("quoteCount"),
        ),
        references=tuple(refs),
    )


def _reddit(obj: dict[str, Any]) -> Mention | None:
    if obj.get("kind") not in {"t1", "t3"} or not isinstance(obj.get("data"), dict):
        return None
    d = obj["data"]
    if not d.get("author") or d["author"] == "[deleted]" or "created_utc" not in d:
        return None
    refs = []
    if obj["kind"] == "t1" and d.get("parent_id"):
        refs.append(Reference(kind="reply", external_id=d["parent_id"].split("_", 1)[-1]))
    return Mention(
        source="reddit",
        external_id=d["id"],
        text=d.get("body") or d.get("title") or "",
        fetched_at=FETCHED,
        author=Author(source="reddit", external_id=d["author"], handle=d["author"]),
        published_at=datetime.fromtimestamp(float(d["created_utc"]), tz=UTC),
        metrics=Metrics(score=d.get("score"), replies=d.get("num_comments")),
        references=tuple(refs),
    )


def load_recorded_mentions(data_dir: Path) -> list[Mention]:
    """Return every post with an author found in the recordings, deduplicated by identity."""
    found: dict[tuple[str, str], Mention] = {}
    if not data_dir.is_dir():
        return []
    for m in _twitter(data_dir / "twitter" / "academictwitteR_v2_responses"):
        found[m.key] = m
    readers = (
        ("mastodon", _mastodon, "*.yaml"),
        ("bluesky", _bluesky, "*.yml"),
        ("reddit", _reddit, "*.json"),
    )
    for folder, reader, pattern in readers:
        for path in sorted((data_dir / folder).rglob(pattern)):
            for body in _bodies(path):
                for obj in _walk(body):
                    m = reader(obj)
                    if m is not None:
                        found.setdefault(m.key, m)
    return list(found.values())
