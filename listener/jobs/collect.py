"""The collection step: one connector, one query, one run: fetch, filter, store, record health.

``run_once`` is what the collect job (:class:`CollectJob`, run by the scheduler) and the demo call. It
loads the cursor, asks the connector for what is new, keeps (when a topic matcher is given) only
mentions that match at least one topic, then stores the mentions and the next cursor in one transaction
(``upsert_batch``), so a crash never advances the cursor past rows that were not written (the topics and
matched terms set on each kept mention are stored in that same transaction). Every outcome is recorded
as source health. Only :class:`~listener.core.errors.ConnectorError` is caught here: a failing source is
logged in one clear line, recorded, and the cycle moves on to the others (``run_cycle``).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from listener.core.clock import Clock, system_clock
from listener.core.errors import AuthFailed, ConnectorError, QueryRejected, RetryLater
from listener.core.model import Connector, Mention, Query
from listener.service import JobResult
from storage import Repository, UpsertResult

logger = logging.getLogger(__name__)

Outcome = Literal["ok", "not_modified", "error"]


class TopicHit(Protocol):
    """One topic a mention matched, with the query terms that matched."""

    @property
    def topic_id(self) -> str: ...

    @property
    def terms(self) -> tuple[str, ...]: ...


class TopicMatcher(Protocol):
    """Decides which topics a mention belongs to (``analysis.matching.TopicMatcher``)."""

    def match(self, mention: Mention) -> Sequence[TopicHit]:
        """Return the topics ``mention`` matches (empty: none)."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class RunOutcome:
    """What one ``run_once`` did, for the CLI and the scheduler."""

    source: str
    query_id: str
    outcome: Outcome
    fetched: int = 0
    kept: int = 0
    stored: UpsertResult | None = None
    """The storage layer's upsert result (inserted / updated / unchanged / skipped)."""
    error: str | None = None
    failure: ConnectorError | None = None
    """The error the connector raised (its type says what the scheduler does next)."""
    next_run_not_before: datetime | None = None
    duration_ms: int = 0

    @property
    def is_success(self) -> bool:
        """Return True when the run fetched (or found nothing modified) without error."""
        return self.outcome != "error"


def _filter(mentions: Iterable[Mention], matcher: TopicMatcher | None) -> list[Mention]:
    """Keep the mentions that match a topic, with their topics and matched terms set on them."""
    if matcher is None:
        return list(mentions)
    kept = []
    for mention in mentions:
        found = {hit.topic_id: tuple(hit.terms) for hit in matcher.match(mention)}
        if found:
            kept.append(dataclasses.replace(mention, topics=tuple(found), matched_terms=found))
    return kept


def _describe_failure(err: ConnectorError) -> str:
    if isinstance(err, RetryLater):
        return f"rate limited, retry in {err.retry_after_s:.0f}s"
    if isinstance(err, AuthFailed):
        return "authentication failed, fix the credentials"
    if isinstance(err, QueryRejected):
        return "query rejected by the source"
    return "source unavailable"


def run_once(
    connector: Connector,
    query: Query,
    repository: Repository,
    matcher: TopicMatcher | None = None,
    *,
    now: Clock = system_clock,
) -> RunOutcome:
    """Fetch what is new for ``query`` from ``connector`` and store it; never raises ConnectorError."""
    source = type(connector).name
    started = time.monotonic()
    cursor = repository.load_cursor(source, query.id)
    try:
        batch = connector.fetch(query, cursor)
    except ConnectorError as err:
        return _record_failure(source, query, repository, err, started=started, at=now())
    kept = _filter(batch.mentions, matcher)
    to_store = dataclasses.replace(batch, mentions=tuple(kept))
    stored = repository.upsert_batch(to_store, source=source, query_id=query.id)
    duration_ms = int((time.monotonic() - started) * 1000)
    outcome: Outcome = "not_modified" if batch.is_not_modified else "ok"
    repository.record_run(source, query.id, outcome=outcome, items=len(kept), duration_ms=duration_ms,
                          at=now())
    logger.info(
        "%s: fetched %d, kept %d for topic %s", source, len(batch.mentions), len(kept), query.id,
        extra={"source": source, "query_id": query.id, "fetched": len(batch.mentions),
               "duration_ms": duration_ms},
    )
    return RunOutcome(source=source, query_id=query.id, outcome=outcome, fetched=len(batch.mentions),
                      kept=len(kept), stored=stored, duration_ms=duration_ms)


def _record_failure(
    source: str, query: Query, repository: Repository, err: ConnectorError, *, started: float,
    at: datetime,
) -> RunOutcome:
    """Log one clear line, record the failure and when the next run may happen."""
    duration_ms = int((time.monotonic() - started) * 1000)
    not_before = at + timedelta(seconds=err.retry_after_s) if isinstance(err, RetryLater) else None
    summary = _describe_failure(err)
    level = logging.ERROR if isinstance(err, AuthFailed | QueryRejected) else logging.WARNING
    detail = str(err).removeprefix(f"{source}: ")
    logger.log(level, "%s: %s", source, summary,
               extra={"source": source, "query_id": query.id, "duration_ms": duration_ms, "error": detail})
    if not isinstance(err, RetryLater):
        logger.log(level, "%s: topic %s: %s", source, query.id, detail, extra={"source": source})
    message = f"{type(err).__name__}: {err}"
    repository.record_run(source, query.id, outcome="error", error=message, duration_ms=duration_ms,
                          next_run_not_before=not_before, at=at)
    return RunOutcome(source=source, query_id=query.id, outcome="error", error=message,
                      failure=err, next_run_not_before=not_before,
                      duration_ms=duration_ms)


def run_cycle(
    pairs: Sequence[tuple[Connector, Query]],
    repository: Repository,
    matcher: TopicMatcher | None = None,
    *,
    now: Clock = system_clock,
) -> list[RunOutcome]:
    """Run every enabled (connector, query) pair once; one failing source never stops the others."""
    return [run_once(connector, query, repository, matcher, now=now) for connector, query in pairs]


def _failure_kind(err: ConnectorError | None) -> Literal["retry_later", "auth_failed", "rejected", "failed"]:
    """Return what the scheduler does after ``err``, read from its type in the error tree."""
    if isinstance(err, RetryLater):
        return "retry_later"
    if isinstance(err, AuthFailed):
        return "auth_failed"
    if isinstance(err, QueryRejected):
        return "rejected"
    return "failed"


@dataclass
class CollectJob:
    """One (source, topic) collection run through :func:`run_once`, as a scheduled job."""

    connector: Connector
    query: Query
    repository: Repository
    matcher: TopicMatcher | None
    clock: Clock = system_clock

    def __call__(self, now: datetime) -> JobResult:
        """Fetch and store; a source failure (already logged and recorded) is reported, not raised."""
        outcome = run_once(self.connector, self.query, self.repository, self.matcher, now=self.clock)
        if outcome.is_success:
            return JobResult(items=outcome.kept)
        retry_after_s = None
        if outcome.next_run_not_before is not None:
            retry_after_s = max((outcome.next_run_not_before - self.clock()).total_seconds(), 0.0)
        return JobResult(failure=_failure_kind(outcome.failure), error=outcome.error,
                         retry_after_s=retry_after_s)


__all__ = ["CollectJob", "RunOutcome", "TopicHit", "TopicMatcher", "run_cycle", "run_once"]
