"""Turn a topic's query expression into the search strings a provider understands.

``listener.core.query.translate(expression, syntax)`` does the work, with the connector's own
``search_syntax``: it returns provider queries,
some flagged ``is_widened`` (the provider cannot express the whole query, so it returns more and the
local topic matcher filters afterwards). A query the provider cannot search at all, or one that does
not parse, becomes :class:`~listener.core.errors.QueryRejected` with the reason, never a silent empty fetch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from listener.core.errors import ConfigError, QueryRejected
from listener.core.model import Query
from listener.core.query import SearchSyntax, UntranslatableQueryError, translate

_WORD = re.compile(r"[#@]?[\w][\w'.-]*", re.UNICODE)
_OPERATORS = frozenset({"and", "or", "not", "near"})


@dataclass(frozen=True, slots=True)
class SearchText:
    """One provider search string; ``is_widened`` when it matches more than the topic query."""

    text: str
    is_widened: bool = False


def provider_queries(query: Query, syntax: SearchSyntax) -> list[SearchText]:
    """Return the search strings to send to ``syntax``'s provider for ``query`` (empty: nothing to fetch)."""
    provider = syntax.name
    try:
        found = translate(query.expression, syntax)
    except (UntranslatableQueryError, ConfigError) as err:
        raise QueryRejected(f"{provider}: topic {query.id!r}: {err}", source=provider) from err
    return [SearchText(item.text, item.is_widened) for item in found]


def plain_keywords(expression: str) -> str:
    """Return the words of an expression without boolean operators, quotes or brackets."""
    words = [w for w in _WORD.findall(expression) if w.lower() not in _OPERATORS]
    return " ".join(words)


def hashtags(expression: str) -> list[str]:
    """Return the hashtags a query names (``#brand``), or its single word when it is one word."""
    tags = [w[1:] for w in _WORD.findall(expression) if w.startswith("#")]
    if tags:
        return list(dict.fromkeys(t.lower() for t in tags))
    words = [w for w in _WORD.findall(expression) if w.lower() not in _OPERATORS]
    if len(words) == 1 and words[0].replace("_", "").isalnum():
        return [words[0].lower()]
    return []


__all__ = ["SearchText", "hashtags", "plain_keywords", "provider_queries"]
