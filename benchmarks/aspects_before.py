"""The aspects as they were before tuning (commit ac324e2), kept so the benchmark prints them beside."""

from __future__ import annotations

from analysis.aspects import Aspect, Thresholds

BEFORE_THRESHOLDS = Thresholds(similar=0.86, with_cue=0.80, margin=0.02, cue_margin=0.02, lead=1.0, alone=1.0)
"""The old rule: one margin whatever the cues, no lead rule."""

BEFORE_ASPECTS: tuple[Aspect, ...] = (
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
