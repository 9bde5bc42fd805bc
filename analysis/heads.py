"""Small classification heads on top of the frozen encoder, stored as plain numpy arrays.

A head is a stack of dense layers (ReLU between them) ending in a softmax (one label among
several: sentiment) or a sigmoid (a yes/no flag: complaint, question, suggestion). Inference is a
few matrix products in numpy, so heads load without scikit-learn and ship inside the package
(``analysis/heads/``, well under 1 MB). ``listener train`` writes newer versions into the data
directory, which take precedence over the shipped ones.

Only derived numbers are stored (weights, thresholds, metrics, counts), never training text.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

SHIPPED_DIR = Path(__file__).resolve().parent / "heads"
WEIGHTS = "heads.npz"
META = "heads.json"

Array = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Head:
    """Dense layers ``[(W, b), ...]`` (``W`` is out x in) and how to read the last layer."""

    name: str
    labels: tuple[str, ...]
    layers: tuple[tuple[Array, Array], ...]
    kind: str  # "softmax" or "sigmoid"
    threshold: float = 0.5
    bias: tuple[float, ...] = ()
    """Per-class logit offsets (softmax heads) tuned on validation data; empty means none."""

    def logits(self, x: Array) -> Array:
        """Raw scores of the last layer for a batch of feature rows."""
        h = x
        for i, (w, b) in enumerate(self.layers):
            h = h @ w.T + b
            if i < len(self.layers) - 1:
                h = np.maximum(h, 0.0)
        if self.bias:
            h = h + np.asarray(self.bias, dtype=np.float32)
        return h.astype(np.float32)

    def predict(self, x: Array) -> Array:
        """Probabilities: softmax rows for a multi-class head, one column for a flag."""
        z = self.logits(x)
        if self.kind == "softmax":
            z = z - z.max(axis=1, keepdims=True)
            e = np.exp(z)
            soft: Array = np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float32)
            return soft
        flag: Array = np.asarray(1.0 / (1.0 + np.exp(-z[:, 0])), dtype=np.float32)
        return flag


@dataclass(frozen=True, slots=True)
class HeadSet:
    """Every head of one trained version, plus its metadata (training sets, metrics)."""

    version: str
    heads: Mapping[str, Head]
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Head:
        return self.heads[name]


def save(headset: HeadSet, folder: Path) -> None:
    """Write ``heads.npz`` (float16 weights) and ``heads.json`` (labels, thresholds, metrics)."""
    folder.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, npt.NDArray[Any]] = {}
    heads_meta = {}
    for name, head in headset.heads.items():
        for i, (w, b) in enumerate(head.layers):
            arrays[f"{name}.{i}.w"] = w.astype(np.float16)
            arrays[f"{name}.{i}.b"] = b.astype(np.float32)
        heads_meta[name] = {
            "labels": list(head.labels),
            "kind": head.kind,
            "threshold": head.threshold,
            "bias": list(head.bias),
            "n_layers": len(head.layers),
        }
    np.savez_compressed(folder / WEIGHTS, **arrays)  # type: ignore[arg-type]
    meta = dict(headset.meta)
    meta["version"] = headset.version
    meta["heads"] = heads_meta
    (folder / META).write_text(json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def load(folder: Path) -> HeadSet:
    """Read a head set written by :func:`save`."""
    meta = json.loads((folder / META).read_text())
    data = np.load(folder / WEIGHTS)
    heads = {}
    for name, info in meta["heads"].items():
        layers = tuple(
            (data[f"{name}.{i}.w"].astype(np.float32), data[f"{name}.{i}.b"].astype(np.float32))
            for i in range(int(info["n_layers"]))
        )
        heads[name] = Head(
            name=name,
            labels=tuple(info["labels"]),
            layers=layers,
            kind=info["kind"],
            threshold=float(info["threshold"]),
            bias=tuple(float(v) for v in info.get("bias", [])),
        )
    return HeadSet(version=str(meta["version"]), heads=heads, meta=meta)


def trained_dir(data_dir: Path) -> Path:
    """Where ``listener train`` writes versions (one sub-folder each)."""
    return data_dir / "heads"


def latest(data_dir: Path | None) -> Path:
    """The newest trained version in the data directory, else the shipped heads."""
    if data_dir is not None:
        root = trained_dir(data_dir)
        if root.is_dir():
            versions = sorted(p for p in root.iterdir() if (p / META).is_file() and (p / WEIGHTS).is_file())
            if versions:
                return versions[-1]
    return SHIPPED_DIR
