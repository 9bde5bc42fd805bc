"""The dashboard's themes of discontent check for missing vectors on labels first (SQLite and PostgreSQL).

``trends_report.themes_for`` without an encoder answers "not enough data" from the mentions' ids and
labels when a discontent mention has no vector, instead of loading every text of the period. Compared
with the straightforward computation (load, keep the discontent ones, read their vectors): no vector,
some vectors, every vector (then it clusters as before).
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from analysis import theme_vectors, themes
from analysis.discontent import is_discontent
from analysis.trend_reasons import Reason
from listener import trends_report
from listener.core.model import Annotation
from storage import Repository
from tests.trends.test_spike_explained import SPIKE, _store

SINCE, UNTIL = SPIKE - timedelta(days=3), SPIKE + timedelta(hours=2)


def _fast(repo: Repository) -> trends_report.ThemeReport:
    return trends_report.themes_for(
        repo, ["lumio"], since=SINCE, until=UNTIL, only_discontent=True, encoder=None
    )


def test_missing_vectors_are_found_on_labels_and_complete_ones_cluster_as_before(db_url: str) -> None:
    repo = Repository.from_url(db_url)
    repo.upgrade()
    try:
        _store(repo)
        repo.save_annotations(  # complaints said kindly: discontent without a negative label
            Annotation(source="demo", external_id=f"m{n}", stage="intent", version="v", label="complaint",
                       scores={"complaint": 0.9})
            for n in range(0, 600, 5)
        )
        unhappy = [m for m in trends_report.load_mentions(repo, ["lumio"], SINCE, UNTIL) if is_discontent(m)]
        everyone = trends_report.load_mentions(repo, ["lumio"], SINCE, UNTIL)
        assert 0 < len(unhappy) < len(everyone)
        assert any(m.is_complaint and not m.is_negative for m in unhappy)
        rng = np.random.default_rng(3)
        blobs = [(m.id, theme_vectors.to_bytes(rng.normal(size=theme_vectors.DIM))) for m in unhappy]
        for stored in (0, len(blobs) // 2):
            repo.save_vectors(theme_vectors.MODEL_ID, blobs[:stored])
            assert trends_report.vectors_for(repo, unhappy, None) is None  # the straightforward verdict
            fast = _fast(repo)
            assert fast.missing_vectors and fast.discontent == ()
            assert fast.themes == themes.Themes(
                status="not_enough_data", reason=Reason("vectors_missing"), mentions=len(unhappy)
            )
        repo.save_vectors(theme_vectors.MODEL_ID, blobs)
        vecs = trends_report.vectors_for(repo, unhappy, None)
        assert vecs is not None
        fast = _fast(repo)
        assert not fast.missing_vectors
        assert fast.themes == themes.find_themes(unhappy, vecs)
        assert fast.mentions == {m.id: m for m in unhappy}
    finally:
        repo.close()
