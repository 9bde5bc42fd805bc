"""The encoder's tokenizer without ``transformers``: the model's ``tokenizer.json`` through ``tokenizers``.

Shared by the ONNX and torch encoders, the ONNX export and fine-tuning, so every path that turns
texts into ids gives the same ids (``tests/analysis/test_onnx_runtime.py`` checks them against
``transformers``' own tokenizer).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt


class FastTokenizer:
    """The model's ``tokenizer.json`` run by the ``tokenizers`` library, without ``transformers``.

    ``AutoTokenizer`` wraps the same Rust tokenizer but, with transformers 5, rebuilds it from the
    250k-entry vocabulary on every load: 5-16 s per load against 0.3-2 s here, paid by every command
    that analyses and twice by the demo. The ids are the same (checked in ``tests/analysis``).
    """

    def __init__(self, folder: Path, max_length: int) -> None:
        from tokenizers import Tokenizer

        spec = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
        # transformers 5 rebuilds XLM-R's tokenizer the way sentencepiece splits (whitespace runs
        # dropped, no lone "▁" for trailing spaces) instead of the file's Metaspace + Replace; the
        # heads were trained on those ids, so ours are set the same way.
        normalizer = spec.get("normalizer") or {}
        if normalizer.get("type") == "Sequence":
            kept = [n for n in normalizer["normalizers"] if n.get("type") == "Precompiled"]
            spec["normalizer"] = kept[0] if kept else None
        if (spec.get("pre_tokenizer") or {}).get("type") == "Metaspace":
            spec["pre_tokenizer"] = {"type": "Sequence",
                                     "pretokenizers": [{"type": "WhitespaceSplit"}, spec["pre_tokenizer"]]}
        self._tokenizer = Tokenizer.from_str(json.dumps(spec))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length)
        self._pad_id = self._tokenizer.token_to_id("<pad>") or 0

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each text, special tokens added, cut at ``max_length``."""
        return [encoding.ids for encoding in self._tokenizer.encode_batch(list(texts))]

    def padded(self, texts: Sequence[str]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """``(input_ids, attention_mask)`` padded on the right to the longest text of the batch."""
        rows = self.ids(texts)
        width = max((len(row) for row in rows), default=0)
        input_ids = np.full((len(rows), width), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for number, row in enumerate(rows):
            input_ids[number, : len(row)] = row
            mask[number, : len(row)] = 1
        return input_ids, mask

    def torch_batch(self, texts: Sequence[str]) -> dict[str, Any]:
        """:meth:`padded` as the ``input_ids`` / ``attention_mask`` tensors a ``transformers`` model takes."""
        import torch

        input_ids, mask = self.padded(texts)
        return {"input_ids": torch.from_numpy(input_ids), "attention_mask": torch.from_numpy(mask)}
