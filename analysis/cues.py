"""A sentence-level cue layer for what the encoder misreads: sarcasm, negations and demands.

The heads read a tweet's meaning from its words, so "Oh great, another outage. Thanks Lumio"
reads as praise, "pas mal du tout" as negative and "refund me or I'm leaving" as an idea. These
are the sentences a community manager cannot afford to see mislabelled, and they follow a few
fixed shapes in French and English, written here as patterns (by us, from no labelled set):

- **sarcasm**: a praise word next to a failure ("super, encore une panne", "love paying for
  internet that never works", "only three hours on hold"), with no sign the failure was fixed;
- **negated opinions**: "not bad at all", "pas mal", "je ne suis pas déçu", "can't complain" turn
  positive; "not happy", "pas du tout satisfait", "pas terrible" turn negative;
- **demands**: "refund me", "remboursez", "fix it", "… or I'm leaving": a complaint, never an idea.

Each cue moves the probabilities part of the way (``PULL``), so a head that is already sure keeps
its say, and the cue is named in the explanation. Patterns run on accent-folded, lower-cased text;
answers are memoised per text because the sentiment, intent and signals stages each ask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from listener.core.query.normalize import fold

PULL = 0.8
"""Share of the probability mass a cue moves towards its label."""


def _any(*alternatives: str) -> str:
    """One non-capturing group matching any of the alternatives."""
    return "(?:" + "|".join(alternatives) + ")"


_PRAISE_WORD = r"(?:oh |wow,? )?" + _any(
    r"great",
    r"super",
    r"genial",
    r"bravo",
    r"fantastic",
    r"fantastique",
    r"perfect",
    r"parfait",
    r"merci",
    r"thanks?",
    r"thank you",
    r"wow",
    r"amazing",
    r"awesome",
    r"wonderful",
    r"excellent",
    r"love",
    r"j'adore",
    r"nice",
    r"cool",
    r"top",
)
_FAILURE = _any(
    r"outage",
    r"panne",
    r"coupure",
    r"lost",
    r"perdue?",
    r"on hold",
    r"d'attente",
    r"en attente",
    r"never works?",
    r"ne marche (?:jamais|pas|plus)",
    r"ne fonctionne (?:jamais|pas|plus)",
    r"doesn't work",
    r"does not work",
    r"not working",
    r"broken",
    r"another (?:outage|bug|delay)",
    r"encore une? (?:panne|coupure|bug|retard|erreur)",
    r"(?:for|pour) la (?:third|troisieme|\w+ieme) (?:time|fois)",
    r"(?:for the|pour la) \w+ time",
    r"surprise .{0,20}(?:bill|facture)",
    r"facture surprise",
    r"only \w+ hours?",
    r"seulement \w+ heures?",
    r"late again",
    r"en retard",
    r"delayed",
    r"cancelled",
    r"annulee?",
)
_FIXED = r"(?:fixed|solved|resolved|sorted|back|repare|regle|resolu|retabli|remis)"
_SARCASM = (
    re.compile(rf"^\W*{_PRAISE_WORD}\b.{{0,60}}\b{_FAILURE}"),
    re.compile(
        rf"\b{_FAILURE}\b.{{0,40}}\b"
        + _any(
            r"thanks(?: a lot)?", "thank you", "merci", "bravo", "well done", "amazing service", "great job"
        )
        + r"\b"
    ),
    re.compile(
        r"\b(?:love|j'adore|i just love|nothing like|rien de tel qu[e']) ?"
        + _any("paying", "payer", "waiting", "attendre", "an? ", "une? ")
    ),
    re.compile(
        r"\b(?:only|seulement|just) \w+ (?:hours?|heures?|days?|jours?|weeks?|semaines?) "
        + _any("on hold", "d'attente", "late", "de retard", "this time", "cette fois")
    ),
)
_LEAVING = re.compile(
    "\\b(?:"
    + _any(
        r"(?:i'm|i am|im|we're|we are) (?:done with|switching|leaving|moving to)",
        r"done with \w+[.!]",
        r"cancell?ing (?:today|now|it|my)",
        r"(?:je|on) (?:resilie|pars|passe chez|quitte)\b",
        r"c'est fini avec",
        r"(?:je vais|on va) (?:resilier|partir|quitter|passer chez)",
    )
    + ")"
)
_FAILURE_STATED = re.compile(
    "\\b(?:"
    + _any(
        r"(?:billed|charged|invoiced) (?:me|us) (?:for|twice)",
        r"(?:m'a|m'avez|nous a|m'ont) (?:facture|preleve)",
        r"preleve deux fois",
        r"charged twice",
        r"(?:app|appli|site|box) (?:plante|crashe?s?)",
        r"plante a chaque",
        r"crashes every",
        r"(?:je l'|j')attends toujours",
        r"still waiting",
        r"sans (?:aucune )?explication",
        r"without (?:any )?explanation",
        r"\w+ (?:days|jours|semaines|weeks) (?:without|sans)",
        r"(?:days|jours) sans",
        r"never (?:showed up|arrived|came|turned up)",
        r"(?:n'est|ne sont) jamais (?:venue?s?|arrivee?s?)",
        r"jamais recue?",
        r"(?:personne|nobody|no one) (?:ne )?(?:repond|answers|called|replied|m'a|warned)",
        r"(?:threw|jete) (?:my|mon|ma)",
        r"(?:a third|half|trois fois inferieur|moitie) (?:of what|a ce que)",
        r"une catastrophe",
        r"a disaster",
        r"plus d'internet",
        r"(?:no|aucun) (?:signal|reseau|network)",
        r"wrong (?:item|order)",
        r"erreur de (?:livraison|facturation)",
    )
    + ")"
)
_NEGATED_NEGATIVE = re.compile(
    "\\b(?:"
    + _any(
        r"not bad(?: at all)?",
        r"pas mal(?! d[e'])(?: du tout)?",
        r"(?:je )?ne suis pas (?:du tout )?decue?",
        r"pas (?:du tout )?decue?",
        r"not (?:at all )?disappointed",
        r"can't complain",
        r"cannot complain",
        r"no complaints?",
        r"rien a redire",
        r"aucun (?:souci|probleme)",
        r"never (?:had )?a problem",
        r"jamais (?:eu )?(?:un|de) (?:souci|probleme)",
    )
    + ")\\b"
)
_NEGATED_POSITIVE = re.compile(
    "\\b(?:"
    + _any(
        r"not (?:at all )?(?:happy|satisfied|pleased|helpful|good enough|impressed)",
        r"not (?:very |so )?(?:good|great)",
        r"pas (?:du tout |tres |vraiment )?(?:satisfaite?|contente?|terrible|top|genial|aidee?)",
        r"(?:ne|n') \w+ pas aidee?",
        r"ne m'a pas aidee?",
    )
    + ")\\b"
)
_DEMAND = re.compile(
    "\\b(?:"
    + _any(
        r"refund (?:me|us|the|my|what)",
        r"give me (?:a|my) refund",
        r"i want (?:my money back|a refund|to be refunded)",
        r"money back",
        r"rembourse[zr]?(?:-| )moi",
        r"remboursez",
        r"je veux (?:etre rembourse|un remboursement|mon argent)",
        r"fix (?:it|this|my)\b(?! for)",
        r"reparez",
        r"(?:or|otherwise) (?:i'm|i am|i will|i'll|we're|we will) (?:leaving|leave|cancel|switch|go)",
        r"or i (?:leave|cancel|switch)",
        r"ou (?:je|on) (?:pars|resilie|part|change|saisis)",
        r"(?:sinon|ou bien) je",
        r"if you don't (?:refund|fix|reimburse)",
        r"si vous ne (?:remboursez|reparez)",
    )
    + ")"
)

_ADVICE = re.compile(
    "\\b(?:"
    + _any(
        r"make sure",
        r"be sure",
        r"be aware",
        r"remember to",
        r"don't forget",
        r"do not forget",
        r"(?:i'd|we'd|i|we|would|highly|definitely|strongly) (?:not )?recommend",
        r"recommend (?:a|an|the|you|staying|asking|getting|taking)",
        r"(?:i|we) (?:would )?(?:suggest|advise)",
        r"you(?:'d| would) be better off",
        r"you (?:should|might want|may want|need to|will want|could try|can try|might try|must try)",
        r"if you (?:want|need|are|'re|like|plan|prefer|get a chance)",
        r"^(?:go|ask|try|avoid|book|grab|stop|bring|take|get|stay|skip|opt) "
        r"(?:for|at|to|the|a|an|your|one|there|in|on|by)",
        r"tips?:",
        r"would be (?:useful|nice|great|good|better|helpful)",
        r"it would help",
        r"should (?:really )?(?:be|have|offer|add|include)",
        r"worth (?:a|the|paying|visiting|trying|it)",
        r"(?:don't|do not) (?:bother|waste|miss|stay|book|expect)",
        r"je (?:vous )?(?:conseille|recommande|suggere)",
        r"n'hesitez pas",
        r"pensez a",
        r"evitez",
        r"a eviter",
        r"il faudrait (?:que|pouvoir|ajouter|mettre|proposer|offrir|un |une |des )",
        r"il faut (?:absolument|imperativement)",
        r"vous devriez",
        r"ce serait (?:bien|top|cool|genial|pratique|utile)",
        r"serait (?:vraiment |tres )?(?:utile|pratique|bien)",
        r"(?:ca|cela) aiderait",
        r"pourquoi ne pas",
        r"vous pourriez",
    )
    + ")"
)


@lru_cache(maxsize=8192)
def advice(text: str) -> bool:
    """Advice or an idea in so many words ("make sure", "you should", "il faudrait"), not a demand."""
    folded = fold(text)
    return bool(_ADVICE.search(folded)) and not _DEMAND.search(folded)


@dataclass(frozen=True, slots=True)
class Reading:
    """What the cues say about one text: a label to lean to (or None), and why.

    ``grievance`` marks what a customer service reads as a complaint whatever the tone: a demand,
    sarcasm, a customer leaving, negated praise, or a failure stated plainly ("billed me twice").
    """

    lean: str | None
    demand: bool
    sarcasm: bool
    reason: str
    grievance: bool = False


@lru_cache(maxsize=8192)
def read(text: str) -> Reading:
    """Sarcasm, negations and demands found in ``text`` (normalised), strongest first."""
    folded = fold(text)
    demand = bool(_DEMAND.search(folded))
    fixed = re.search(rf"\b{_FIXED}\b", folded) is not None
    sarcasm = not fixed and any(p.search(folded) for p in _SARCASM)
    if sarcasm:
        return Reading("negative", demand, True, "sarcasm: praise words about a failure", True)
    if demand:
        return Reading(
            "negative", True, False, "a demand (refund, fix, or else): a complaint, not an idea", True
        )
    if _LEAVING.search(folded):
        return Reading("negative", False, False, "says they are leaving", True)
    if _NEGATED_POSITIVE.search(folded):
        return Reading("negative", False, False, "negated praise", True)
    if _NEGATED_NEGATIVE.search(folded):
        return Reading("positive", False, False, "negated criticism")
    if not fixed and _FAILURE_STATED.search(folded):
        return Reading("negative", False, False, "a service failure stated plainly", True)
    return Reading(None, False, False, "")


def blank(folded: str, pattern: re.Pattern[str]) -> str:
    """``folded`` with every match of ``pattern`` replaced by spaces (offsets stay where they were)."""
    return pattern.sub(lambda m: " " * len(m.group(0)), folded)


def without_negated_criticism(text: str) -> str:
    """Folded ``text`` with "pas déçu", "not disappointed", "no complaints"... blanked out.

    A discontent cue inside a negation is not a signal: "je ne suis pas déçu" must not raise
    disappointment.
    """
    return blank(fold(text), _NEGATED_NEGATIVE)


_INFO_QUESTION = re.compile(
    r"^(?:can i|could i|how (?:do|can|should) i|which|what|when|where|do you|does|is there|are there|is it"
    r"|est-ce que|quel(?:le)?s?|comment|quand|ou|puis-je|pouvez-vous me|combien|que)\b"
)


@lru_cache(maxsize=8192)
def asks_for_information(text: str) -> bool:
    """A question about how things are ("which plan…?", "puis-je…?"), as opposed to "could you add…?"."""
    folded = fold(text).strip()
    return "?" in folded and bool(_INFO_QUESTION.search(folded)) and not _ADVICE.search(folded)
