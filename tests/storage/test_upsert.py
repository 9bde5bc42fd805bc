"""The idempotent upsert: keys, metrics, first_seen_at, authors, cursors in one transaction, tombstones."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from storage_builders import Clock, author, batch, mention

from listener.core.errors import StorageError
from listener.core.model import Batch, Cursor, Metrics
from storage import MentionFilter, Repository, UpsertResult


def _snapshot(url: str) -> list[tuple[object, ...]]:
    """Every mention and author column, read with a plain engine (not through our code)."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("select * from mentions order by id")).all()
        rows += conn.execute(sa.text("select * from authors order by id")).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_same_batch_twice_changes_nothing(repo: Repository, db_url: str, clock: Clock) -> None:
    b = batch(*(mention(i) for i in range(20)), cursor={"since_id": "19"})
    first = repo.upsert_batch(b, source="testsrc", query_id="q1")
    before = _snapshot(db_url)
    clock.advance(minutes=5)
    second = repo.upsert_batch(b, source="testsrc", query_id="q1")

    assert first == UpsertResult(inserted=20)
    assert second == UpsertResult(unchanged=20)
    assert repo.count_mentions() == 20
    # the mention rows are byte-identical; only the author's last_seen_at moved
    after = _snapshot(db_url)
    assert after[:20] == before[:20]


def test_new_metrics_overwrite_old_ones_and_first_seen_stays(repo: Repository, clock: Clock) -> None:
    repo.upsert_batch(batch(mention(1, metrics=Metrics(likes=1, replies=2))), source="testsrc", query_id="q")
    first_seen = clock.now
    later = clock.advance(hours=3)
    result = repo.upsert_batch(
        batch(mention(1, metrics=Metrics(likes=50, replies=2, views=900))), source="testsrc", query_id="q"
    )

    stored = repo.get_mention_by_key("testsrc", "m1")
    assert result == UpsertResult(updated=1)
    assert stored is not None
    assert stored.mention.metrics == Metrics(likes=50, replies=2, views=900)
    assert stored.first_seen_at == first_seen
    assert stored.updated_at == later
    assert repo.count_mentions() == 1


def test_duplicates_inside_one_batch_keep_the_last(repo: Repository) -> None:
    b = Batch(
        mentions=(mention(1, metrics=Metrics(likes=1)), mention(1, metrics=Metrics(likes=7))),
        next_cursor=None,
    )
    result = repo.upsert_batch(b, source="testsrc", query_id="q")
    stored = repo.get_mention_by_key("testsrc", "m1")
    assert result == UpsertResult(inserted=1, skipped=1)
    assert stored is not None and stored.mention.metrics.likes == 7


def test_authors_are_upserted_and_none_never_erases_a_known_value(repo: Repository, clock: Clock) -> None:
    rich = author(
        1, followers=1200, display_name="Bob B.", verified=True, created_at=datetime(2015, 1, 1, tzinfo=UTC)
    )
    repo.upsert_batch(batch(mention(1, author=rich), mention(2, author=rich)), source="testsrc", query_id="q")
    clock.advance(days=1)
    sparse = author(1, handle="bob_renamed", followers=None, display_name=None)
    repo.upsert_batch(batch(mention(3, author=sparse)), source="testsrc", query_id="q")

    stored = repo.get_author("testsrc:u1")
    assert stored is not None
    assert stored.author.handle == "bob_renamed"
    assert stored.author.followers == 1200
    assert stored.author.display_name == "Bob B."
    assert stored.author.verified is True
    assert stored.author.created_at == datetime(2015, 1, 1, tzinfo=UTC)
    assert stored.mention_count == 3
    assert stored.last_seen_at == clock.now
    assert stored.first_seen_at < stored.last_seen_at
    # and a new count does overwrite
    repo.upsert_batch(batch(mention(4, author=author(1, followers=1300))), source="testsrc", query_id="q")
    again = repo.get_author(("testsrc", "u1"))
    assert again is not None and again.author.followers == 1300


def test_cursor_is_saved_with_the_rows_and_kept_when_a_batch_has_none(repo: Repository) -> None:
    assert repo.load_cursor("testsrc", "q") is None
    repo.upsert_batch(
        batch(mention(1), cursor={"since_id": "1", "etag": 'W/"x"'}), source="testsrc", query_id="q"
    )
    repo.upsert_batch(batch(mention(2)), source="testsrc", query_id="q")
    cursor = repo.load_cursor("testsrc", "q")
    assert cursor == Cursor.from_json('{"etag":"W/\\"x\\"","since_id":"1"}')
    assert repo.load_cursor("testsrc", "other") is None


def test_a_batch_failing_midway_leaves_neither_rows_nor_cursor(repo: Repository) -> None:
    repo.upsert_batch(batch(mention(1), cursor={"page": 1}), source="testsrc", query_id="q")
    # a connector bug: a datetime in the cursor; the rows are written first, then the cursor fails
    broken = Batch(
        mentions=(mention(1, metrics=Metrics(likes=99)), mention(2), mention(3)),
        next_cursor=Cursor({"since": datetime(2026, 1, 1, tzinfo=UTC)}),
    )
    with pytest.raises(StorageError, match="not JSON-serialisable"):
        repo.upsert_batch(broken, source="testsrc", query_id="q")

    assert repo.count_mentions() == 1
    stored = repo.get_mention_by_key("testsrc", "m1")
    assert stored is not None and stored.mention.metrics.likes == 1
    assert repo.load_cursor("testsrc", "q") == Cursor({"page": 1})
    author_row = repo.get_author("testsrc:u1")
    assert author_row is not None and author_row.mention_count == 1


def test_deleted_mention_is_never_inserted_again(repo: Repository) -> None:
    repo.upsert_batch(batch(mention(1), mention(2)), source="testsrc", query_id="q")
    stored = repo.get_mention_by_key("testsrc", "m1")
    assert stored is not None
    assert repo.delete_mention(stored.id) is True
    assert repo.delete_mention(stored.id) is False

    result = repo.upsert_batch(batch(mention(1), mention(2), mention(3)), source="testsrc", query_id="q")
    assert result == UpsertResult(inserted=1, unchanged=1, skipped=1)
    assert repo.get_mention_by_key("testsrc", "m1") is None
    assert repo.count_mentions() == 2
    # the same external id on another source is another mention
    other = repo.upsert_batch(batch(mention(1, source="other")), source="other", query_id="q")
    assert other.inserted == 1


def test_forgotten_author_and_their_mentions_stay_forgotten(repo: Repository) -> None:
    alice, bob = author(1), author(2)
    repo.upsert_batch(
        batch(mention(1, author=alice), mention(2, author=bob), mention(3, author=alice)),
        source="testsrc",
        query_id="q",
    )
    assert repo.forget_author("testsrc", "u1") == 2
    assert repo.get_author("testsrc:u1") is None

    result = repo.upsert_batch(
        batch(mention(1, author=alice), mention(9, author=alice), mention(2, author=bob)),
        source="testsrc",
        query_id="q",
    )
    assert result == UpsertResult(unchanged=1, skipped=2)
    assert repo.get_author("testsrc:u1") is None
    assert [s.mention.external_id for s in repo.search_mentions()] == ["m2"]


def test_absurd_counts_are_clamped_instead_of_failing_the_batch(repo: Repository) -> None:
    repo.upsert_batch(
        batch(mention(1, metrics=Metrics(likes=10**30, score=-(10**30)))), source="testsrc", query_id="q"
    )
    stored = repo.get_mention_by_key("testsrc", "m1")
    assert stored is not None
    assert stored.mention.metrics.likes == 2**63 - 1
    assert stored.mention.metrics.score == -(2**63)


def test_an_empty_not_modified_batch_still_moves_the_cursor(repo: Repository) -> None:
    result = repo.upsert_batch(
        Batch(mentions=(), next_cursor=Cursor({"etag": "abc"}), is_not_modified=True),
        source="rss",
        query_id="q",
    )
    assert result == UpsertResult()
    assert repo.load_cursor("rss", "q") == Cursor({"etag": "abc"})


def test_first_query_that_found_a_mention_is_kept(repo: Repository) -> None:
    repo.upsert_batch(batch(mention(1)), source="testsrc", query_id="brand")
    repo.upsert_batch(batch(mention(1), mention(2)), source="testsrc", query_id="competitor")
    assert repo.count_mentions(MentionFilter(query_id="brand")) == 1
    assert repo.count_mentions(MentionFilter(query_id="competitor")) == 1


def test_a_batch_larger_than_one_lookup_chunk(repo: Repository) -> None:
    """6,000 mentions by 600 authors: key look-ups are chunked, counts stay exact."""
    big = [mention(n, author=author(n % 600)) for n in range(6000)]
    assert repo.upsert_batch(batch(*big), source="testsrc", query_id="q") == UpsertResult(inserted=6000)
    changed = [mention(n, author=author(n % 600), metrics=Metrics(likes=-1)) for n in range(0, 6000, 2)]
    result = repo.upsert_batch(batch(*big[1::2], *changed), source="testsrc", query_id="q")
    assert result == UpsertResult(updated=3000, unchanged=3000)
    assert repo.count_mentions() == 6000
    assert all(a.mention_count == 10 for a in repo.authors(limit=None))
