"""The one entry point to storage: a facade whose methods each run in one transaction.

Callers get ``listener.core.model`` objects or the frozen read models of ``storage.records`` back; no
SQLAlchemy object leaves the package. Every method may raise
:class:`~listener.core.errors.DatabaseUnavailable` (unreachable or locked after retries) or
:class:`~listener.core.errors.StorageError` (the database refused the operation).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

from sqlalchemy.engine import Connection

from listener.core.clock import Clock, system_clock
from listener.core.model import Annotation, Batch, Cursor, WindowMention
from storage import (
    analysis_results,
    authors,
    cursors,
    data_version,
    erasure,
    labels,
    mention_reads,
    mentions,
    migrate,
    retention,
    rollups,
    stage_marks,
)
from storage._database import Database, RetryPolicy
from storage.authors import AuthorOrder
from storage.coordinator import Coordinator
from storage.idea_store import IdeaStore
from storage.records import (
    LabelRecord,
    MentionFilter,
    StoredAuthor,
    StoredMention,
    TopicMatch,
    UpsertResult,
)
from storage.repository_bookkeeping import RunsAndAlerts
from storage.term_days import DayCounter, TermDays
from storage.term_index import TermIndex

logger = logging.getLogger(__name__)

ECHO_STAGE = "echoes"
"""The echo stage's name in ``stage_marks``."""


class Repository(RunsAndAlerts):
    """Mentions, authors, cursors, analysis results, alerts and run health, on SQLite or PostgreSQL."""

    def __init__(
        self, database: Database, *, clock: Clock = system_clock, count_day: DayCounter | None = None
    ) -> None:
        self._db = database
        self._dialect = database.dialect
        self._clock = clock
        self._count_day = count_day
        """Counts a day's term index entries (``wiring``: ``analysis.rising_days.day_counts``), so
        deleting mentions recounts their days at once (else the next trends step does)."""

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        retry: RetryPolicy | None = None,
        clock: Clock = system_clock,
        echo: bool = False,
        count_day: DayCounter | None = None,
    ) -> Repository:
        """Open (lazily: nothing connects yet) the database at a SQLAlchemy URL.

        ``sqlite:///path/listener.db`` (the parent folder is created) or
        ``postgresql+psycopg://user@host/db``. ``clock`` supplies ``first_seen_at`` and friends.
        """
        return cls(Database(url, retry=retry, echo=echo), clock=clock, count_day=count_day)

    @property
    def dialect(self) -> str:
        """Return ``"sqlite"`` or ``"postgresql"``."""
        return self._dialect

    @property
    def database(self) -> Database:
        """Return the shared engine wrapper (for sibling facades such as :class:`storage.WebStore`)."""
        return self._db

    @property
    def coordinator(self) -> Coordinator:
        """Return the leases, analysis claims and shared limits several workers agree through."""
        return Coordinator(self._db, clock=self._clock)

    @property
    def safe_url(self) -> str:
        """Return the database URL with its password hidden (fit for logs and messages)."""
        return self._db.safe_url

    def close(self) -> None:
        """Release every pooled connection."""
        self._db.dispose()

    def __enter__(self) -> Repository:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- schema -------------------------------------------------------------------------------

    def upgrade(self, revision: str = "head") -> None:
        """Apply the packaged Alembic migrations up to ``revision`` (idempotent)."""

        def work(conn: Connection) -> None:
            migrate.upgrade(conn, revision)

        self._db.run(work)
        logger.debug("storage: schema at %s", revision)

    def downgrade(self, revision: str) -> None:
        """Revert migrations down to ``revision`` (``"base"`` drops every table)."""
        self._db.run(lambda conn: migrate.downgrade(conn, revision))

    def schema_revision(self) -> str | None:
        """Return the applied migration revision, None for an empty database."""
        return self._db.read(migrate.current)

    # --- mentions -----------------------------------------------------------------------------

    def upsert_batch(self, batch: Batch, *, source: str, query_id: str) -> UpsertResult:
        """Store a connector's batch and its next cursor in one transaction.

        Mentions (and their authors) are inserted or refreshed on ``(source, external_id)``;
        tombstoned mentions and mentions of forgotten authors are skipped; the cursor of
        ``(source, query_id)`` is replaced only if the batch carries one. Nothing is written if any
        part fails.
        """
        now = self._clock()

        def work(conn: Connection) -> UpsertResult:
            result = mentions.upsert(conn, self._dialect, batch.mentions, query_id, now)
            analysis_results.save_matched_topics(conn, self._dialect, batch.mentions)
            if batch.next_cursor is not None:
                cursors.save(conn, self._dialect, (source, query_id), batch.next_cursor, now)
            return result

        return self._db.run(work)

    def load_cursor(self, source: str, query_id: str) -> Cursor | None:
        """Return where ``source`` stopped for ``query_id``, or None before its first complete run."""
        return self._db.read(lambda conn: cursors.load(conn, source, query_id))

    def save_cursor(self, source: str, query_id: str, cursor: Cursor) -> None:
        """Replace a cursor on its own (``upsert_batch`` already saves the batch's cursor)."""
        now = self._clock()
        self._db.run(lambda conn: cursors.save(conn, self._dialect, (source, query_id), cursor, now))

    def get_mention(self, mention_id: int) -> StoredMention | None:
        """Return one mention by row id."""
        return self._db.read(lambda conn: mention_reads.get(conn, mention_id))

    def get_mention_by_key(self, source: str, external_id: str) -> StoredMention | None:
        """Return one mention by its identity ``(source, external_id)``."""
        return self._db.read(lambda conn: mention_reads.get_by_key(conn, source, external_id))

    def search_mentions(self, flt: MentionFilter | None = None) -> list[StoredMention]:
        """Return mentions matching ``flt`` (full-text, topics, sources, languages, sentiment...)."""
        chosen = flt or MentionFilter()
        return self._db.read(lambda conn: mention_reads.search(conn, self._dialect, chosen))

    def mention_labels(self, flt: MentionFilter) -> list[tuple[int, str | None, tuple[str, ...]]]:
        """Return ``(id, sentiment, intents)`` of the mentions matching ``flt``: labels without texts."""
        return self._db.read(lambda conn: mention_reads.labels(conn, self._dialect, flt))

    def count_mentions(self, flt: MentionFilter | None = None) -> int:
        """Return how many mentions match ``flt``, ignoring its limit and offset."""
        chosen = flt or MentionFilter()
        return self._db.read(lambda conn: mention_reads.count(conn, self._dialect, chosen))

    def window(
        self,
        since: datetime,
        until: datetime,
        topics: Sequence[str] | None = None,
        *,
        limit: int | None = None,
    ) -> list[StoredMention]:
        """Return the mentions published in ``[since, until)``, oldest first (what alert rules read)."""
        flt = MentionFilter(since=since, until=until, topics=tuple(topics or ()), order="oldest", limit=limit)
        return self.search_mentions(flt)

    def window_mentions(self, since: datetime, until: datetime, *, negative_margin: float = 0.0,
                        margins_by_language: Mapping[str, float] | None = None) -> list[WindowMention]:
        """Return the read model alerts and the digest use for mentions published in ``[since, until)``.

        ``margins_by_language`` (``{"en": 0.6}``) overrides ``negative_margin`` per detected language.
        """
        flt = MentionFilter(since=since, until=until, order="oldest", limit=None)
        return self._db.read(lambda conn: mention_reads.window_mentions(
            conn, self._dialect, flt, negative_margin=negative_margin,
            margins_by_language=margins_by_language))

    def delete_mention(self, mention_id: int) -> bool:
        """Delete a mention and tombstone it so it is never fetched back; False if it did not exist."""
        return self._db.run(lambda conn: mentions.delete(conn, self._dialect, mention_id))

    def get_mentions(self, mention_ids: Sequence[int]) -> list[StoredMention]:
        """Return the mentions of these row ids that still exist, in one read."""
        return self._db.read(lambda conn: mention_reads.get_many(conn, mention_ids))

    def term_index(self) -> TermIndex:
        """Return the term index rising terms read (each mention's terms, tokenised once)."""
        return TermIndex(self._db, self._clock, self._dialect)

    def term_days(self) -> TermDays:
        """Return the per-day term counts rising terms sum (rebuilt from the term index)."""
        return TermDays(self._db, self._dialect)

    def ideas(self) -> IdeaStore:
        """Return the idea box's storage (ideas, members, votes, history, replies) on this database."""
        return IdeaStore(self._db, self._clock)

    # --- analysis -----------------------------------------------------------------------------

    def unanalysed(self, stage: str, version: str, limit: int = 500) -> list[StoredMention]:
        """Return up to ``limit`` mentions lacking a ``stage`` annotation at ``version``, oldest id first."""
        return self._db.read(lambda conn: analysis_results.unanalysed(conn, stage, version, limit))

    def save_annotations(self, items: Iterable[Annotation]) -> int:
        """Store annotations (latest per mention and stage wins); return how many found their mention."""
        batch = list(items)
        now = self._clock()
        return self._db.run(lambda conn: analysis_results.save(conn, self._dialect, batch, now))

    def annotations_for(self, mention_id: int) -> list[Annotation]:
        """Return the latest annotation of every stage for one mention."""
        return self._db.read(lambda conn: analysis_results.for_mention(conn, mention_id))

    def save_topic_matches(self, matches: Iterable[TopicMatch], *, replace: bool = True) -> None:
        """Record which topics mentions matched; ``replace`` drops their previous matches first."""
        batch = list(matches)
        self._db.run(lambda conn: analysis_results.save_topic_matches(conn, self._dialect, batch, replace))

    def set_echo_groups(self, groups: Mapping[int, int | None], *, mark: int | None = None) -> None:
        """Set each mention's canonical mention (itself or None: canonical) and recount echo groups.

        ``mark``: the newest mention id the echo stage has now handled, saved in the same transaction.
        """
        now = self._clock()

        def work(conn: Connection) -> None:
            analysis_results.set_echo_groups(conn, groups, now)
            if mark is not None:
                stage_marks.write(conn, ECHO_STAGE, mark, now)

        self._db.run(work)

    def data_version(self) -> tuple[int, ...]:
        """Return a cheap fingerprint that changes when mentions, authors or erasures do (see the module)."""
        return self._db.read(data_version.read)

    def echo_mark(self) -> int:
        """Return the newest mention id the echo stage has handled (0 before its first run)."""
        return self._db.read(lambda conn: stage_marks.read(conn, ECHO_STAGE))

    def stored_topics(self) -> list[str]:
        """Return every topic id some stored mention matches (a topic may outlive its config entry)."""
        return self._db.read(mention_reads.stored_topics)

    def save_label(self, mention_id: int, stage: str, label: str) -> int:
        """Record a community manager's correction; return its id."""
        now = self._clock()
        return self._db.run(lambda conn: labels.save(conn, mention_id, stage, label, now))

    def labels(self, stage: str | None = None, *, mention_id: int | None = None) -> list[LabelRecord]:
        """Return corrections, oldest first."""
        return self._db.read(lambda conn: labels.list_labels(conn, stage, mention_id))

    def refresh_rollups(self) -> rollups.RefreshResult:
        """Bring the hour and day rollups up to date with what changed since the last refresh."""
        now = self._clock()
        return self._db.run(lambda conn: rollups.refresh(conn, self._dialect, now))

    def rollup_series(self, topics: Sequence[str], *, grain: str = "day", since: datetime, until: datetime,
                      sources: Sequence[str] = (), langs: Sequence[str] = ()) -> list[rollups.RollupPoint]:
        """Return the rolled-up counts per bucket and topic (``"*"``: every mention) in ``[since, until)``."""
        return self._db.read(lambda conn: rollups.series(
            conn, topics=topics, grain=grain, since=since, until=until, sources=sources, langs=langs))

    def save_vectors(self, model: str, vectors: Sequence[tuple[int, bytes]]) -> int:
        """Store mentions' sentence vectors (float16 bytes) computed by ``model``."""
        return self._db.run(lambda conn: rollups.save_vectors(conn, self._dialect, model, vectors))

    def vectors(self, model: str, mention_ids: Sequence[int]) -> dict[int, bytes]:
        """Return the stored ``model`` vectors of these mentions."""
        return self._db.read(lambda conn: rollups.vectors(conn, model, mention_ids))

    def without_vectors(self, model: str, *, since: datetime | None = None,
                        limit: int = 500) -> list[tuple[int, str]]:
        """Return ``(id, text)`` of mentions that have no ``model`` vector yet, newest first."""
        return self._db.read(lambda conn: rollups.without_vectors(conn, model, since, limit))

    # --- authors ------------------------------------------------------------------------------

    def get_author(self, key: str | tuple[str, str] | int) -> StoredAuthor | None:
        """Return an author by row id, ``(source, external_id)`` or ``"source:external_id"``."""
        if isinstance(key, int):
            author_id = key
            return self._db.read(lambda conn: authors.get(conn, author_id=author_id))
        pair = tuple(key.split(":", 1)) if isinstance(key, str) else key
        if len(pair) != 2:
            raise ValueError(f"storage: author key must be 'source:external_id', got {key!r}")
        source, external_id = pair
        return self._db.read(lambda conn: authors.get(conn, key=(source, external_id)))

    def authors(
        self,
        *,
        source: str | None = None,
        min_followers: int | None = None,
        order: AuthorOrder = "followers",
        limit: int | None = 100,
        offset: int = 0,
        handle: str | None = None,
    ) -> list[StoredAuthor]:
        """Return authors, most followed first (or most active, or most recently seen); ``handle``
        keeps the ones with that handle (case and a leading @ ignored), on any source."""
        return self._db.read(
            lambda conn: authors.search(conn, source=source, min_followers=min_followers, order=order,
                                        limit=limit, offset=offset, handle=handle)
        )

    def forget_author(self, source: str, external_id: str) -> int:
        """Erase an author everywhere (see :meth:`erase_author`); return how many mentions went."""
        return self.erase_author(source, external_id).mentions

    def erase_author(
        self, source: str, external_id: str, *, user_id: int | None = None
    ) -> erasure.ErasureReport:
        """Erase an author's personal data from every table (GDPR), keep aggregates, tombstone, audit.

        See :mod:`storage.erasure` for what goes and what stays (``user_id``: who, for the audit log).
        On SQLite the WAL is checkpointed afterwards, so the erased pages leave the write-ahead log
        too; on PostgreSQL the touched tables are vacuumed, so the dead row versions are freed for reuse.
        """
        now, key, count = self._clock(), (source, external_id), self._count_day
        report = self._db.run(
            lambda conn: erasure.erase_author(conn, self._dialect, key, now, count, user_id=user_id)
        )
        if self._dialect == "sqlite":
            self._db.checkpoint()
        else:
            self._db.vacuum(erasure.TOUCHED_TABLES)
        logger.info("storage: author erased", extra={"source": source, "mentions": report.mentions})
        return report

    def erased_counts(
        self, *, since: date | None = None, until: date | None = None, topic_id: str = erasure.ALL_TOPICS
    ) -> list[erasure.ErasedCount]:
        """Return the per-day counts of erased mentions (add them to live counts for honest totals)."""
        return self._db.read(
            lambda conn: erasure.erased_counts(conn, since=since, until=until, topic_id=topic_id)
        )

    def prune_mentions(self, before: datetime, *, batch: int = 1000) -> int:
        """Delete mentions published before ``before``, keeping their daily counts; return how many went.

        Each batch folds and deletes in one transaction (see :mod:`storage.retention`); the per-day
        term counts of a day with mentions left are recounted once, at the end, when a counter was given.
        """
        total = 0
        while done := self._db.run(lambda conn: retention.prune_batch(conn, self._dialect, before, batch)):
            total += done
        if total and self._count_day is not None:
            self.term_days().recount(self.term_days().uncounted(), self._count_day)
        if total and self._dialect == "sqlite":
            self._db.checkpoint()
        logger.info("storage: mentions pruned", extra={"mentions": total})
        return total

    def daily_counts(
        self, *, since: date | None = None, until: date | None = None, topic_id: str = retention.ALL_TOPICS
    ) -> list[retention.DailyCount]:
        """Return the per-day counts of pruned mentions (add them to live counts for past volumes)."""
        return self._db.read(
            lambda conn: retention.daily_counts(conn, since=since, until=until, topic_id=topic_id)
        )
