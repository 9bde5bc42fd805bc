"""Aspects: what customers complain about (billing, delivery, outage...), tagged with the reason.

Why both similarity and cues: a mention is tagged with an aspect when its sentence vector is close
to the aspect's seed phrases (written in French and English, in parallel, so either language matches
either), when it contains one of the aspect's cue words and is at least moderately close, or when
the aspect is clearly its best fit (``Thresholds`` says how close is close). The explanation says
which seed phrase it was closest to, how close, and which cue word it contained or by how much the
aspect led, so a community manager can see why and fix the list. The list is configuration: the
defaults below are a starting point for a consumer service business, measured against our labels
by ``benchmarks/aspects.py``.
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
            "on m'a prélevé deux fois",
            "le prix a encore augmenté",
            "toujours pas remboursé",
            "des frais cachés sur mon compte",
            "vos prix en magasin sont plus chers qu'en ligne",
            "la promo n'a pas été appliquée",
            "overcharged on my bill",
            "I was charged twice",
            "the price went up again",
            "still waiting for my refund",
            "hidden fees on my account",
            "your prices in store are higher than online",
            "the discount was not applied",
        ),
        cues=(
            "facture", "facturation", "prix", "preleve", "prelevement", "tarif", "frais", "rembourse",
            "remboursement", "promo", "paiement", "paye",
            "bill", "billing", "charged", "charge", "charges", "price", "prices", "refund", "refunds",
            "refunded", "fee", "fees", "overcharged", "coupon", "discount", "offer", "payment", "paid",
        ),
    ),
    Aspect(
        id="delivery",
        name_fr="livraison",
        name_en="delivery",
        seeds=(
            "mon colis n'est jamais arrivé",
            "livraison encore en retard",
            "où est ma commande ?",
            "il manque des articles dans ma commande",
            "ils ont annulé ma commande",
            "le suivi du colis ne bouge plus depuis des jours",
            "le repas est arrivé froid et en retard",
            "my package never arrived",
            "delivery is late again",
            "where is my order?",
            "items missing from my order",
            "they cancelled my order",
            "the tracking hasn't updated in days",
            "the food arrived cold and late",
        ),
        cues=(
            "livraison", "livre", "livree", "colis", "commande", "livreur", "suivi", "expedie",
            "delivery", "delivered", "deliver", "package", "parcel", "shipping", "shipped", "order",
            "tracking", "courier", "arrived",
        ),
    ),
    Aspect(
        id="outage",
        name_fr="panne / qualité",
        name_en="outage / quality",
        seeds=(
            "le service est encore en panne",
            "plus de connexion depuis ce matin",
            "il ne marche plus au bout d'une semaine",
            "il ne s'allume plus",
            "déjà cassé, qualité nulle",
            "mon train a encore du retard",
            "défectueux, réparation hors de prix",
            "coupure de courant dans mon quartier",
            "internet est très lent",
            "the service is down again",
            "no connection since this morning",
            "it stopped working after a week",
            "it won't turn on",
            "already broken, terrible quality",
            "my train is delayed again",
            "defective, needs an expensive repair",
            "power cut in my area",
            "the internet is so slow",
        ),
        cues=(
            "panne", "coupure", "connexion", "reseau", "marche", "casse", "defectueux", "retard",
            "reparation", "qualite", "bloque", "batterie", "ecran", "chargeur", "fuite", "remplacer",
            "pannes", "coupures", "courant", "lent", "internet", "wifi",
            "down", "outage", "broken", "broke", "crash", "crashing", "bug", "signal", "defective",
            "faulty", "repair", "glitch", "delayed", "delay", "late", "quality", "working", "stuck",
            "failure", "battery", "screen", "charger", "leak", "leaking", "defect", "recall", "fix",
            "replace", "replacement", "outages", "crashes", "bugs", "failures", "delays", "repairs",
            "power", "slow", "flicker", "flickering", "latency", "lemon", "engine", "internet", "broadband",
            "wifi", "error code",
        ),
    ),
    Aspect(
        id="support",
        name_fr="service client",
        name_en="customer service",
        seeds=(
            "le service client ne répond jamais",
            "une heure d'attente au téléphone",
            "toujours pas de réponse à mon message",
            "je vous ai écrit en privé et personne n'a répondu",
            "le personnel était impoli et pas aidant",
            "personne n'a traité ma réclamation",
            "customer service never answers",
            "waited an hour on hold",
            "still no reply to my message",
            "I sent you a DM and nobody replied",
            "the staff was rude and unhelpful",
            "nobody has dealt with my complaint",
        ),
        cues=(
            "service client", "conseiller", "hotline", "attente", "repond", "reponse", "personnel",
            "reclamation", "rappele", "mp", "contacte", "vendeur",
            "support", "customer service", "agent", "hold", "answer", "reply", "replied", "response",
            "respond", "dm", "staff", "rude", "manager", "unhelpful", "helpful",
            "complaint", "contact", "rep", "reps",
        ),
    ),
    Aspect(
        id="app",
        name_fr="appli / site",
        name_en="app / website",
        seeds=(
            "l'appli plante sans arrêt",
            "impossible de me connecter au site",
            "le site affiche une erreur",
            "impossible de m'enregistrer sur votre site",
            "l'appli ne s'ouvre pas sur mon téléphone",
            "impossible de payer sur votre site",
            "the app keeps crashing",
            "can't log in to the website",
            "the website shows an error message",
            "I can't check in on your website",
            "the app won't open on my phone",
            "can't pay on your website",
        ),
        cues=(
            "appli", "site", "connecter", "mot de passe", "navigateur",
            "app", "website", "login", "page", "password", "browser",
        ),
    ),
    Aspect(
        id="contract",
        name_fr="contrat / résiliation",
        name_en="contract / cancellation",
        seeds=(
            "je veux résilier mon contrat",
            "ils refusent ma résiliation",
            "frais de résiliation abusifs",
            "je pars chez un concurrent",
            "abonnement renouvelé sans mon accord",
            "I want to cancel my contract",
            "they won't let me cancel",
            "unfair cancellation fees",
            "I'm switching to another company",
            "renewed my subscription without asking",
        ),
        cues=(
            "resilier", "resiliation", "contrat", "engagement", "abonnement", "concurrent", "renouvele",
            "cancel", "contract", "subscription", "switching", "leaving", "renew", "renewal", "policy",
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
    """In English; ``seed``, ``cue`` and ``lead`` hold its parts, for a reader in another language."""
    seed: str = ""
    cue: str | None = None
    lead: float | None = None
    """How far ahead of the next aspect, when that is what made the tag (no cue, below ``similar``)."""


def explain(seed: str, score: float, cue: str | None, lead: float | None) -> str:
    """Why a mention got its aspect, in English (the presentation layers tell it in the reader's)."""
    why = f"close to « {seed} » ({score:.2f})"
    if cue is not None:
        why += f", cue « {cue} »"
    elif lead is not None:
        why += f", {lead:.2f} ahead of the next aspect"
    return why


def seed_vectors(aspects: Sequence[Aspect], embed: Embed) -> dict[str, Vectors]:
    """Embed every aspect's seed phrases once (rows L2-normalised)."""
    out: dict[str, Vectors] = {}
    for aspect in aspects:
        vecs = np.asarray(embed(list(aspect.seeds)), dtype=np.float32)
        out[aspect.id] = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-9)
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Thresholds:
    """When a mention is close enough to an aspect (cosine to its nearest seed phrase).

    Sentence vectors of complaints all sit close together (0.80-0.90 to any seed), so the absolute
    level matters less than which aspect fits best: an aspect counts only within ``margin`` of the
    mention's best one (``cue_margin`` when the mention also names one of its cue words, since a cue
    is evidence on its own). Within that, it is tagged when it is ``similar``, or has a cue and is
    ``with_cue``, or is the best aspect, ``lead`` ahead of the next one and at least ``alone``.
    The defaults were picked by a grid on 260 labelled complaints and checked on 70 others labelled
    before that tuning (``benchmarks/aspects.py`` prints both, and the grid's pick in the same run).
    """

    similar: float = 0.89
    with_cue: float = 0.80
    margin: float = 0.01
    cue_margin: float = 0.04
    lead: float = 0.01
    alone: float = 0.84


DEFAULT_THRESHOLDS = Thresholds()


def tag(
    mention_ids: Sequence[int],
    texts: Sequence[str],
    vectors: Vectors,
    aspects: Sequence[Aspect],
    seeds: Mapping[str, Vectors],
    *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> list[AspectTag]:
    """Tag each mention with the aspects it is close to (or has a cue of and is near to), with why."""
    th = thresholds
    x = np.asarray(vectors, dtype=np.float32)
    x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)
    tags: list[AspectTag] = []
    if not aspects or not len(x):
        return tags
    found_terms = [terms(t) for t in texts]
    sims = [x @ seeds[a.id].T for a in aspects]
    best_seed = [s.argmax(axis=1) for s in sims]
    scores = np.stack([s.max(axis=1) for s in sims], axis=1)
    ranked = np.sort(scores, axis=1)
    top = ranked[:, -1]
    second = ranked[:, -2] if len(aspects) > 1 else np.full(len(x), -1.0)
    for k, aspect in enumerate(aspects):
        for row, mention_id in enumerate(mention_ids):
            score = float(scores[row, k])
            cue = next((c for c in aspect.cues if c in found_terms[row]), None)
            if score < top[row] - (th.margin if cue is None else max(th.margin, th.cue_margin)):
                continue  # another aspect fits this mention clearly better
            lead = float(score - second[row]) if score >= top[row] else 0.0
            leads = lead >= th.lead and score >= th.alone
            if score >= th.similar or (cue is not None and score >= th.with_cue) or leads:
                seed = aspect.seeds[int(best_seed[k][row])]
                ahead = lead if cue is None and leads and score < th.similar else None
                tags.append(AspectTag(mention_id=mention_id, aspect=aspect.id, score=score, seed=seed,
                                      cue=cue, lead=ahead, explanation=explain(seed, score, cue, ahead)))
    return sorted(tags, key=lambda t: (t.mention_id, -t.score, t.aspect))
