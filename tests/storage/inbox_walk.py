"""Walk every page of an inbox, and read the one unbounded query: what the bounded reads must equal.

Shared by the storage tests of the inbox's bounded pages (growing periods, bands of authors); imported
by name (pytest puts this folder on sys.path).
"""

from __future__ import annotations

import sqlalchemy as sa

from storage import WebStore, inbox
from storage import mention_reads as reads
from storage.web_records import InboxFilter, InboxSort


def walk(store: WebStore, flt: InboxFilter, limit: int, sort: InboxSort) -> list[int]:
    """Return the ids of every page, following the cursors to the end."""
    ids: list[int] = []
    cursor = None
    while True:
        page = store.inbox(flt, sort=sort, limit=limit, cursor=cursor)
        ids += [item.stored.id for item in page.items]
        if page.next_cursor is None:
            return ids
        cursor = page.next_cursor


def unbounded(url: str, flt: InboxFilter, sort: InboxSort) -> list[int]:
    """Return the ids of the one query, unbounded and sorted, that the pages must reproduce."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        where = inbox.conditions(engine.dialect.name, flt)
        query = inbox._joined(reads.base_query()).where(*where).order_by(*inbox._order(sort))
        ids = [row._mapping["id"] for row in conn.execute(query)]
    engine.dispose()
    return ids
