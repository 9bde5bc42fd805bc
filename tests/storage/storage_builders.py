"""Builders of test mentions for the storage tests (imported by name: pytest puts this folder on sys.path)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from listener.core.model import Author, Batch, Cursor, Mention, Metrics

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@dataclass
class Clock:
    """A clock the test moves by hand (the repository reads it for first_seen_at, updated_at...)."""

    now: datetime = field(default=T0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def author(n: int = 1, *, source: str = "testsrc", **fields: Any) -> Author:
    """Build an author ``u<n>``."""
    values: dict[str, Any] = {"handle": f"user{n}"}
    values.update(fields)
    return Author(source=source, external_id=f"u{n}", **values)


def mention(n: int, *, source: str = "testsrc", text: str | None = None, **fields: Any) -> Mention:
    """Build mention ``m<n>`` published n minutes after T0."""
    values: dict[str, Any] = {
        "author": author(1, source=source),
        "published_at": T0 + timedelta(minutes=n),
        "fetched_at": T0 + timedelta(hours=1),
        "metrics": Metrics(likes=n),
    }
    values.update(fields)
    return Mention(
        source=source, external_id=f"m{n}", text=text if text is not None else f"post number {n}", **values
    )


def batch(*mentions: Mention, cursor: dict[str, Any] | None = None) -> Batch:
    """Wrap mentions in a batch, with a cursor when given."""
    return Batch(mentions=tuple(mentions), next_cursor=Cursor(cursor) if cursor is not None else None)
