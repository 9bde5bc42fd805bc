"""Keep influence scores current in a long-running service, reading only the mentions stored since.

The service (through :class:`InfluenceJob`) or an alert rule holds one :class:`LiveInfluence`; each
:meth:`LiveInfluence.refresh` reads the rows whose id is above the last one seen (storage's incremental
reader, ``min_id``) and adds them to one :class:`analysis.influence.InfluenceIndex` for all topics and
one per topic, so the work per refresh is proportional to what was collected since the last one. Rows
already read are not read again (storage has no "updated since" reader yet), so refreshed metrics, and a
topic a mention matches when it is fetched again for another query, reach the indexes only after a
restart rebuilds them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from analysis.influence import AuthorInfluence, InfluenceIndex, InfluenceSettings
from listener.service import JobResult
from storage import Repository
from storage.records import MentionFilter

logger = logging.getLogger(__name__)

ALL = "*"
"""Index key for all topics together."""


@dataclass(slots=True)
class LiveInfluence:
    """Influence indexes fed incrementally from storage."""

    settings: InfluenceSettings = field(default_factory=InfluenceSettings)
    batch: int = 5_000
    last_id: int = 0
    indexes: dict[str, InfluenceIndex] = field(default_factory=dict)

    def _index(self, topic: str) -> InfluenceIndex:
        if topic not in self.indexes:
            self.indexes[topic] = InfluenceIndex(self.settings)
        return self.indexes[topic]

    def refresh(self, repo: Repository) -> int:
        """Add every mention stored since the last refresh; return how many were read."""
        read = 0
        while True:
            rows = repo.search_mentions(MentionFilter(min_id=self.last_id, order="id", limit=self.batch))
            if not rows:
                break
            echoes = {s.mention.key: s.echo_count for s in rows if s.echo_count}
            mentions = [s.mention for s in rows]
            self._index(ALL).add_mentions(mentions, echoes=echoes)
            for topic in sorted({t for s in rows for t in s.topics}):
                self._index(topic).add_mentions([s.mention for s in rows if topic in s.topics], echoes=echoes)
            self.last_id = max(s.id for s in rows)
            read += len(rows)
        if read:
            logger.debug("influence: %s new mentions read", read)
        return read

    def scores(
        self, now: datetime, *, topic: str | None = None, exclude: Iterable[str] = (), top: int | None = None
    ) -> list[AuthorInfluence]:
        """Return the current ranking for a topic (all topics when None), best first."""
        index = self.indexes.get(topic or ALL)
        return [] if index is None else index.scores(now, exclude=exclude, top=top)


@dataclass
class InfluenceJob:
    """Feed the live influence indexes with what was stored since the last run, as a scheduled job."""

    repository: Repository
    live: LiveInfluence = field(default_factory=LiveInfluence)

    def __call__(self, now: datetime) -> JobResult:
        """Read the mentions stored since the last run into the indexes."""
        return JobResult(items=self.live.refresh(self.repository))
