"""Aspects: what customers complain about (billing, delivery, outage...), tagged with the reason.

Why both similarity and cues: a mention is tagged with an aspect when its sentence vector is close
to the aspect's seed phrases (written in French and English, so either language matches either), or
when it contains one of the aspect's cue words and is at least moderately close. The explanation
says which seed phrase it was closest to, how close, and which cue word it contained, so a community
manager can see why and fix the list. The list is configuration: the defaults below are a starting
point for a consumer service business.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from analysis.terms import terms

Vectors = npt.NDArray[np.float32]
Embed = Callable[[Sequence[str]], Vectors]


@dataclass(frozen=True, slots=True, kw_only=True)
class Aspect:
    """One thing customers talk about, with seed phrases (FR and EN) and cue words (folded)."""

    id: str
    name_fr: str
    name_en: str
    seeds: tuple[str, ...]
    cues: tuple[str, ...] = ()


DEFAULT_ASPECTS: tuple[Aspect, ...] = (
    Aspect(
        id="billing",
        name_fr="facturation / prix",
        name_en="billing / price",
        seeds=(
            "facture trop chère",
            "prélevé deux fois",
            "augmentation du prix de l'abonnement",
            "overcharged on my bill",
            "charged twice",
            "the price went up again",
        ),
        cues=(
            "facture",
            "facturation",
            "prix",
            "preleve",
            "tarif",
            "bill",
            "billing",
            "charged",
            "price",
            "refund",
            "rembourse",
            "remboursement",
        ),
    ),
    Aspect(
        id="delivery",
        name_fr="livraison",
        name_en="delivery",
        seeds=(
            "colis jamais livré",
            "livraison en retard",
            "my package never arrived",
            "delivery is late again",
        ),
        cues=("livraison", "livre", "colis", "delivery", "delivered", "package", "parcel", "shipping"),
    ),
    Aspect(
        id="outage",
        name_fr="panne / qualité",
        name_en="outage / quality",
        seeds=(
            "plus de connexion depuis ce matin",
            "encore une panne",
            "le service ne marche pas",
            "the service is down again",
            "no connection since this morning",
            "it keeps crashing",
        ),
        cues=(
            "panne",
            "coupure",
            "connexion",
            "reseau",
            "marche",
            "down",
            "outage",
            "broken",
            "crash",
            "bug",
            "signal",
        ),
    ),
    Aspect(
        id="support",
        name_fr="service client",
        name_en="customer service",
        seeds=(
            "personne ne répond au service client",
            "une heure d'attente au téléphone",
            "customer service never answers",
            "waited an hour on hold",
        ),
        cues=(
            "service client",
            "conseiller",
            "hotline",
            "attente",
            "support",
            "customer service",
            "agent",
            "hold",
            "answer",
            "repond",
        ),
    ),
    Aspect(
        id="app",
        name_fr="appli / site",
        name_en="app / website",
        seeds=(
            "l'appli plante",
            "impossible de me connecter au site",
            "the app keeps crashing",
            "can't log in to the website",
        ),
        cues=(
            "appli",
            "application",
            "app",
            "site",
            "website",
            "login",
            "connecter",
            "mise a jour",
            "update",
        ),
    ),
    Aspect(
        id="contract",
        name_fr="contrat / résiliation",
        name_en="contract / cancellation",
        seeds=(
            "je veux résilier mon abonnement",
            "frais de résiliation abusifs",
            "I want to cancel my contract",
            "they won't let me cancel",
        ),
        cues=(
            "resilier",
            "resiliation",
            "contrat",
            "engagement",
            "abonnement",
            "cancel",
            "contract",
            "subscription",
        ),
    ),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class AspectTag:
    """A mention tagged with an aspect, and why."""

    mention_id: int
    aspect: str
    score: float
    explanation: str


def seed_vectors(aspects: Sequence[Aspect], embed: Embed) -> dict[str, Vectors]:
    """Embed every aspect's seed phrases once (rows L2-normalised)."""
    out: dict[str, Vectors] = {}
    for aspect in aspects:
        vecs = np.asarray(embed(list(aspect.seeds)), dtype=np.float32)
        out[aspect.id] = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-9)
    return out


def tag(
    mention_ids: Sequence[int],
    texts: Sequence[str],
    vectors: Vectors,
    aspects: Sequence[Aspect],
    seeds: Mapping[str, Vectors],
    *,
    similar: float = 0.86,
    with_cue: float = 0.80,
    margin: float = 0.02,
) -> list[AspectTag]:
    """Tag each mention with the aspects it is close to (or has a cue of and is near to).

    Only aspects within ``margin`` of the mention's best-fitting aspect count: sentence vectors are
    all fairly close to each other, so an absolute threshold alone tags too much.
    """
    x = np.asarray(vectors, dtype=np.float32)
    x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)
    tags: list[AspectTag] = []
    found_terms = [terms(t) for t in texts]
    sims = [x @ seeds[a.id].T for a in aspects]
    best_seed = [s.argmax(axis=1) for s in sims]
    scores = np.stack([s.max(axis=1) for s in sims], axis=1) if aspects else np.zeros((len(x), 0))
    top = scores.max(axis=1) if aspects else np.zeros(len(x))
    for k, aspect in enumerate(aspects):
        for row, mention_id in enumerate(mention_ids):
            score = float(scores[row, k])
            if score < top[row] - margin:
                continue  # another aspect fits this mention clearly better
            cue = next((c for c in aspect.cues if c in found_terms[row]), None)
            if score >= similar or (cue is not None and score >= with_cue):
                seed = aspect.seeds[int(best_seed[k][row])]
                why = f"close to « {seed} » ({score:.2f})" + (f", cue « {cue} »" if cue else "")
                tags.append(AspectTag(mention_id=mention_id, aspect=aspect.id, score=score, explanation=why))
    return sorted(tags, key=lambda t: (t.mention_id, -t.score, t.aspect))
