"""Analysis in parallel: the store ``listener.analyse.run`` reads, claiming batches instead of reading.

``listener.analyse.run`` asks its store for ``unanalysed(stage, version, limit)`` mentions and saves
their annotations; :class:`ClaimingStore` answers with mentions this worker *claimed*
(``Coordinator.claim_unanalysed``), so two workers never annotate the same mention, and drops the
claims once the annotations are saved. A worker that dies leaves its claims to expire; the mentions
are then claimed by another.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from listener.core.model import Annotation

if TYPE_CHECKING:
    from analysis.analyzer import Analyzer
    from listener.workers.context import WorkerContext
    from storage import Repository, StoredMention


class ClaimingStore:
    """An analysis store whose reads are claims (see the module docstring)."""

    def __init__(self, repository: Repository, worker: str, *, ttl_s: float) -> None:
        self.repository = repository
        self.worker = worker
        self.ttl_s = ttl_s
        self._claimed: dict[str, dict[tuple[str, str], int]] = {}

    def unanalysed(self, stage: str, version: str, limit: int = 500) -> list[StoredMention]:
        """Claim and return up to ``limit`` mentions lacking ``stage`` at ``version``."""
        claimed = self.repository.coordinator.claim_unanalysed(
            stage, version, self.worker, limit=limit, ttl_s=self.ttl_s
        )
        mine = self._claimed.setdefault(stage, {})
        mine.update({(s.mention.source, s.mention.external_id): s.id for s in claimed})
        return claimed

    def save_annotations(self, items: Iterable[Annotation]) -> int:
        """Save the annotations, then drop this worker's claims on their mentions."""
        batch = list(items)
        saved = self.repository.save_annotations(batch)
        for stage in {a.stage for a in batch}:
            mine = self._claimed.get(stage, {})
            ids = [i for a in batch if a.stage == stage and (i := mine.pop((a.source, a.external_id), None))]
            if ids:
                self.repository.coordinator.release_claims(stage, self.worker, ids)
        return saved


_MODELS: dict[int, Any] = {}


def model_of(ctx: WorkerContext) -> Analyzer:
    """Load the analyzer once per process (the first analysis task pays for it)."""
    from listener.wiring import load_analyzer

    key = id(ctx)
    if key not in _MODELS:
        _MODELS[key] = load_analyzer(ctx.settings)
    model: Analyzer = _MODELS[key]
    return model
