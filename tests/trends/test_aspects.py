"""Aspects: tagged by closeness to their seed phrases, by a cue when moderately close, or by a clear lead."""

from __future__ import annotations

from collections import Counter

import numpy as np

from analysis.aspects import DEFAULT_ASPECTS, DEFAULT_THRESHOLDS, Aspect, Thresholds, seed_vectors, tag
from analysis.language import detect

BILLING = Aspect(id="billing", name_fr="facturation", name_en="billing", seeds=("facture", "invoice"),
                 cues=("facture", "bill"))
OUTAGE = Aspect(id="outage", name_fr="panne", name_en="outage", seeds=("panne", "outage"), cues=("panne",))
OLD_RULE = Thresholds(similar=0.86, with_cue=0.80, margin=0.02, cue_margin=0.02, lead=1.0, alone=1.0)


def _unit(*values: float) -> np.ndarray:
    v = np.asarray(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def _embed(texts: list[str]) -> np.ndarray:
    """A stand-in encoder for seed phrases: billing seeds on axis 0, outage seeds on axis 1."""
    return np.stack([_unit(1, 0, 0) if t in ("facture", "invoice") else _unit(0, 1, 0) for t in texts])


COMMON, OWN = 0.9, float(np.sqrt(1 - 0.81))


def _embed_close(texts: list[str]) -> np.ndarray:
    """Seeds that share a common direction, as real sentence vectors do (billing and outage at 0.81)."""
    return np.stack([
        np.asarray([COMMON, OWN, 0, 0] if t in ("facture", "invoice") else [COMMON, 0, OWN, 0],
                   dtype=np.float32)
        for t in texts
    ])


def _at(billing: float, outage: float) -> np.ndarray:
    """A mention vector at cosine ``billing`` to the billing seeds and ``outage`` to the outage seeds."""
    own_b, own_o = (billing - COMMON**2) / OWN, (outage - COMMON**2) / OWN
    return np.asarray([COMMON, own_b, own_o, np.sqrt(1 - COMMON**2 - own_b**2 - own_o**2)], dtype=np.float32)


def _found(texts: list[str], vectors: list[np.ndarray], th: Thresholds) -> list[tuple[int, str]]:
    seeds = seed_vectors([BILLING, OUTAGE], _embed_close)
    ids = list(range(1, len(texts) + 1))
    return [(t.mention_id, t.aspect) for t in tag(ids, texts, np.stack(vectors), [BILLING, OUTAGE], seeds,
                                                   thresholds=th)]


def test_tags_by_similarity_or_cue_and_explains() -> None:
    seeds = seed_vectors([BILLING, OUTAGE], _embed)
    vectors = np.stack([
        _unit(1, 0.05, 0),   # very close to billing seeds
        _unit(1, 0, 0.7),    # moderately close (0.82) but says "facture": a cue
        _unit(1, 0, 0.7),    # moderately close, no cue: not tagged
        _unit(0, 0, 1),      # far from everything
    ])
    texts = ["on m'a prélevé deux fois", "ma facture a doublé", "bof", "la facture et la panne"]
    found = tag([1, 2, 3, 4], texts, vectors, [BILLING, OUTAGE], seeds, thresholds=OLD_RULE)
    assert [(t.mention_id, t.aspect) for t in found] == [(1, "billing"), (2, "billing")]
    assert "close to « facture »" in found[0].explanation and "cue" not in found[0].explanation
    assert "cue « facture »" in found[1].explanation


def test_a_cue_lets_an_aspect_through_a_little_behind_the_best() -> None:
    # outage fits 0.03 better, but the mention names a billing cue: within cue_margin 0.04, not 0.02
    texts, vectors = ["la facture et puis plus rien"], [_at(0.83, 0.86)]
    wide = Thresholds(similar=0.85, with_cue=0.82, margin=0.01, cue_margin=0.04, lead=1.0, alone=1.0)
    assert _found(texts, vectors, wide) == [(1, "outage"), (1, "billing")]
    assert _found(texts, vectors, Thresholds(**{**_fields(wide), "cue_margin": 0.02})) == [(1, "outage")]


def test_a_clear_lead_tags_the_best_aspect_and_says_so() -> None:
    th = Thresholds(similar=0.90, with_cue=0.88, margin=0.01, cue_margin=0.04, lead=0.02, alone=0.83)
    seeds = seed_vectors([BILLING, OUTAGE], _embed_close)
    vectors = np.stack([_at(0.84, 0.80), _at(0.845, 0.835), _at(0.82, 0.70)])
    found = tag([1, 2, 3], ["a", "b", "c"], vectors, [BILLING, OUTAGE], seeds, thresholds=th)
    # 1: 0.04 ahead and above 0.83; 2: only 0.01 ahead; 3: far ahead but below 0.83
    assert [(t.mention_id, t.aspect) for t in found] == [(1, "billing")]
    assert "0.04 ahead of the next aspect" in found[0].explanation
    from listener.trend_reasons import aspect_explanation

    assert aspect_explanation(found[0], "en") == found[0].explanation
    told = aspect_explanation(found[0], "fr")  # to a French reader
    assert told.endswith("0,04 devant l'aspect suivant")


def _fields(th: Thresholds) -> dict[str, float]:
    return {f: getattr(th, f) for f in ("similar", "with_cue", "margin", "cue_margin", "lead", "alone")}


def test_default_aspects_have_parallel_seeds_in_both_languages() -> None:
    ids = [a.id for a in DEFAULT_ASPECTS]
    assert len(ids) == len(set(ids)) >= 6
    for aspect in DEFAULT_ASPECTS:
        assert aspect.name_fr and aspect.name_en and len(aspect.seeds) >= 8 and aspect.cues
        langs = Counter(detect(seed)[0] for seed in aspect.seeds)
        assert langs["fr"] == langs["en"] == len(aspect.seeds) // 2, (aspect.id, langs)
    assert DEFAULT_THRESHOLDS.with_cue <= DEFAULT_THRESHOLDS.similar
    assert DEFAULT_THRESHOLDS.alone <= DEFAULT_THRESHOLDS.similar
