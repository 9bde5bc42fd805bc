"""Measure echo grouping on real recorded posts: precision per Jaccard threshold, on hand-labelled pairs.

Posts are read at run time from ../shared/data (never copied): Twitter v2 responses (retweets and
quotes with their originals), the Sanders brand tweets and complaint tweets (full of retweets), Mastodon
and Bluesky recordings mapped by our connectors, Reddit listings, Hacker News hits and real-world
feeds (Google Alerts, Reddit RSS/Atom, Guardian, TechCrunch...).

``benchmarks/echo_labels.json`` holds our labels as ``[key_a, key_b, is_echo, sample]`` with keys
``"source:external_id"`` (ids only, never texts), labelled by reading both posts: an echo repeats the
same message (retweet, quote of it, copy, syndicated or truncated version, cross-post); a reply, a
different post from the same template ("New on CRAN: <package>"), or another post on the same story
is not one. Two samples:

* ``band``: 10 pairs from each similarity band 0.2-0.3 ... 0.9-1.0 (exact Jaccard of word *bigrams*,
  the first shingling tried) among LSH candidates; used to choose the shingling and the threshold.
* ``group``: 60 ``(canonical, echo)`` pairs drawn at random from the final grouping (word trigrams,
  handles dropped, threshold 0.5), labelled afterwards: the precision of grouping we report.

    /work/venv/bin/python benchmarks/echoes.py            # precision per threshold, grouping stats
    /work/venv/bin/python benchmarks/echoes.py --sample   # print unlabelled pairs to label (local use)
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.echoes import (  # noqa: E402
    DEFAULT_THRESHOLD,
    MIN_TOKENS,
    _words,
    group_echoes,
    is_template_variant,
    near_duplicate_pairs,
)
from connectors import bluesky, hackernews, mastodon, rss  # noqa: E402
from listener.core.errors import SkippableItem  # noqa: E402
from listener.core.model import Author, Mention, Query, Reference  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
LABELS = Path(__file__).with_name("echo_labels.json")
QUERY = Query(id="echoes", name="echoes", expression="echo")
FETCHED = datetime(2026, 1, 1, tzinfo=UTC)
_KINDS = {"retweeted": "repost", "quoted": "quote", "replied_to": "reply"}


def key_text(key: tuple[str, str]) -> str:
    """Return ``"source:external_id"``."""
    return f"{key[0]}:{key[1]}"


def _when(value: str | None) -> datetime:
    if not value:
        return FETCHED
    for fmt in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z", "%a %b %d %H:%M:%S %z %Y"):
        try:
            return datetime.strptime(value.replace("Z", "+0000"), fmt).astimezone(UTC)
        except ValueError:
            continue
    return FETCHED


def _tweet(item: Mapping[str, Any]) -> Mention:
    refs = tuple(Reference(kind=_KINDS[r["type"]], external_id=str(r["id"]))  # type: ignore[arg-type]
                 for r in item.get("referenced_tweets", ()) if r.get("type") in _KINDS)
    author = str(item.get("author_id", "unknown"))
    return Mention(source="twitter", external_id=str(item["id"]), text=item.get("text", ""),
                   author=Author(source="twitter", external_id=author, handle=author),
                   published_at=_when(item.get("created_at")), fetched_at=FETCHED, references=refs)


def twitter_posts(data: Path) -> Iterator[Mention]:
    """Tweets and their included originals from the academictwitteR v2 responses."""
    for path in sorted((data / "twitter/academictwitteR_v2_responses").glob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8")).get("body")
        if not isinstance(body, dict):
            continue
        items = body.get("data") if isinstance(body.get("data"), list) else []
        items += (body.get("includes") or {}).get("tweets", [])
        for item in items:
            if isinstance(item, dict) and "text" in item:
                yield _tweet(item)


def csv_tweets(data: Path) -> Iterator[Mention]:
    """Sanders brand tweets (with dates) and complaint tweets (without)."""
    path = data / "sentiment/sanders_twitter_brands_en/full-corpus.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            yield _tweet({"id": row["TweetId"], "text": row["TweetText"], "created_at": row["TweetDate"]})
    path = data / "sentiment/complaints_twitter_en/complaints-data.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) >= 2:
                yield _tweet({"id": row[0], "text": row[1]})


def _bodies(path: Path) -> Iterator[Any]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    for item in raw.get("interactions") or raw.get("http_interactions") or []:
        body = item.get("response", {}).get("body", {})
        text = body.get("string") if isinstance(body, dict) else body
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        if isinstance(text, str) and text[:1] in "[{":
            try:
                yield json.loads(text)
            except json.JSONDecodeError:
                continue


def _walk(value: Any, wanted: str) -> Iterator[Mapping[str, Any]]:
    """Yield every mapping nested in ``value`` that has the key ``wanted``."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if wanted in item:
                yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def mastodon_posts(data: Path) -> Iterator[Mention]:
    """Statuses and boosts from the Mastodon.py cassettes, mapped by our connector."""
    for folder, instance in (("localhost_instance", "localhost"), ("mastodon_social", "mastodon.social")):
        for path in sorted((data / "mastodon/cassettes" / folder).glob("*.yaml")):
            for body in _bodies(path):
                for status in _walk(body, "content"):
                    if "account" in status and "id" in status:
                        try:
                            yield mastodon.status_to_mention(status, instance, QUERY, FETCHED)
                        except (SkippableItem, KeyError, TypeError, ValueError):
                            continue


def bluesky_posts(data: Path) -> Iterator[Mention]:
    """Posts from the bskyr cassettes, mapped by our connector."""
    for path in sorted((data / "bluesky/bskyr_vcr_cassettes").glob("*.yml")):
        for body in _bodies(path):
            for post in _walk(body, "record"):
                if "uri" in post and "author" in post:
                    try:
                        yield bluesky.post_to_mention(post, QUERY, FETCHED)
                    except (SkippableItem, KeyError, TypeError, ValueError):
                        continue


def reddit_posts(data: Path) -> Iterator[Mention]:
    """Submissions and comments from the praw cassettes."""
    for path in sorted((data / "reddit/cassettes").glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        for item in raw.get("interactions", []):
            text = item.get("response", {}).get("body", {}).get("string", "")
            if not text or text[:1] not in "[{":
                continue
            try:
                body = json.loads(text)
            except json.JSONDecodeError:
                continue
            for thing in _walk(body, "kind"):
                post = thing.get("data")
                if thing.get("kind") not in ("t1", "t3") or not isinstance(post, dict) or "id" not in post:
                    continue
                author = str(post.get("author") or "[deleted]")
                yield Mention(source="reddit", external_id=f"{thing['kind']}_{post['id']}",
                              title=post.get("title"), text=post.get("selftext") or post.get("body") or "",
                              url=post.get("url"), author=Author(source="reddit", external_id=author,
                                                                 handle=author),
                              published_at=datetime.fromtimestamp(float(post.get("created_utc") or 0), UTC),
                              fetched_at=FETCHED)


def hackernews_posts(data: Path) -> Iterator[Mention]:
    """Hits from the Algolia fixtures, mapped by our connector."""
    path = data / "hackernews/algolia_v1_node-hacker-news-api/fixtures.json"
    for item in json.loads(path.read_text(encoding="utf-8")):
        for hit in (item.get("reply") or {}).get("hits", []):
            try:
                yield hackernews.hit_to_mention(hit, QUERY, FETCHED)
            except (SkippableItem, KeyError, TypeError, ValueError):
                continue


def feed_posts(data: Path) -> Iterator[Mention]:
    """Entries of the real-world feeds, mapped by our RSS connector."""
    for path in sorted((data / "feeds/realworld").glob("*/*")):
        if path.suffix not in (".xml", ".rss", ".atom"):
            continue
        parsed = feedparser.parse(path.read_bytes())
        url = f"https://feeds.example/{path.parent.name}/{path.name}"
        for entry in parsed.entries:
            try:
                yield rss.entry_to_mention(entry, parsed.feed, url, QUERY, FETCHED)
            except (SkippableItem, KeyError, TypeError, ValueError):
                continue


def load_posts(data: Path = DATA) -> list[Mention]:
    """Return every real post we can read, one per key."""
    posts: dict[tuple[str, str], Mention] = {}
    for loader in (twitter_posts, csv_tweets, mastodon_posts, bluesky_posts, reddit_posts, hackernews_posts,
                   feed_posts):
        for mention in loader(data):
            posts.setdefault(mention.key, mention)
    return list(posts.values())


def load_labels(path: Path = LABELS) -> dict[frozenset[str], bool]:
    """Return our labels keyed by the unordered pair of ``source:external_id`` keys."""
    if not path.exists():
        return {}
    rows = json.loads(path.read_text(encoding="utf-8"))
    return {frozenset((a, b)): bool(is_echo) for a, b, is_echo, _ in rows}


def group_sample(path: Path = LABELS) -> list[tuple[str, str, bool]]:
    """Return the labels of the random sample of (canonical, echo) pairs drawn from the grouping."""
    rows = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    return [(a, b, bool(is_echo)) for a, b, is_echo, sample in rows if sample == "group"]


def _band(score: float) -> str:
    low = min(int(score * 10), 9) / 10
    return f"{low:.1f}-{low + 0.1:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample", type=int, default=0, help="print N unlabelled candidate pairs per band")
    parser.add_argument("--sample-groups", type=int, default=0,
                        help="print N unlabelled (canonical, echo) pairs drawn at random from the grouping")
    args = parser.parse_args()
    posts = load_posts()
    by_key = {key_text(m.key): m for m in posts}
    print(f"{len(posts)} real posts loaded")
    started = time.perf_counter()
    pairs = near_duplicate_pairs(posts, threshold=0.2, check_templates=False)
    print(f"{len(pairs)} candidate pairs with Jaccard >= 0.2 ({time.perf_counter() - started:.1f} s)")
    labels = load_labels()

    if args.sample:
        rng = random.Random(7)
        bands: dict[str, list[tuple[str, str, float]]] = {}
        for a, b, score in pairs:
            if frozenset((key_text(a), key_text(b))) not in labels:
                bands.setdefault(_band(score), []).append((key_text(a), key_text(b), score))
        for band in sorted(bands):
            for a, b, score in rng.sample(bands[band], min(args.sample, len(bands[band]))):
                print(f"\n### {band} {score:.2f} {json.dumps([a, b])}")
                print("A:", by_key[a].title or "", "|", by_key[a].text[:300].replace("\n", " "))
                print("B:", by_key[b].title or "", "|", by_key[b].text[:300].replace("\n", " "))
        return

    scored = [(score, labels[frozenset((key_text(a), key_text(b)))],
               is_template_variant(_words(by_key[key_text(a)]), _words(by_key[key_text(b)])))
              for a, b, score in pairs if frozenset((key_text(a), key_text(b))) in labels]
    print(f"{len(labels)} labelled pairs, {len(scored)} of them among the candidates")
    print("exact Jaccard of word trigrams (handles dropped); P/R without and with the template check")
    print("threshold  kept  echoes  precision  recall  | kept  echoes  precision  recall")
    positives = sum(1 for _, is_echo, _ in scored if is_echo)
    for threshold in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        row = f"  {threshold:.1f}   "
        for use_check in (False, True):
            kept = [is_echo for score, is_echo, template in scored
                    if score >= threshold and not (use_check and template)]
            hits = sum(kept)
            precision = hits / len(kept) if kept else float("nan")
            row += f"  {len(kept):4d}  {hits:5d}     {precision:5.2f}    {hits / positives:5.2f}  |"
        print(row.rstrip("|"))

    started = time.process_time()
    groups = group_echoes(posts)
    elapsed = time.process_time() - started
    members = [(key_text(g.canonical_key), key_text(k)) for g in groups for k in g.member_keys]
    if args.sample_groups:
        rng = random.Random(11)
        fresh = [p for p in members if frozenset(p) not in labels and p[1] in by_key and p[0] in by_key]
        for a, b in rng.sample(fresh, min(args.sample_groups, len(fresh))):
            print(f"\n### group {json.dumps([a, b])}")
            print("A:", by_key[a].title or "", "|", by_key[a].text[:300].replace("\n", " "))
            print("B:", by_key[b].title or "", "|", by_key[b].text[:300].replace("\n", " "))
        return
    grouped = {frozenset(p) for p in members}
    judged = [is_echo for a, b, is_echo in group_sample() if frozenset((a, b)) in grouped]
    print(f"group_echoes(threshold={DEFAULT_THRESHOLD}, min_tokens={MIN_TOKENS}): {len(groups)} groups, "
          f"{len(members)} echoes among {len(posts)} posts in {elapsed:.1f} s of CPU")
    by_reference = sum(1 for m in posts if any(r.kind in ("repost", "quote") for r in m.references))
    print(f"posts carrying a repost/quote reference: {by_reference}")
    if judged:
        print("grouping precision on the random sample of (canonical, echo) pairs: "
              f"{sum(judged)}/{len(judged)} = {sum(judged) / len(judged):.2f}")


if __name__ == "__main__":
    main()
