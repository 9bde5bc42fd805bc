"""A disk cache of sentence vectors keyed by the sha1 of the text.

Retraining the heads (``listener train``) re-reads tens of thousands of labelled texts; embedding
them takes minutes on a small CPU, the heads take seconds. Caching the vectors per text makes a
retrain after one correction cheap. The cache lives in the data directory, never in the repo.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

Embed = Callable[[Sequence[str]], npt.NDArray[np.float32]]


def text_key(text: str) -> str:
    """Stable key of a text (the cache stores no text, only this digest and the vector)."""
    return hashlib.sha1(text.encode("utf-8", errors="replace")).hexdigest()


class EmbeddingCache:
    """Vectors on disk as one ``.npz`` (keys + matrix), loaded whole and appended in chunks."""

    def __init__(self, path: Path, *, progress: Callable[[int, int], None] | None = None) -> None:
        self.path = path
        self.progress = progress
        """Hears ``(embedded, to_embed)`` after each chunk of new texts (progress bars)."""
        self._index: dict[str, int] = {}
        self._rows: list[npt.NDArray[np.float32]] = []
        if path.is_file():
            data = np.load(path)
            keys = [str(k) for k in data["keys"]]
            matrix = data["vectors"].astype(np.float32)
            self._index = {k: i for i, k in enumerate(keys)}
            self._rows = list(matrix)

    def save(self) -> None:
        """Write atomically so an interrupted save keeps the previous cache."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(sorted(self._index, key=self._index.__getitem__))
        vectors = np.stack(self._rows) if self._rows else np.zeros((0, 0), dtype=np.float32)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=keys, vectors=vectors.astype(np.float16))
        tmp.replace(self.path)

    def forget(self, keys: set[str]) -> int:
        """Drop the vectors of these text keys (an erased author's texts); save; return how many went."""
        gone = [k for k in self._index if k in keys]
        if not gone:
            return 0
        kept = sorted((i, k) for k, i in self._index.items() if k not in keys)
        self._rows = [self._rows[i] for i, _ in kept]
        self._index = {k: n for n, (_, k) in enumerate(kept)}
        self.save()
        return len(gone)

    def embed(
        self, texts: Sequence[str], embed: Embed, *, chunk: int = 512, dim: int = 384
    ) -> npt.NDArray[np.float32]:
        """Vectors for ``texts``; the missing ones are computed with ``embed`` and saved."""
        keys = [text_key(t) for t in texts]
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in self._index and key not in missing:
                missing[key] = text
        todo = list(missing.items())
        for start in range(0, len(todo), chunk):
            part = todo[start : start + chunk]
            vectors = embed([t for _, t in part])
            for (key, _), vec in zip(part, vectors, strict=True):
                self._index[key] = len(self._rows)
                self._rows.append(vec.astype(np.float32))
            self.save()
            logger.info("embedding cache: %s of %s new texts embedded", start + len(part), len(todo))
            if self.progress:
                self.progress(start + len(part), len(todo))
        if not texts:
            return np.zeros((0, dim), dtype=np.float32)
        return np.stack([self._rows[self._index[k]] for k in keys]).astype(np.float32)
