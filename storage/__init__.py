"""The storage layer of listener: one :class:`Repository` over SQLite (default) or PostgreSQL.

Only the names below are public; ORM rows and sessions never leave this package (STYLE.md §1.4).
"""

from __future__ import annotations

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
]
