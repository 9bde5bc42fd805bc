"""Rollups count what the mentions say, refresh incrementally and idempotently, and outlive the mentions."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import numpy as np
from storage_builders import T0, Clock, author, batch, mention

from listener.core.model import Annotation
from storage import Repository

DAY = timedelta(days=1)


def _sentiment(n: int, label: str) -> Annotation:
    scores = (
        {"negative": 0.8, "neutral": 0.1, "positive": 0.1}
        if label == "negative"
        else {"negative": 0.1, "neutral": 0.1, "positive": 0.8}
    )
    return Annotation(
        source="testsrc", external_id=f"m{n}", stage="sentiment", version="v1", label=label, scores=scores
    )


def _store(repo: Repository, *numbers: int, topics: tuple[str, ...] = ("lumio",), **fields: object) -> None:
    made = [
        dataclasses.replace(
            mention(n, **fields),
            topics=topics,  # type: ignore[arg-type]
            matched_terms={t: (t,) for t in topics},
        )
        for n in numbers
    ]
    repo.upsert_batch(batch(*made), source="testsrc", query_id="q")


def _totals(repo: Repository, grain: str = "hour", topic: str = "lumio") -> dict[str, tuple[int, ...]]:
    points = repo.rollup_series([topic], grain=grain, since=T0 - DAY, until=T0 + 3 * DAY)
    return {p.bucket.isoformat(): (p.total, p.negative, p.positive, p.reach) for p in points}


def test_refresh_counts_hours_and_days_and_is_idempotent(repo: Repository, clock: Clock) -> None:
    _store(repo, 1, 2, 3, 70, author=author(1, followers=100))
    _store(repo, 4, topics=("ondea",), author=author(2, followers=5))
    repo.save_annotations([_sentiment(1, "negative"), _sentiment(2, "negative"), _sentiment(70, "positive")])
    first = repo.refresh_rollups()
    assert first.hours == 2
    hours = _totals(repo)
    assert hours == {T0.isoformat(): (3, 2, 0, 300), (T0 + timedelta(hours=1)).isoformat(): (1, 0, 1, 100)}
    assert _totals(repo, "day") == {T0.replace(hour=0).isoformat(): (4, 2, 1, 400)}
    everything = repo.rollup_series(["*"], grain="day", since=T0 - DAY, until=T0 + DAY)
    assert [p.total for p in everything] == [5]
    clock.advance(minutes=5)
    again = repo.refresh_rollups()
    assert again.hours == 0
    assert _totals(repo) == hours


def test_only_touched_hours_are_recomputed_and_annotations_dirty_them(repo: Repository, clock: Clock) -> None:
    _store(repo, 1, 2)
    repo.refresh_rollups()
    clock.advance(minutes=10)
    repo.save_annotations([_sentiment(2, "negative")])
    _store(repo, 60 * 26)  # the next day
    result = repo.refresh_rollups()
    assert result.hours == 2
    assert _totals(repo, "day") == {
        T0.replace(hour=0).isoformat(): (2, 1, 0, 0),
        (T0.replace(hour=0) + DAY).isoformat(): (1, 0, 0, 0),
    }


def test_rollups_outlive_deleted_mentions(repo: Repository, clock: Clock) -> None:
    _store(repo, 1, 2, 3)
    repo.refresh_rollups()
    stored = repo.search_mentions()
    for s in stored:
        repo.delete_mention(s.id)
    clock.advance(minutes=5)
    repo.refresh_rollups()
    assert _totals(repo, "day") == {T0.replace(hour=0).isoformat(): (3, 0, 0, 0)}


def test_vectors_round_trip_and_missing_ones_are_listed(repo: Repository) -> None:
    _store(repo, 1, 2)
    ids = sorted(s.id for s in repo.search_mentions())
    vec = np.arange(4, dtype=np.float16)
    assert repo.save_vectors("e5", [(ids[0], vec.tobytes()), (999_999, vec.tobytes())]) == 1
    assert [i for i, _ in repo.without_vectors("e5")] == [ids[1]]
    got = repo.vectors("e5", ids)
    assert list(got) == [ids[0]]
    assert np.array_equal(np.frombuffer(got[ids[0]], dtype=np.float16), vec)
    assert repo.vectors("other-model", ids) == {}
