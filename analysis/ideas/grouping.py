"""Group suggestions into ideas, incrementally: a new suggestion joins the closest idea, or opens one.

Each idea is the running *sum* of its members' unit vectors; the similarity of a suggestion to an
idea is the cosine to that sum (the centroid's direction). Sums live in one growable float32 matrix,
so placing a suggestion is one matrix-vector product over the open ideas (about 1 ms at 10k ideas on
2 cores) instead of a loop in Python. The threshold comes from labelled pairs of real suggestions
(``benchmarks/ideas.py`` measures it); below it a suggestion opens a new idea.

Grouping is incremental, so it depends on arrival order; callers feed suggestions oldest first, which
is also the order the service meets them in. Vectors come from an injected ``embed`` callable (the
multilingual e5 encoder in the service, so a French and an English wording of one idea meet), never
from a model loaded here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]
Embed = Callable[[Sequence[str]], npt.NDArray[np.float32]]

DEFAULT_THRESHOLD = 0.86
"""Cosine to an idea's centroid above which a suggestion joins it (e5 vectors; see benchmarks/ideas.py)."""

SHARED_LANGS = frozenset({"fr", "en"})
"""Languages whose suggestions may join one another's ideas; any other language is kept apart."""

_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"(?<!\w)@\w+")
_HASHTAG = re.compile(r"(?<!\w)#(\w+)")
_SPACE = re.compile(r"\s+")


def idea_text(text: str, *, max_chars: int = 600) -> str:
    """Return what the encoder reads: no links or @handles (every post names the brand), hashtags as words."""
    flat = _HASHTAG.sub(r"\1", _HANDLE.sub(" ", _URL.sub(" ", text)))
    return _SPACE.sub(" ", flat).strip()[:max_chars]


def lang_group(lang: str | None) -> str:
    """Return the pool a suggestion is grouped in: French and English together, every other language alone."""
    if lang is None or lang in SHARED_LANGS:
        return "fr+en"
    return lang


def unit(vectors: npt.ArrayLike) -> Vector:
    """Return rows scaled to unit length (zero rows stay zero)."""
    rows = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    out: Vector = np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)
    return out


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one suggestion went: the idea's slot, its cosine to that idea, and whether it opened it."""

    slot: int
    similarity: float
    is_new: bool


class IdeaIndex:
    """The open ideas of one pool as centroid sums; ``place`` puts a suggestion in one of them."""

    def __init__(self, dim: int, *, threshold: float = DEFAULT_THRESHOLD, capacity: int = 1024) -> None:
        self.threshold = threshold
        self._sums = np.zeros((max(capacity, 1), dim), dtype=np.float32)
        self._norms = np.zeros(max(capacity, 1), dtype=np.float32)
        self._counts = np.zeros(max(capacity, 1), dtype=np.int64)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def _grow(self) -> None:
        capacity = len(self._counts) * 2
        self._sums = np.resize(self._sums, (capacity, self._sums.shape[1]))
        self._sums[self._size :] = 0.0
        self._norms = np.resize(self._norms, capacity)
        self._counts = np.resize(self._counts, capacity)

    def open(self, vector: Vector, count: int = 1) -> int:
        """Open a new idea whose members sum to ``vector`` (``count`` of them); return its slot."""
        if self._size == len(self._counts):
            self._grow()
        slot = self._size
        self._sums[slot] = vector
        self._norms[slot] = float(np.linalg.norm(vector))
        self._counts[slot] = count
        self._size += 1
        return slot

    def add(self, slot: int, vector: Vector) -> None:
        """Add one member's vector to idea ``slot``."""
        self._sums[slot] += vector
        self._norms[slot] = float(np.linalg.norm(self._sums[slot]))
        self._counts[slot] += 1

    def nearest(self, vector: Vector) -> tuple[int, float] | None:
        """Return the slot of the most similar idea and its cosine, or None when there is none."""
        if self._size == 0:
            return None
        dots = self._sums[: self._size] @ vector
        norms = self._norms[: self._size]
        sims = np.divide(dots, norms, out=np.full_like(dots, -1.0), where=norms > 0)
        best = int(np.argmax(sims))
        return best, float(sims[best])

    def place(self, vector: Vector) -> Placement:
        """Join the closest idea at or above the threshold, else open a new one."""
        found = self.nearest(vector)
        if found is not None and found[1] >= self.threshold:
            self.add(found[0], vector)
            return Placement(slot=found[0], similarity=found[1], is_new=False)
        return Placement(slot=self.open(vector), similarity=1.0, is_new=True)


def group(
    vectors: npt.ArrayLike, *, threshold: float = DEFAULT_THRESHOLD, pools: Sequence[str] | None = None
) -> list[int]:
    """Group unit vectors from scratch, in order; return one idea label per row (pools kept apart)."""
    rows = unit(vectors)
    labels: list[int] = []
    indexes: dict[str, tuple[IdeaIndex, list[int]]] = {}
    next_label = 0
    for i, row in enumerate(rows):
        pool = pools[i] if pools is not None else ""
        index, slot_labels = indexes.setdefault(
            pool, (IdeaIndex(rows.shape[1], threshold=threshold, capacity=max(64, len(rows) // 4)), [])
        )
        placed = index.place(row)
        if placed.is_new:
            slot_labels.append(next_label)
            next_label += 1
        labels.append(slot_labels[placed.slot])
    return labels


def central(vectors: npt.ArrayLike) -> int:
    """Return the row closest to the group's centroid: the suggestion that best says the idea."""
    rows = unit(vectors)
    return int(np.argmax(rows @ rows.sum(axis=0)))


def short_title(text: str, *, width: int = 80) -> str:
    """Return a short title from a suggestion: its first sentence without handles or links, cut at a word."""
    flat = idea_text(text, max_chars=2_000)
    first = re.split(r"(?<=[.!?])\s+", flat, maxsplit=1)[0] or flat
    if len(first) <= width:
        return first
    cut = first[: width - 1].rsplit(" ", 1)[0]
    return (cut or first[: width - 1]) + "…"
