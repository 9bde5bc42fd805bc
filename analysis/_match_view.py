"""What the topic matcher looks at in a mention, and the compiled literals that test it.

Private to :mod:`analysis.matching`: a :class:`MentionView` folds and tokenises one mention once
(positions, tags, handles, links and authors only on demand); a :class:`Literal` is one query literal
compiled into a test on a view plus the index keys under which the matcher finds it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property

from listener.core.model import Mention
from listener.core.query import ast
from listener.core.query.normalize import fold, handles, hashtags, host_of, tokens, tokens_of_folded, urls
from listener.core.query.printer import literal_text

__all__ = ["Literal", "MentionView"]

_TITLE_GAP = 1000
"""Token positions between the title and the body, so a phrase never spans the two."""
_MAX_PREFIX_KEY = 4


class MentionView:
    """What the matcher looks at in one mention: folded and tokenised once, the rest computed on demand.

    Only the set of distinct tokens is built for every mention; positions (for phrases), tags,
    handles, links and authors are computed the first time a candidate topic needs them.
    """

    def __init__(self, mention: Mention) -> None:
        self.mention = mention
        self.body = body = fold(mention.text)
        self.body_tokens = toks = tokens_of_folded(body)
        self.words: set[str] = set(toks)
        if mention.title:
            self.title = fold(mention.title)
            self.title_tokens = tokens_of_folded(self.title)
            self.words.update(self.title_tokens)
        else:
            self.title, self.title_tokens = "", []

    @cached_property
    def source(self) -> str:
        """The source name, lower case."""
        return self.mention.source.lower()

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


class Literal:
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


