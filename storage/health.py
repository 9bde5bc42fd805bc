"""Source health and job runs: what the scheduler and the dashboard read about each job."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage import _sql
from storage._text import clean_opt
from storage.records import JobRun, SourceHealth
from storage.schema import JobRunRow, SourceHealthRow

RunOutcome = Literal["ok", "not_modified", "error"]
"""``ok`` and ``not_modified`` are successes (they reset the failure count); ``error`` is not."""


def record_run(
    conn: Connection,
    dialect: str,
    source: str,
    query_id: str,
    *,
    outcome: RunOutcome,
    at: datetime,
    items: int,
    error: str | None,
    duration_ms: int | None,
    next_run_not_before: datetime | None,
) -> None:
    """Fold one run into the ``(source, query_id)`` health row."""
    table = SourceHealthRow.__table__
    current = table.c
    is_ok = outcome != "error"
    row: dict[str, Any] = {
        "source": source,
        "query_id": query_id,
        "last_run_at": at,
        "last_success_at": at if is_ok else None,
        "last_error_at": None if is_ok else at,
        "last_error": None if is_ok else clean_opt(error),
        "consecutive_failures": 0 if is_ok else 1,
        "items_fetched_total": items,
        "last_items": items,
        "next_run_not_before": next_run_not_before,
        "duration_ms": duration_ms,
    }
    stmt = _sql.insert(dialect, table)  # type: ignore[arg-type]
    ex = stmt.excluded
    update: dict[str, Any] = {
        "last_run_at": ex.last_run_at,
        "items_fetched_total": current.items_fetched_total + ex.items_fetched_total,
        "last_items": ex.last_items,
        "next_run_not_before": ex.next_run_not_before,
        "duration_ms": ex.duration_ms,
    }
    if is_ok:
        update |= {"last_success_at": ex.last_success_at, "consecutive_failures": 0}
    else:
        update |= {
            "last_error_at": ex.last_error_at,
            "last_error": ex.last_error,
            "consecutive_failures": current.consecutive_failures + 1,
        }
    conn.execute(stmt.on_conflict_do_update(index_elements=["source", "query_id"], set_=update), row)


def source_health(conn: Connection, source: str | None = None) -> list[SourceHealth]:
    """Return the health rows, by source then query."""
    query = sa.select(SourceHealthRow).order_by(SourceHealthRow.source, SourceHealthRow.query_id)
    if source is not None:
        query = query.where(SourceHealthRow.source == source)
    return [
        SourceHealth(
            source=r.source,
            query_id=r.query_id,
            last_run_at=r.last_run_at,
            last_success_at=r.last_success_at,
            last_error_at=r.last_error_at,
            last_error=r.last_error,
            consecutive_failures=r.consecutive_failures,
            items_fetched_total=r.items_fetched_total,
            last_items=r.last_items,
            next_run_not_before=r.next_run_not_before,
            duration_ms=r.duration_ms,
        )
        for r in conn.execute(query)
    ]


def start_job(conn: Connection, job_id: str, started_at: datetime) -> int:
    """Record that a job started; return the run id to pass to :func:`finish_job`."""
    result = conn.execute(
        sa.insert(JobRunRow).values(job_id=job_id, started_at=started_at).returning(JobRunRow.id)
    )
    return int(result.scalar_one())


def finish_job(
    conn: Connection,
    run_id: int,
    *,
    finished_at: datetime,
    outcome: str,
    error: str | None,
    items: int | None,
) -> None:
    """Record how a job run ended."""
    conn.execute(
        sa.update(JobRunRow)
        .where(JobRunRow.id == run_id)
        .values(finished_at=finished_at, outcome=outcome, error=clean_opt(error), items=items)
    )


def job_runs(conn: Connection, job_id: str | None, limit: int) -> list[JobRun]:
    """Return the latest runs, newest first."""
    query = sa.select(JobRunRow).order_by(JobRunRow.started_at.desc(), JobRunRow.id.desc()).limit(limit)
    if job_id is not None:
        query = query.where(JobRunRow.job_id == job_id)
    return [
        JobRun(
            id=r.id,
            job_id=r.job_id,
            started_at=r.started_at,
            finished_at=r.finished_at,
            outcome=r.outcome,
            error=r.error,
            items=r.items,
        )
        for r in conn.execute(query)
    ]
