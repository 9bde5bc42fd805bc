"""One transaction for a change and its audit entry, so the log never misses nor invents a change.

Every state change of the web store (accounts, sessions, tokens, workflow, notes) goes through
:meth:`AuditedWrites._audited`: the change runs, then the entries it asks for are written, and both
commit or roll back together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.engine import Connection

from listener.core.clock import Clock
from storage import accounts
from storage._database import Database

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Audit:
    """One audit entry to write: what was done to which object (``details`` never hold secrets)."""

    action: str
    target_kind: str
    target_id: int | str | None
    details: Mapping[str, Any] | None = None


class AuditedWrites:
    """The engine, dialect and clock a store was built with, and the one audited write path."""

    _db: Database
    _dialect: str
    _clock: Clock

    def _audited(self, change: Callable[[Connection, datetime], T], audits: Callable[[T], Iterable[Audit]],
                 *, user_id: int | None) -> T:
        """Run ``change`` at the clock's now and write ``audits(result)`` in the same transaction."""
        now = self._clock()

        def work(conn: Connection) -> T:
            result = change(conn, now)
            for entry in audits(result):
                target = None if entry.target_id is None else str(entry.target_id)
                accounts.audit(conn, at=now, user_id=user_id, action=entry.action,
                               target_kind=entry.target_kind, target_id=target, details=entry.details)
            return result

        return self._db.run(work)
