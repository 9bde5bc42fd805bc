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
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

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


@dataclass(slots=True)
class MentionView:
    """What the matcher looks at in one mention, folded and tokenised once."""

    positions: dict[str, list[int]]
    """Where each folded token occurs (body positions follow the title's after a gap)."""
    hashtags: frozenset[str]
    handles: frozenset[str]
    links: tuple[tuple[str, str], ...]
    """``(host, path)`` of every link: the mention's own URL, its links and URLs in its text."""
    lang: str
    source: str
    authors: frozenset[str]
    _pairs: set[tuple[str, int]] | None = field(default=None, repr=False)

    @classmethod
    def of(cls, mention: Mention) -> MentionView:
        """Fold and tokenise a mention's title and text, and gather its tags, handles and links."""
        body = fold(mention.text)
        toks = tokens_of_folded(body)
        written_urls = urls(body)
        tags = hashtags(body)
        names = handles(body)
        positions: dict[str, list[int]] = {}
        offset = 0
        if mention.title:
            title = fold(mention.title)
            title_tokens = tokens_of_folded(title)
            _add_positions(positions, title_tokens, 0)
            offset = len(title_tokens) + _TITLE_GAP
            written_urls += urls(title)
            tags += hashtags(title)
            names += handles(title)
        all_links = [*written_urls, *mention.links, *([mention.url] if mention.url else [])]
        _add_positions(positions, toks, offset)
        author = mention.author
        return cls(
            positions=positions,
            hashtags=frozenset(tags + [fold(t.lstrip("#")) for t in mention.hashtags]),
            handles=frozenset(_handle_variants(names + [fold(h) for h in mention.mentioned_handles])),
            links=tuple(_link(u) for u in all_links),
            lang=(mention.lang or "").lower().replace("_", "-").split("-", 1)[0],
            source=mention.source.lower(),
            authors=frozenset(_handle_variants([fold(author.handle), fold(author.external_id)])),
        )

    def has_at(self, token: str, position: int) -> bool:
        """Return True when ``token`` sits at ``position``."""
        if self._pairs is None:
            self._pairs = {(t, i) for t, where in self.positions.items() for i in where}
        return (token, position) in self._pairs


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
        if "@" in name:
            out.append(name.split("@", 1)[0])
        elif name.endswith(".bsky.social"):
            out.append(name.removesuffix(".bsky.social"))
    return out


# --- literals -----------------------------------------------------------------------------------


class _Literal:
    """A compiled literal: ``test(view)`` and the index keys under which it can be found."""

    __slots__ = ("keys", "kind", "test", "text")

    def __init__(self, node: ast.Literal) -> None:
        self.text = literal_text(node)
        self.kind = "filter"
        self.keys: list[str] = []
        self.test: Callable[[MentionView], bool]
        if isinstance(node, ast.Term | ast.Phrase):
            words = tokens(node.word) if isinstance(node, ast.Term) else _phrase_tokens(node.words)
            proximity = node.proximity if isinstance(node, ast.Phrase) else None
            self.kind, self.keys = "word", [max(words, key=len)]
            if len(words) == 1:
                word = words[0]
                self.test = lambda v: word in v.positions
            elif proximity is None:
                self.test = lambda v: _adjacent(v, words)
            else:
                self.test = lambda v: _within(v, words, proximity)
        elif isinstance(node, ast.Prefix):
            stem = tokens(node.stem)[0]
            self.kind, self.keys = "prefix", [stem[:_MAX_PREFIX_KEY]]
            self.test = lambda v: any(t.startswith(stem) for t in v.positions)
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
                for h, p in v.links)
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
    starts = view.positions.get(words[0])
    if not starts or any(w not in view.positions for w in words[1:]):
        return False
    return any(all(view.has_at(w, p + i) for i, w in enumerate(words[1:], 1)) for p in starts)


def _within(view: MentionView, words: list[str], proximity: int) -> bool:
    """Return True when every word occurs, in any order, in a window of ``len(words) + proximity``."""
    need = Counter(words)
    if any(len(view.positions.get(w, ())) < n for w, n in need.items()):
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

_Expr = int | tuple[str, tuple["_Expr", ...]]


@dataclass(frozen=True, slots=True)
class _Topic:
    topic_id: str
    expr: _Expr
    explain: tuple[int, ...]
    """Indexes of the positive content literals, reported when they are present."""


class TopicMatcher:
    """Match mentions against a fixed set of topics; build it once with :meth:`compile`."""

    def __init__(self, topics: list[_Topic], literals: list[_Literal], index: dict[str, dict[str, set[int]]],
                 prefix_lengths: tuple[int, ...]) -> None:
        self._topics = topics
        self._literals = literals
        self._index = index
        self._prefix_lengths = prefix_lengths

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
            compiled.append(_Topic(topic_id, _to_expr(tree, literal_id), tuple(dict.fromkeys(explain))))
        lengths = tuple(sorted({len(k) for k in index["prefix"]}))
        logger.debug("matching: compiled %s topics, %s literals", len(compiled), len(literals))
        return cls(compiled, literals, index, lengths)

    @property
    def topic_ids(self) -> tuple[str, ...]:
        """Return the compiled topic ids, in order."""
        return tuple(t.topic_id for t in self._topics)

    def _candidates(self, view: MentionView) -> set[int]:
        index = self._index
        found: set[int] = set()
        words, prefixes = index["word"], index["prefix"]
        lengths = self._prefix_lengths
        for token in view.positions:
            hit = words.get(token)
            if hit:
                found |= hit
            for length in lengths:
                hit = prefixes.get(token[:length])
                if hit:
                    found |= hit
        for kind, keys in (("hashtag", view.hashtags), ("handle", view.handles), ("author", view.authors)):
            table = index[kind]
            if table:
                for key in keys:
                    hit = table.get(key)
                    if hit:
                        found |= hit
        sites = index["site"]
        if sites:
            for host, _ in view.links:
                labels = host.split(".")
                for i in range(len(labels)):
                    hit = sites.get(".".join(labels[i:]))
                    if hit:
                        found |= hit
        return found

    def match_view(self, view: MentionView) -> list[TopicMatch]:
        """Return the topics matched by an already-built view, in compile order."""
        candidates = self._candidates(view)
        if not candidates:
            return []
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
            if _evaluate(topic.expr, value):
                terms = tuple(literals[i].text for i in topic.explain if value(i))
                out.append(TopicMatch(topic.topic_id, terms))
        return out

    def match(self, mention: Mention) -> list[TopicMatch]:
        """Return the topics ``mention`` matches, each with the query terms found in it."""
        return self.match_view(MentionView.of(mention))

    def match_many(self, mentions: Iterable[Mention]) -> list[list[TopicMatch]]:
        """Return :meth:`match` for each mention, in order."""
        return [self.match(m) for m in mentions]


def _to_expr(node: ast.Node, literal_id: Callable[[ast.Literal], int]) -> _Expr:
    """Turn a syntax tree into nested ``(op, children)`` tuples over literal ids."""
    if isinstance(node, ast.And | ast.Or):
        op = "and" if isinstance(node, ast.And) else "or"
        return (op, tuple(_to_expr(i, literal_id) for i in node.items))
    if isinstance(node, ast.Not):
        return ("not", (_to_expr(node.item, literal_id),))
    return literal_id(node)


def _evaluate(expr: _Expr, value: Callable[[int], bool]) -> bool:
    if isinstance(expr, int):
        return value(expr)
    op, items = expr
    if op == "and":
        return all(_evaluate(i, value) for i in items)
    if op == "or":
        return any(_evaluate(i, value) for i in items)
    return not _evaluate(items[0], value)
