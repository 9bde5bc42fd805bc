"""Every sentence of the idea box a person reads, in French and English: statuses and drafted replies.

Replies are drafts a community manager reviews before posting them; they greet the supporter by
handle and name the idea in the supporter's own words when they suggested it.
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["fr", "en"]

STATUS_LABELS: dict[str, dict[Lang, str]] = {
    "new": {"fr": "nouvelle", "en": "new"},
    "under_review": {"fr": "à l'étude", "en": "under review"},
    "planned": {"fr": "prévue", "en": "planned"},
    "shipped": {"fr": "livrée", "en": "shipped"},
    "declined": {"fr": "écartée", "en": "declined"},
    "merged": {"fr": "fusionnée", "en": "merged"},
}

REPLIES: dict[str, dict[Lang, str]] = {
    "under_review": {
        "fr": "@{handle} Merci pour votre idée « {title} » : notre équipe l'étudie, "
        "nous vous tiendrons au courant.",
        "en": '@{handle} Thanks for your idea "{title}": our team is looking into it '
        "and will keep you posted.",
    },
    "planned": {
        "fr": "@{handle} Bonne nouvelle : votre idée « {title} » est prévue ! Merci de l'avoir portée.",
        "en": '@{handle} Good news: your idea "{title}" is planned! Thank you for backing it.',
    },
    "shipped": {
        "fr": "@{handle} C'est fait : « {title} » est disponible. Merci, c'est grâce à vous !",
        "en": '@{handle} Done: "{title}" is now available. Thank you, you made it happen!',
    },
    "declined": {
        "fr": "@{handle} Merci pour votre idée « {title} ». "
        "Nous ne la retenons pas pour l'instant : {reason}",
        "en": '@{handle} Thanks for your idea "{title}". We are not taking it forward for now: {reason}',
    },
}

WORKFLOW_ERRORS: dict[str, dict[Lang, str]] = {
    "unknown_status": {
        "fr": "statut inconnu « {status} » (possibles : {choices})",
        "en": "unknown status '{status}' (choose from {choices})",
    },
    "transition": {
        "fr": "une idée « {old} » ne peut pas passer à « {new} » (possibles : {choices})",
        "en": "an idea that is '{old}' cannot become '{new}' (allowed: {choices})",
    },
    "reason_needed": {
        "fr": "écarter une idée demande une raison (--reason), elle est envoyée à ses soutiens",
        "en": "declining an idea needs a reason (--reason): it is sent to its supporters",
    },
    "unknown_idea": {"fr": "aucune idée n°{idea_id}", "en": "no idea #{idea_id}"},
    "merged": {
        "fr": "l'idée n°{idea_id} a été fusionnée dans la n°{target}",
        "en": "idea #{idea_id} was merged into #{target}",
    },
}


def reply_lang(lang: str | None) -> Lang:
    """Return the language a supporter is answered in: French for French posts, English otherwise."""
    return "fr" if lang == "fr" else "en"


def draft(status: str, lang: Lang, *, handle: str, title: str, reason: str | None = None) -> str | None:
    """Return the reply drafted for one supporter on a status change, or None when none is sent."""
    template = REPLIES.get(status, {}).get(lang)
    if template is None:
        return None
    return template.format(handle=handle, title=title, reason=reason or "").strip()


def workflow_error(kind: str, lang: Lang = "en", **values: object) -> str:
    """Return a workflow error in the user's language."""
    return WORKFLOW_ERRORS[kind][lang].format(**values)


WORDS: dict[Lang, dict[str, str]] = {
    "fr": {
        "idea": "idée",
        "title": "titre",
        "status": "statut",
        "score": "score",
        "people": "soutiens",
        "suggested": "proposée par",
        "votes": "votes",
        "langs": "langues",
        "scope": "périmètre",
        "none": "aucune idée pour l'instant (lancez « listener ideas refresh »)",
        "suggestions": "Suggestions",
        "history": "Historique",
        "replies": "Réponses préparées",
        "drafted": "{n} réponse(s) préparée(s), à publier puis marquer avec « listener ideas sent »",
        "merged": "idée n°{source} fusionnée dans la n°{target}",
        "split": "nouvelle idée n°{idea}",
        "renamed": "idée n°{idea} renommée",
        "sent": "{n} réponse(s) marquée(s) envoyée(s) ; boucles fermées : {loops}",
        "refreshed": "{placed} suggestion(s) placée(s), {opened} nouvelle(s) idée(s), {votes} vote(s), "
        "refusées : {refused}",
        "report": "Idées de la semaine",
        "rising": "Nouvelles idées et idées qui montent",
        "changes": "Changements de statut",
        "loops": "Boucles fermées (réponses envoyées)",
        "waiting": "Réponses en attente",
        "bots": "comptes robots écartés",
    },
    "en": {
        "idea": "idea",
        "title": "title",
        "status": "status",
        "score": "score",
        "people": "supporters",
        "suggested": "suggested by",
        "votes": "votes",
        "langs": "languages",
        "scope": "scope",
        "none": "no ideas yet (run 'listener ideas refresh')",
        "suggestions": "Suggestions",
        "history": "History",
        "replies": "Drafted replies",
        "drafted": "{n} reply(ies) drafted: post them, then mark them with 'listener ideas sent'",
        "merged": "idea #{source} merged into #{target}",
        "split": "new idea #{idea}",
        "renamed": "idea #{idea} renamed",
        "sent": "{n} reply(ies) marked sent; loops closed: {loops}",
        "refreshed": "{placed} suggestion(s) placed, {opened} new idea(s), {votes} vote(s), "
        "refused: {refused}",
        "report": "The week in ideas",
        "rising": "New and rising ideas",
        "changes": "Status changes",
        "loops": "Loops closed (replies sent)",
        "waiting": "Replies waiting",
        "bots": "bot accounts left out",
    },
}
