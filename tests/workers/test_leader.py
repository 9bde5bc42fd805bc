"""The scheduler leadership, the queued markers, claimed analysis batches and the fleet status, in-process.

Real databases (SQLite and PostgreSQL), a settable clock, and the real ``LeaderScheduler``: the only
stand-in is the ``send`` callable, which records what would go to the broker (the Celery call itself is
exercised by the real-process test in ``test_fleet.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from listener.core.model import Annotation, Author, Batch, Mention
from listener.service import JobResult, JobSpec
from listener.workers.claims import ClaimingStore
from listener.workers.fleet import fleet_status
from listener.workers.leader import LeaderScheduler
from storage import Repository

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def repos(db_url: str, clock: Clock) -> Iterator[list[Repository]]:
    """Two processes' views of one database."""
    found = [Repository.from_url(db_url, clock=clock) for _ in range(2)]
    found[0].upgrade()
    yield found
    for repo in found:
        repo.close()


def _spec(job_id: str, seconds: float) -> JobSpec:
    return JobSpec(id=job_id, kind="collect", interval=timedelta(seconds=seconds),
                   run=lambda now: JobResult())


def test_one_leader_enqueues_and_another_takes_over(repos: list[Repository], clock: Clock) -> None:
    specs = {s.id: s for s in (_spec("rss:a", 10), _spec("rss:b", 60))}
    sent: list[tuple[str, str]] = []
    schedulers = [
        LeaderScheduler(r.coordinator, specs, lambda spec, marker, n=n: sent.append((f"s{n}", spec.id)),
                        name=f"s{n}", clock=clock, lease_s=5)
        for n, r in enumerate(repos)
    ]
    def at(seconds: int) -> None:
        clock.now = T0 + timedelta(seconds=seconds)

    assert [s.tick() for s in schedulers] == [2, 0]
    assert sent == [("s0", "rss:a"), ("s0", "rss:b")]
    at(11)
    assert [s.tick() for s in schedulers] == [0, 0]  # rss:a is due but still waits in its queue
    marker = repos[1].coordinator.live_leases("queued:rss:a")[0].holder
    assert repos[1].coordinator.release_lease("queued:rss:a", marker)  # its task started
    at(21)
    assert schedulers[0].tick() == 1 and sent[-1] == ("s0", "rss:a")
    # s0 dies (no more ticks): s1 takes over once s0's lease (renewed at 21 for 5 s) has run out
    at(25)
    assert schedulers[1].tick() == 0 and not schedulers[1].is_leader
    at(27)
    assert schedulers[1].tick() == 0 and schedulers[1].is_leader  # both jobs still wait in queues
    at(42)
    assert schedulers[1].tick() == 1 and sent[-1] == ("s1", "rss:a")  # its marker ran out: lost? again
    assert schedulers[0].tick() == 0 and not schedulers[0].is_leader  # back from the dead, it yields
    assert len(sent) == 4


def test_fleet_status_names_leader_workers_and_oldest_queued(repos: list[Repository], clock: Clock) -> None:
    coordinator = repos[0].coordinator
    assert fleet_status(coordinator, clock())["leader"] is None
    coordinator.acquire_lease("scheduler", "host:1", 30)
    coordinator.acquire_lease("worker:host:2", "host:2", 30)
    coordinator.acquire_lease("queued:rss:a", "m1", 60)
    clock.now += timedelta(seconds=7)
    coordinator.acquire_lease("queued:rss:b", "m2", 60)
    coordinator.acquire_lease("collect:rss:c", "host:2", 60)
    status = fleet_status(coordinator, clock())
    assert status["leader"] == "host:1" and status["workers"] == ["host:2"]
    assert status["queued_jobs"] == 2 and status["oldest_queued_age_s"] == 7.0
    assert status["running"] == ["rss:c"]


def test_two_analysis_workers_never_share_a_mention(repos: list[Repository]) -> None:
    author = Author(source="t", external_id="u1", handle="u1")
    mentions = tuple(Mention(source="t", external_id=f"m{i}", text=f"post {i}", author=author,
                             published_at=T0, fetched_at=T0) for i in range(10))
    repos[0].upsert_batch(Batch(mentions=mentions, next_cursor=None), source="t", query_id="q")
    stores = [ClaimingStore(r, f"w{n}", ttl_s=60) for n, r in enumerate(repos)]
    first = stores[0].unanalysed("sentiment", "v1", 4)
    second = stores[1].unanalysed("sentiment", "v1", 4)
    assert not {m.id for m in first} & {m.id for m in second}
    saved = stores[0].save_annotations(
        Annotation(source="t", external_id=m.mention.external_id, stage="sentiment", version="v1",
                   label="neutral")
        for m in first
    )
    assert saved == 4
    # w0's claims are gone with its annotations; w1 still holds its 4: only 2 are left to claim
    assert len(stores[0].unanalysed("sentiment", "v1", 10)) == 2


def test_worker_connectors_share_the_request_buckets(tmp_path: Path) -> None:
    """A worker's connectors draw from the database-backed buckets, not from the process's own."""
    from listener.shared_limits import SharedHostLimiter
    from listener.workers.context import build_context

    config = tmp_path / "config.yaml"
    config.write_text(
        f"database: {{url: 'sqlite:///{tmp_path}/l.db'}}\ndata_dir: data\n"
        "topics:\n  - {id: a, name: A, query: alpha}\nsources:\n  demo: {enabled: false}\n"
        "  rss: {enabled: true, news_search: ['http://127.0.0.1:9/s?q={query}']}\n"
        "analysis: {enabled: false}\n",
        encoding="utf-8",
    )
    ctx = build_context(config)
    try:
        connector = ctx.specs["rss:a"].run.connector  # type: ignore[attr-defined]
        assert isinstance(connector.client._limiter, SharedHostLimiter)
    finally:
        ctx.repository.close()
