"""The sentence vectors themes cluster: plain multilingual e5 (no sentiment adapter), last layer, int8.

Why not the analysis features: the adapter tunes the encoder to *sentiment*, which is what the heads
need and exactly what themes must ignore (two complaints about different things look alike to it).
On the complaint set's domains, HDBSCAN over adapted vectors reached NMI 0.06-0.15; over plain e5
0.23-0.26 (``benchmarks/themes.py``). So themes get their own vectors: the same built model folder
exported once more without the adapter, last layer only, int8 (one text per run, as analysis does),
stored per mention as float16 bytes (768 bytes a mention).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from analysis.text import normalise

MODEL_ID = "e5-small-l12-int8"
"""Names the stored vectors; a different model means vectors are computed again."""
DIM = 384
LAYERS = (12,)

Vectors = npt.NDArray[np.float32]


class ThemeEncoder:
    """Plain e5 on ONNX Runtime int8: ``embed(texts)`` returns L2-normalised rows."""

    def __init__(self, model_folder: Path) -> None:
        from analysis import onnx_build
        from analysis.encoder import OnnxEncoder

        graph = onnx_build.export(model_folder, LAYERS, "int8", adapter_path=None)
        self._encoder = OnnxEncoder(model_folder, graph, LAYERS, per_text=True)

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Vectors of ``texts`` (normalised as analysis reads them)."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.asarray(self._encoder.embed_layers([normalise(t) for t in texts], LAYERS), dtype=np.float32)


def to_bytes(vector: Vectors) -> bytes:
    """Store a vector as float16 bytes."""
    return np.asarray(vector, dtype=np.float16).tobytes()


def from_bytes(blob: bytes) -> Vectors:
    """Read a stored vector back as float32."""
    return np.frombuffer(blob, dtype=np.float16).astype(np.float32)
