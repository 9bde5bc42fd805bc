"""Feed throughput: items/s from raw feed bytes to mentions, split into parsing, mapping and storage.

Runs over every real feed in ../shared/data/feeds (real-world feeds and feedparser's test documents)
through the same code the RSS connector uses: ``connectors.rss.parse_feed`` (feedparser on bytes with
the HTTP headers) and ``entry_to_mention`` / ``html_to_text`` (mapping), then ``upsert_batch`` into a
fresh SQLite file per round, one batch per feed as a collection run does (storage).
The baseline, measured in the same run, is feedparser alone on the same bytes, so the ratio shows our
overhead independent of the machine's speed. Run: ``python benchmarks/feeds.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import feedparser  # noqa: E402

from connectors._http import Response  # noqa: E402
from connectors.rss import entry_to_mention, parse_feed  # noqa: E402
from listener.core.errors import SkippableItem  # noqa: E402
from listener.core.model import Batch, Mention, Query  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "feeds"
QUERY = Query(id="bench", name="Bench", expression="bench")


def _feeds() -> list[tuple[str, bytes]]:
    suffixes = {".xml", ".rss", ".atom", ".json"}
    paths = sorted(p for p in DATA.rglob("*") if p.is_file() and p.suffix in suffixes)
    return [(p.name, p.read_bytes()) for p in paths]


def _storage() -> Any | None:
    try:
        storage = importlib.import_module("storage")
        repository_class = storage.Repository
    except (ImportError, AttributeError):
        return None
    folder = tempfile.mkdtemp(prefix="listener-bench-")
    repository = repository_class.from_url(f"sqlite:///{folder}/bench.db")
    repository.upgrade()
    return repository


def main() -> None:
    """Measure and print throughput and the time split."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    feeds = _feeds()
    if not feeds:
        raise SystemExit(f"no feeds under {DATA}")
    has_storage = _storage() is not None
    parse_s = map_s = store_s = baseline_s = 0.0
    items = 0
    fetched_at = datetime.now(UTC)
    for _ in range(args.rounds):
        repository = _storage() if has_storage else None  # a fresh database per round (not timed)
        for name, body in feeds:
            started = time.perf_counter()
            feedparser.parse(body)
            baseline_s += time.perf_counter() - started

            headers = {"content-type": "application/xml"}
            response = Response(200, f"http://feeds.example/{name}", headers, body)
            started = time.perf_counter()
            parsed = parse_feed(response)
            parse_s += time.perf_counter() - started

            started = time.perf_counter()
            mentions: list[Mention] = []
            for entry in parsed.get("entries", []):
                try:
                    mentions.append(
                        entry_to_mention(entry, parsed.get("feed", {}), response.url, QUERY, fetched_at)
                    )
                except SkippableItem:
                    continue
            map_s += time.perf_counter() - started
            items += len(mentions)

            if repository is not None:
                started = time.perf_counter()
                repository.upsert_batch(
                    Batch(mentions=tuple(mentions), next_cursor=None), source="rss", query_id=QUERY.id
                )
                store_s += time.perf_counter() - started
    total = parse_s + map_s + store_s
    print(f"feeds: {len(feeds)} files, {items // args.rounds} items per round, {args.rounds} rounds")
    path = "bytes -> mentions -> stored" if has_storage else "bytes -> mentions"
    print(f"throughput ({path}): {items / total:,.0f} items/s")
    print(f"  parsing : {parse_s:7.3f}s  {100 * parse_s / total:5.1f}%")
    print(f"  mapping : {map_s:7.3f}s  {100 * map_s / total:5.1f}%")
    if has_storage:
        share = 100 * store_s / total
        print(f"  storage : {store_s:7.3f}s  {share:5.1f}%  (SQLite file, one batch per feed)")
    else:
        print("  storage : not measured (the storage package has no Repository on this branch)")
    print(
        f"baseline feedparser.parse alone: {items / baseline_s:,.0f} items/s; "
        f"ours parse+map is {(parse_s + map_s) / baseline_s:.2f}x its time"
    )


if __name__ == "__main__":
    main()
