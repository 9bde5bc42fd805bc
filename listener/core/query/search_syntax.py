"""Translate a topic query into a provider's native search syntax, widening but never narrowing.

The language knows how to rewrite; what each provider's search understands is a :class:`SearchSyntax`
value its connector declares (``search_syntax`` on the connector class; ``connectors.SEARCH_SYNTAXES``
collects them from the registry).

A provider that cannot express part of a query (a wildcard, proximity, ``NOT`` on Bluesky, ``OR`` on
Mastodon) gets a *wider* query: the part is dropped (``factur*`` becomes "anything") or loosened
(``"late delivery"~3`` becomes ``late delivery``, both words anywhere), and the result is flagged
``is_widened`` so the caller knows the local matcher must filter what comes back (it always runs
anyway). Under a ``NOT`` the opposite holds: a negated part must be *narrowed* before negation,
otherwise ``-x`` would drop mentions the topic wants. ``OR`` that a provider lacks, and queries over
its length limit (X: 512 characters), are split into several queries whose union covers the original.

``source:`` is resolved exactly: ``source:reddit`` is true on Reddit and false elsewhere, so a topic
limited to other sources yields no query at all for this provider (nothing to fetch, nothing lost).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import product

from listener.core.query import ast
from listener.core.query.errors import UntranslatableQueryError
from listener.core.query.normalize import tokens, written_tokens
from listener.core.query.parser import parse

__all__ = ["ProviderQuery", "SearchSyntax", "translate"]


@dataclass(frozen=True, slots=True)
class ProviderQuery:
    """One native search query; ``is_widened`` when it may return mentions the topic does not match."""

    text: str
    is_widened: bool


@dataclass(frozen=True, slots=True)
class SearchSyntax:
    """What one provider's search understands (None: not at all); each connector declares its own.

    ``name`` is the provider (``twitter``, ``news``...); ``sources`` the ``source:`` values it serves.
    """

    name: str
    sources: tuple[str, ...]
    has_or: bool
    negation: str | None
    """Prefix that negates a term (``-`` or ``NOT ``)."""
    can_negate_groups: bool
    hashtag: str | None
    handle: str | None
    site: str | None
    author: str | None
    lang: str | None
    max_length: int
    max_queries: int = 16


_PLAIN_NAME = re.compile(r"[\w.@-]+")


class _Const:
    """TRUE (matches everything) or FALSE (matches nothing) during simplification."""

    def __init__(self, value: bool) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "TRUE" if self.value else "FALSE"


TRUE, FALSE = _Const(True), _Const(False)
_N = ast.Node | _Const


@dataclass(slots=True)
class _State:
    syntax: SearchSyntax
    provider: str
    is_widened: bool = False


def _and(items: list[_N]) -> _N:
    kept: list[ast.Node] = []
    for item in items:
        if item is FALSE:
            return FALSE
        if not isinstance(item, _Const):
            kept.append(item)
    return TRUE if not kept else ast.and_(*dict.fromkeys(kept))


def _or(items: list[_N]) -> _N:
    kept: list[ast.Node] = []
    for item in items:
        if item is TRUE:
            return TRUE
        if not isinstance(item, _Const):
            kept.append(item)
    return FALSE if not kept else ast.or_(*dict.fromkeys(kept))


def _not(item: _N) -> _N:
    if isinstance(item, _Const):
        return FALSE if item.value else TRUE
    return ast.Not(item)


def _words(text: str) -> list[str]:
    return tokens(text)


def _phrase_text(words: list[str]) -> str:
    return words[0] if len(words) == 1 else '"' + " ".join(words) + '"'


def _convert(node: ast.Node, state: _State, *, widen: bool) -> _N:
    """Return a form of ``node`` the provider can express: wider when ``widen``, else narrower."""
    syntax = state.syntax
    if isinstance(node, ast.And):
        return _and([_convert(i, state, widen=widen) for i in node.items])
    if isinstance(node, ast.Or):
        return _or([_convert(i, state, widen=widen) for i in node.items])
    if isinstance(node, ast.Not):
        if syntax.negation is None:
            state.is_widened |= widen
            return TRUE if widen else FALSE
        inner = _convert(node.item, state, widen=not widen)
        if isinstance(inner, ast.And | ast.Or) and not syntax.can_negate_groups:
            if isinstance(inner, ast.Or) and not any(isinstance(i, ast.And | ast.Not) for i in inner.items):
                return ast.and_(*(ast.Not(i) for i in inner.items))  # -(a OR b) == -a -b
            state.is_widened |= widen
            return TRUE if widen else FALSE
        return _not(inner)

    def lossy(wider: _N) -> _N:
        if widen:
            state.is_widened = True
            return wider
        return FALSE

    if isinstance(node, ast.Term | ast.Phrase):
        written = [node.word] if isinstance(node, ast.Term) else list(node.words)
        proximity = node.proximity if isinstance(node, ast.Phrase) else None
        words = [w for x in written for w in _words(x)]
        accented = [w for x in written for w in written_tokens(x)]
        # Folded words first; where the provider has OR, also the accented spelling (a search that
        # tells "creme" from "crème" must not lose either). Under NOT only the folded one (narrower).
        spellings = [words]
        if widen and syntax.has_or and accented != words and len(accented) == len(words):
            spellings.append(accented)
        if proximity is not None and len(words) > 1:
            if not widen:
                return ast.Phrase(tuple(words))  # the exact phrase is a narrower form
            state.is_widened = True
            return ast.or_(*(ast.and_(*(ast.Term(w) for w in s)) for s in spellings))
        return ast.or_(*(ast.Phrase(tuple(s)) if len(s) > 1 else ast.Term(s[0]) for s in spellings))
    if isinstance(node, ast.Prefix):
        return lossy(TRUE) if widen else ast.Term(_words(node.stem)[0])
    if isinstance(node, ast.Hashtag):
        if syntax.hashtag:
            return node
        return lossy(ast.and_(*(ast.Term(w) for w in _words(node.tag))))
    if isinstance(node, ast.Handle):
        if syntax.handle:
            return node
        return lossy(ast.and_(*(ast.Term(w) for w in _words(node.handle))))
    if isinstance(node, ast.Site):
        if not syntax.site:
            return lossy(TRUE)
        if node.path:
            return lossy(ast.Site(node.domain))
        return node
    if isinstance(node, ast.Author):
        return node if syntax.author and _PLAIN_NAME.fullmatch(node.name) else lossy(TRUE)
    if isinstance(node, ast.Lang):
        return node if syntax.lang else lossy(TRUE)
    return TRUE if node.name in syntax.sources else FALSE


def _render(node: ast.Node, syntax: SearchSyntax, *, nested: bool = False) -> str:
    if isinstance(node, ast.Or):
        text = " OR ".join(_render(i, syntax, nested=True) for i in node.items)
        return f"({text})" if nested else text
    if isinstance(node, ast.And):
        text = " ".join(_render(i, syntax, nested=True) for i in node.items)
        return f"({text})" if nested else text
    if isinstance(node, ast.Not):
        return f"{syntax.negation}{_render(node.item, syntax, nested=True)}"
    if isinstance(node, ast.Term):
        return node.word
    if isinstance(node, ast.Phrase):
        return _phrase_text(list(node.words))
    if isinstance(node, ast.Hashtag):
        return f"{syntax.hashtag}{node.tag}"
    if isinstance(node, ast.Handle):
        return f"{syntax.handle}{node.handle}"
    if isinstance(node, ast.Site):
        return f"{syntax.site}{node.domain}"
    if isinstance(node, ast.Author):
        return f"{syntax.author}{node.name}"
    if isinstance(node, ast.Lang):
        return f"{syntax.lang}{node.code}"
    raise AssertionError(f"cannot render {node!r}")  # pragma: no cover - removed by _convert


def _has_positive(node: ast.Node) -> bool:
    if isinstance(node, ast.And):
        return any(_has_positive(i) for i in node.items)
    if isinstance(node, ast.Or):
        return all(_has_positive(i) for i in node.items)
    return not isinstance(node, ast.Not | ast.Lang)


def _conjunctions(node: ast.Node, state: _State) -> list[ast.Node]:
    """Return conjunctions without OR whose union covers ``node`` (for providers lacking OR)."""
    if isinstance(node, ast.Or):
        out: list[ast.Node] = []
        for item in node.items:
            out.extend(_conjunctions(item, state))
        return out
    if isinstance(node, ast.Not):
        inner = node.item
        if isinstance(inner, ast.Or) and state.syntax.negation:  # -(a OR b) == -a -b
            return [ast.and_(*(ast.Not(i) for i in inner.items))] if all(
                not isinstance(i, ast.And | ast.Or | ast.Not) for i in inner.items) else _drop(state)
        if isinstance(inner, ast.And | ast.Not):
            return _drop(state)
        return [node]
    if isinstance(node, ast.And):
        parts = [_conjunctions(i, state) for i in node.items]
        parts = [p for p in parts if p]
        total = 1
        for part in sorted(parts, key=len):
            total *= len(part)
        while total > state.syntax.max_queries:
            widest = max(range(len(parts)), key=lambda i: len(parts[i]))
            positives = [p for i, p in enumerate(parts) if i != widest and all(map(_has_positive, p))]
            if not positives:
                break
            state.is_widened = True
            total //= len(parts[widest])
            del parts[widest]
        return [ast.and_(*combo) for combo in product(*parts)] if parts else []
    return [node]


def _drop(state: _State) -> list[ast.Node]:
    """Drop a negated group the provider cannot say (a widening: it only removed mentions)."""
    state.is_widened = True
    return []


def _shorten(node: ast.Node, state: _State) -> list[ast.Node]:
    """Split ``node`` into queries within the provider's length limit, widening only as a last resort."""
    syntax = state.syntax
    if len(_render(node, syntax)) <= syntax.max_length:
        return [node]
    if isinstance(node, ast.Or):
        packs: list[ast.Node] = []
        current: list[ast.Node] = []
        for item in node.items:
            for piece in _shorten(item, state):
                candidate = ast.or_(*current, piece)
                if current and len(_render(candidate, syntax)) > syntax.max_length:
                    packs.append(ast.or_(*current))
                    current = [piece]
                else:
                    current.append(piece)
        if current:
            packs.append(ast.or_(*current))
        return packs
    if isinstance(node, ast.And):
        items = list(node.items)
        ors = [i for i in items if isinstance(i, ast.Or)]
        if ors:
            widest = max(ors, key=lambda i: len(_render(i, syntax)))
            at = items.index(widest)
            assert isinstance(widest, ast.Or)

            def with_chunk(choices: list[ast.Node]) -> ast.Node:
                return ast.and_(*items[:at], ast.or_(*choices), *items[at + 1 :])

            # (a OR b OR c) rest == (a OR b) rest  OR  (c) rest: cut the widest OR into chunks that fit.
            out: list[ast.Node] = []
            chunk: list[ast.Node] = []
            for choice in widest.items:
                if chunk and len(_render(with_chunk([*chunk, choice]), syntax)) > syntax.max_length:
                    out.extend(_shorten(with_chunk(chunk), state))
                    chunk = [choice]
                else:
                    chunk.append(choice)
            out.extend(_shorten(with_chunk(chunk), state))
            return out
        removable = [i for i in items if isinstance(i, ast.Not)] or [i for i in items if _has_positive(i)][1:]
        if removable:
            state.is_widened = True
            longest = max(removable, key=lambda i: len(_render(i, syntax)))
            return _shorten(ast.and_(*(i for i in items if i is not longest)), state)
    raise UntranslatableQueryError(
        f"query: one term is longer than the {syntax.max_length}-character search limit",
        provider=state.provider)


def translate(expression: str, syntax: SearchSyntax) -> list[ProviderQuery]:
    """Return native search queries for ``syntax``'s provider whose union covers the topic ``expression``.

    Returns an empty list when the query cannot match anything from this provider (``source:``).
    Raises :class:`UntranslatableQueryError` when the provider's search cannot select any subset
    (e.g. the query is only ``factur*``), and ``QuerySyntaxError`` when the query does not parse.
    """
    provider = syntax.name
    state = _State(syntax, provider)
    converted = _convert(parse(expression), state, widen=True)
    if converted is FALSE:
        return []
    if isinstance(converted, _Const):
        raise UntranslatableQueryError(
            f"query: {provider} search cannot express {expression!r} (wildcards, site: or author: "
            "alone); fetch without native search and let the local matcher filter", provider=provider)
    pieces = [converted] if syntax.has_or else _conjunctions(converted, state)
    pieces = [p for piece in pieces for p in _shorten(piece, state)]
    for piece in pieces:
        if not _has_positive(piece):
            raise UntranslatableQueryError(
                f"query: {provider} search cannot express the positive part of {expression!r}",
                provider=provider)
    texts = list(dict.fromkeys(_render(p, syntax) for p in pieces))
    return [ProviderQuery(text, state.is_widened) for text in texts]
