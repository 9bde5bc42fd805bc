"""Adapters between storage and the alerts layer: the rules' :class:`~alerts.window.Window` and the
dispatcher's :class:`~alerts.dispatch.AlertLog`, both read from a ``storage.Repository``.

Spike baselines need hourly counts of negative mentions per topic over weeks; reading those mentions
again every minute would not scale, so :class:`WindowReader` keeps the counts of settled hours (older
than ``settle``, by when analysis has labelled them) and only reads the recent hours each tick.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from alerts.notifiers.base import Delivery
from alerts.window import HistoryBucket, Window
from listener.core.model import Alert

if TYPE_CHECKING:
    from storage import Repository


def _floor(at: datetime, bucket: timedelta) -> datetime:
    epoch = datetime(2000, 1, 1, tzinfo=at.tzinfo)
    return epoch + ((at - epoch) // bucket) * bucket


class WindowReader:
    """Build rule windows from the repository, caching settled history buckets."""

    def __init__(self, repository: Repository, topics: Sequence[str], *,
                 bucket: timedelta = timedelta(hours=1), history: timedelta = timedelta(days=14),
                 settle: timedelta = timedelta(hours=6), negative_margin: float = 0.0,
                 margins_by_language: Mapping[str, float] | None = None) -> None:
        self.repository = repository
        self.negative_margin = negative_margin
        self.margins_by_language = dict(margins_by_language or {})
        self.topics = tuple(topics)
        self.bucket = bucket
        self.history = history
        self.settle = settle
        self._settled: dict[tuple[str, datetime], int] = {}
        self._first_seen: dict[str, datetime | None] = {}

    def margin_for(self, lang: str | None) -> float:
        """The negative margin of a mention in ``lang`` (its language's own, else the general one)."""
        from storage.mention_reads import margin_for

        return margin_for(lang, self.negative_margin, self.margins_by_language)

    def read(self, now: datetime, span: timedelta) -> Window:
        """Return the mentions of ``[now - span, now]`` and the complete hourly buckets before ``now``."""
        start = now - span
        mentions = tuple(self.repository.window_mentions(start, now + timedelta(microseconds=1),
                                                         negative_margin=self.negative_margin,
                                                         margins_by_language=self.margins_by_language))
        return Window(start=start, end=now, mentions=mentions, history=self._history(now, now),
                      bucket=self.bucket)

    def _first(self, topic: str) -> datetime | None:
        if topic not in self._first_seen:
            from storage.records import MentionFilter

            oldest = self.repository.search_mentions(MentionFilter(topics=(topic,), order="oldest", limit=1))
            self._first_seen[topic] = oldest[0].mention.published_at if oldest else None
        return self._first_seen[topic]

    def _history(self, before: datetime, now: datetime) -> dict[str, tuple[HistoryBucket, ...]]:
        from storage.records import MentionFilter

        end = _floor(before, self.bucket)
        begin = end - self.history
        settled_until = _floor(now - self.settle, self.bucket)
        starts: dict[str, list[datetime]] = {}
        for topic in self.topics:
            first = self._first(topic)
            if first is None:
                continue
            first_bucket = max(begin, _floor(first, self.bucket))
            count = int((end - first_bucket) / self.bucket)
            starts[topic] = [first_bucket + k * self.bucket for k in range(max(count, 0))]
        missing = [s for topic, ss in starts.items() for s in ss if (topic, s) not in self._settled]
        fresh: dict[tuple[str, datetime], int] = {}
        if missing:
            since = min(missing)
            rows = self.repository.search_mentions(MentionFilter(
                sentiments=("negative",), since=since, until=end, topics=tuple(starts), order="oldest",
                include_echoes=False,
                limit=None))
            for topic, ss in starts.items():
                for s in ss:
                    if s >= since:
                        fresh[(topic, s)] = 0
            for row in rows:
                if row.sentiment_score is not None and -row.sentiment_score < self.margin_for(row.lang):
                    continue  # labelled negative, but not clearly enough to count (same rule as the window)
                slot = _floor(row.mention.published_at, self.bucket)
                for topic in row.topics:
                    if (topic, slot) in fresh:
                        fresh[(topic, slot)] += 1
            for key, value in fresh.items():
                if key[1] + self.bucket <= settled_until:
                    self._settled[key] = value
        history: dict[str, tuple[HistoryBucket, ...]] = {}
        for topic, ss in starts.items():
            history[topic] = tuple(
                HistoryBucket(start=s, negative=self._settled.get((topic, s), fresh.get((topic, s), 0)))
                for s in ss)
        return history


class RepositoryAlertLog:
    """The dispatcher's :class:`~alerts.dispatch.AlertLog` over ``storage.Repository``.

    It returns every alert the dispatcher asks for (its horizon bounds them), never a capped
    subset: a cap silently left older alerts' pending deliveries unsent and their attempts unrecorded.
    """

    def __init__(self, repository: Repository) -> None:
        self.repository = repository
        self._ids: dict[str, int] = {}

    def alert_exists(self, key: str) -> bool:
        """Return True when storage already holds this dedupe key."""
        return bool(self.repository.alert_exists(key))

    def record_alert(self, alert: Alert) -> None:
        """Store the alert before any send (a known key is ignored by storage)."""
        alert_id = self.repository.record_alert(alert)
        if alert_id is not None:
            self._ids[alert.dedupe_key] = alert_id

    def recent_alerts(self, since: datetime) -> Sequence[Alert]:
        """Return every alert stored since ``since``."""
        stored = self.repository.alerts(since=since, limit=None)
        for item in stored:
            self._ids[item.alert.dedupe_key] = item.id
        return [item.alert for item in stored]

    def _id(self, key: str) -> int | None:
        if key not in self._ids:
            found = self.repository.alert_id(key)
            if found is not None:
                self._ids[key] = found
        return self._ids.get(key)

    def record_delivery(self, delivery: Delivery) -> None:
        """Append one attempt to storage (the alert was stored first; a missing one is an error)."""
        alert_id = self._id(delivery.alert_key)
        if alert_id is None:
            raise LookupError(f"alerts: no stored alert {delivery.alert_key!r} to record a delivery for")
        self.repository.record_delivery(alert_id, delivery.channel,
                                        outcome="sent" if delivery.is_ok else "failed", error=delivery.error)

    def deliveries(self, alert_keys: Iterable[str]) -> Sequence[Delivery]:
        """Return every attempt for these alerts, oldest first (one query per thousand alerts)."""
        keys = {alert_id: key for key in alert_keys if (alert_id := self._id(key)) is not None}
        out = [Delivery(alert_key=keys[r.alert_id], channel=r.channel, is_ok=r.outcome == "sent",
                        attempted_at=r.sent_at, error=r.error)
               for r in self.repository.deliveries_of(list(keys))]
        return sorted(out, key=lambda d: d.attempted_at)

