"""Speed of trends at scale: rising terms over 1M mentions, a year's series at 1M mentions.

1. Rising terms. A window of 1,000,000 mentions (plus three baseline windows of 100,000) made of real
   tweets from ../shared/data (XLM-T French and English, TweetEval), 200,000 authors. Two cases:
   the real texts as they are (about 26,000 distinct texts, so repeated texts reuse their terms, as
   reposts do), and every text made distinct (a number appended: the worst case, each one folded
   and cut into terms). Baseline in the same run: counting plain whitespace words with a Counter.
   Then the same mentions stored in a SQLite file and read through the term index (what the CLI and
   the API use since #17's API work): the one-time cost of indexing (each mention tokenised once,
   as the trends step does when mentions arrive), then ``rising_for`` timed, beside the text path
   (``rising_terms`` over the same mentions in memory) in the same run, with the ratio.
2. Series. 1,000,000 mentions over 365 days (3 topics, 3 sources, 2 languages, sentiments) written
   into a SQLite file with raw ``executemany`` (not timed), then the rollups built once by
   ``Repository.refresh_rollups`` (timed), then the series read (timed, median of 5): a year per day
   and per hour for one topic, and share of voice for the three. Baseline in the same run: the same
   per-day counts with a GROUP BY over the mentions table.

    python benchmarks/trends_speed.py [--data ../shared/data] [--mentions 1000000] [--skip-rising]
        [--skip-indexed] [--no-text-path] [--skip-series]
"""

from __future__ import annotations

import argparse
import gc
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis import datasets  # noqa: E402
from analysis.rising import rising_terms  # noqa: E402
from analysis.trend_input import TrendMention  # noqa: E402
from analysis.trends import share_of_voice  # noqa: E402

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def texts_of(root: Path) -> list[str]:
    rows = [
        e.text
        for lang in ("english", "french")
        for split in ("train", "val")
        for e in datasets.xlmt(root, lang, split)
    ]
    rows += [
        e.text for task in ("emotion", "irony", "offensive") for e in datasets.tweeteval(root, task, "train")
    ]
    return [t for t in rows if t.strip()]


def rising_speed(texts: list[str], n: int) -> None:
    rng = random.Random(0)
    day = timedelta(days=1)
    for distinct in (False, True):
        mentions: list[TrendMention] = []
        for k in range(n + 300_000):
            at = (
                NOW - day + timedelta(seconds=rng.randrange(86_400))
                if k < n
                else NOW - day * (2 + (k - n) // 100_000) + timedelta(seconds=rng.randrange(86_400))
            )
            text = texts[rng.randrange(len(texts))]
            mentions.append(
                TrendMention(
                    id=k,
                    text=f"{text} {k}" if distinct else text,
                    published_at=at,
                    author=f"u{rng.randrange(200_000)}",
                )
            )
        start = time.perf_counter()
        answer = rising_terms(mentions, now=NOW, window=day, baseline_windows=3)
        took = time.perf_counter() - start
        start = time.perf_counter()
        words: Counter[str] = Counter()
        for m in mentions:
            words.update(set(m.text.lower().split()))
        plain = time.perf_counter() - start
        label = "every text distinct" if distinct else "real texts, repeats kept"
        print(
            f"rising terms, window of {n:,} mentions + 300,000 baseline ({label}): {took:.1f} s "
            f"(target < 10 s), {answer.status}, {len(answer.terms)} terms; "
            f"baseline plain word count {plain:.1f} s (ratio {took / plain:.1f}x)"
        )


def _generated(texts: list[str], n: int, rng: random.Random) -> list[TrendMention]:
    day = timedelta(days=1)
    out: list[TrendMention] = []
    for k in range(n + 3 * max(n // 10, 1)):
        at = (
            NOW - day + timedelta(seconds=rng.randrange(86_400))
            if k < n
            else NOW - day * (2 + (k - n) // max(n // 10, 1)) + timedelta(seconds=rng.randrange(86_400))
        )
        text = texts[rng.randrange(len(texts))]
        author = f"{rng.randrange(200_000) + 1}"
        out.append(TrendMention(id=k + 1, text=f"{text} {k}", published_at=at, author=author))
    return out


def _store_generated(path: Path, mentions: list[TrendMention]) -> None:
    con = sqlite3.connect(path)
    con.executemany(
        "INSERT INTO authors (id, source, external_id, handle, followers, first_seen_at, last_seen_at) "
        "VALUES (?,?,?,?,?,?,?)",
        [(i, "bench", f"u{i}", f"u{i}", i % 1000, "2026-01-01 00:00:00", "2026-01-01 00:00:00")
         for i in range(1, 200_001)],
    )
    rows, topics = [], []
    for m in mentions:
        at = m.published_at.strftime("%Y-%m-%d %H:%M:%S.000000")
        rows.append((m.id, "twitter", f"m{m.id}", int(m.author), m.text, "x", "en", at, at, at, at,
                     "[]", "[]", "[]", "[]", "{}", None, "[]"))
        topics.append((m.id, "lumio", "[]"))
        if len(rows) == 100_000:
            _flush(con, rows, topics)
    _flush(con, rows, topics)
    con.commit()
    con.close()


def rising_indexed_speed(texts: list[str], n: int, *, with_text_path: bool, keep: Path | None) -> None:
    from listener import trends_report
    from listener.core.clock import fixed
    from storage import Repository

    day = timedelta(days=1)
    baseline = 3 * max(n // 10, 1)
    with tempfile.TemporaryDirectory() as scratch:
        folder = keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"rising-{n}.db"
        seeded = path.exists()
        repo = Repository.from_url(f"sqlite:///{path}", clock=fixed(NOW))
        repo.upgrade()
        if not seeded:
            _store_generated(path, _generated(texts, n, random.Random(0)))
        gc.collect()  # the generated mentions are gone: time what a server process holds, not them
        t0 = time.perf_counter()
        indexed = trends_report.refresh_term_index(repo)
        index_s = time.perf_counter() - t0
        runs = []
        for _ in range(3):  # median of three: the machine is shared
            t0, c0 = time.perf_counter(), time.process_time()
            answer, _ = trends_report.rising_for(
                repo, "lumio", now=NOW, window=day, baseline_windows=3, refresh=False  # the API: read only
            )
            runs.append((time.perf_counter() - t0, time.process_time() - c0))
        read_s, read_cpu = sorted(runs)[1]
        t0, c0 = time.perf_counter(), time.process_time()
        by_index = _index_path(repo, day)
        index_path_s, index_cpu = time.perf_counter() - t0, time.process_time() - c0
        repo.close()
    same_index = [(t.term, t.count, t.mention_ids) for t in by_index.terms] == [
        (t.term, t.count, t.mention_ids) for t in answer.terms
    ]
    line = (
        f"rising terms from the per-day term counts, window of {n:,} + {baseline:,} baseline (every "
        f"text distinct): {read_s:.1f} s, median of 3 (CPU {read_cpu:.1f} s; target < 10 s), "
        f"{answer.status}, {len(answer.terms)} terms; baseline in the same run, the term index path: "
        f"{index_path_s:.1f} s (CPU {index_cpu:.1f} s; ratio "
        f"{index_path_s / read_s:.1f}x), same terms, counts and mentions {same_index}; indexing the "
        f"new mentions ({indexed:,}; once each, as they arrive) and counting their days: {index_s:.1f} s"
    )
    if with_text_path:
        mentions = _generated(texts, n, random.Random(0))
        t0 = time.perf_counter()
        plain = rising_terms(mentions, now=NOW, window=day, baseline_windows=3)
        text_s = time.perf_counter() - t0
        same = [t.term for t in plain.terms] == [t.term for t in answer.terms]
        line += f"; text path, same run: {text_s:.1f} s (ratio {text_s / read_s:.1f}x), same terms {same}"
    print(line, flush=True)


def _index_path(repo: Any, day: timedelta) -> Any:
    """Rising terms read from the term index (every (mention, term) pair), as before the day counts."""
    from analysis.rising_index import IndexedMentions, Lookups, rising_indexed

    index = repo.term_index()
    rows = index.window("lumio", NOW - 4 * day, NOW)
    entries = IndexedMentions(
        mention_ids=rows.mention_ids, author_ids=rows.author_ids, published_us=rows.published_us,
        sizes=rows.sizes, keys=rows.keys,
    )
    return rising_indexed(
        entries, now=NOW, lookups=Lookups(texts=index.texts, author_reach=index.author_reach), window=day,
        baseline_windows=3,
    )


def build_db(path: Path, n: int) -> None:
    rng = random.Random(1)
    con = sqlite3.connect(path)
    authors = [
        (
            i,
            "bench",
            f"a{i}",
            f"a{i}",
            rng.choice([None, 10, 100, 1000, 50_000]),
            "2026-01-01 00:00:00",
            "2026-01-01 00:00:00",
        )
        for i in range(1, 20_001)
    ]
    con.executemany(
        "INSERT INTO authors (id, source, external_id, handle, followers, first_seen_at, "
        "last_seen_at) VALUES (?,?,?,?,?,?,?)",
        authors,
    )
    start = NOW - timedelta(days=365)
    rows, topics = [], []
    for i in range(1, n + 1):
        at = (start + timedelta(seconds=rng.randrange(365 * 86_400))).strftime("%Y-%m-%d %H:%M:%S.000000")
        sentiment = rng.choice(["negative", "neutral", "positive", None])
        rows.append(
            (
                i,
                rng.choice(["twitter", "reddit", "rss"]),
                f"m{i}",
                rng.randrange(1, 20_001),
                "text",
                "text",
                rng.choice(["fr", "en"]),
                at,
                at,
                at,
                at,
                "[]",
                "[]",
                "[]",
                "[]",
                "{}",
                sentiment,
                '["complaint"]' if sentiment == "negative" and rng.random() < 0.5 else "[]",
            )
        )
        topics.append((i, rng.choice(["lumio", "lumio", "ondea", "fibrix"]), "[]"))
        if len(rows) == 100_000:
            _flush(con, rows, topics)
    _flush(con, rows, topics)
    con.commit()
    con.close()


def _flush(con: sqlite3.Connection, rows: list[tuple[object, ...]], topics: list[tuple[object, ...]]) -> None:
    con.executemany(
        "INSERT INTO mentions (id, source, external_id, author_id, text, search_text, lang, "
        'published_at, fetched_at, first_seen_at, updated_at, "references", hashtags, '
        "mentioned_handles, links, raw, sentiment, intents) VALUES "
        "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    con.executemany("INSERT INTO mention_topics (mention_id, topic_id, terms) VALUES (?,?,?)", topics)
    rows.clear()
    topics.clear()


def series_speed(n: int) -> None:
    from storage import Repository

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "year.db"
        repo = Repository.from_url(f"sqlite:///{path}")
        repo.upgrade()
        build_db(path, n)
        start = time.perf_counter()
        result = repo.refresh_rollups()
        built = time.perf_counter() - start
        since, until = NOW - timedelta(days=366), NOW + timedelta(days=1)

        def timed(call: object) -> float:
            runs = []
            for _ in range(5):
                t0 = time.perf_counter()
                call()  # type: ignore[operator]
                runs.append(time.perf_counter() - t0)
            return statistics.median(runs) * 1000

        day = timed(lambda: repo.rollup_series(["lumio"], grain="day", since=since, until=until))
        hour = timed(lambda: repo.rollup_series(["lumio"], grain="hour", since=since, until=until))
        roles = {"lumio": "brand", "ondea": "competitor", "fibrix": "competitor"}
        sov = timed(
            lambda: share_of_voice(
                repo.rollup_series(list(roles), grain="day", since=since, until=until), roles
            )
        )
        repo.close()
        con = sqlite3.connect(path)
        t0 = time.perf_counter()
        con.execute(
            "SELECT substr(m.published_at, 1, 10) AS d, count(*), sum(m.sentiment = 'negative') "
            "FROM mentions m JOIN mention_topics t ON t.mention_id = m.id WHERE t.topic_id = 'lumio' "
            "GROUP BY d"
        ).fetchall()
        raw = (time.perf_counter() - t0) * 1000
        con.close()
    print(
        f"\nseries at {n:,} mentions over a year: rollups built in {built:.1f} s ({result.hours:,} hours); "
        f"a year per day {day:.1f} ms, per hour {hour:.1f} ms, share of voice of 3 topics {sov:.1f} ms "
        f"(target < 100 ms); baseline GROUP BY over the mentions {raw:.0f} ms (ratio {raw / day:.0f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--skip-rising", action="store_true", help="skip the in-memory text path alone")
    parser.add_argument("--skip-indexed", action="store_true", help="skip the term index path")
    parser.add_argument("--skip-series", action="store_true")
    parser.add_argument(
        "--keep", type=Path, default=None, help="seed the term-index database here once, then reuse it"
    )
    parser.add_argument(
        "--no-text-path", action="store_true", help="index path only, without the text path beside it"
    )
    args = parser.parse_args()
    texts = texts_of(args.data)
    if not args.skip_rising:
        rising_speed(texts, args.mentions)
    if not args.skip_indexed:
        rising_indexed_speed(texts, args.mentions, with_text_path=not args.no_text_path, keep=args.keep)
    if not args.skip_series:
        series_speed(args.mentions)


if __name__ == "__main__":
    main()
