"""Most-followed-first inbox pages read growing bands of authors: the pages of the one sorted query.

On PostgreSQL ``storage.inbox.page`` reads the 64 most followed authors' mentions first, then 1,024
authors', then everyone's. Here 1,100 authors have tied and missing follower counts, so the bands end
inside ties and some filters need every band; walking every page with and without filters must give
exactly the rows, in the order, of the one unbounded query, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from inbox_walk import unbounded, walk
from storage_builders import T0, author, batch, mention

from listener.core.model import Annotation
from storage import MentionFilter, Repository, WebStore
from storage.web_records import InboxFilter

AUTHORS = 1100


def _seed(repo: Repository) -> None:
    made = [
        dataclasses.replace(
            mention(n, text=f"post {n}", author=author(
                n % AUTHORS, followers=None if n % AUTHORS % 50 == 7 else (n % AUTHORS) // 4 * 10
            )),
            published_at=T0 - timedelta(minutes=n * 7),
            topics=("lumio",) if n % 5 else ("ondea",),
            matched_terms={},
        )
        for n in range(1500)
    ]
    repo.upsert_batch(batch(*made), source="testsrc", query_id="q")
    repo.save_annotations(
        Annotation(source="testsrc", external_id=f"m{n}", stage="sentiment", version="v1",
                   label="negative" if n % 3 else "positive", scores={"negative": 0.6, "positive": 0.4})
        for n in range(1500)
    )


def test_banded_pages_equal_the_unbounded_order(repo: Repository, db_url: str) -> None:
    _seed(repo)
    store = WebStore.of(repo, clock=lambda: T0)
    filters = [
        InboxFilter(),  # the first band fills the first page
        InboxFilter(base=MentionFilter(topics=("ondea",), sentiments=("negative",), limit=None),
                    statuses=("new",)),  # the overview's list: sparser, the second band
        InboxFilter(base=MentionFilter(since=T0 - timedelta(hours=30), limit=None)),  # small authors only
    ]
    for flt in filters:
        expected = unbounded(db_url, flt, "influence")
        assert expected, flt
        assert walk(store, flt, 51, "influence") == expected, flt
        for limit in range(52, 70) if flt == filters[0] else (1, 17):  # ending before, at and past the band
            first = [item.stored.id for item in store.inbox(flt, sort="influence", limit=limit).items]
            assert first == expected[:limit], (flt, limit)
