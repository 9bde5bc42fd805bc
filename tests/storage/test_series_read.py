"""The dashboard's series read from the rollups give the answer counted from the mentions, exactly.

``storage.inbox.series`` counts the mentions (the straightforward computation); ``storage.series_read``
reads the hour and day rollups where they are current. Both run here on the same real database, on
SQLite and PostgreSQL, for ragged periods, both bucket sizes, with and without a topic filter, with
echoes and unknown sentiments, and after changes the rollups have not seen yet.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import sqlalchemy as sa
from storage_builders import T0, Clock, author, batch, mention

from listener.core.model import Annotation
from storage import MentionFilter, Repository, inbox, series_read

HOUR = timedelta(hours=1)
PERIODS = [  # (since, until, interval): ragged ends, whole days, a single hour, across midnight
    (T0 - timedelta(hours=13, minutes=7), T0 + timedelta(hours=50, minutes=31), "day"),
    (T0 - timedelta(hours=13, minutes=7), T0 + timedelta(hours=50, minutes=31), "hour"),
    (T0.replace(hour=0), T0.replace(hour=0) + timedelta(days=3), "day"),
    (T0 + timedelta(minutes=20), T0 + timedelta(minutes=50), "hour"),
    (T0 + timedelta(hours=11), T0 + timedelta(hours=14), "hour"),
]


def _store(repo: Repository, numbers: range, topics: tuple[str, ...]) -> None:
    made = [
        dataclasses.replace(
            mention(n, author=author(n % 4, followers=n)),
            topics=topics,
            matched_terms={t: (t,) for t in topics},
        )
        for n in numbers
    ]
    repo.upsert_batch(batch(*made), source="testsrc", query_id="q")


def _label(repo: Repository, numbers: range, label: str) -> None:
    repo.save_annotations(
        [
            Annotation(source="testsrc", external_id=f"m{n}", stage="sentiment", version="v1", label=label,
                       scores={"negative": 0.5, "positive": 0.5})
            for n in numbers
        ]
    )


def _seed(repo: Repository) -> dict[str, int]:
    """Mentions every 7 minutes over 2.5 days, two topics, three sentiments and none, some echoes."""
    _store(repo, range(-900, 3000, 7), ("lumio",))
    _store(repo, range(-896, 3000, 21), ("ondea", "lumio"))
    _label(repo, range(-900, 3000, 21), "negative")
    _label(repo, range(-893, 3000, 35), "positive")
    _label(repo, range(-886, 3000, 49), "neutral")
    ids = {s.mention.external_id: s.id for s in repo.search_mentions(MentionFilter(limit=None))}
    repo.set_echo_groups({ids[f"m{n + 7}"]: ids[f"m{n}"] for n in range(-900, 2900, 63)})
    return ids


Rows = list[tuple[str, str, str | None, int, int]]


def _both(
    url: str, since: datetime, until: datetime, interval: str, topics: tuple[str, ...]
) -> tuple[Rows, Rows]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        dialect = engine.dialect.name
        plain = inbox.series(conn, dialect, since=since, until=until, interval=interval, topics=topics)
        fast = series_read.series(conn, dialect, since=since, until=until, interval=interval, topics=topics)
    engine.dispose()
    return sorted(plain, key=_order), fast


def _order(row: tuple[str, str, str | None, int, int]) -> tuple[str, str, str]:
    return row[0], row[1], row[2] or ""


def _assert_same(url: str) -> None:
    for since, until, interval in PERIODS:
        for topics in ((), ("ondea",)):
            plain, fast = _both(url, since, until, interval, topics)
            assert plain, (since, until, interval, topics)
            assert fast == plain, (since, until, interval, topics)


def test_rollup_series_equal_the_mentions_count_and_follow_unseen_changes(
    repo: Repository, clock: Clock, db_url: str
) -> None:
    ids = _seed(repo)
    clock.advance(minutes=1)
    repo.refresh_rollups()
    _assert_same(db_url)
    clock.advance(minutes=1)  # changes the rollups have not seen: every kind a refresh looks for
    _store(repo, range(3001, 3100, 5), ("lumio",))
    _label(repo, range(3, 200, 7), "positive")
    repo.set_echo_groups({ids["m17"]: ids["m10"], ids["m-893"]: None})
    _assert_same(db_url)
    clock.advance(minutes=1)
    repo.refresh_rollups()
    _assert_same(db_url)


def test_series_come_from_the_rollups_once_refreshed(repo: Repository, clock: Clock, db_url: str) -> None:
    _seed(repo)
    since, until = T0.replace(hour=0), T0.replace(hour=0) + timedelta(days=2)
    clock.advance(minutes=1)
    repo.refresh_rollups()
    plain, before = _both(db_url, since, until, "day", ())
    engine = sa.create_engine(db_url)  # the mentions go (as retention deletes them), the rollups stay
    with engine.begin() as conn:
        for table in ("mention_topics", "annotations", "mentions"):
            conn.execute(sa.text(f"DELETE FROM {table}"))
    engine.dispose()
    plain_after, after = _both(db_url, since, until, "day", ())
    assert after == before == plain
    assert plain_after == []


def test_migration_0011_fills_the_posts_and_makes_the_next_refresh_recount(
    db_url: str, clock: Clock
) -> None:
    repo = Repository.from_url(db_url, clock=clock)
    repo.upgrade("0010_web_speed")
    ids = _seed(repo)  # mentions, sentiments and echoes; the rollups of 0010 hold one old row
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO mention_rollups (grain, bucket, topic_id, source, lang, total, positive, neutral,"
            " negative, complaints, echoes, reach, negative_reach)"
            " VALUES ('day', :b, 'lumio', 'testsrc', '', 9, 2, 3, 4, 0, 1, 0, 0)"
        ), {"b": T0 - timedelta(days=400)})
        conn.execute(sa.text("INSERT INTO rollup_state (mention_id, refreshed_at) VALUES (:i, :t)"),
                     {"i": max(ids.values()), "t": T0})
    repo.upgrade()
    with engine.connect() as conn:
        posts = conn.execute(sa.text(
            "SELECT positive_posts, neutral_posts, negative_posts FROM mention_rollups"
        )).all()
        assert posts == [(2, 3, 4)]  # retention's hours keep their whole count
        assert conn.execute(sa.text("SELECT count(*) FROM rollup_state")).scalar() == 0
    engine.dispose()
    _assert_same(db_url)  # no state: counted from the mentions
    clock.advance(minutes=1)
    assert repo.refresh_rollups().hours > 60  # every hour with mentions recounted
    _assert_same(db_url)
    repo.close()
