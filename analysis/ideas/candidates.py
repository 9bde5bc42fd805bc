"""Sort mentions around ideas: agreeing replies are votes, some texts are refused with a reason.

A vote is a *short reply* that only agrees ("+1", "moi aussi", "same here", "je plussoie", "oui !",
a lone 👍). A longer reply that argues is left to the suggestion detector: it may be a suggestion of
its own. Refusals are kept with their reason so a community manager can see why a text is not an idea:

- ``too_long``: more than ``MAX_CHARS`` characters (a 1 MB paste is not one idea);
- ``no_words``: nothing but emoji, punctuation or links;
- ``demand``: a demand inside a complaint ("refund me or I'm leaving", "remboursez-moi") is a
  grievance to answer, not an idea; this small rule sits on top of the suggestion intent (its cue
  list is the one below, checked in tests on both languages);
- ``parent_unknown``: a vote replying to a post we do not hold (deleted, or never collected).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

MAX_CHARS = 5_000
"""Longest text read as one suggestion."""

MAX_VOTE_WORDS = 6
"""A reply longer than this is not a bare vote."""

Refusal = Literal["too_long", "no_words", "demand", "parent_unknown"]

_AGREE = re.compile(
    r"""^(?:
        \+\s?\d+ | \+ | ➕ |
        moi\ aussi | moi\ de\ meme | pareil | idem | je\ plussoie | plussoie | je\ plussoi |
        oui | ouais | carrement | tout\ a\ fait | d\s?accord | je\ valide | je\ signe | grave |
        same | same\ here | me\ too | me\ 2 | agreed | agree | i\ agree | so\ much\ this | this |
        yes | yes\ please | yep | totally | exactly | exactement | absolument | \d{2,3}\s?%
    )(?:\ (?:please|svp|stp|!+|\+1|aussi|too|here|fois\ mille|x\d+|mille\ fois|\d{2,3}\s?%))*$""",
    re.VERBOSE,
)
_THUMBS = re.compile(
    r"^(?:[\U0001F44D\U0001F64C\U0001F4AF\u2795\u2714\u2705](?:[\U0001F3FB-\U0001F3FF\uFE0F])?)+$"
)
_NEGATED = re.compile(r"\b(?:non|no|nope|pas|not|never|jamais|bof)\b")
_DEMAND = re.compile(
    r"""\b(?:refund|reimburse|money\ back|compensat\w* | cancel\w*\ my | i'?\ ?a?m\ leaving | i\ will\ leave |
        switch\w*\ to | rembours\w* | dedommag\w* | resili\w* | je\ (?:pars|quitte|change\ d) |
        geste\ commercial | fix\ it\ now | repare[sz]?\ (?:ca|moi)\ )""",
    re.VERBOSE,
)
_HANDLE_URL = re.compile(r"(?<!\w)@\w+|https?://\S+")
_HASHTAG = re.compile(r"(?<!\w)#\w+")
_PUNCT = re.compile(r"[^\w\s+%➕\U0001F300-\U0001FAFF\u2600-\u27BF]")
_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, strip accents, drop @handles and links, squeeze spaces."""
    bare = _HANDLE_URL.sub(" ", text)
    decomposed = unicodedata.normalize("NFKD", bare.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).replace("’", "'")
    return _SPACE.sub(" ", plain).strip()


def has_words(text: str) -> bool:
    """Tell whether a text holds at least one letter once handles, hashtags and links are gone."""
    return any(c.isalpha() for c in _HASHTAG.sub(" ", _HANDLE_URL.sub(" ", text)))


def is_agreement(text: str) -> bool:
    """Tell whether a reply only agrees with what it answers (a vote), in French or English."""
    if len(text) > 200:
        return False
    folded = fold(text)
    compact = folded.replace(" ", "")
    if compact and _THUMBS.match(compact):
        return True
    words = _PUNCT.sub(" ", folded.replace("'", " "))
    words = _SPACE.sub(" ", words).strip()
    if not words or len(words.split()) > MAX_VOTE_WORDS or _NEGATED.search(words):
        return False
    spaced = re.sub(r"!+", " !", words) if "!" in words else words
    return bool(_AGREE.match(words) or _AGREE.match(spaced.strip()))


def is_demand(text: str) -> bool:
    """Tell whether a text is a demand inside a complaint (refund, cancellation, leaving), not an idea."""
    return bool(_DEMAND.search(fold(text)))


def refusal(text: str) -> Refusal | None:
    """Return why a suggestion cannot become (part of) an idea, or None when it can."""
    if len(text) > MAX_CHARS:
        return "too_long"
    if not has_words(text):
        return "no_words"
    if is_demand(text):
        return "demand"
    return None
