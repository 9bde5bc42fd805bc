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
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cached_property

from listener.model import Mention
from listener.query import ast
from listener.query.errors import QuerySyntaxError
from listener.query.normalize import fold, handles, hashtags, host_of, tokens, tokens_of_folded, urls
from listener.query.parser import parse
from listener.query.printer import literal_text

__all__ = ["MentionView", "TopicMatch", "TopicMatcher"]

logger = logging.getLogger(__name__)

_TITLE_GAP = 1000
"""Token positions between the title and the body, so a phrase never spans the two."""
_MAX_PREFIX_KEY = 4


@dataclass(frozen=True, slots=True)
class TopicMatch:
    """One topic a mention matched, with the query terms (canonical text) found in it."""

    topic_id: str
    terms: tuple[str, ...]


class MentionView:
    """What the matcher looks at in one mention: folded and tokenised once, the rest computed on demand.

    Only the set of distinct tokens is built for every mention; positions (for phrases), tags,
    handles, links and authors are computed the first time a candidate topic needs them.
    """

    def __init__(self, mention: Mention) -> None:
        self.mention = mention
        self.body = fold(mention.text)
        self.body_tokens = tokens_of_folded(self.body)
        self.title = fold(mention.title) if mention.title else ""
        self.title_tokens = tokens_of_folded(self.title) if self.title else []
        self.words: set[str] = set(self.body_tokens)
        if self.title_tokens:
            self.words.update(self.title_tokens)
        self.source = mention.source.lower()

    @classmethod
    def of(cls, mention: Mention) -> MentionView:
        """Return the view of ``mention``."""
        return cls(mention)

    @cached_property
    def positions(self) -> dict[str, list[int]]:
        """Where each folded token occurs (body positions follow the title's after a gap)."""
        positions: dict[str, list[int]] = {}
        _add_positions(positions, self.title_tokens, 0)
        _add_positions(positions, self.body_tokens, len(self.title_tokens) + _TITLE_GAP if self.title else 0)
        return positions

    @cached_property
    def pairs(self) -> set[tuple[str, int]]:
        """Every ``(token, position)``, for adjacency tests."""
        return {(t, i) for t, where in self.positions.items() for i in where}

    def has_at(self, token: str, position: int) -> bool:
        """Return True when ``token`` sits at ``position``."""
        return (token, position) in self.pairs

    @cached_property
    def hashtags(self) -> frozenset[str]:
        """Hashtags written in the title or text, and those the source lists."""
        found = hashtags(self.body) + hashtags(self.title)
        return frozenset(found + [fold(t.lstrip("#")) for t in self.mention.hashtags])

    @cached_property
    def handles(self) -> frozenset[str]:
        """Handles written in the title or text, and those the source lists (with their local parts)."""
        found = handles(self.body) + handles(self.title)
        return frozenset(_handle_variants(found + [fold(h) for h in self.mention.mentioned_handles]))

    @cached_property
    def links(self) -> tuple[tuple[str, str], ...]:
        """``(host, path)`` of every link: the mention's own URL, its links and URLs in its text."""
        mention = self.mention
        found = [*urls(self.body), *urls(self.title), *mention.links, *([mention.url] if mention.url else [])]
        return tuple(_link(u) for u in found)

    @cached_property
    def lang(self) -> str:
        """The declared language's primary subtag (``fr`` for ``fr-CA``), or ``""``."""
        return (self.mention.lang or "").lower().replace("_", "-").split("-", 1)[0]

    @cached_property
    def authors(self) -> frozenset[str]:
        """The author's folded handle and id (with local parts)."""
        author = self.mention.author
        return frozenset(_handle_variants([fold(author.handle), fold(author.external_id)]))


def _add_positions(positions: dict[str, list[int]], toks: list[str], offset: int) -> None:
    for index, token in enumerate(toks, offset):
        where = positions.get(token)
        if where is None:
            positions[token] = [index]
        else:
            where.append(index)


def _link(url: str) -> tuple[str, str]:
    host = host_of(url)
    rest = url.split("://", 1)[-1]
    slash = rest.find("/")
    path = rest[slash:].split("?", 1)[0].split("#", 1)[0].lower() if slash >= 0 else ""
    return host, path


def _handle_variants(names: Iterable[str]) -> list[str]:
    """Return each handle and its local part (``bob@mastodon.social``: bob; ``acme.bsky.social``: acme)."""
    out: list[str] = []
    for written in names:
        name = written.lstrip("@")
        if not name:
            continue
        out.append(name)
        if "." not in name:
            continue
        if "@" in name:
            out.append(name.split("@", 1)[0])
        elif name.endswith(".bsky.social"):
            out.append(name.removesuffix(".bsky.social"))
    return out


# --- literals -----------------------------------------------------------------------------------


class _Literal:
    """A compiled literal: ``test(view)`` and the index keys under which it can be found."""

    __slots__ = ("keys", "kind", "needs", "test", "text")

    def __init__(self, node: ast.Literal) -> None:
        self.text = literal_text(node)
        self.kind = "filter"
        self.keys: list[str] = []
        self.needs: list[str] = []
        """Keys (of this literal's kind) that must all be present for it to match."""
        self.test: Callable[[MentionView], bool]
        if isinstance(node, ast.Term | ast.Phrase):
            words = tokens(node.word) if isinstance(node, ast.Term) else _phrase_tokens(node.words)
            proximity = node.proximity if isinstance(node, ast.Phrase) else None
            self.kind, self.keys = "word", [max(words, key=len)]
            self.needs = list(dict.fromkeys([self.keys[0], *words]))
            if len(words) == 1:
                word = words[0]
                self.test = lambda v: word in v.words
            elif proximity is None:
                self.test = lambda v: _adjacent(v, words)
            else:
                self.test = lambda v: _within(v, words, proximity)
        elif isinstance(node, ast.Prefix):
            stem = tokens(node.stem)[0]
            self.kind, self.keys = "prefix", [stem[:_MAX_PREFIX_KEY]]
            self.test = lambda v: any(t.startswith(stem) for t in v.words)
        elif isinstance(node, ast.Hashtag):
            tag = fold(node.tag)
            self.kind, self.keys = "hashtag", [tag]
            self.test = lambda v: tag in v.hashtags
        elif isinstance(node, ast.Handle):
            name = fold(node.handle)
            self.kind, self.keys = "handle", [name]
            self.test = lambda v: name in v.handles
        elif isinstance(node, ast.Site):
            domain, path = node.domain, node.path.lower()
            self.kind, self.keys = "site", [domain]
            self.test = lambda v: any(
                (h == domain or h.endswith("." + domain))
                and (not path or p == path or p.startswith(path + "/"))
                for h, p in v.links
            )
        elif isinstance(node, ast.Author):
            name = fold(node.name.lstrip("@"))
            self.kind, self.keys = "author", [name]
            self.test = lambda v: name in v.authors
        elif isinstance(node, ast.Lang):
            code = node.code
            self.test = lambda v: v.lang == code
        else:
            source = node.name
            self.test = lambda v: v.source == source


def _phrase_tokens(words: Sequence[str]) -> list[str]:
    out: list[str] = []
    for word in words:
        out.extend(tokens(word))
    return out


def _adjacent(view: MentionView, words: list[str]) -> bool:
    if any(w not in view.words for w in words):
        return False
    starts = view.positions[words[0]]
    return any(all(view.has_at(w, p + i) for i, w in enumerate(words[1:], 1)) for p in starts)


def _within(view: MentionView, words: list[str], proximity: int) -> bool:
    """Return True when every word occurs, in any order, in a window of ``len(words) + proximity``."""
    need = Counter(words)
    if any(w not in view.words for w in need) or any(len(view.positions[w]) < n for w, n in need.items()):
        return False
    hits = sorted((p, w) for w in need for p in view.positions[w])
    span = len(words) - 1 + proximity
    have: Counter[str] = Counter()
    missing = len(need)
    left = 0
    for pos, word in hits:
        have[word] += 1
        if have[word] == need[word]:
            missing -= 1
        while hits[left][0] < pos - span:
            old = hits[left][1]
            if have[old] == need[old]:
                missing += 1
            have[old] -= 1
            left += 1
        if missing == 0:
            return True
    return False


# --- topics -------------------------------------------------------------------------------------

_Expr = Callable[[Callable[[int], bool]], bool]


@dataclass(frozen=True, slots=True)
class _Topic:
    topic_id: str
    expr: _Expr
    explain: tuple[int, ...]
    """Indexes of the positive content literals, reported when they are present."""
    required: tuple[frozenset[tuple[str, str]], ...]
    """Groups of ``(kind, key)``: a match needs at least one present key from every group."""


class TopicMatcher:
    """Match mentions against a fixed set of topics; build it once with :meth:`compile`."""

    def __init__(
        self,
        topics: list[_Topic],
        literals: list[_Literal],
        index: dict[str, dict[str, set[int]]],
        prefix_lengths: tuple[int, ...],
    ) -> None:
        self._topics = topics
        self._literals = literals
        self._index = index
        self._prefix_lengths = prefix_lengths
        self._word_keys = frozenset(index["word"])
        self._prefix_keys = frozenset(index["prefix"])
        # Prefix keys are our own folded tokens, escaped: one C-speed scan per key length finds which
        # word starts occur (the lookbehind mirrors the tokenizer's word start; URLs only add candidates).
        self._prefix_patterns = [
            re.compile(r"(?<![^\W_])(" + "|".join(re.escape(k) for k in keys if len(k) == n) + ")")
            for keys in (sorted(self._prefix_keys),)
            for n in prefix_lengths
        ]

    @classmethod
    def compile(cls, topics: Sequence[tuple[str, str]]) -> TopicMatcher:
        """Parse and index ``(topic_id, expression)`` pairs; a bad query raises QuerySyntaxError."""
        literal_ids: dict[ast.Literal, int] = {}
        literals: list[_Literal] = []
        index: dict[str, dict[str, set[int]]] = {
            k: {} for k in ("word", "prefix", "hashtag", "handle", "site", "author")
        }
        compiled: list[_Topic] = []
        for topic_id, expression in topics:
            try:
                tree = parse(expression)
            except QuerySyntaxError as err:
                raise QuerySyntaxError(
                    f"topic {topic_id!r}: {err.message}", column=err.column, expression=expression
                ) from None

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
            required = tuple(_required(tree, lambda n: literals[literal_id(n)]) or ())
            compiled.append(
                _Topic(topic_id, _to_expr(tree, literal_id), tuple(dict.fromkeys(explain)), required)
            )
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
        if self._prefix_patterns:
            prefixes = index["prefix"]
            hits: set[str] = set()
            for pattern in self._prefix_patterns:
                hits.update(pattern.findall(view.body))
                if view.title:
                    hits.update(pattern.findall(view.title))
            for key in hits:
                found |= prefixes[key]
            present["prefix"] = hits
        mention, body, title = view.mention, view.body, view.title
        if index["hashtag"] and ("#" in body or "#" in title or mention.hashtags):
            present["hashtag"] = view.hashtags
            self._lookup(index["hashtag"], view.hashtags, found)
        if index["handle"] and ("@" in body or "@" in title or mention.mentioned_handles):
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
        empty: frozenset[str] = frozenset()
        topics = self._topics
        candidates = {
            n
            for n in candidates
            if all(
                any(key in present.get(kind, empty) for kind, key in group) for group in topics[n].required
            )
        }
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

    def match_many(self, mentions: Iterable[Mention]) -> list[list[TopicMatch]]:
        """Return :meth:`match` for each mention, in order."""
        return [self.match(m) for m in mentions]


def _required(
    node: ast.Node, literal: Callable[[ast.Literal], _Literal]
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
        items = tuple(
            _to_expr(i, literal_id) for i in (node.items if not isinstance(node, ast.Not) else (node.item,))
        )
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
