"""The demo's sentences: templates per tone and language, openers, closers, fillers and handles.

Data only, split from ``connectors/demo.py`` so the simulation reads apart from its text. Every
sentence was written for this project.
"""

from __future__ import annotations

from typing import Literal

Tone = Literal["complaint", "outage", "churn", "question", "suggestion", "praise", "neutral", "confusion"]
Lang = Literal["fr", "en"]

_PRODUCTS = {
    "fr": ("la box", "l'appli", "la fibre", "le forfait mobile", "le décodeur TV", "le service client"),
    "en": ("the router", "the app", "the fibre line", "the mobile plan", "the TV box", "customer support"),
}
_DURATIONS = {
    "fr": ("depuis ce matin", "depuis 3 jours", "depuis une semaine", "encore ce soir", "depuis hier soir"),
    "en": ("since this morning", "for 3 days now", "for a whole week", "again tonight", "since last night"),
}
_FEATURES = {
    "fr": ("le mode sombre dans l'appli", "un suivi de panne en temps réel", "l'export des factures en PDF",
           "le partage de connexion sans surcoût", "une option pour bloquer les pubs sur la box"),
    "en": ("a dark mode in the app", "a live outage tracker", "PDF export of invoices",
           "free tethering on every plan", "an ad-blocking option on the router"),
}

# Templates take {brand} {product} {duration} {feature} {competitor} {tag}; {brand} may be @-prefixed.
_TEMPLATES: dict[Tone, dict[Lang, tuple[str, ...]]] = {
    "complaint": {
        "fr": (
            "{product} {brand} ne marche plus {duration}, c'est inadmissible",
            "Troisième appel au service client {brand} et toujours aucune solution. Ras-le-bol.",
            "Facture {brand} doublée ce mois-ci sans explication, je veux un remboursement",
            "{brand} m'a coupé la ligne par erreur et personne ne répond. Lamentable.",
            "Débit ridicule avec {brand} {duration}, on paie pour la fibre et on a du 2 Mb/s",
        ),
        "en": (
            "{product} from {brand} has been down {duration}, this is unacceptable",
            "Third call to {brand} support and still no fix. Fed up.",
            "My {brand} bill doubled this month with no explanation, I want a refund",
            "{brand} cut my line by mistake and nobody answers. Pathetic.",
            "Speeds with {brand} are a joke {duration}, paying for fibre and getting 2 Mbps",
        ),
    },
    "outage": {
        "fr": (
            "Panne générale chez {brand} ? Plus d'internet ni de télé {duration} {tag}",
            "Encore une panne {brand}, impossible de télétravailler. Merci pour rien {tag}",
            "{brand} en panne dans tout Lyon, et aucune info sur le site {tag}",
            "Plus de réseau mobile {brand} non plus. Quelqu'un a des nouvelles ? {tag}",
        ),
        "en": (
            "Is {brand} down everywhere? No internet and no TV {duration} {tag}",
            "Another {brand} outage, can't work from home. Thanks for nothing {tag}",
            "{brand} is down across the whole city and the status page says nothing {tag}",
            "No {brand} mobile signal either. Anyone know what's going on? {tag}",
        ),
    },
    "churn": {
        "fr": (
            "C'est décidé, je vais résilier {brand} et passer chez {competitor}",
            "Dernière panne {brand} pour moi, je résilie demain. {competitor} me fait une meilleure offre",
            "Si {brand} ne rembourse pas les jours de panne, je change d'opérateur",
        ),
        "en": (
            "That's it, I'm cancelling {brand} and switching to {competitor}",
            "Last {brand} outage I put up with, moving to {competitor} next week",
            "If {brand} doesn't refund the outage days I'm leaving for {competitor}",
        ),
    },
    "confusion": {
        "fr": (
            "Je ne comprends rien à la nouvelle facture {brand}, c'est quoi ces frais ?",
            "{brand} annonce un changement d'offre mais je ne sais pas si ça me concerne",
        ),
        "en": (
            "I don't understand the new {brand} bill at all, what are these fees?",
            "{brand} emailed about a plan change and I can't tell if it affects me",
        ),
    },
    "question": {
        "fr": (
            "Quelqu'un sait comment activer le wifi invité sur {product} {brand} ?",
            "{brand} propose l'IPv6 sur la fibre ? Je ne trouve pas l'option",
            "Comment on récupère ses factures {brand} des années précédentes ?",
            "Est-ce que {brand} couvre les petites communes en fibre ?",
        ),
        "en": (
            "Does anyone know how to turn on guest wifi on {product} from {brand}?",
            "Does {brand} support IPv6 on fibre? I can't find the setting",
            "How do I get my old {brand} invoices from previous years?",
            "Is {brand} fibre available in small villages yet?",
        ),
    },
    "suggestion": {
        "fr": (
            "Ce serait top si {brand} ajoutait {feature}",
            "Suggestion pour {brand} : proposez {feature}, tout le monde le demande",
            "{brand} devrait vraiment ajouter {feature}, ça éviterait plein d'appels",
        ),
        "en": (
            "It would be great if {brand} added {feature}",
            "Idea for {brand}: please add {feature}, everyone keeps asking for it",
            "{brand} should really offer {feature}, it would save so many support calls",
        ),
    },
    "praise": {
        "fr": (
            "Merci {brand}, technicien au top et installation en 20 minutes",
            "Franchement la fibre {brand} c'est le jour et la nuit, merci !",
            "Service client {brand} rapide et efficace aujourd'hui, bravo",
        ),
        "en": (
            "Thanks {brand}, great technician and set up in 20 minutes",
            "Honestly {brand} fibre is night and day, love it!",
            "{brand} support was quick and helpful today, well done",
        ),
    },
    "neutral": {
        "fr": (
            "{brand} annonce une nouvelle offre fibre à partir de janvier",
            "Comparatif des box internet : {brand}, {competitor} et les autres",
            "{brand} ouvre une boutique à Nantes la semaine prochaine",
        ),
        "en": (
            "{brand} announces a new fibre plan starting in January",
            "Broadband comparison: {brand}, {competitor} and the rest",
            "{brand} is opening a store in Nantes next week",
        ),
    },
}

# Openers and closers make each customer's post their own: two people rarely write the same words.
_NEGATIVE = ("complaint", "outage", "churn", "confusion")
_OPENERS: dict[bool, dict[Lang, tuple[str, ...]]] = {
    True: {
        "fr": ("", "", "Sérieusement...", "Bon.", "Franchement,", "Je n'en peux plus.", "Hello,",
               "Petit coup de gueule :", "Encore et toujours.", "Allô ?", "Message à {brand} :"),
        "en": ("", "", "Seriously...", "Ugh.", "Honestly,", "I give up.", "Hey,", "Rant incoming:",
               "Again.", "Hello??", "Dear {brand},"),
    },
    False: {
        "fr": ("", "", "Hello !", "Petite question :", "Au fait,", "Bonjour,", "Tiens,", "Info :",
               "Pour ceux que ça intéresse,", "Bon à savoir :"),
        "en": ("", "", "Hi all!", "Quick one:", "By the way,", "Hello,", "Fun fact:", "FYI",
               "For anyone wondering,", "Good to know:"),
    },
}
_CLOSERS: dict[bool, dict[Lang, tuple[str, ...]]] = {
    True: {
        "fr": ("", "😡", "😤", "Merci de me rappeler.", "Trois heures d'attente au téléphone.",
               "Je paie 40 € par mois pour ça.", "Et mon abonnement, il est gratuit ce mois-ci ?",
               "Je télétravaille, moi !", "Ça devient une habitude.", "Personne ne sait rien en boutique.",
               "Mon numéro client est en DM.", "Vivement la fin de mon engagement."),
        "en": ("", "😡", "🙄", "Please call me back.", "Three hours on hold today.",
               "I pay 40 bucks a month for this.", "Will this month be free then?",
               "Some of us work from home!", "This is becoming a habit.", "The store staff know nothing.",
               "Account number sent by DM.", "Can't wait for my contract to end."),
    },
    False: {
        "fr": ("", "🙂", "👍", "Merci d'avance !", "Bonne soirée à tous.", "Curieux d'avoir vos avis.",
               "À suivre.", "On verra bien.", "Des retours ?", "C'est noté."),
        "en": ("", "🙂", "👍", "Thanks in advance!", "Have a nice evening.", "Curious what you think.",
               "Let's see.", "We'll see how it goes.", "Any feedback?", "Noted."),
    },
}

_FILLERS: dict[Lang, tuple[str, ...]] = {
    "fr": ("vraiment", "encore", "franchement", "du coup", "quand même", "carrément", "genre", "bref",
           "en fait", "sérieux", "clairement", "aujourd'hui"),
    "en": ("really", "literally", "honestly", "still", "again", "totally", "just", "basically",
           "actually", "seriously", "clearly", "today"),
}

_FIRST = ("marie", "lucas", "emma", "hugo", "chloe", "nathan", "lea", "tom", "ines", "jules", "sarah",
          "alex", "camille", "noah", "julie", "sam", "zoe", "max", "nora", "paul")
_SECOND = ("dupont", "tech", "lyon", "geek", "martin", "bzh", "paris", "dev", "durand", "photo", "run",
           "42", "io", "moreau", "pro", "nantes", "b", "fr", "_", "x")
