"""The ideas step, run after each analysis slice once analysis has caught up: suggestions grouped.

The idea box reads intents, so it groups only when no mention is left to analyse; it embeds with the
analysis job's encoder (the wiring shares the loaded model), over the last ``days`` of suggestions.
Also the digest's "new and rising ideas" (:func:`digest_ideas`), added to the digest job by the wiring.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from listener import analyse
from listener.core.model import JSON

if TYPE_CHECKING:
    from analysis.analyzer import Analyzer
    from listener.core.model import Query
    from listener.idea_box.messages import Lang
    from storage import Repository


@dataclass
class IdeasStep:
    """``step(now)``: group the last ``days`` of suggestions into ideas when analysis has caught up."""

    repository: Repository
    load_model: Callable[[], Analyzer]
    queries: Callable[[], list[Query]]
    days: float = 7.0

    def __call__(self, now: datetime) -> int:
        """Return how many suggestions were placed (0 while there is still analysis backlog)."""
        from listener.idea_box.grouping_job import refresh_ideas

        model = self.load_model()
        version = analyse.stage_version("sentiment", model)
        if self.repository.unanalysed("sentiment", version, 1):
            return 0
        run = refresh_ideas(self.repository, model.encoder.embed, self.queries(),
                            since=now - timedelta(days=self.days))
        return run.placed


def digest_ideas(repository: Repository, lang: Lang) -> Callable[[datetime], tuple[Mapping[str, JSON], ...]]:
    """Return ``ideas(end)``: the digest's new and rising ideas of the day ending at ``end``."""

    def ideas(end: datetime) -> tuple[Mapping[str, JSON], ...]:
        from listener.idea_box.digest_ideas import idea_rows

        return idea_rows(repository, now=end, lang=lang)

    return ideas
