"""Attach "what drove this spike" to spike alerts and to the digest, from what storage holds.

The alert path must stay fast and never load a model: themes are found from theme vectors already
stored (``listener themes`` and the demo store them), and left out when most are missing; rising
terms, sources, authors, echoes, examples and competitors need nothing but the mentions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from analysis import discontent, spike_story, theme_vectors, themes
from analysis.bursts import bursts
from listener import trends_report

if TYPE_CHECKING:
    from listener.core.model import Alert
    from storage import Repository

HISTORY = timedelta(days=7)
MIN_VECTOR_SHARE = 0.8


@dataclass
class SpikeExplainer:
    """``explainer(alert)`` returns the JSON story of a spike alert's topic and window, else None."""

    repository: Repository
    roles: Mapping[str, str]
    """Topic id -> role; competitors are compared in the spike's hours."""

    def __call__(self, alert: Alert) -> dict[str, Any] | None:
        """Explain a negative spike (opening or update); other alerts get nothing."""
        if alert.kind != "negative_spike" or alert.is_resolution or alert.subject not in self.roles:
            return None
        return self.explain(alert.subject, alert.window_start, alert.window_end)

    def explain(self, topic: str, start: datetime, end: datetime) -> dict[str, Any]:
        """The story of ``topic`` in ``[start, end)`` as JSON-ready data."""
        found = trends_report.load_mentions(self.repository, [topic], start - HISTORY, end)
        spike = [m for m in found if m.published_at >= start]
        history = [m for m in found if m.published_at < start]
        unhappy = [m for m in spike if discontent.is_discontent(m)]
        found_themes = None
        stored = self.repository.vectors(theme_vectors.MODEL_ID, [m.id for m in unhappy])
        if unhappy and len(stored) >= MIN_VECTOR_SHARE * len(unhappy):
            kept = [m for m in unhappy if m.id in stored]
            vecs = trends_report.vectors_for(self.repository, kept, None)
            if vecs is not None:
                found_themes = themes.find_themes(kept, vecs, min_size=max(3, min(8, len(kept) // 10)))
        rivals = {}
        for rival, role in self.roles.items():
            if role != "competitor":
                continue
            now_count = self._count(rival, start, end)
            usual = (self._count(rival, start - HISTORY, end) - now_count) / (HISTORY / (end - start))
            rivals[rival] = (now_count, usual)
        story = spike_story.explain(
            topic, spike, history, start=start, end=end, themes=found_themes, competitors=rivals
        )
        return spike_story.as_json(story)


    def _count(self, topic: str, since: datetime, until: datetime) -> int:
        """How many mentions of ``topic`` in ``[since, until)``: a competitor's hours need only their number.

        Counted in the database, not loaded: loading a week of each competitor's mentions to count them
        was two thirds of a story's time (the alert page and the trends page tell them on request).
        """
        from storage import MentionFilter

        flt = MentionFilter(topics=(topic,), since=since, until=until, limit=None)
        return self.repository.count_mentions(flt)


def digest_drivers(
    explainer: SpikeExplainer, topics: Sequence[str], start: datetime, end: datetime, *, limit: int = 2
) -> tuple[dict[str, Any], ...]:
    """Stories of the negative bursts of ``topics`` during ``[start, end)`` (the digest's day)."""
    repo = explainer.repository
    repo.refresh_rollups()
    out: list[dict[str, Any]] = []
    for topic in topics:
        points = repo.rollup_series([topic], grain="hour", since=start - timedelta(days=35), until=end)
        counts = {p.bucket: p.negative for p in points}
        for burst in bursts(counts, since=start, until=end)[:limit]:
            out.append(explainer.explain(topic, burst.start, burst.end))
    return tuple(out[:limit])
