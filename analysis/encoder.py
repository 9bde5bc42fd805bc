"""Load the built e5 encoder offline and turn texts into sentence vectors, fast.

e5 wants the ``"query: "`` prefix, mean pooling over the attention mask and L2 normalisation.
Throughput on a small CPU comes from three things we do here: sorting texts by length so each
batch pads to its own longest text (dynamic padding), ``torch.inference_mode``, and a bounded
``max_length`` (a 1 MB post is truncated by the tokenizer, never split into hundreds of windows).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

PREFIX = "query: "
DIM = 384


class Encoder:
    """A loaded e5 model plus its tokenizer; ``embed`` is the only thing callers need."""

    def __init__(
        self,
        folder: Path,
        *,
        max_length: int = 128,
        batch_size: int = 64,
        threads: int | None = None,
        quantize: bool = False,
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from transformers import AutoModel, AutoTokenizer

        if threads:
            torch.set_num_threads(threads)
        self.folder = folder
        self.max_length = max_length
        self.batch_size = batch_size
        self._torch = torch
        self.tokenizer: Any = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
        self.model: Any = AutoModel.from_pretrained(
            str(folder), local_files_only=True, add_pooling_layer=False
        )
        self.model.eval()
        if quantize:
            # Optional dynamic int8 on the Linear layers (benchmarks/classify_speed.py --int8). Off by
            # default: measured 2x faster but 8.6 / 6.5 macro-F1 points lower on XLM-T FR / EN val.
            self.model = torch.ao.quantization.quantize_dynamic(  # type: ignore[no-untyped-call]
                self.model, {torch.nn.Linear}, dtype=torch.qint8
            )

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Return one L2-normalised 384-d row per text (the e5 sentence vector), in input order."""
        return self.embed_layers(texts, (12,))

    def embed_layers(self, texts: Sequence[str], layers: Sequence[int] = (12,)) -> npt.NDArray[np.float32]:
        """Concatenate the L2-normalised mean-pooled hidden states of ``layers`` (0 = embeddings).

        Frozen-encoder heads read sentiment better with a few intermediate layers beside the last
        one; the cost is the same forward pass.
        """
        out = np.zeros((len(texts), DIM * len(layers)), dtype=np.float32)
        if not texts:
            return out
        # Sort by character length (a cheap proxy for token length) so batches pad little.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        torch = self._torch
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                idx = order[start : start + self.batch_size]
                batch = [PREFIX + texts[i][: self.max_length * 16] for i in idx]
                enc = self.tokenizer(
                    batch, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt"
                )
                result = self.model(
                    input_ids=enc["input_ids"],
                    attention_mask=enc["attention_mask"],
                    output_hidden_states=len(layers) > 1 or layers[0] != 12,
                )
                states = result.hidden_states if result.hidden_states is not None else None
                mask = enc["attention_mask"].unsqueeze(-1).to(torch.float32)
                parts = []
                for layer in layers:
                    hidden = states[layer] if states is not None else result.last_hidden_state
                    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
                    parts.append(torch.nn.functional.normalize(pooled, p=2, dim=1))
                out[idx] = torch.cat(parts, dim=1).numpy()
        return out


def load(folder: Path, **kwargs: Any) -> Encoder:
    """Load the encoder from a built folder (see ``analysis.model_build``)."""
    logger.info("encoder: loading %s", folder)
    return Encoder(folder, **kwargs)
