"""The topic query language: parse, print, fold text, and translate to each provider's search.

A stdlib-only leaf package (it imports only :mod:`listener.core.errors`), so connectors, storage and
analysis may all import it.
"""

from __future__ import annotations

from listener.core.query.ast import Node
from listener.core.query.errors import QuerySyntaxError, UntranslatableQueryError
from listener.core.query.normalize import fold, tokens
from listener.core.query.parser import parse
from listener.core.query.printer import to_text
from listener.core.query.search_syntax import ProviderQuery, SearchSyntax, translate

__all__ = [
    "Node",
    "ProviderQuery",
    "QuerySyntaxError",
    "SearchSyntax",
    "UntranslatableQueryError",
    "fold",
    "parse",
    "to_text",
    "tokens",
    "translate",
]
