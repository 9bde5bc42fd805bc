"""The folded inbox (echoes under their original) reads its first page in date order, never sorting all.

Checked on SQLite's query plan: a full index on ``echo_of_id`` made it read every original through
``echo_of_id IS NULL`` and sort them for a 50-row page; the echoes-only index of migration 0012 leaves
the page to ``ix_mentions_published_at``, and still serves the lookups of a mention's echoes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event

from listener.core.clock import fixed
from storage import Repository, WebStore
from storage.web_records import InboxFilter

NOW = datetime(2026, 3, 10, tzinfo=UTC)


def _plans(repo: Repository, action: Any) -> list[str]:
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        seen.append((statement, parameters))

    engine = repo.database.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    plans = []
    with engine.connect() as conn:
        for statement, parameters in seen:
            if statement.lstrip().upper().startswith("SELECT"):
                rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
                plans.append(statement + "\n" + "\n".join(str(r[-1]) for r in rows))
    return plans


def test_the_folded_first_page_walks_the_date_index(tmp_path: Path) -> None:
    clock = fixed(NOW)
    repo = Repository.from_url(f"sqlite:///{tmp_path / 'plans.db'}", clock=clock)
    repo.upgrade()
    store = WebStore.of(repo, clock=clock)
    folded = InboxFilter()
    folded = replace(folded, base=replace(folded.base, include_echoes=False))
    plans = _plans(repo, lambda: store.inbox(folded, sort="time", limit=50, cursor=None))
    page = next(p for p in plans if "ORDER BY mentions.published_at DESC" in p)
    assert "ix_mentions_published_at" in page
    assert "TEMP B-TREE" not in page
    with repo.database.engine.connect() as conn:
        lookup = conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT id FROM mentions WHERE echo_of_id = 1 ORDER BY id"
        ).all()
    assert any("ix_mentions_echo_of_id" in str(r[-1]) for r in lookup)
    repo.close()


def test_the_series_reads_the_period_from_a_covering_index(tmp_path: Path) -> None:
    clock = fixed(NOW)
    repo = Repository.from_url(f"sqlite:///{tmp_path / 'plans.db'}", clock=clock)
    repo.upgrade()
    store = WebStore.of(repo, clock=clock)
    plans = _plans(
        repo, lambda: store.series(since=NOW - timedelta(days=30), until=NOW, interval="day", topics=())
    )
    assert any("COVERING INDEX ix_mentions_published_sentiment_echo" in p for p in plans)
    repo.close()
