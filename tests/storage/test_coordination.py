"""Leases, analysis claims, shared rate buckets and quotas on both engines, with real concurrent writers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from storage_builders import Clock, batch, mention

from listener.core.model import Annotation
from storage import Repository, RetryPolicy


def _other(db_url: str, clock: Clock) -> Repository:
    """A second process's view of the same database (own engine, own connections)."""
    return Repository.from_url(db_url, clock=clock, retry=RetryPolicy(attempts=4, first_delay_s=0.05))


def test_one_holder_until_it_stops_renewing(repo: Repository, clock: Clock) -> None:
    coord = repo.coordinator
    first = coord.acquire_lease("scheduler", "a", ttl_s=30)
    assert first is not None and first.holder == "a" and first.token == 1
    assert coord.acquire_lease("scheduler", "b", ttl_s=30) is None
    clock.advance(seconds=20)
    renewed = coord.acquire_lease("scheduler", "a", ttl_s=30)
    assert renewed is not None and renewed.token == 1 and renewed.acquired_at == first.acquired_at
    clock.advance(seconds=29)
    assert coord.acquire_lease("scheduler", "b", ttl_s=30) is None  # a renewed: still 1 s left
    clock.advance(seconds=1)
    taken = coord.acquire_lease("scheduler", "b", ttl_s=30)
    assert taken is not None and taken.holder == "b" and taken.token == 2
    assert coord.acquire_lease("scheduler", "a", ttl_s=30) is None  # the old leader learns it lost
    assert [lease.holder for lease in coord.live_leases("sched")] == ["b"]


def test_release_frees_at_once_and_only_for_the_holder(repo: Repository) -> None:
    coord = repo.coordinator
    assert coord.acquire_lease("collect:rss:brand", "w1", ttl_s=300) is not None
    assert coord.release_lease("collect:rss:brand", "w2") is False
    assert coord.release_lease("collect:rss:brand", "w1") is True
    assert coord.live_leases("collect:") == []
    again = coord.acquire_lease("collect:rss:brand", "w2", ttl_s=300)
    assert again is not None and again.token == 2


def test_concurrent_candidates_get_exactly_one_lease(repo: Repository, db_url: str, clock: Clock) -> None:
    others = [_other(db_url, clock) for _ in range(4)]
    try:
        with ThreadPoolExecutor(4) as pool:
            won = list(
                pool.map(lambda i: others[i].coordinator.acquire_lease("scheduler", f"s{i}", 30), range(4))
            )
    finally:
        for other in others:
            other.close()
    assert sum(lease is not None for lease in won) == 1


def _stored(repo: Repository, n: int) -> None:
    repo.upsert_batch(batch(*(mention(i) for i in range(1, n + 1))), source="testsrc", query_id="q")


def _annotate(repo: Repository, ids: list[int]) -> None:
    stored = [repo.get_mention(i) for i in ids]
    repo.save_annotations(
        Annotation(
            source="testsrc",
            external_id=s.mention.external_id,
            stage="sentiment",
            version="v1",
            label="neutral",
        )
        for s in stored
        if s is not None
    )


def test_claims_do_not_overlap_and_a_dead_workers_batch_comes_back(repo: Repository, clock: Clock) -> None:
    _stored(repo, 10)
    coord = repo.coordinator
    first = [s.id for s in coord.claim_unanalysed("sentiment", "v1", "w1", limit=4, ttl_s=60)]
    second = [s.id for s in coord.claim_unanalysed("sentiment", "v1", "w2", limit=4, ttl_s=60)]
    assert len(first) == len(second) == 4 and not set(first) & set(second)
    _annotate(repo, first)
    assert coord.release_claims("sentiment", "w1", first) == 4
    assert coord.release_claims("sentiment", "w1", second) == 0  # not w1's
    # w2 dies; before its claims expire only the last two mentions are free
    rest = [s.id for s in coord.claim_unanalysed("sentiment", "v1", "w3", limit=10, ttl_s=60)]
    assert len(rest) == 2 and not set(rest) & set(first + second)
    clock.advance(seconds=61)
    again = [s.id for s in coord.claim_unanalysed("sentiment", "v1", "w4", limit=10, ttl_s=60)]
    assert sorted(again) == sorted(second + rest)  # w3's claims expired too; w1's are analysed
    assert coord.claim_unanalysed("sentiment", "v2", "w5", limit=20, ttl_s=60) != []  # another version


def test_concurrent_claimers_split_the_work_exactly(repo: Repository, db_url: str, clock: Clock) -> None:
    _stored(repo, 120)
    others = [_other(db_url, clock) for _ in range(4)]

    def drain(i: int) -> list[int]:
        mine: list[int] = []
        while claimed := others[i].coordinator.claim_unanalysed(
            "sentiment", "v1", f"w{i}", limit=7, ttl_s=60
        ):
            mine.extend(s.id for s in claimed)
        return mine

    try:
        with ThreadPoolExecutor(4) as pool:
            parts = list(pool.map(drain, range(4)))
    finally:
        for other in others:
            other.close()
    every = [i for part in parts for i in part]
    assert len(every) == len(set(every)) == 120


def test_shared_bucket_and_pause(repo: Repository, db_url: str, clock: Clock) -> None:
    mine, theirs = repo.coordinator, _other(db_url, clock)
    try:
        assert mine.reserve_token("x.com", rate_per_s=1.0, burst=2) == 0.0
        assert theirs.coordinator.reserve_token("x.com", rate_per_s=1.0, burst=2) == 0.0
        assert mine.reserve_token("x.com", rate_per_s=1.0, burst=2) == 1.0  # the other worker drew too
        clock.advance(seconds=3)
        assert theirs.coordinator.reserve_token("x.com", rate_per_s=1.0, burst=2) == 0.0
        mine.pause_bucket("x.com", 120)
        mine.pause_bucket("x.com", 30)  # a shorter pause does not shorten the longer one
        clock.advance(seconds=20)
        assert theirs.coordinator.reserve_token("x.com", rate_per_s=1.0, burst=2) == 100.0
        assert mine.reserve_token("reddit.com", rate_per_s=1.0, burst=2) == 0.0  # other keys unaffected
    finally:
        theirs.close()


def test_quota_is_counted_once_across_workers(repo: Repository, db_url: str, clock: Clock) -> None:
    others = [_other(db_url, clock) for _ in range(4)]
    try:
        with ThreadPoolExecutor(4) as pool:
            results = list(
                pool.map(
                    lambda i: [
                        others[i].coordinator.consume_quota("twitter", "2026-03", 3, 50) for _ in range(6)
                    ],
                    range(4),
                )
            )
    finally:
        for other in others:
            other.close()
    granted = [r for part in results for r in part if r is not None]
    assert len(granted) == 16 and sorted(granted) == list(range(3, 49, 3))
    assert repo.coordinator.quota_used("twitter", "2026-03") == 48
    assert repo.coordinator.consume_quota("twitter", "2026-03", 2, 50) == 50
    assert repo.coordinator.consume_quota("twitter", "2026-03", 1, 50) is None
    assert repo.coordinator.quota_used("twitter", "2026-04") == 0
