"""Decide which topics a mention belongs to, and which query terms made it match.

Topics are compiled once (:meth:`TopicMatcher.compile`): every distinct literal of every query is
folded and indexed by a key a mention can look up in one dict access (a word token, a prefix of a
token, a hashtag, a handle, a domain suffix, an author). For each mention the text is folded and cut
into tokens once; the tokens' keys select the candidate topics, and only their syntax trees are
evaluated. Phrase and proximity tests work on token positions, so a word never matches inside another
word and no regular expression is ever built from user text: the cost is linear in the mention's
length plus the size of the candidate topics.

A topic whose query is *anchored* (the parser guarantees it) can only match when one of its positive
content literals is present, which is what makes the candidate selection exact.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, datetime

from analysis._match_view import Literal as _Literal
from analysis._match_view import MentionView
from listener.core.model import Author, Mention
from listener.core.query import ast
from listener.core.query.errors import QuerySyntaxError
from listener.core.query.normalize import tokens_of_folded
from listener.core.query.parser import parse

__all__ = ["MentionView", "TopicMatch", "TopicMatcher"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TopicMatch:
    """One topic a mention matched, with the query terms (canonical text) found in it."""

    topic_id: str
    terms: tuple[str, ...]


# --- topics -------------------------------------------------------------------------------------

_Expr = Callable[[Callable[[int], bool]], bool]


@dataclass(frozen=True, slots=True)
class _Topic:
    topic_id: str
    expr: _Expr
    explain: tuple[int, ...]
    """Indexes of the positive content literals, reported when they are present."""
    required: tuple[tuple[frozenset[str], tuple[tuple[str, str], ...]], ...]
    """Key groups, each split into word keys and other ``(kind, key)`` pairs: a match needs at least
    one present key from every group (word keys are tested first, as one C-level set operation)."""


_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_NO_AUTHOR = Author(source="text", external_id="-", handle="-")


class TopicMatcher:
    """Match mentions against a fixed set of topics; build it once with :meth:`compile`."""

    def __init__(self, topics: list[_Topic], literals: list[_Literal], index: dict[str, dict[str, set[int]]],
                 prefix_lengths: tuple[int, ...]) -> None:
        self._topics = topics
        self._literals = literals
        self._index = index
        self._prefix_lengths = prefix_lengths
        self._word_keys = frozenset(index["word"])
        self._prefix_keys = frozenset(index["prefix"])
        self._hashtag_words = frozenset(w for key in index["hashtag"] for w in tokens_of_folded(key))
        self._handle_words = frozenset(w for key in index["handle"] for w in tokens_of_folded(key))

    @classmethod
    def compile(cls, topics: Sequence[tuple[str, str]]) -> TopicMatcher:
        """Parse and index ``(topic_id, expression)`` pairs; a bad query raises QuerySyntaxError."""
        literal_ids: dict[ast.Literal, int] = {}
        literals: list[_Literal] = []
        index: dict[str, dict[str, set[int]]] = {
            k: {} for k in ("word", "prefix", "hashtag", "handle", "site", "author")}
        compiled: list[_Topic] = []
        for topic_id, expression in topics:
            try:
                tree = parse(expression)
            except QuerySyntaxError as err:
                raise QuerySyntaxError(f"topic {topic_id!r}: {err.message}", column=err.column,
                                       expression=expression) from None

            def literal_id(node: ast.Literal) -> int:
                if node not in literal_ids:
                    literal_ids[node] = len(literals)
                    literals.append(_Literal(node))
                return literal_ids[node]

            number = len(compiled)
            explain: list[int] = []
            for node, positive in ast.literals(tree):
                lit_id = literal_id(node)
                lit = literals[lit_id]
                if positive and lit.kind != "filter":
                    explain.append(lit_id)
                    for key in lit.keys:
                        index[lit.kind].setdefault(key, set()).add(number)
            required = tuple(
                (frozenset(k for kind, k in group if kind == "word"),
                 tuple(sorted(pair for pair in group if pair[0] != "word")))
                for group in _required(tree, lambda n: literals[literal_id(n)]) or ())
            compiled.append(_Topic(topic_id, _to_expr(tree, literal_id), tuple(dict.fromkeys(explain)),
                                   required))
        lengths = tuple(sorted({len(k) for k in index["prefix"]}))
        logger.debug("matching: compiled %s topics, %s literals", len(compiled), len(literals))
        return cls(compiled, literals, index, lengths)

    @property
    def topic_ids(self) -> tuple[str, ...]:
        """Return the compiled topic ids, in order."""
        return tuple(t.topic_id for t in self._topics)

    def _candidates(self, view: MentionView) -> tuple[set[int], dict[str, AbstractSet[str]]]:
        """Return the topics one of whose keys is present, and the present keys by kind."""
        index = self._index
        found: set[int] = set()
        words = index["word"]
        for token in view.words & self._word_keys:
            found |= words[token]
        present: dict[str, AbstractSet[str]] = {"word": view.words}
        if self._prefix_lengths:
            prefixes, keys = index["prefix"], self._prefix_keys
            hits: set[str] = set()
            for length in self._prefix_lengths:
                hits |= {t[:length] for t in view.words if len(t) >= length} & keys
            for key in hits:
                found |= prefixes[key]
            present["prefix"] = hits
        mention, body, title = view.mention, view.body, view.title
        # A tag or handle written in the text also yields its words as tokens: extracting tags and
        # handles (Python work) is only worth it when one of the indexed ones' words is there.
        if index["hashtag"] and (mention.hashtags or (
                ("#" in body or "#" in title) and not self._hashtag_words.isdisjoint(view.words))):
            present["hashtag"] = view.hashtags
            self._lookup(index["hashtag"], view.hashtags, found)
        if index["handle"] and (mention.mentioned_handles or (
                ("@" in body or "@" in title) and not self._handle_words.isdisjoint(view.words))):
            present["handle"] = view.handles
            self._lookup(index["handle"], view.handles, found)
        if index["author"]:
            present["author"] = view.authors
            self._lookup(index["author"], view.authors, found)
        if index["site"] and (mention.url or mention.links or _has_url(body) or _has_url(title)):
            suffixes: set[str] = set()
            for host, _ in view.links:
                labels = host.split(".")
                suffixes.update(".".join(labels[i:]) for i in range(len(labels)))
            present["site"] = suffixes
            self._lookup(index["site"], suffixes, found)
        return found, present

    @staticmethod
    def _lookup(table: dict[str, set[int]], keys: Iterable[str], found: set[int]) -> None:
        for key in keys:
            hit = table.get(key)
            if hit:
                found |= hit

    def match_view(self, view: MentionView) -> list[TopicMatch]:
        """Return the topics matched by an already-built view, in compile order."""
        candidates, present = self._candidates(view)
        if not candidates:
            return []
        topics, words = self._topics, view.words
        candidates = {n for n in candidates if _meets(topics[n].required, words, present)}
        cache: dict[int, bool] = {}
        literals = self._literals

        def value(lit_id: int) -> bool:
            known = cache.get(lit_id)
            if known is None:
                known = cache[lit_id] = literals[lit_id].test(view)
            return known

        return self._evaluate_candidates(candidates, value)

    def _evaluate_candidates(self, candidates: set[int], value: Callable[[int], bool]) -> list[TopicMatch]:
        literals = self._literals

        out: list[TopicMatch] = []
        for number in sorted(candidates):
            topic = self._topics[number]
            if topic.expr(value):
                terms = tuple(literals[i].text for i in topic.explain if value(i))
                out.append(TopicMatch(topic.topic_id, terms))
        return out

    def match(self, mention: Mention) -> list[TopicMatch]:
        """Return the topics ``mention`` matches, each with the query terms found in it."""
        return self.match_view(MentionView.of(mention))

    def matches_text(self, text: str) -> bool:
        """Tell whether a bare text (no author, no source) matches any topic: crisis-query rules."""
        probe = Mention(source="text", external_id="-", text=text, author=_NO_AUTHOR, published_at=_EPOCH,
                        fetched_at=_EPOCH)
        return bool(self.match_view(MentionView(probe)))

    def match_many(self, mentions: Iterable[Mention]) -> list[list[TopicMatch]]:
        """Return :meth:`match` for each mention, in order."""
        match_view = self.match_view
        return [match_view(MentionView(m)) for m in mentions]


def _meets(required: tuple[tuple[frozenset[str], tuple[tuple[str, str], ...]], ...], words: set[str],
           present: dict[str, AbstractSet[str]]) -> bool:
    """Return True when every required group has a present key."""
    for group_words, others in required:
        if group_words and not group_words.isdisjoint(words):
            continue
        if not any(key in present.get(kind, ()) for kind, key in others):
            return False
    return True


def _required(node: ast.Node, literal: Callable[[ast.Literal], _Literal]
              ) -> list[frozenset[tuple[str, str]]] | None:
    """Return key groups every match needs (one present key per group), or None if it needs none.

    An AND needs the groups of all its items; an OR needs, from each item, one key of that item's
    first group; a phrase needs each of its words; NOT and ``lang:``/``source:`` need nothing.
    """
    if isinstance(node, ast.And):
        groups: list[frozenset[tuple[str, str]]] = []
        for item in node.items:
            groups.extend(_required(item, literal) or ())
        return groups or None
    if isinstance(node, ast.Or):
        union: set[tuple[str, str]] = set()
        for item in node.items:
            found = _required(item, literal)
            if not found:
                return None
            union |= min(found, key=len)
        return [frozenset(union)]
    if isinstance(node, ast.Not):
        return None
    lit = literal(node)
    if lit.kind == "filter":
        return None
    return [frozenset({(lit.kind, key)}) for key in (lit.needs or lit.keys)]


def _has_url(folded: str) -> bool:
    return "://" in folded or "www." in folded


def _to_expr(node: ast.Node, literal_id: Callable[[ast.Literal], int]) -> _Expr:
    """Turn a syntax tree into a closure over literal values (no per-call type dispatch)."""
    if isinstance(node, ast.And | ast.Or | ast.Not):
        items = tuple(_to_expr(i, literal_id) for i in (node.items if not isinstance(node, ast.Not) else
                                                        (node.item,)))
        if isinstance(node, ast.Not):
            inner = items[0]
            return lambda value: not inner(value)
        if isinstance(node, ast.And):
            def all_of(value: Callable[[int], bool]) -> bool:
                for item in items:  # noqa: SIM110 - a plain loop is faster than all() over a generator
                    if not item(value):
                        return False
                return True
            return all_of

        def any_of(value: Callable[[int], bool]) -> bool:
            for item in items:  # noqa: SIM110 - a plain loop is faster than any() over a generator
                if item(value):
                    return True
            return False
        return any_of
    number = literal_id(node)
    return lambda value: value(number)
