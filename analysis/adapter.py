"""The low-rank adapter (LoRA) that tunes the e5 encoder to tweet sentiment, shipped as numbers.

A frozen encoder plus logistic heads tops out around macro-F1 0.70 on English tweets; tuning the
encoder itself on the labelled tweets adds a few points (``analysis.finetune``). Shipping a tuned
copy of the weights (470 MB) is out of the question, so we ship only the low-rank update: for each
tuned linear layer two small matrices ``A`` (rank x in) and ``B`` (out x rank), a few MB in all,
and add ``scale * B @ A`` to the weights built from the registry packages at load time.

Only derived numbers are stored, never training text. The file's sha256 is part of the encoder id,
so a new adapter re-analyses stored mentions and re-exports the ONNX graph.
"""

from __future__ import annotations

import hashlib
import json
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

SHIPPED = Path(__file__).resolve().parent / "adapters" / "e5-small-tweets.npz"
TARGETS = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)
"""The linear layers of each BERT block the adapter may touch (named as in ``transformers``)."""


def digest(path: Path | None = SHIPPED) -> str:
    """Short sha256 of the adapter file ('' without one): part of the encoder id and export key."""
    if path is None or not path.is_file():
        return ""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


@lru_cache(maxsize=4)
def deltas(path: Path) -> dict[str, npt.NDArray[np.float32]]:
    """Weight update per module, ``"encoder.layer.3.attention.self.query"`` -> ``scale * B @ A``."""
    data = np.load(path)
    meta = json.loads(str(data["meta"]))
    scale = float(meta["scale"])
    out = {}
    for name in meta["modules"]:
        a = data[f"{name}.A"].astype(np.float32)
        b = data[f"{name}.B"].astype(np.float32)
        out[f"encoder.layer.{name}"] = (scale * (b @ a)).astype(np.float32)
    return out


def apply(model: Any, path: Path | None = SHIPPED) -> int:
    """Add the adapter's updates to a loaded ``transformers`` BERT model in place; returns modules."""
    if path is None or not path.is_file():
        return 0
    import torch

    modules = dict(model.named_modules())
    updates = deltas(path)
    with torch.no_grad():
        for name, delta in updates.items():
            module = modules.get(name)
            if module is None:  # a truncated model has fewer layers: skip the ones it lacks
                continue
            if tuple(module.weight.shape) != delta.shape:
                raise ValueError(
                    f"adapter {path.name}: {name} is {delta.shape}, model has {module.weight.shape}"
                )
            module.weight += torch.from_numpy(delta)
    logger.info("adapter: %s applied to %s linear layers", path.name, len(updates))
    return len(updates)


def save(
    path: Path,
    factors: dict[str, tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]],
    *,
    scale: float,
    info: dict[str, Any],
) -> None:
    """Write ``A``/``B`` per module (float16) and the metadata into one ``.npz``."""
    arrays: dict[str, Any] = {}
    for name, (a, b) in factors.items():
        arrays[f"{name}.A"] = a.astype(np.float16)
        arrays[f"{name}.B"] = b.astype(np.float16)
    meta = {"scale": scale, "modules": sorted(factors), **info}
    arrays["meta"] = np.array(json.dumps(meta, sort_keys=True))
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)
    deltas.cache_clear()


def describe(path: Path | None = SHIPPED) -> dict[str, Any]:
    """The adapter's metadata (rank, training sets, validation scores), {} without one."""
    if path is None or not path.is_file():
        return {}
    meta: dict[str, Any] = json.loads(str(np.load(path)["meta"]))
    return meta
