"""Text clean-up shared by the stages: what the models see, and whether there is anything to see.

Social posts carry zero-width characters, URLs, @handles and emoji-only bodies. The encoder copes
with most of it, but language detection and the cue lexicons need the words alone, and a post with
no words at all must get an honest low-confidence label instead of a confident guess.
"""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 4000
"""Longer posts are cut here before any stage: the encoder reads 128 tokens anyway."""

_ZERO_WIDTH = re.compile("[\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff\u00ad]")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<!\w)@\w+")
_SPACE = re.compile(r"\s+")


def normalise(text: str | None) -> str:
    """NFC, no zero-width or control characters, single spaces, bounded length."""
    if not text:
        return ""
    text = _SPACE.sub(" ", _ZERO_WIDTH.sub("", unicodedata.normalize("NFC", text[: MAX_CHARS * 2])))
    if not text.isprintable():  # rare once whitespace is collapsed: scan only then
        text = _SPACE.sub(" ", "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text))
    return text.strip()[:MAX_CHARS]


def words_only(text: str) -> str:
    """The text without URLs and @handles: what a language detector should look at."""
    return _SPACE.sub(" ", _HANDLE.sub(" ", _URL.sub(" ", text))).strip()


def letter_count(text: str) -> int:
    """Number of letters (any script); emoji, digits and punctuation do not count."""
    return sum(map(str.isalpha, text))  # isalpha is exactly the Unicode L* categories


def has_words(text: str, minimum: int = 2) -> bool:
    """True when there is something for a model to read beyond links, handles and emoji."""
    return letter_count(words_only(text)) >= minimum
