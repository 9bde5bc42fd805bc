"""The storage layer of listener: one :class:`Repository` over SQLite (default) or PostgreSQL.

Only the names below are public; ORM rows and sessions never leave this package (STYLE.md §1.4).

- Schema: ``storage/schema.py`` (typed ORM), created by the Alembic revisions in
  ``storage/migrations`` through :meth:`Repository.upgrade` (``listener db upgrade``).
- Writes: :meth:`Repository.upsert_batch` is idempotent on ``(source, external_id)`` and saves the
  connector cursor in the same transaction; tombstones keep deleted mentions and forgotten authors
  out. SQLite runs in WAL mode with one writer at a time (``BEGIN IMMEDIATE``).
- Text: U+0000 and lone surrogates become U+FFFD in text columns on both engines; the raw payload
  keeps them, escaped, in JSON text (``storage/_text.py``).
- Search: accent- and case-insensitive full text on both engines (FTS5 / ``to_tsvector('simple')``),
  words AND-ed, ``"phrases"`` and ``prefix*`` (``storage/_fts.py``).
- Failures: locked or unreachable databases are retried, then raise ``DatabaseUnavailable`` naming
  the URL without its password; other database errors raise ``StorageError``.
"""

from __future__ import annotations

# Register every table on the shared metadata (erasure and the migration check read all of it).
from storage import schema_coordination as schema_coordination
from storage import schema_ideas as schema_ideas
from storage import schema_trends as schema_trends
from storage import schema_web as schema_web
from storage import stage_marks as stage_marks
from storage._database import RetryPolicy
from storage.records import (
    DeliveryRecord,
    JobRun,
    LabelRecord,
    MentionFilter,
    PendingDelivery,
    SourceHealth,
    StoredAlert,
    StoredAuthor,
    StoredMention,
    TopicMatch,
    UpsertResult,
)
from storage.repository import Repository
from storage.web_store import WebStore

__all__ = [
    "DeliveryRecord",
    "JobRun",
    "LabelRecord",
    "MentionFilter",
    "PendingDelivery",
    "Repository",
    "RetryPolicy",
    "SourceHealth",
    "StoredAlert",
    "StoredAuthor",
    "StoredMention",
    "TopicMatch",
    "UpsertResult",
    "WebStore",
]
