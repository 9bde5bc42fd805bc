"""The routing job: route newly analysed mentions to departments and tell those departments.

It reads mentions past its high-water mark (kept as the cursor of the pseudo-source ``routing``),
stops at the first mention the analysis has not reached yet (routing needs intents and sentiment; after
:data:`ANALYSIS_GRACE` it routes it anyway), and
moves the mark only after the workflow rows are written, so a crash routes the same mentions again
(harmlessly: routing never overrides a department already set). :class:`RoutingJob` is what the
service schedules (``listener.wiring.build_routing_job`` builds it).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from alerts.notifiers.base import Notifier
from listener.core.model import Alert, Cursor
from listener.routing import (
    RoutingInput,
    RoutingSettings,
    announcement,
    departments_by_id,
    plan,
)
from listener.service import JobResult
from storage import MentionFilter, Repository, WebStore
from storage.records import DeliveryOutcome, StoredMention
from storage.web_records import WorkflowChange

logger = logging.getLogger(__name__)

MARK = ("routing", "routing")
"""``(source, query_id)`` under which the job keeps its high-water mark in the cursors table."""


ANALYSIS_GRACE = timedelta(hours=1)
"""A mention still unanalysed after this is routed on what it has, so one stuck mention stalls nothing."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RoutingResult:
    """What one run did."""

    read: int = 0
    routed: int = 0
    notified: int = 0


def _input(stored: StoredMention, signal: str | None) -> RoutingInput:
    mention = stored.mention
    text = f"{mention.title or ''} {mention.text}"
    return RoutingInput(
        mention_id=stored.id,
        text=text,
        source=mention.source,
        topics=stored.topics,
        intents=stored.intents,
        sentiment=stored.sentiment,
        signal=signal,
    )


def _signal(repository: Repository, mention_id: int) -> str | None:
    return next((a.label for a in repository.annotations_for(mention_id) if a.stage == "signals"), None)


def route_new(
    repository: Repository,
    store: WebStore,
    settings: RoutingSettings,
    notifiers: Mapping[str, Notifier],
    *,
    now: datetime,
    require_analysis: bool = True,
    batch: int = 1000,
) -> RoutingResult:
    """Route the mentions stored since the last run; notify departments whose rule says so."""
    if not settings.rules:
        return RoutingResult()
    cursor = repository.load_cursor(*MARK)
    mark = cursor.get("last_id", 0) if cursor else 0
    last = mark if isinstance(mark, int) else 0
    found = repository.search_mentions(MentionFilter(min_id=last, order="id", limit=batch))
    ready: list[StoredMention] = []
    for stored in found:
        is_waiting = stored.sentiment is None and stored.first_seen_at > now - ANALYSIS_GRACE
        if require_analysis and is_waiting:
            break
        ready.append(stored)
    if not ready:
        return RoutingResult()
    uses_signals = any(rule.signals for rule in settings.rules)
    items = [_input(s, _signal(repository, s.id) if uses_signals else None) for s in ready]
    rules = {rule.id: rule for rule in settings.rules}
    departments = departments_by_id(settings)
    routed = notified = 0
    for rule_id, ids in plan(settings.rules, items).items():
        rule = rules[rule_id]
        fresh = store.unrouted(ids)
        if not fresh:
            continue
        assignee = store.user(username=rule.assignee) if rule.assignee else None
        if rule.assignee and assignee is None:
            logger.warning(
                "routing: unknown assignee, routing without one",
                extra={"rule_id": rule.id, "assignee": rule.assignee},
            )
        change = WorkflowChange(
            department=rule.department, routed_by=rule.id, assignee_id=assignee.id if assignee else None
        )
        routed += len(store.change(fresh, change, user_id=None, action="routing"))
        department = departments.get(rule.department)
        if rule.notify and department is not None:
            notified += _notify(
                repository, notifiers, announcement(rule, department, fresh, now=now), department.channels
            )
    repository.save_cursor(*MARK, Cursor({"last_id": ready[-1].id}))
    logger.info("routing: run done", extra={"read": len(ready), "routed": routed})
    return RoutingResult(read=len(ready), routed=routed, notified=notified)


def _notify(
    repository: Repository, notifiers: Mapping[str, Notifier], alert: Alert, channels: tuple[str, ...]
) -> int:
    alert_id = repository.record_alert(alert)
    if alert_id is None:
        return 0
    sent = 0
    for channel in channels:
        notifier = notifiers.get(channel)
        if notifier is None:
            logger.warning("routing: department channel is not configured", extra={"channel": channel})
            continue
        delivery = notifier.send(alert)
        outcome: DeliveryOutcome = "sent" if delivery.is_ok else "failed"
        repository.record_delivery(alert_id, channel, outcome=outcome, error=delivery.error)
        sent += int(delivery.is_ok)
    return sent


@dataclass
class RoutingJob:
    """Route the mentions analysed since the last tick (``routing:`` in the config)."""

    repository: Repository
    store: WebStore
    settings: RoutingSettings
    notifiers: Mapping[str, Notifier]
    require_analysis: bool = True

    def __call__(self, now: datetime) -> JobResult:
        """Run one tick at ``now``."""
        done = route_new(self.repository, self.store, self.settings, self.notifiers, now=now,
                         require_analysis=self.require_analysis)
        return JobResult(items=done.routed)
