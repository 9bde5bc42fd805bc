"""The text folding and tokenisation shared by the topic matcher and storage search.

Folding makes matching case-, accent- and ligature-insensitive: ``Élève`` = ``eleve``, ``Œuvre`` =
``oeuvre``, ``Straße`` = ``strasse``, ``ﬁn`` = ``fin``, and every apostrophe variant becomes ``'``.
Tokenisation cuts folded text into words on the same rules for queries and for mentions, so a query
word matches a mention word exactly or not at all (never inside another word):

* French elisions are dropped: ``l'appli`` yields ``appli`` (also d' j' qu' n' s' c' m' t');
* hyphens and apostrophes split words (``e-commerce`` is the two tokens ``e``, ``commerce``);
* URLs yield no word tokens (their hosts are matched by ``site:``), ``#tag`` and ``@handle`` yield
  their words;
* each emoji is a token, and so is each Chinese or Japanese character and each Thai letter (these
  scripts do not separate words with spaces).

The module is pure stdlib and does no regex construction from user text.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "handles", "hashtags", "hosts", "tokens", "tokens_of_folded", "urls", "written_tokens"]

_SPECIAL = {
    "œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "ẞ": "ss", "ø": "o", "Ø": "o",
    "đ": "d", "Đ": "d", "ł": "l", "Ł": "l", "ı": "i", "þ": "th", "Þ": "th", "ð": "d", "Ð": "d",
    "’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "′": "'", "＇": "'", "‛": "'",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u200b": "",
}
_PRE = str.maketrans(_SPECIAL)
_PRE_CHARS = re.compile("[" + "".join(_SPECIAL) + "]")


def _char_class(codes: list[int]) -> str:
    """Return a regex character class body matching exactly ``codes`` (as ranges)."""
    parts: list[str] = []
    start = prev = codes[0]
    for code in [*codes[1:], -1]:
        if code != prev + 1:
            parts.append(re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev > start else ""))
            start = code
        prev = code
    return "".join(parts)


# Combining marks (accents) and the emoji presentation selectors / joiners / skin tones, removed after
# NFKD. A regex class is much faster than ``str.translate`` with a large dict on long French texts.
_STRIP = re.compile("[" + _char_class(sorted(
    {c for c in range(0x20000) if unicodedata.combining(chr(c))}
    | {0xFE0E, 0xFE0F, 0x200D} | set(range(0x1F3FB, 0x1F400))
)) + "]")

_CJK = "\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_EMOJI = "\U0001f000-\U0001f3fa\U0001f400-\U0001faff\u2600-\u27bf\u2b00-\u2bff"
_TOKEN = re.compile(rf"[^\W_{_CJK}]+|[{_CJK}]|[{_EMOJI}]")
_ELISION = re.compile(rf"\b(?:qu|[ldjnscmt])'(?=[^\W_{_CJK}])")
_URL = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s<>\"()\[\]{}]+")
_HASHTAG = re.compile(r"(?<![\w&])#(\w+)")
_HANDLE = re.compile(r"(?<![\w@])@(\w+(?:[.@-]\w+)*)")


def fold(text: str) -> str:
    """Return ``text`` case-folded, without accents, with ligatures expanded and apostrophes unified."""
    if text.isascii():
        return text.lower().replace("`", "'")
    if _OUTSIDE_LATIN.search(text) is None:
        lowered = text.lower()
        # one str.replace per distinct accented character present (no folded value holds a key, so
        # the order does not matter): twice as fast as a regex with a callback per occurrence
        for char in _LATIN_KEYS.intersection(lowered):
            lowered = lowered.replace(char, _LATIN_FOLD[char])
        return lowered
    return fold_unicode(text)


def fold_unicode(text: str) -> str:
    """Fold any text through Unicode normalisation (what :func:`fold` does outside Latin scripts)."""
    # NFKD first: compatibility forms (𝑨, ǣ, ﬁ) only reach the ligature table and casefold once
    # decomposed; NFKD again because casefold can produce new decomposable characters. The table and
    # the mark stripping run only when needed (regex search / sub are much faster than translate).
    text = unicodedata.normalize("NFKD", text)
    if _PRE_CHARS.search(text):
        text = text.translate(_PRE)
    text = unicodedata.normalize("NFKD", text.casefold())
    if text.isascii():
        return text
    text = _STRIP.sub("", text)
    return text.translate(_PRE) if _PRE_CHARS.search(text) else text


# Latin-script text (French, English, German, Spanish...) takes a shortcut: on these characters folding
# is character by character, so replacing the few accented characters with a table computed by
# :func:`fold_unicode` gives the same result several times faster than NFKD over a long text (a regex
# finds them; ``str.translate`` with a dict is slower, it looks up every character). Tests check every
# character. U+0130 (İ) is left out: ``lower()`` turns it into two characters.
# Emoji and symbols ride along: most fold to themselves, and the joiners, presentation selectors and
# skin tones fold to nothing, character by character too (no case, no decomposition, not combining),
# so a French post ending in an emoji keeps the shortcut (NFKD twice over it costs ~4x more).
_LATIN_RANGES = "\x00-\x7f\u00a0-\u012f\u0131-\u017f\u2010-\u2027\u2030-\u205e"
_SYMBOL_CODES = [
    *range(0x200B, 0x2010), *range(0x2190, 0x2C00), *range(0xFE00, 0xFE10), *range(0x1F000, 0x1FB00)
]
_INERT = [
    c for c in _SYMBOL_CODES
    if not unicodedata.combining(chr(c)) and chr(c).lower() == chr(c) and fold_unicode(chr(c)) in (chr(c), "")
]
_OUTSIDE_LATIN = re.compile(f"[^{_LATIN_RANGES}{_char_class(_INERT)}]")
_LATIN_FOLD = {
    chr(c): folded for c in [*range(0x80), *range(0xA0, 0x180), *range(0x2010, 0x205F), *_INERT]
    if not _OUTSIDE_LATIN.match(chr(c)) and (folded := fold_unicode(chr(c))) != chr(c).lower()
}
_LATIN_KEYS = frozenset(_LATIN_FOLD)


def tokens_of_folded(folded: str) -> list[str]:
    """Return the word tokens of already-folded text, URLs left out."""
    if "://" in folded or "www." in folded:
        folded = _URL.sub(" ", folded)
    if "'" in folded:
        folded = _ELISION.sub("", folded)
    return _TOKEN.findall(folded)


_APOSTROPHES = str.maketrans({k: v for k, v in _SPECIAL.items() if v == "'"})


def written_tokens(text: str) -> list[str]:
    """Return the tokens of ``text`` lower-cased but with their accents kept (``Crème`` -> ``crème``).

    Provider searches that distinguish accents get both spellings, so translating never narrows.
    """
    return tokens_of_folded(unicodedata.normalize("NFC", text.translate(_APOSTROPHES)).casefold())


def tokens(text: str) -> list[str]:
    """Return the folded word tokens of ``text`` (elisions dropped, URLs left out)."""
    return tokens_of_folded(fold(text))


def urls(folded: str) -> list[str]:
    """Return the URLs written in (folded) text."""
    if "://" not in folded and "www." not in folded:
        return []
    return _URL.findall(folded)


def host_of(url: str) -> str:
    """Return the host of ``url`` (scheme, credentials, port and a leading ``www.`` removed)."""
    rest = url.split("://", 1)[-1]
    host = re.split(r"[/?#]", rest, maxsplit=1)[0].rsplit("@", 1)[-1].split(":", 1)[0]
    host = host.strip(".").lower()
    return host[4:] if host.startswith("www.") else host


def hosts(folded: str) -> list[str]:
    """Return the hosts of the URLs written in (folded) text."""
    return [host_of(u) for u in urls(folded)]


def hashtags(folded: str) -> list[str]:
    """Return the hashtags (without ``#``) written in (folded) text."""
    return _HASHTAG.findall(folded) if "#" in folded else []


def handles(folded: str) -> list[str]:
    """Return the handles (without ``@``) written in (folded) text, e.g. ``acme``, ``bob@mastodon.social``."""
    return _HANDLE.findall(folded) if "@" in folded else []
