"""Cool-down and grouping: turn rule findings into messages so one crisis is one thread of updates.

A *thread* is the life of one (rule, subject) crisis: an opening alert, follow-ups only when the
measured count has grown by the rule's ``growth`` factor since the last message (so a burst that goes
10 → 20 → 40 → 80 sends four messages, never fifty), and one resolution notice once the finding has
been absent for a whole ``cooldown`` (since it was last seen, or since the last message). The state of
every thread is read back from the alerts already stored, so a restart continues the same threads and
sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from alerts.rules import Rule
from listener.core.model import JSON, Alert

ThreadId = tuple[str, str]
"""``(rule_id, subject)``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Thread:
    """Where one (rule, subject) crisis stands, folded from its stored alerts."""

    rule_id: str
    subject: str
    key: str
    """Dedupe key of the opening alert; every follow-up and the resolution carry it."""
    opened_start: datetime
    last_sent_at: datetime
    last_count: int
    sequence: int
    is_resolved: bool
    title: str


def _num(value: JSON, default: int = 0) -> int:
    return int(value) if isinstance(value, int | float) else default


def threads_from(alerts: Iterable[Alert]) -> dict[ThreadId, Thread]:
    """Return the latest state of every thread found in ``alerts`` (stored alerts, any order)."""
    latest: dict[ThreadId, Alert] = {}
    for alert in alerts:
        tid = (alert.rule_id, alert.subject)
        seen = latest.get(tid)
        if seen is None or (alert.window_end, alert.is_resolution) > (seen.window_end, seen.is_resolution):
            latest[tid] = alert
    threads: dict[ThreadId, Thread] = {}
    for tid, alert in latest.items():
        details = alert.details
        opened = details.get("opened_start")
        threads[tid] = Thread(
            rule_id=alert.rule_id, subject=alert.subject,
            key=str(details.get("thread") or alert.dedupe_key),
            opened_start=datetime.fromisoformat(opened) if isinstance(opened, str) else alert.window_start,
            last_sent_at=alert.window_end, last_count=_num(details.get("count")),
            sequence=_num(details.get("sequence"), 1), is_resolved=alert.is_resolution,
            title=str(details.get("thread_title") or alert.title),
        )
    return threads


def decide(rule: Rule, findings: Iterable[Alert], threads: Mapping[ThreadId, Thread],
           now: datetime, last_seen: Mapping[ThreadId, datetime] | None = None) -> list[Alert]:
    """Return the messages to send now for ``rule``: openings, significant follow-ups, resolutions.

    ``last_seen`` says when each thread's finding was last present (the caller keeps it between
    ticks): a thread is resolved only once its finding has been absent for a whole ``cooldown``, so a
    crisis that dips for one check is not closed and reopened. Without it, the last message stands in.
    """
    out: list[Alert] = []
    seen: set[str] = set()
    for finding in findings:
        if finding.rule_id != rule.id:
            continue
        seen.add(finding.subject)
        thread = threads.get((rule.id, finding.subject))
        count = _num(finding.details.get("count"))
        if thread is None or thread.is_resolved:
            out.append(_mark(finding, phase="opened", thread=finding.dedupe_key,
                             opened_start=finding.window_start, sequence=1, title=finding.title))
        elif count >= thread.last_count * rule.growth:
            out.append(_mark(finding, phase="update", thread=thread.key, opened_start=thread.opened_start,
                             sequence=thread.sequence + 1, title=thread.title,
                             previous_count=thread.last_count))
    for (rule_id, subject), thread in sorted(threads.items()):
        if rule_id != rule.id or subject in seen or thread.is_resolved:
            continue
        present_at = (last_seen or {}).get((rule_id, subject), thread.last_sent_at)
        seen_at = max(thread.last_sent_at, present_at)
        if now - seen_at >= rule.cooldown:
            out.append(resolution(rule, thread, now))
    return out


def resolution(rule: Rule, thread: Thread, now: datetime) -> Alert:
    """Return the notice that closes ``thread``: the finding is gone and the cool-down has passed."""
    why = (f"no longer alert-worthy; last message at {thread.last_sent_at.isoformat(timespec='minutes')} "
           f"with {thread.last_count}")
    details: dict[str, JSON] = {
        "reason": "resolved", "why": why, "phase": "resolved", "thread": thread.key,
        "opened_start": thread.opened_start.isoformat(), "sequence": thread.sequence + 1,
        "thread_title": thread.title, "count": 0, "peak": thread.last_count,
        "topic": thread.subject if rule.kind != "influencer_negative" else None,
    }
    return Alert(rule_id=rule.id, kind=rule.kind, subject=thread.subject, severity="info",
                 window_start=thread.opened_start, window_end=now, title=f"Resolved: {thread.title}",
                 summary=why, details=details, is_resolution=True)


def _mark(finding: Alert, *, phase: str, thread: str, opened_start: datetime, sequence: int,
          title: str, previous_count: int | None = None) -> Alert:
    details: dict[str, JSON] = {**finding.details, "phase": phase, "thread": thread,
                                "opened_start": opened_start.isoformat(), "sequence": sequence,
                                "thread_title": title}
    if previous_count is not None:
        details["previous_count"] = previous_count
    return replace(finding, details=details)
