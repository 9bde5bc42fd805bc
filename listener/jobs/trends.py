"""The trends step, run after each analysis slice: rollups and term index up to date, theme vectors stored.

Runs after analysis (so sentiment and intents are known): the rollups are refreshed (only the hours
touched since last time), new and changed mentions are tokenised into the term index (once each,
so rising terms never re-read texts), and, when the wiring gives an encoder loader (``analysis.theme_vectors:
true``), the negative and complaint mentions of the last two days without a theme vector get one, a
bounded number per run, so a spike alert can name its themes without loading a model on the alert
path. The encoder is loaded on first need.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from analysis import theme_vectors
from analysis.discontent import is_discontent
from listener import trends_report

if TYPE_CHECKING:
    from analysis.theme_vectors import ThemeEncoder
    from storage import Repository

RECENT = timedelta(days=2)
INDEX_PER_RUN = 50_000
"""Mentions tokenised into the term index per run (a database that predates it catches up over runs)."""


@dataclass
class TrendsStep:
    """``step(now)``: refresh rollups, embed up to ``per_run`` new unhappy mentions; return how many."""

    repository: Repository
    load_encoder: Callable[[], ThemeEncoder] | None = None
    """None: no theme vectors (the default; they need a second encoder)."""
    per_run: int = 500
    _encoder: list[ThemeEncoder] = field(default_factory=list)

    def _load(self) -> ThemeEncoder:
        if not self._encoder:
            assert self.load_encoder is not None
            self._encoder.append(self.load_encoder())
        return self._encoder[0]

    def __call__(self, now: datetime) -> int:
        """One pass; the vectors computed are stored, so the next pass continues where this one ended."""
        self.repository.refresh_rollups()
        trends_report.refresh_term_index(self.repository, limit=INDEX_PER_RUN)
        if self.load_encoder is None:
            return 0
        recent = trends_report.load_mentions(self.repository, [], now - RECENT, now)
        unhappy = [m for m in recent if is_discontent(m)]
        stored = self.repository.vectors(theme_vectors.MODEL_ID, [m.id for m in unhappy])
        todo = [m for m in unhappy if m.id not in stored][: self.per_run]
        if todo:
            trends_report.vectors_for(self.repository, todo, self._load)
        return len(todo)
