"""Newest-first inbox pages read growing periods (day, week, month, year, all): the pages of one query.

``storage.inbox.page`` bounds a newest-first page by a period ending at the first page's top (or the
cursor) and widens it until the page is full. Here mentions thin out over two years, so pages need
every period; walking every page with and without filters must give exactly the rows, in the order,
of the one unbounded query, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from inbox_walk import unbounded, walk
from storage_builders import T0, author, batch, mention

from listener.core.model import Annotation
from storage import MentionFilter, Repository, WebStore
from storage.web_records import InboxFilter


def _seed(repo: Repository) -> None:
    made = [
        dataclasses.replace(
            mention(n, text=f"post {'facture' if n % 3 else 'panne'} {n}", author=author(n % 5)),
            published_at=T0 - timedelta(minutes=n * n * 17),  # n² * 17 minutes back: 2 years at 250
            topics=("lumio",) if n % 2 else ("ondea",),
            matched_terms={},
        )
        for n in range(250)
    ]
    repo.upsert_batch(batch(*made), source="testsrc", query_id="q")
    repo.save_annotations(
        Annotation(source="testsrc", external_id=f"m{n}", stage="sentiment", version="v1",
                   label="negative" if n % 4 else "positive", scores={"negative": 0.6, "positive": 0.4})
        for n in range(250)
    )


def test_windowed_pages_equal_the_unbounded_order(repo: Repository, db_url: str) -> None:
    _seed(repo)
    store = WebStore.of(repo, clock=lambda: T0)
    filters = [
        InboxFilter(),
        InboxFilter(base=MentionFilter(text="facture", topics=("lumio",), sentiments=("negative",),
                                       limit=None), statuses=("new",)),
        InboxFilter(base=MentionFilter(topics=("ondea",), until=T0 - timedelta(days=40), limit=None)),
        InboxFilter(base=MentionFilter(since=T0 - timedelta(days=100), sentiments=("positive",), limit=None)),
    ]
    for flt in filters:
        expected = unbounded(db_url, flt, "time")
        assert expected, flt
        for limit in (13, 60):
            assert walk(store, flt, limit, "time") == expected, (flt, limit)
