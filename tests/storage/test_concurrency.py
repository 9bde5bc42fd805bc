"""Two real processes upsert overlapping batches at once: no duplicate, no lost update, no crash."""

from __future__ import annotations

import multiprocessing as mp
from multiprocessing.synchronize import Barrier

from storage_builders import batch, mention

from listener.core.model import Metrics
from storage import MentionFilter, Repository, RetryPolicy

ROUNDS = 6
SIZE = 300
OVERLAP = 150


def _writer(url: str, worker: int, barrier: Barrier, results: mp.Queue[object]) -> None:
    repo = Repository.from_url(url, retry=RetryPolicy(attempts=8, first_delay_s=0.05, busy_timeout_s=10))
    start = worker * (SIZE - OVERLAP)
    try:
        barrier.wait(timeout=60)
        for rnd in range(ROUNDS):
            likes = 1000 * worker + rnd
            b = batch(
                *(mention(n, metrics=Metrics(likes=likes)) for n in range(start, start + SIZE)),
                cursor={"worker": worker, "round": rnd},
            )
            repo.upsert_batch(b, source="testsrc", query_id=f"q{worker}")
        results.put(("ok", worker))
    except Exception as err:  # report any failure to the parent instead of dying silently
        results.put(("error", f"{type(err).__name__}: {err}"))
    finally:
        repo.close()


def test_two_processes_upserting_overlapping_batches(repo: Repository, db_url: str) -> None:
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(2)
    results: mp.Queue[object] = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(db_url, w, barrier, results)) for w in (0, 1)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert sorted(outcomes, key=str) == [("ok", 0), ("ok", 1)], outcomes
    assert all(p.exitcode == 0 for p in procs)

    total = 2 * SIZE - OVERLAP
    stored = repo.search_mentions(MentionFilter(limit=None, order="id"))
    assert len(stored) == total
    assert len({s.mention.external_id for s in stored}) == total
    likes = {int(s.mention.external_id[1:]): s.mention.metrics.likes for s in stored}
    last0, last1 = 1000 * 0 + ROUNDS - 1, 1000 * 1 + ROUNDS - 1
    for n, value in likes.items():
        if n < SIZE - OVERLAP:
            assert value == last0, n
        elif n >= SIZE:
            assert value == last1, n
        else:
            assert value in {last0, last1}, n
    author = repo.get_author("testsrc:u1")
    assert author is not None and author.mention_count == total
    for worker in (0, 1):
        cursor = repo.load_cursor("testsrc", f"q{worker}")
        assert cursor is not None and cursor.get("round") == ROUNDS - 1
