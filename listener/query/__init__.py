"""The topic query language: parse, print, fold text, and translate to each provider's search.

A stdlib-only leaf package (it imports only :mod:`listener.errors`), so connectors, storage and
analysis may all import it.
"""

from __future__ import annotations

from listener.query.ast import Node
from listener.query.errors import QuerySyntaxError, UntranslatableQueryError
from listener.query.normalize import fold, tokens
from listener.query.parser import parse
from listener.query.printer import to_text
from listener.query.providers import PROVIDERS, ProviderQuery, translate

__all__ = [
    "PROVIDERS",
    "Node",
    "ProviderQuery",
    "QuerySyntaxError",
    "UntranslatableQueryError",
    "fold",
    "parse",
    "to_text",
    "tokens",
    "translate",
]
