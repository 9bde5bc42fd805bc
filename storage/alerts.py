"""Alerts and their deliveries: an alert is stored (unique dedupe key) before any send is attempted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from listener.core.model import Alert, Severity
from storage import _sql
from storage._text import clean, clean_opt, dumps
from storage.records import DeliveryOutcome, DeliveryRecord, PendingDelivery, StoredAlert
from storage.schema import AlertRow, DeliveryRow


def record(conn: Connection, dialect: str, alert: Alert, now: datetime) -> int | None:
    """Store ``alert``; return its id, or None when an alert with the same dedupe key exists."""
    stmt = _sql.insert(dialect, AlertRow.__table__)  # type: ignore[arg-type]
    stmt = stmt.on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(AlertRow.__table__.c.id)
    row = conn.execute(
        stmt,
        {
            "dedupe_key": clean(alert.dedupe_key),
            "rule_id": alert.rule_id,
            "kind": alert.kind,
            "subject": clean(alert.subject),
            "severity": alert.severity,
            "window_start": alert.window_start,
            "window_end": alert.window_end,
            "title": clean(alert.title),
            "summary": clean(alert.summary),
            "details": dumps(dict(alert.details)),
            "mention_ids": dumps(list(alert.mention_ids)),
            "is_resolution": alert.is_resolution,
            "created_at": now,
        },
    ).first()
    return None if row is None else int(row[0])


def exists(conn: Connection, dedupe_key: str) -> bool:
    """Tell whether an alert with this dedupe key was already recorded."""
    found = conn.execute(sa.select(AlertRow.id).where(AlertRow.dedupe_key == clean(dedupe_key))).first()
    return found is not None


def _stored(r: Row[Any]) -> StoredAlert:
    alert = Alert(
        rule_id=r.rule_id,
        kind=r.kind,
        subject=r.subject,
        severity=cast(Severity, r.severity),
        window_start=r.window_start,
        window_end=r.window_end,
        title=r.title,
        summary=r.summary,
        details=_sql.loads_dict(r.details),
        mention_ids=tuple(int(i) for i in _sql.loads_list(r.mention_ids)),
        is_resolution=bool(r.is_resolution),
    )
    return StoredAlert(id=r.id, alert=alert, created_at=r.created_at)


def get(conn: Connection, alert_id: int) -> StoredAlert | None:
    """Return one alert by id."""
    row = conn.execute(sa.select(AlertRow).where(AlertRow.id == alert_id)).first()
    return None if row is None else _stored(row)


def recent(
    conn: Connection, *, since: datetime | None, rule_id: str | None, limit: int | None
) -> list[StoredAlert]:
    """Return alerts, newest first (all of them when ``limit`` is None)."""
    query = sa.select(AlertRow).order_by(AlertRow.created_at.desc(), AlertRow.id.desc()).limit(limit)
    if since is not None:
        query = query.where(AlertRow.created_at >= since)
    if rule_id is not None:
        query = query.where(AlertRow.rule_id == rule_id)
    return [_stored(r) for r in conn.execute(query)]


def record_delivery(
    conn: Connection,
    alert_id: int,
    channel: str,
    *,
    outcome: DeliveryOutcome,
    error: str | None,
    now: datetime,
) -> DeliveryRecord:
    """Record one delivery attempt; the attempt number follows the previous ones on that channel."""
    previous = conn.execute(
        sa.select(sa.func.coalesce(sa.func.max(DeliveryRow.attempt), 0)).where(
            DeliveryRow.alert_id == alert_id, DeliveryRow.channel == channel
        )
    ).scalar_one()
    attempt = int(previous) + 1
    error = clean_opt(error)
    result = conn.execute(
        sa.insert(DeliveryRow)
        .values(
            alert_id=alert_id, channel=channel, attempt=attempt, outcome=outcome, error=error, sent_at=now
        )
        .returning(DeliveryRow.id)
    )
    return DeliveryRecord(
        id=int(result.scalar_one()),
        alert_id=alert_id,
        channel=channel,
        attempt=attempt,
        outcome=outcome,
        error=error,
        sent_at=now,
    )


def id_of(conn: Connection, dedupe_key: str) -> int | None:
    """Return the id of the alert stored under this dedupe key, if any."""
    found = conn.execute(sa.select(AlertRow.id).where(AlertRow.dedupe_key == clean(dedupe_key))).scalar()
    return None if found is None else int(found)


def deliveries(conn: Connection, alert_id: int) -> list[DeliveryRecord]:
    """Return every attempt for one alert, in order."""
    return deliveries_of(conn, [alert_id])


def deliveries_of(conn: Connection, alert_ids: Sequence[int]) -> list[DeliveryRecord]:
    """Return every attempt for these alerts, by alert, channel and attempt (a few queries for many)."""
    out: list[DeliveryRecord] = []
    for part in _sql.chunks(sorted(set(alert_ids))):
        out.extend(_deliveries_where(conn, DeliveryRow.alert_id.in_(part)))
    return out


def _deliveries_where(conn: Connection, condition: sa.ColumnElement[bool]) -> list[DeliveryRecord]:
    rows = conn.execute(
        sa.select(DeliveryRow)
        .where(condition)
        .order_by(DeliveryRow.alert_id, DeliveryRow.channel, DeliveryRow.attempt)
    )
    return [
        DeliveryRecord(
            id=r.id,
            alert_id=r.alert_id,
            channel=r.channel,
            attempt=r.attempt,
            outcome=r.outcome,
            error=r.error,
            sent_at=r.sent_at,
        )
        for r in rows
    ]


def pending(conn: Connection, max_attempts: int, channels: Sequence[str] | None) -> list[PendingDelivery]:
    """Return (alert, channel) pairs never sent successfully whose attempts are below ``max_attempts``."""
    sent = sa.exists().where(
        DeliveryRow.alert_id == sa.literal_column("d.alert_id"),
        DeliveryRow.channel == sa.literal_column("d.channel"),
        DeliveryRow.outcome == "sent",
    )
    d = sa.select(
        DeliveryRow.alert_id.label("alert_id"),
        DeliveryRow.channel.label("channel"),
        sa.func.max(DeliveryRow.attempt).label("attempts"),
    ).group_by(DeliveryRow.alert_id, DeliveryRow.channel)
    if channels is not None:
        d = d.where(DeliveryRow.channel.in_(channels))
    grouped = d.subquery("d")
    rows = conn.execute(
        sa.select(grouped.c.alert_id, grouped.c.channel, grouped.c.attempts)
        .where(~sent, grouped.c.attempts < max_attempts)
        .order_by(grouped.c.alert_id, grouped.c.channel)
    ).all()
    found: list[PendingDelivery] = []
    for alert_id, channel, attempts in rows:
        stored = get(conn, alert_id)
        last_error = conn.execute(
            sa.select(DeliveryRow.error)
            .where(DeliveryRow.alert_id == alert_id, DeliveryRow.channel == channel)
            .order_by(DeliveryRow.attempt.desc())
            .limit(1)
        ).scalar()
        if stored is not None:
            found.append(
                PendingDelivery(alert=stored, channel=channel, attempts=int(attempts), last_error=last_error)
            )
    return found
