"""Two real processes upsert overlapping batches at once: no duplicate, no lost update, no crash."""

from __future__ import annotations

import multiprocessing as mp
import threading
from multiprocessing.synchronize import Barrier

import pytest
import sqlalchemy as sa
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


_EARLY_M1 = (
    "insert into mentions (source, external_id, author_id, text, search_text, published_at, fetched_at,"
    " first_seen_at, updated_at, intents, echo_count, \"references\", hashtags, mentioned_handles,"
    " links, raw) values ('testsrc', 'm1', :a, 'early', 'early', now(), now(), now(), now(), '[]', 0,"
    " '[]', '[]', '[]', '[]', '{}')"
)


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_key_inserted_by_another_writer_meanwhile_is_upserted_not_doubled(
    repo: Repository, db_url: str
) -> None:
    """The COPY of new keys meets a row another transaction inserted after the look-up: it falls back.

    Another connection inserts ``m1`` without committing; our batch (``m0``-``m2``) does not see it, so it
    takes all three for new and COPYs them, which waits on that row; the other commits, the COPY fails on
    the unique key and leaves nothing, and the three are upserted instead: ``m1`` is updated, not doubled,
    and its author counts it once.
    """
    other = sa.create_engine(db_url)
    with other.connect() as conn:
        conn.execute(sa.text("insert into authors (source, external_id, handle, first_seen_at, last_seen_at, "
                             "mention_count) values ('testsrc', 'u1', 'user1', now(), now(), 1)"))
        author_id = conn.execute(sa.text("select id from authors where external_id = 'u1'")).scalar_one()
        conn.execute(sa.text(_EARLY_M1), {"a": author_id})
        timer = threading.Timer(1.0, conn.commit)  # commits while our COPY waits on the row
        timer.start()
        result = repo.upsert_batch(batch(*(mention(n) for n in range(3))), source="testsrc", query_id="q")
        timer.join()
        counted = conn.execute(sa.text("select mention_count from authors where external_id = 'u1'")).scalar()
    other.dispose()
    assert (result.inserted, result.updated) == (2, 1), result
    stored = repo.search_mentions(MentionFilter(limit=None, order="id"))
    assert sorted(s.mention.external_id for s in stored) == ["m0", "m1", "m2"]
    assert counted == 3  # m1 once
