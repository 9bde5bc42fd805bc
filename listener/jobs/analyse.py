"""The analysis job: annotate what is not yet analysed, a bounded slice per run (``listener.analyse``).

The model is loaded on the first run through the loader the wiring passes in, so a service whose
analysis never runs never pays for the encoder, and a worker builds the job the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from listener import analyse
from listener.service import JobResult

if TYPE_CHECKING:
    from analysis.analyzer import Analyzer
    from storage import Repository


@dataclass
class AnalysisJob:
    """Annotate up to ``per_run`` mentions per stage and report the backlog left."""

    repository: Repository
    load_model: Callable[[], Analyzer]
    batch_size: int = 64
    per_run: int = 2000
    model: Analyzer | None = None
    after: Callable[[datetime], object] | None = None
    """Run after each slice (the trends step: rollups, theme vectors)."""

    def __call__(self, now: datetime) -> JobResult:
        """Load the model on first use, annotate up to ``per_run`` mentions per stage, report the backlog."""
        if self.model is None:
            self.model = self.load_model()
        result = analyse.run(self.repository, self.model, batch_size=self.batch_size, now=now,
                             limit=self.per_run)
        if self.after is not None:
            self.after(now)
        version = analyse.stage_version("sentiment", self.model)
        backlog = len(self.repository.unanalysed("sentiment", version, self.per_run))
        return JobResult(items=result.total, backlog=backlog)
