"""A model-free embedder: hashed word and word-pair counts, for machines without the encoder.

It groups rewordings that share words, and nothing else: a French and an English wording of one
idea stay apart. ``benchmarks/ideas.py`` prints how far it trails the multilingual encoder. The
service uses it only when ``ideas.embedder`` says ``lexical``; tests use it where the grouping
*logic*, not the model, is under test.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from analysis.ideas.candidates import fold
from analysis.ideas.grouping import idea_text, unit

DIM = 1024


class LexicalEmbedder:
    """Turn texts into unit vectors of hashed words and word pairs."""

    def __init__(self, dim: int = DIM) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer

        self.dim = dim
        self._vectorizer = HashingVectorizer(
            n_features=dim,
            ngram_range=(1, 2),
            alternate_sign=False,
            norm="l2",
            token_pattern=r"(?u)\b\w\w\w+\b",
        )

    def __call__(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Return one unit row per text (an empty text gives a zero row)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        matrix = self._vectorizer.transform([fold(idea_text(t)) for t in texts])
        return unit(matrix.toarray())
