"""The syntax tree of a topic query: small frozen dataclasses, compared and hashed by value.

``And`` and ``Or`` are n-ary and flat (an ``And`` never directly holds an ``And``); build them with
:func:`and_` / :func:`or_`, which flatten and collapse single items, so equal queries give equal trees.
Literal nodes keep the words as the user wrote them; folding happens when a matcher compiles them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Term:
    """A word (or a hyphenated / elided group of words, matched as adjacent tokens)."""

    word: str


@dataclass(frozen=True, slots=True)
class Phrase:
    """Words in this order, adjacent; with ``proximity`` N, in any order within N extra words."""

    words: tuple[str, ...]
    proximity: int | None = None


@dataclass(frozen=True, slots=True)
class Prefix:
    """A word starting with ``stem`` (written ``factur*``)."""

    stem: str


@dataclass(frozen=True, slots=True)
class Hashtag:
    """A hashtag, written ``#tag``, stored without the ``#``."""

    tag: str


@dataclass(frozen=True, slots=True)
class Handle:
    """An account mentioned in the post, written ``@handle``, stored without the ``@``."""

    handle: str


@dataclass(frozen=True, slots=True)
class Site:
    """A link to ``domain`` or one of its subdomains, optionally under ``path`` (``site:acme.com/blog``)."""

    domain: str
    path: str = ""


Url = Site
"""``url:`` is an alias of ``site:``."""


@dataclass(frozen=True, slots=True)
class Lang:
    """The mention's declared language (primary subtag, ``lang:fr`` matches ``fr-CA``)."""

    code: str


@dataclass(frozen=True, slots=True)
class Source:
    """The connector the mention came from (``source:reddit``)."""

    name: str


@dataclass(frozen=True, slots=True)
class Author:
    """The mention's author handle (``author:acme_support``)."""

    name: str


@dataclass(frozen=True, slots=True)
class Not:
    """Matches when ``item`` does not."""

    item: Node


@dataclass(frozen=True, slots=True)
class And:
    """Matches when every item matches."""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """Matches when any item matches."""

    items: tuple[Node, ...]


Literal = Term | Phrase | Prefix | Hashtag | Handle | Site | Lang | Source | Author
Node = Literal | Not | And | Or
LITERAL_TYPES = (Term, Phrase, Prefix, Hashtag, Handle, Site, Lang, Source, Author)
ANCHOR_TYPES = (Term, Phrase, Prefix, Hashtag, Handle, Site, Author)
"""Literals that select mentions by content; ``lang:`` and ``source:`` only filter."""


def and_(*items: Node) -> Node:
    """Return the conjunction of ``items``, flattened; a single item is returned as is."""
    flat: list[Node] = []
    for item in items:
        flat.extend(item.items if isinstance(item, And) else (item,))
    return flat[0] if len(flat) == 1 else And(tuple(flat))


def or_(*items: Node) -> Node:
    """Return the disjunction of ``items``, flattened; a single item is returned as is."""
    flat: list[Node] = []
    for item in items:
        flat.extend(item.items if isinstance(item, Or) else (item,))
    return flat[0] if len(flat) == 1 else Or(tuple(flat))


def not_(item: Node) -> Node:
    """Return the negation of ``item``; a double negation cancels out."""
    return item.item if isinstance(item, Not) else Not(item)


def is_anchored(node: Node) -> bool:
    """Return True when every match needs some positive content literal (a word, tag, site...).

    A query like ``NOT spam`` or ``lang:fr`` alone would match almost everything; the parser
    refuses it, and the matcher relies on anchoring to look only at candidate topics.
    """
    if isinstance(node, And):
        return any(is_anchored(i) for i in node.items)
    if isinstance(node, Or):
        return all(is_anchored(i) for i in node.items)
    return isinstance(node, ANCHOR_TYPES)


def literals(node: Node) -> Iterator[tuple[Literal, bool]]:
    """Yield every literal of the tree with ``True`` when it sits under an even number of NOTs."""
    stack: list[tuple[Node, bool]] = [(node, True)]
    while stack:
        current, positive = stack.pop()
        if isinstance(current, And | Or):
            stack.extend((i, positive) for i in reversed(current.items))
        elif isinstance(current, Not):
            stack.append((current.item, not positive))
        else:
            yield current, positive
