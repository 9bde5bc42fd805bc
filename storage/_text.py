"""Text rules shared by every table: what we store for hostile strings, and how search text is folded.

NUL and lone surrogates
    PostgreSQL ``text`` cannot hold U+0000 and no UTF-8 codec can encode a lone surrogate
    (U+D800..U+DFFF), so :func:`clean` replaces both with U+FFFD REPLACEMENT CHARACTER in every text
    column, on SQLite too, so both engines store exactly the same thing. Everything else (emoji,
    zero-width joiners, RTL marks, SQL metacharacters, megabyte posts) round-trips byte for byte.
    The raw payload is kept as JSON *text* (never ``jsonb``): :func:`dumps` escapes U+0000 as
    ``\\u0000`` (and lone surrogates as ``\\udXXX``), so ``raw`` round-trips exactly, NULs included.

Folding for full-text search
    :func:`fold` casefolds, applies NFKD, drops combining diacritics and expands the ligatures that NFKD
    keeps (œ→oe, æ→ae, ß→ss, ø→o, ł→l, đ→d, þ→th). :func:`search_text` stores the folded tokens joined
    by single spaces, so SQLite's FTS5 ``unicode61`` tokenizer and PostgreSQL's ``simple`` parser see
    the same words, and the query goes through the same :func:`fold`: ``electricite`` finds
    ``Électricité`` and the other way round.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from listener.core.query.normalize import fold

REPLACEMENT = "\ufffd"
SEARCH_TEXT_MAX_CHARS = 100_000
"""Only the first 100k folded characters are indexed (a PostgreSQL tsvector is capped at 1 MB)."""

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_TOKEN = re.compile(r"[^\W_]+")
_NON_WORD = re.compile(r"[\W_]+")
_QUERY_TERM = re.compile(r'"([^"]*)"|(\S+)')


def clean(value: str) -> str:
    """Return ``value`` with U+0000 and lone surrogates replaced by U+FFFD (see the module docstring)."""
    if _UNSTORABLE.search(value) is None:
        return value
    return _UNSTORABLE.sub(REPLACEMENT, value)


def clean_opt(value: str | None) -> str | None:
    """Apply :func:`clean` to an optional string."""
    return None if value is None else clean(value)


def dumps(value: Any) -> str:
    """Serialise ``value`` to JSON text any database can store; exact round trip through ``json.loads``."""
    if not value and isinstance(value, list | tuple | dict):
        return "{}" if isinstance(value, dict) else "[]"
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    if _UNSTORABLE.search(text) is None:
        return text
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"), default=str)


def tokens(value: str) -> list[str]:
    """Split folded text into the words both FTS engines index (letters and digits, no underscore)."""
    return _TOKEN.findall(fold(value))


def search_text(*parts: str | None) -> str:
    """Return the folded, space-separated words of ``parts`` (title, text) for the FTS column."""
    # Same words as tokens(). No clean(): NUL and surrogates are not word characters.
    words = (" ".join(_TOKEN.findall(fold(part))) for part in parts if part)
    return " ".join(w for w in words if w)[:SEARCH_TEXT_MAX_CHARS]


@dataclass(frozen=True, slots=True)
class Term:
    """One term of a search: a word or a quoted phrase (several words), optionally a prefix."""

    words: tuple[str, ...]
    is_prefix: bool = False


def parse_query(query: str) -> list[Term]:
    """Parse ``word "exact phrase" factur*`` into terms that must all match (AND)."""
    terms: list[Term] = []
    for match in _QUERY_TERM.finditer(query):
        phrase, word = match.group(1), match.group(2)
        if phrase is not None:
            words = tokens(phrase)
            is_prefix = False
        else:
            is_prefix = word.endswith("*")
            words = tokens(word.rstrip("*"))
        if words:
            terms.append(Term(tuple(words), is_prefix))
    return terms


def fts5_query(terms: list[Term]) -> str:
    """Render terms as an SQLite FTS5 MATCH expression (tokens are alphanumeric: no escaping needed)."""
    return " ".join('"' + " ".join(t.words) + '"' + ("*" if t.is_prefix else "") for t in terms)


def tsquery(terms: list[Term]) -> str:
    """Render terms as a PostgreSQL ``to_tsquery('simple', ...)`` expression."""
    rendered = []
    for term in terms:
        parts = [f"'{w}'" for w in term.words]
        if term.is_prefix:
            parts[-1] += ":*"
        rendered.append("(" + " <-> ".join(parts) + ")")
    return " & ".join(rendered)
