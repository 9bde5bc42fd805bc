"""Turn a topic's query expression into the search strings a provider understands.

``listener.query.translate(expression, provider)`` (the query-language package) does the real work
when it is present; it returns provider queries, some of them widened (the provider cannot express
the whole query, so it returns more and the local topic matcher filters afterwards). Until that
package lands, the expression is taken as plain keywords.
"""

from __future__ import annotations

import importlib
import logging
import re
from dataclasses import dataclass

from listener.model import Query

logger = logging.getLogger(__name__)

_WORD = re.compile(r"[#@]?[\w][\w'.-]*", re.UNICODE)
_OPERATORS = frozenset({"and", "or", "not", "near"})


@dataclass(frozen=True, slots=True)
class SearchText:
    """One provider search string; ``is_widened`` when it matches more than the topic query."""

    text: str
    is_widened: bool = False


def provider_queries(query: Query, provider: str) -> list[SearchText]:
    """Return the search strings to send to ``provider`` for ``query``."""
    try:
        module = importlib.import_module("listener.query")
    except ImportError:
        module = None
    translate = getattr(module, "translate", None) if module is not None else None
    if callable(translate):
        found = translate(query.expression, provider)
        return [SearchText(str(item.text), bool(getattr(item, "is_widened", False))) for item in found]
    return [SearchText(plain_keywords(query.expression), is_widened=False)]


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
