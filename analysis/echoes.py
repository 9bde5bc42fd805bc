"""Group echoes: reposts, boosts, quotes and near-duplicate texts, each group under one canonical mention.

Exact duplicates never get here: storage keys mentions on ``(source, external_id)``. What remains are
*echoes*, distinct posts that repeat one message: a retweet or a boost, a quote post, the same press
release syndicated on many sites, a link cross-posted to Reddit and Hacker News. They are grouped, not
dropped, so volumes and reach stay honest: a group has one canonical mention and counts the others.

Two signals, in this order:

1. **References** (exact): a mention whose ``references`` name a ``repost`` or ``quote`` joins the
   group of the post it references (on the same source), whether or not that post is in the batch.
2. **Near-duplicate text**: the title and text are folded (accents, case, ligatures; URLs dropped, the
   ``RT`` marker and @handles ignored) and cut into word trigrams. MinHash/LSH (``datasketch``)
   proposes candidate pairs in near-linear time; each candidate pair is then checked with the *exact*
   Jaccard similarity of the shingle sets, so the threshold means what it says; a pair that differs
   only by a few words substituted in the middle is a template, not an echo
   (:func:`is_template_variant`). Texts shorter than :data:`MIN_TOKENS` words are left alone:
   "thanks!" twice is not an echo. The threshold was measured on real recorded posts
   (``benchmarks/echoes.py``, labels in ``benchmarks/echo_labels.json``).

Groups are connected components (single linkage). The canonical mention is the earliest published
original (a mention that is not itself a repost or quote), ties broken by key; the function is pure and
deterministic: the same mentions in any order give the same groups.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from datasketch import MinHash, MinHashLSH

from listener.core.model import Mention
from listener.core.query.normalize import fold, tokens_of_folded

_HANDLE = re.compile(r"(?<![\w@])@\w+(?:[.@-]\w+)*")

__all__ = ["DEFAULT_THRESHOLD", "MIN_TOKENS", "EchoGroup", "group_echoes", "jaccard", "shingles"]

logger = logging.getLogger(__name__)

Key = tuple[str, str]

DEFAULT_THRESHOLD = 0.5
"""Exact Jaccard similarity of word-trigram sets from which two texts are echoes (measured; module doc)."""
MIN_TOKENS = 6
"""Texts with fewer words are never grouped by similarity (only by references)."""
SHINGLE_SIZE = 3
MAX_SUBSTITUTION = 4
"""An interior replacement of at most this many words marks a template variant, not an echo."""
_NUM_PERM = 128
_IGNORED = frozenset({"rt", "via"})


@dataclass(frozen=True, slots=True)
class EchoGroup:
    """One message and its echoes: ``member_keys`` are the echoes, without the canonical mention."""

    canonical_key: Key
    member_keys: tuple[Key, ...]

    @property
    def size(self) -> int:
        """Return how many mentions the group holds, canonical included."""
        return 1 + len(self.member_keys)


def _words(mention: Mention) -> list[str]:
    """Return the folded words of the title and text, without URLs, @handles and the ``RT`` marker.

    Handles are addressing, not content: bots that ping the same accounts, or replies to the same
    people, would otherwise look alike.
    """
    folded = fold(f"{mention.title or ''}\n{mention.text}")
    if "@" in folded:
        folded = _HANDLE.sub(" ", folded)
    return [w for w in tokens_of_folded(folded) if w not in _IGNORED]


def shingles(mention: Mention, size: int = SHINGLE_SIZE) -> frozenset[str]:
    """Return the folded word shingles of a mention's title and text (see :func:`_words`)."""
    words = _words(mention)
    if len(words) < size:
        return frozenset(words)
    return frozenset(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Return the Jaccard similarity of two sets (0 when both are empty)."""
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[Key, Key] = {}

    def find(self, key: Key) -> Key:
        root = self.parent.setdefault(key, key)
        while self.parent[root] != root:
            root = self.parent[root]
        while key != root:  # path compression, iteratively (long chains must not recurse)
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: Key, b: Key) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def is_template_variant(a: Sequence[str], b: Sequence[str], *, max_words: int = MAX_SUBSTITUTION) -> bool:
    """Return True when ``b`` is ``a`` with a few words *replaced* inside the text (not at its ends).

    Echoes add or cut words at the ends ("RT @x:", "via @y", a truncated tail, a site name) and keep
    the body; posts generated from one template ("I gave 5 stars to Nancy / to Daisy", "New on CRAN:
    pkgA / pkgB") share everything but a substituted name in the middle. Measured on the labelled real
    posts, this check removed template pairs the Jaccard threshold alone let through.
    """
    ops = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for index, (tag, a1, a2, b1, b2) in enumerate(ops):
        if tag != "replace" or index in (0, len(ops) - 1):
            continue
        changed = [*a[a1:a2], *b[b1:b2]]
        if a2 - a1 <= max_words and b2 - b1 <= max_words and any(not w.isdigit() for w in changed):
            return True
    return False


def near_duplicate_pairs(mentions: Sequence[Mention], threshold: float = DEFAULT_THRESHOLD,
                         min_tokens: int = MIN_TOKENS, *, check_templates: bool = True
                         ) -> list[tuple[Key, Key, float]]:
    """Return ``(key_a, key_b, jaccard)`` for every pair of texts at or above ``threshold`` (a < b).

    ``check_templates=False`` keeps template variants too (the benchmark measures what the check adds).
    """
    ordered = sorted({m.key: m for m in mentions}.values(), key=lambda m: m.key)
    sets: list[frozenset[str]] = []
    texts: list[list[str]] = []
    keep: list[Mention] = []
    for mention in ordered:
        words = _words(mention)
        if len(words) < min_tokens:
            continue
        found = frozenset(" ".join(words[i : i + SHINGLE_SIZE]) for i in range(len(words) - SHINGLE_SIZE + 1))
        if found:
            keep.append(mention)
            sets.append(found)
            texts.append(words)
    if len(keep) < 2:
        return []
    # LSH only proposes candidates: its band threshold sits well below ours, then exact Jaccard decides.
    lsh = MinHashLSH(threshold=max(0.1, threshold - 0.2), num_perm=_NUM_PERM)
    # bulk() draws the permutations once for all texts (building them per MinHash dominates otherwise).
    hashes = MinHash.bulk([[s.encode("utf-8") for s in sorted(found)] for found in sets],
                          num_perm=_NUM_PERM, seed=1)
    with lsh.insertion_session() as session:
        for number, signature in enumerate(hashes):
            session.insert(str(number), signature)
    pairs: list[tuple[Key, Key, float]] = []
    for number, signature in enumerate(hashes):
        for other in sorted(int(c) for c in lsh.query(signature)):
            if other <= number:
                continue
            score = jaccard(sets[number], sets[other])
            is_template = check_templates and is_template_variant(texts[number], texts[other])
            if score >= threshold and not is_template:
                pairs.append((keep[number].key, keep[other].key, score))
    return pairs


def group_echoes(mentions: Iterable[Mention], *, threshold: float = DEFAULT_THRESHOLD,
                 min_tokens: int = MIN_TOKENS) -> list[EchoGroup]:
    """Return the echo groups among ``mentions`` (groups of one are left out), sorted by canonical key."""
    by_key = {m.key: m for m in mentions}
    links = _UnionFind()
    for mention in by_key.values():
        links.find(mention.key)
        for ref in mention.references:
            if ref.kind in ("repost", "quote"):
                links.union(mention.key, (mention.source, ref.external_id))
    for a, b, _ in near_duplicate_pairs(list(by_key.values()), threshold, min_tokens):
        links.union(a, b)
    members: dict[Key, list[Mention]] = {}
    for key, mention in by_key.items():
        members.setdefault(links.find(key), []).append(mention)
    groups = []
    for group in members.values():
        if len(group) < 2:
            continue
        originals = [m for m in group if not any(r.kind in ("repost", "quote") for r in m.references)]
        canonical = min(originals or group, key=lambda m: (m.published_at, m.key))
        echoes = tuple(sorted(m.key for m in group if m.key != canonical.key))
        groups.append(EchoGroup(canonical.key, echoes))
    groups.sort(key=lambda g: g.canonical_key)
    logger.debug("echoes: %s groups among %s mentions", len(groups), len(by_key))
    return groups
