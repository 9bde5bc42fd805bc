"""The terms of a mention that trends count: words, hashtags, @accounts and 2-3 word phrases.

Words come from the project's one folding and tokenisation (``listener.core.query.normalize``), so
``Facturation``, ``facturation`` and ``l'facturation`` are one term, accents and elisions included,
exactly as the topic matcher sees them. French and English stop words are dropped; a phrase may hold
a stop word inside ("temps d attente" is not a phrase, "customer service" and "panne reseau" are)
but never start or end with one. URLs, emoji and numbers yield no term, so emoji-only or URL-only
posts simply contribute nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache

from listener.core.query.normalize import fold, handles, hashtags, tokens_of_folded

_STOP_TEXT = """
a an and are as at be been but by can could did do does doing done for from had has have having he
her here hers him his how i if in into is it its just me more most my no nor not now of off on once
only or other our ours out over own same she should so some such than that the their theirs them then
there these they this those through to too under until up very was we were what when where which while
who whom why will with would you your yours yourself im ive dont cant didnt doesnt isnt wasnt wont
get got go going gonna still even also really one two like amp via rt u ur ok yes yeah lol hey hi
new day today time back all any every after before again about than just much many well way make
au aux avec ce ces cet cette dans de des du elle elles en et eux il ils je la le les leur leurs lui
ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes
toi ton tu un une vos votre vous y ete etre avoir ai as avons avez ont est sont etait fait faire plus
moins tres tout tous toute toutes rien si comme sans sous chez entre depuis encore deja aussi alors
donc car ni quand ca cela ceci celui celle ici oui non bien bon bonne peu trop quoi dont ou
leur y a ya va vais vont fais fait peut peux veux etc svp stp mdr ptdr bah ben hein
actually really clearly honestly literally totally basically seriously just still anyone please
franchement vraiment carrement genre bref clairement juste serieux perso quoi enfin voila toujours
encore
"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_TEXT.split())
"""French and English words too common to say what a mention is about (folded: no accents)."""

MIN_WORD = 3
"""Shorter words are left out (``ok``, ``un``); hashtags and handles are kept whatever their length."""
MAX_TERMS = 64
"""At most this many distinct terms per mention (a 1 MB post must not dominate the counts)."""


def _is_word(token: str) -> bool:
    return len(token) >= MIN_WORD and token.isalpha() and token not in STOP_WORDS


_BREAK = re.compile(r"(?:https?://|www\.)\S+|(?<![\w&])#\w+|(?<![\w@])@[\w.@-]+|[.!?;:,()\[\]\n\"«»|/]+")
"""Phrases never cross a URL, a hashtag, an @account or punctuation."""


@lru_cache(maxsize=200_000)
def _terms_of_folded(folded: str) -> frozenset[str]:
    found: list[str] = [f"#{t}" for t in hashtags(folded)]
    found += [f"@{h}" for h in handles(folded)]
    for segment in _BREAK.split(folded):
        words = [t for t in tokens_of_folded(segment) if t.isalnum()]
        for i, word in enumerate(words):
            if not _is_word(word):
                continue
            found.append(word)
            for size in (2, 3):
                gram = words[i : i + size]
                if len(gram) == size and _is_word(gram[-1]) and all(len(w) > 1 for w in gram):
                    found.append(" ".join(gram))
    return frozenset(list(dict.fromkeys(found))[:MAX_TERMS])


def terms(text: str) -> frozenset[str]:
    """Return the distinct terms of ``text``: ``word``, ``#hashtag``, ``@account``, ``two words``."""
    return _terms_of_folded(fold(text))


def kind(term: str) -> str:
    """Return ``hashtag``, ``account``, ``phrase`` or ``word``."""
    if term.startswith("#"):
        return "hashtag"
    if term.startswith("@"):
        return "account"
    return "phrase" if " " in term else "word"


def content_words(text: str) -> list[str]:
    """Return the words of ``text`` that carry meaning (labels of themes use these and phrases)."""
    return [t for t in tokens_of_folded(fold(text)) if _is_word(t)]


def term_key(term: str) -> int:
    """Return the stable 64-bit key of a term (the same in every process and on every machine)."""
    return int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest(), "little", signed=True)


_WORD_RUN = re.compile(r"\w+")


def spellings(texts: Iterable[str]) -> dict[str, str]:
    """Map folded words to their most common lower-case spelling in ``texts`` ("tele" -> "télé").

    Terms are counted folded (no accents), which reads badly in a French label; this gives them back
    the spelling their authors used, for display only.
    """
    seen: dict[str, Counter[str]] = {}
    for text in texts:
        for word in _WORD_RUN.findall(text.lower()):
            if not word.isascii():
                seen.setdefault(fold(word), Counter())[word] += 1
    return {folded: counts.most_common(1)[0][0] for folded, counts in seen.items()}


def readable(term: str, forms: Mapping[str, str]) -> str:
    """Return ``term`` with each word spelled as in :func:`spellings` (hashtags and accounts unchanged)."""
    if term[:1] in "#@":
        return term
    return " ".join(forms.get(word, word) for word in term.split(" "))
