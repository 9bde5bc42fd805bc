"""Load the built e5 encoder offline and turn texts into sentence vectors, fast.

e5 wants the ``"query: "`` prefix, mean pooling over the attention mask and L2 normalisation.
Throughput on a small CPU comes from three things we do here: sorting texts by length so each
batch pads to its own longest text (dynamic padding), ``torch.inference_mode``, and a bounded
``max_length`` (a 1 MB post is truncated by the tokenizer, never split into hundreds of windows).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from analysis import adapter
from analysis.tokenizer import FastTokenizer

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
        adapter_path: Path | None = adapter.SHIPPED,
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from transformers import AutoModel
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        if threads:
            torch.set_num_threads(threads)
        self.folder = folder
        self.max_length = max_length
        self.batch_size = batch_size
        self._torch = torch
        self.tokenizer = FastTokenizer(folder, max_length)
        self.model: Any = AutoModel.from_pretrained(
            str(folder), local_files_only=True, add_pooling_layer=False
        )
        adapter.apply(self.model, adapter_path)
        self.model.eval()

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
                enc = self.tokenizer.torch_batch(batch)
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


class OnnxEncoder:
    """The exported feature graph (``analysis.onnx_build``) run by ONNX Runtime.

    Same contract as :class:`Encoder` for the layers it was exported with. Each run uses one
    intra-op thread and ``threads`` runs go side by side: on 2 cores two single-threaded runs got
    ~10% more texts/s than one run on two threads (small matrices scale poorly across threads).

    The int8 graph runs one text per run (``per_text``). Dynamic quantisation picks its activation
    scale per run, over every token in it, so in a batch a text's vector depended on its neighbours
    (and their padding): 2-4% of labels flipped between a tweet classified alone and the same tweet
    in a batch. One text per run gives each text one answer, and is faster too, as nothing is padded
    (360 against 317 texts/s for batches of 32, 2 cores). The fp32 graph has no such dependence and
    keeps batches (121 against 110 texts/s).
    """

    def __init__(
        self,
        folder: Path,
        graph: Path,
        layers: Sequence[int],
        *,
        max_length: int = 128,
        batch_size: int = 32,
        threads: int | None = None,
        per_text: bool = False,
    ) -> None:
        import onnxruntime as ort

        self.folder = folder
        self.graph = graph
        self.layers = tuple(layers)
        self.max_length = max_length
        self.batch_size = batch_size
        self.per_text = per_text
        self.threads = max(1, threads or min(2, os.cpu_count() or 1))
        self.tokenizer = FastTokenizer(folder, max_length)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """The last exported layer's vectors (the e5 sentence vector when it is layer 12)."""
        k = len(self.layers) - 1
        return self.embed_layers(texts, self.layers)[:, k * DIM : (k + 1) * DIM]

    def _run(self, batch: list[str]) -> npt.NDArray[np.float32]:
        input_ids, attention_mask = self.tokenizer.padded(batch)
        feeds = {"input_ids": input_ids, "attention_mask": attention_mask}
        out: npt.NDArray[np.float32] = self._session.run(None, feeds)[0]
        return out

    def _run_one(self, ids: list[int]) -> npt.NDArray[np.float32]:
        row = np.asarray([ids], dtype=np.int64)
        out: npt.NDArray[np.float32] = self._session.run(
            None, {"input_ids": row, "attention_mask": np.ones_like(row)}
        )[0][0]
        return out

    def embed_layers(self, texts: Sequence[str], layers: Sequence[int] = (12,)) -> npt.NDArray[np.float32]:
        """Pooled vectors of ``layers``, which must be the ones the graph was exported with."""
        if tuple(layers) != self.layers:
            raise ValueError(f"this ONNX graph returns layers {self.layers}, not {tuple(layers)}")
        out = np.zeros((len(texts), DIM * len(self.layers)), dtype=np.float32)
        if not texts:
            return out
        if self.per_text:
            clipped = [PREFIX + t[: self.max_length * 16] for t in texts]
            ids = self.tokenizer.ids(clipped)
            out[:] = self._map(self._run_one, ids)
            return out
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        chunks = [order[start : start + self.batch_size] for start in range(0, len(order), self.batch_size)]
        batches = [[PREFIX + texts[i][: self.max_length * 16] for i in idx] for idx in chunks]
        for idx, rows in zip(chunks, self._map(self._run, batches), strict=True):
            out[idx] = rows
        return out

    def _map(
        self, run: Callable[[Any], npt.NDArray[np.float32]], items: list[Any]
    ) -> list[npt.NDArray[np.float32]]:
        """``run`` over ``items`` on ``threads`` threads (ONNX Runtime releases the GIL), in order."""
        if self.threads == 1 or len(items) == 1:
            return [run(item) for item in items]
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(self.threads, thread_name_prefix="encoder") as pool:
            return list(pool.map(run, items))


RUNTIMES = ("onnx-int8", "onnx", "torch")
"""``onnx-int8`` is the default (fastest); ``onnx`` is the same graph in fp32; ``torch`` runs
``transformers`` directly (the reference the exports are checked against)."""


def load(
    folder: Path,
    *,
    runtime: str = "torch",
    layers: Sequence[int] = (12,),
    **kwargs: Any,
) -> Encoder | OnnxEncoder:
    """Load the encoder from a built folder (see ``analysis.model_build``), exporting if needed."""
    logger.info("encoder: loading %s (%s)", folder, runtime)
    if runtime not in RUNTIMES:
        raise ValueError(f"unknown runtime {runtime!r}: use one of {', '.join(RUNTIMES)}")
    from analysis import onnx_build

    precision = onnx_build.precision_of(runtime)
    if precision is None:
        return Encoder(folder, **kwargs)
    graph = onnx_build.export(folder, layers, precision)
    kwargs.setdefault("per_text", precision == "int8")
    try:
        return OnnxEncoder(folder, graph, layers, **kwargs)
    except Exception as err:  # onnxruntime raises its own (unexported) error types for a bad file
        # A truncated or edited graph: export it again once from the verified model folder.
        logger.warning("encoder: %s cannot be loaded (%s); exporting it again", graph.name, err)
        graph = onnx_build.export(folder, layers, precision, force=True)
        return OnnxEncoder(folder, graph, layers, **kwargs)
