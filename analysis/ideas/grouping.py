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

DEFAULT_THRESHOLD = 0.92
"""Cosine (e5, see :func:`idea_vectors`) above which a suggestion joins an idea *in its own language*.

The best F1 on 92 hand-labelled pairs of real suggestions (``benchmarks/idea_pairs.json``): P 0.83,
R 0.77. Below it precision falls fast (0.47 at 0.86), and a community manager merges two ideas more
easily than they split one."""

CROSS_THRESHOLD = 0.86
"""The same, between a French and an English wording: e5-small puts translations further apart than
rewordings. Measured on the demo's bilingual planted ideas (no labelled real FR/EN pairs exist in
``../shared/data``); ``benchmarks/ideas.py`` prints what it recovers."""

SHARED_LANGS = frozenset({"fr", "en"})
"""Languages whose suggestions may join one another's ideas; any other language is kept apart."""

_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"(?<!\w)@\w+")
_HASHTAG = re.compile(r"(?<!\w)#(\w+)")
_SPACE = re.compile(r"\s+")
_REQUEST = re.compile(
    r"""\b(?:add|adds|added|adding|offer|offers|offered|offering|support|supports|provide|provides|
    bring\ back|bring|allow|allows|enable|enables|implement|introduce|include|integrate|have|give|
    ajoute[rsz]?|ajoutai[st]|ajoutait|propose[rsz]?|proposai[st]|proposait|offre[sz]?|offrir|offrait|
    permett(?:re|ez|rait|e)|integre[rsz]?|integrait|mettre\ en\ place|active[rsz]?|avoir|fournir)\b""",
    re.VERBOSE | re.IGNORECASE,
)
_CLAUSE_END = re.compile(
    r"[.!?;:,(]|\s[-–—]\s|\b(?:because|so that|since|parce que|car|pour que|afin de)\b", re.IGNORECASE
)


def idea_text(text: str, *, max_chars: int = 600) -> str:
    """Return what the encoder reads: no links or @handles (every post names the brand), hashtags as words."""
    flat = _HASHTAG.sub(r"\1", _HANDLE.sub(" ", _URL.sub(" ", text)))
    return _SPACE.sub(" ", flat).strip()[:max_chars]


def focus(text: str) -> str:
    """Return the thing asked for: the words after the first request verb, up to the end of the clause.

    "Ce serait top si Lumio ajoutait le mode sombre dans l'appli 🙂" -> "le mode sombre dans l'appli".
    Without a request verb (or with less than two words after it) the whole text is returned.
    """
    found = _REQUEST.search(text)
    if found is None:
        return text
    rest = text[found.end() :]
    stop = _CLAUSE_END.search(rest)
    phrase = (rest[: stop.start()] if stop else rest).strip()
    return phrase if len(phrase.split()) >= 2 else text


def idea_vectors(embed: Embed, texts: Sequence[str]) -> Vector:
    """Return one unit vector per text: its whole wording plus the thing it asks for, equally weighted.

    The whole text alone groups by phrasing ("it would be great if...") more than by the request; the
    request alone loses context. On the labelled pairs the sum scores F1 0.80 (whole text: 0.82), and
    it is what lets the demo's French and English wordings of one idea meet.
    """
    cleaned = [idea_text(t) for t in texts]
    whole = unit(embed(cleaned)) if cleaned else np.zeros((0, 0), dtype=np.float32)
    focused = [focus(t) for t in cleaned]
    todo = [i for i, (a, b) in enumerate(zip(cleaned, focused, strict=True)) if a != b]
    parts = whole.copy()
    if todo:
        parts[todo] = unit(embed([focused[i] for i in todo]))
    return unit(whole + parts)


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
    """The open ideas of one pool as centroid sums; ``place`` puts a suggestion in one of them.

    Each idea keeps, besides the sum of all its members, one sum per language. A suggestion is
    compared with the centroid of the idea's members *in its own language* at ``threshold``; with an
    idea that has none in its language, with the whole centroid at ``cross_threshold``. So French
    rewordings that look alike cannot pile into an English idea at the lower, cross-language bar.
    A suggestion whose language is unknown meets every idea at ``threshold``.
    """

    def __init__(
        self,
        dim: int,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        cross_threshold: float = CROSS_THRESHOLD,
        capacity: int = 1024,
    ) -> None:
        self.threshold = threshold
        self.cross_threshold = cross_threshold
        self._dim = dim
        self._capacity = max(capacity, 1)
        self._sums = np.zeros((self._capacity, dim), dtype=np.float32)
        self._norms = np.zeros(self._capacity, dtype=np.float32)
        self._by_lang: dict[str, tuple[Vector, Vector]] = {}
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def _lang(self, lang: str | None) -> tuple[Vector, Vector] | None:
        if lang is None or lang == "und":
            return None
        if lang not in self._by_lang:
            sums = np.zeros((self._capacity, self._dim), dtype=np.float32)
            self._by_lang[lang] = (sums, np.zeros(self._capacity, dtype=np.float32))
        return self._by_lang[lang]

    def _grow(self) -> None:
        old = self._capacity
        self._capacity *= 2

        def bigger(matrix: Vector, norms: Vector) -> tuple[Vector, Vector]:
            m = np.zeros((self._capacity, self._dim), dtype=np.float32)
            m[:old] = matrix
            n = np.zeros(self._capacity, dtype=np.float32)
            n[:old] = norms
            return m, n

        self._sums, self._norms = bigger(self._sums, self._norms)
        self._by_lang = {k: bigger(*v) for k, v in self._by_lang.items()}

    def open(self, vector: Vector, lang: str | None = None) -> int:
        """Open a new idea whose members' vectors (all in ``lang``) sum to ``vector``; return its slot."""
        if self._size == self._capacity:
            self._grow()
        slot = self._size
        self._size += 1
        self.add(slot, vector, lang)
        return slot

    def add(self, slot: int, vector: Vector, lang: str | None = None) -> None:
        """Add one member's vector (in ``lang``) to idea ``slot``."""
        self._sums[slot] += vector
        self._norms[slot] = float(np.linalg.norm(self._sums[slot]))
        own = self._lang(lang)
        if own is not None:
            own[0][slot] += vector
            own[1][slot] = float(np.linalg.norm(own[0][slot]))

    @staticmethod
    def _cos(dots: Vector, norms: Vector) -> Vector:
        out: Vector = np.divide(dots, norms, out=np.full_like(dots, -1.0), where=norms > 0)
        return out

    def _score(
        self, slots: npt.NDArray[np.int64], total: Vector, own: Vector | None, lang: str | None
    ) -> tuple[Vector, Vector]:
        """Cosines and margins over their thresholds of ``slots``, given dot products with the row."""
        sims = self._cos(total, self._norms[slots])
        pair = self._lang(lang)
        if pair is None or own is None:
            return sims, sims - np.float32(self.threshold)
        norms = pair[1][slots]
        has_own = norms > 0
        sims = np.where(has_own, self._cos(own, norms), sims).astype(np.float32)
        margins: Vector = sims - np.where(has_own, self.threshold, self.cross_threshold).astype(np.float32)
        return sims, margins

    def place(self, vector: Vector, lang: str | None = None) -> Placement:
        """Join the idea with the largest margin over its threshold, else open a new one."""
        return self.place_many(vector[None, :], [lang])[0]

    def place_many(
        self, vectors: Vector, langs: Sequence[str | None], *, block: int = 256
    ) -> list[Placement]:
        """Place rows in order, exactly as one ``place`` after another, but ``block`` rows per matrix product.

        Ideas untouched since the block began keep the cosines of one matrix product; ideas a row of
        the block joined or opened are re-scored for each later row, so the result is the same.
        """
        out: list[Placement] = []
        for start in range(0, len(vectors), block):
            rows = vectors[start : start + block]
            block_langs = langs[start : start + block]
            known = self._size
            slots = np.arange(known, dtype=np.int64)
            total = self._sums[:known] @ rows.T
            own: dict[str | None, Vector] = {}
            for lang in set(block_langs):
                pair = self._lang(lang)
                if pair is not None:
                    own[lang] = pair[0][:known] @ rows.T
            touched: set[int] = set()
            for j, row in enumerate(rows):
                lang = block_langs[j]
                best = (-1, -np.inf, 0.0)
                if known:
                    sims, margins = self._score(
                        slots, total[:, j], own[lang][:, j] if lang in own else None, lang
                    )
                    if touched:
                        margins[[t for t in touched if t < known]] = -np.inf
                    k = int(np.argmax(margins))
                    best = (k, float(margins[k]), float(sims[k]))
                if touched:
                    idx = np.asarray(sorted(touched), dtype=np.int64)
                    pair = self._lang(lang)
                    own_t = pair[0][idx] @ row if pair is not None else None
                    sims_t, margins_t = self._score(idx, self._sums[idx] @ row, own_t, lang)
                    k = int(np.argmax(margins_t))
                    if margins_t[k] > best[1]:
                        best = (int(idx[k]), float(margins_t[k]), float(sims_t[k]))
                if best[0] >= 0 and best[1] >= 0:
                    self.add(best[0], row, lang)
                    out.append(Placement(slot=best[0], similarity=best[2], is_new=False))
                    touched.add(best[0])
                else:
                    slot = self.open(row, lang)
                    out.append(Placement(slot=slot, similarity=1.0, is_new=True))
                    touched.add(slot)
        return out


def group(
    vectors: npt.ArrayLike,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    cross_threshold: float = CROSS_THRESHOLD,
    langs: Sequence[str | None] | None = None,
) -> list[int]:
    """Group unit vectors from scratch, in order; return one idea label per row.

    French and English share one pool; each other language is grouped apart (see :func:`lang_group`).
    """
    rows = unit(vectors)
    chosen = list(langs) if langs is not None else [None] * len(rows)
    labels = [0] * len(rows)
    pools: dict[str, list[int]] = {}
    for i, lang in enumerate(chosen):
        pools.setdefault(lang_group(lang), []).append(i)
    next_label = 0
    for members in pools.values():
        index = IdeaIndex(
            rows.shape[1],
            threshold=threshold,
            cross_threshold=cross_threshold,
            capacity=max(64, len(members) // 2),
        )
        slot_label: dict[int, int] = {}
        for i, placed in zip(
            members, index.place_many(rows[members], [chosen[i] for i in members]), strict=True
        ):
            if placed.is_new:
                slot_label[placed.slot] = next_label
                next_label += 1
            labels[i] = slot_label[placed.slot]
    return labels


def central(vectors: npt.ArrayLike) -> int:
    """Return the row closest to the group's centroid: the suggestion that best says the idea."""
    rows = unit(vectors)
    return int(np.argmax(rows @ rows.sum(axis=0)))


def short_title(text: str, *, width: int = 80) -> str:
    """Return a short title from a suggestion: the sentence that asks, without greetings, handles or links.

    "Hello ! Au fait, Lumio devrait ajouter le mode sombre, ça éviterait des appels" ->
    "Lumio devrait ajouter le mode sombre, ça éviterait des appels" (cut at a word to ``width``).
    """
    bare = _HASHTAG.sub(r"\1", re.sub(r"(?<!\w)@(\w+)", r"\1", _URL.sub(" ", text)))
    flat = _SPACE.sub(" ", bare).strip()[:2_000]
    sentences = [x for x in re.split(r"(?<=[.!?])\s+", flat) if len(x.split()) >= 3] or [flat]
    chosen = next((x for x in sentences if _REQUEST.search(x)), sentences[0])
    lead = re.match(r"^([^,:;]{1,30})[,:;]\s+", chosen)
    if lead and len(lead.group(1).split()) <= 3 and not _REQUEST.search(lead.group(1)):
        chosen = chosen[lead.end() :]
    chosen = chosen[:1].upper() + chosen[1:]
    if len(chosen) <= width:
        return chosen
    cut = chosen[: width - 1].rsplit(" ", 1)[0]
    return (cut or chosen[: width - 1]) + "…"
