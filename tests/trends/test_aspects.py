"""Aspects: tagged by closeness to their seed phrases, or by a cue when moderately close, with the reason."""

from __future__ import annotations

import numpy as np

from analysis.aspects import DEFAULT_ASPECTS, Aspect, seed_vectors, tag

BILLING = Aspect(id="billing", name_fr="facturation", name_en="billing", seeds=("facture", "invoice"),
                 cues=("facture", "bill"))
OUTAGE = Aspect(id="outage", name_fr="panne", name_en="outage", seeds=("panne", "outage"), cues=("panne",))


def _unit(*values: float) -> np.ndarray:
    v = np.asarray(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def _embed(texts: list[str]) -> np.ndarray:
    """A stand-in encoder for seed phrases: billing seeds on axis 0, outage seeds on axis 1."""
    return np.stack([_unit(1, 0, 0) if t in ("facture", "invoice") else _unit(0, 1, 0) for t in texts])


def test_tags_by_similarity_or_cue_and_explains() -> None:
    seeds = seed_vectors([BILLING, OUTAGE], _embed)
    vectors = np.stack([
        _unit(1, 0.05, 0),   # very close to billing seeds
        _unit(1, 0, 0.7),    # moderately close (0.82) but says "facture": a cue
        _unit(1, 0, 0.7),    # moderately close, no cue: not tagged
        _unit(0, 0, 1),      # far from everything
    ])
    texts = ["on m'a prélevé deux fois", "ma facture a doublé", "bof", "la facture et la panne"]
    found = tag([1, 2, 3, 4], texts, vectors, [BILLING, OUTAGE], seeds)
    assert [(t.mention_id, t.aspect) for t in found] == [(1, "billing"), (2, "billing")]
    assert "close to « facture »" in found[0].explanation and "cue" not in found[0].explanation
    assert "cue « facture »" in found[1].explanation


def test_default_aspects_have_seeds_in_both_languages() -> None:
    ids = [a.id for a in DEFAULT_ASPECTS]
    assert len(ids) == len(set(ids)) >= 6
    for aspect in DEFAULT_ASPECTS:
        assert aspect.name_fr and aspect.name_en and len(aspect.seeds) >= 4 and aspect.cues
