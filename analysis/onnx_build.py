"""Export the encoder's feature graph to ONNX (and int8) once, into the built model folder.

Why: on a 2-core CPU the plain ``transformers`` forward pass is the whole cost of analysis. ONNX
Runtime runs the same graph faster, and its dynamic int8 quantisation (int8 weights, activations
quantised on the fly) roughly halves the time again. Weights are quantised to 7 bits
(``reduce_range``): CPUs without VNNI multiply int8 pairs into saturating 16-bit sums, so 8-bit
weights gave different features there than on VNNI CPUs, and heads trained on one machine misread
the other (XLM-T FR 0.724 on an AVX2 EPYC fell to 0.703 on a VNNI Xeon with the same heads). With
7-bit weights no sum saturates: both compute the same integers. One matrix product stays in fp32
(``FP32_NODES``): it alone made most of the int8 error. The exported graph returns exactly what the
heads read, the mean-pooled, L2-normalised hidden states of ``layers``, and stops at the deepest of
them, so unused layers cost nothing. The word table is kept out of the torch export and the
quantiser and written in afterwards (``analysis.onnx_embedding``): the same graph, a third of the
memory.

The export is derived from the checksummed model folder by code pinned here; it is checked against
the ``transformers`` model on fixed sentences before it is used, and rebuilt when the folder, the
layers or this module's ``EXPORT_VERSION`` change.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from analysis import adapter, onnx_embedding
from analysis.model_build import MANIFEST, ModelBuildError
from analysis.tokenizer import FastTokenizer

logger = logging.getLogger(__name__)

EXPORT_VERSION = "2"
OPSET = 17
PREFIX = "query: "
CHECK_MAX_LENGTH = 512
"""The check texts are short: nothing is cut (the model's own limit)."""

CHECK_TEXTS = (
    "Je vais résilier mon abonnement, le service client ne répond jamais.",
    "Thanks a lot, the new update works great!",
    "Is the app down again? Can't log in since this morning",
    "ok",
)
"""Sentences the export is compared on (French, English, a question, a one-word post)."""

MIN_COSINE = {"fp32": 0.9999, "int8": 0.95}
"""Per-layer cosine to the ``transformers`` vectors below which the export is refused: fp32 must be
the same function; int8 moves vectors a little (0.98-0.998 measured), a broken graph far more."""


FP32_NODES = ("/bert/encoder/layer.4/output/dense/MatMul",)
"""Matrix products left unquantised. The feed-forward output of block 5 reads a few huge activations
(outliers of the post-GELU state); quantising its input per tensor crushes the rest. Measured on
XLM-T val (one layer excluded at a time): it alone carried 58% of the int8-vs-fp32 feature error;
in fp32 it brings int8 macro-F1 to within 0.6 point of fp32 (seed-0 adapter: FR 0.721 -> 0.737,
EN 0.690 -> 0.696, fp32 0.743 / 0.700) for 8% of the speed. All twelve in fp32 cost 48%."""


def precision_of(runtime: str) -> str | None:
    """The graph precision an ``analysis.runtime`` needs: ``int8``, ``fp32``, or None for torch."""
    return {"onnx-int8": "int8", "onnx": "fp32"}.get(runtime)


def export_path(folder: Path, layers: Sequence[int], precision: str) -> Path:
    """Where the graph for these layers and precision lives inside the model folder."""
    tag = "-".join(str(layer) for layer in layers)
    return folder / f"features-l{tag}-{precision}-v{EXPORT_VERSION}.onnx"


def _source_key(folder: Path, adapter_path: Path | None) -> str:
    """What the export depends on: the model folder's manifest (weights' checksum) and the adapter."""
    manifest = folder / MANIFEST
    base = hashlib.sha256(manifest.read_bytes()).hexdigest() if manifest.is_file() else ""
    return f"{base}+{adapter.digest(adapter_path)}"


def _sidecar(path: Path) -> Path:
    return path.with_suffix(".json")


def is_exported(
    folder: Path, layers: Sequence[int], precision: str, adapter_path: Path | None = adapter.SHIPPED
) -> bool:
    """True when the graph exists and was exported from this very model folder and module version."""
    path = export_path(folder, layers, precision)
    meta = _sidecar(path)
    if not (path.is_file() and meta.is_file()):
        return False
    try:
        info = json.loads(meta.read_text())
    except (OSError, ValueError):
        return False
    return bool(
        info.get("source") == _source_key(folder, adapter_path) and info.get("version") == EXPORT_VERSION
    )


def _pooled_module(folder: Path, layers: Sequence[int], adapter_path: Path | None) -> tuple[Any, Any]:
    """The ``transformers`` model cut after the deepest layer, wrapped to return pooled features."""
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # no "Loading weights" bar
    tokenizer = FastTokenizer(folder, CHECK_MAX_LENGTH)
    bert = AutoModel.from_pretrained(
        str(folder), local_files_only=True, add_pooling_layer=False, attn_implementation="eager"
    )
    adapter.apply(bert, adapter_path)
    depth = max(layers)
    bert.encoder.layer = bert.encoder.layer[:depth]
    bert.config.num_hidden_layers = depth
    bert.eval()

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            out = self.bert(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True)
            mask = attention_mask.unsqueeze(-1).to(torch.float32)
            denom = mask.sum(1).clamp(min=1.0)
            parts = [
                torch.nn.functional.normalize((out.hidden_states[layer] * mask).sum(1) / denom, p=2, dim=1)
                for layer in layers
            ]
            return torch.cat(parts, dim=1)

    return Pooled().eval(), tokenizer


def _check(folder: Path, path: Path, want: Any, layers: Sequence[int], precision: str) -> float:
    """Smallest per-layer cosine between the exported graph and the model's vectors ``want``."""
    import onnxruntime as ort

    tokenizer = FastTokenizer(folder, CHECK_MAX_LENGTH)
    input_ids, attention_mask = tokenizer.padded([PREFIX + t for t in CHECK_TEXTS])
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(None, {"input_ids": input_ids, "attention_mask": attention_mask})[0]
    worst = 1.0
    for k in range(len(layers)):
        a = got[:, k * 384 : (k + 1) * 384]
        b = want[:, k * 384 : (k + 1) * 384]
        cos = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1) + 1e-12)
        worst = min(worst, float(cos.min()))
    if worst < MIN_COSINE[precision]:
        raise ModelBuildError(
            f"model export: the {precision} ONNX graph disagrees with the model (cosine {worst:.4f} < "
            f"{MIN_COSINE[precision]}); delete {path.parent} and run `listener model build` again"
        )
    return worst


def _export_graph(torch: Any, module: Any, sample: Any, path: Path) -> None:
    torch.onnx.export(
        module,
        (sample["input_ids"], sample["attention_mask"]),
        str(path),
        input_names=["input_ids", "attention_mask"],
        output_names=["features"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "tokens"},
            "attention_mask": {0: "batch", 1: "tokens"},
            "features": {0: "batch"},
        },
        opset_version=OPSET,
        dynamo=False,
    )


def _present(graph: Path, names: Sequence[str]) -> list[str]:
    """``names`` found in the graph; a missing one (a renaming exporter) is said, not fatal."""
    import onnx

    found = {node.name for node in onnx.load(str(graph), load_external_data=False).graph.node}
    missing = [name for name in names if name not in found]
    if missing:
        logger.warning("model export: nodes %s not in the graph; they are quantised (less accurate)", missing)
    return [name for name in names if name in found]


def _graph_step(folder: Path, layers: Sequence[int], adapter_path: Path | None, tmp: Path) -> None:
    """Write ``graph.onnx`` (with a stand-in word table, see ``analysis.onnx_embedding``), the
    model's vectors on ``CHECK_TEXTS`` and the library versions into ``tmp``."""
    import torch
    import transformers

    module, tokenizer = _pooled_module(folder, layers, adapter_path)
    enc = tokenizer.torch_batch([PREFIX + t for t in CHECK_TEXTS])
    with torch.inference_mode():
        np.save(tmp / "want.npy", module(enc["input_ids"], enc["attention_mask"]).numpy())
    words = module.bert.embeddings.word_embeddings
    words.weight = torch.nn.Parameter(words.weight[: onnx_embedding.STAND_IN_ROWS].clone())
    sample = tokenizer.torch_batch([PREFIX + t for t in CHECK_TEXTS[:2]])
    sample["input_ids"] = sample["input_ids"] % onnx_embedding.STAND_IN_ROWS
    with warnings.catch_warnings():
        # The exporter warns about tracing internals (advanced indexing, Python conditions on
        # shapes) that do not apply here: the result is checked against the model afterwards.
        warnings.simplefilter("ignore")
        _export_graph(torch, module, sample, tmp / "graph.onnx")
    versions = {"torch": torch.__version__, "transformers": transformers.__version__}
    (tmp / "versions.json").write_text(json.dumps(versions))


def _quantise_step(tmp: Path, folder: Path) -> None:
    """Write ``int8.onnx`` from ``graph.onnx`` (dynamic int8, 7-bit weights, ``FP32_NODES`` kept),
    the word table quantised block by block by ``analysis.onnx_embedding``."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = tmp / "graph.onnx"
    root_logger = logging.getLogger()
    root_logger.setLevel(logging.ERROR)  # the quantiser logs every tensor (and advice) on the root
    quantize_dynamic(
        str(graph),
        str(tmp / "int8-stand-in.onnx"),
        weight_type=QuantType.QInt8,
        per_channel=True,
        reduce_range=True,
        nodes_to_exclude=[*_present(graph, FP32_NODES), onnx_embedding.GATHER],
    )
    model = onnx.load(str(tmp / "int8-stand-in.onnx"))
    onnx_embedding.put_uint8(model, folder)
    onnx.save_model(model, str(tmp / "int8.onnx"))


def _fp32_step(tmp: Path, folder: Path) -> None:
    """Write ``fp32.onnx``: ``graph.onnx`` with the real word table."""
    import onnx

    model = onnx.load(str(tmp / "graph.onnx"))
    onnx_embedding.put_fp32(model, folder)
    onnx.save_model(model, str(tmp / "fp32.onnx"))


def _in_child(step: str, *args: str) -> None:
    """Run one heavy step in a child Python, so its memory goes back to the system when it ends.

    Run in one process, torch, the exporter and the quantiser kept about 3.9 GB resident at once;
    one step at a time, with the word table kept out of them (``analysis.onnx_embedding``), each
    child peaks at 1.1-1.3 GB (``benchmarks/model_memory.py``), and the caller never loads torch.
    """
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
    done = subprocess.run(
        [sys.executable, "-m", "analysis.onnx_build", step, *args],
        env=env, capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        tail = " | ".join(done.stderr.strip().splitlines()[-3:])
        raise ModelBuildError(f"model export: the {step} step failed (exit {done.returncode}): {tail}")


def export(
    folder: Path,
    layers: Sequence[int],
    precision: str = "int8",
    *,
    force: bool = False,
    adapter_path: Path | None = adapter.SHIPPED,
    on_step: Callable[[str], None] | None = None,
) -> Path:
    """Export (and quantise) the feature graph into ``folder`` unless an up-to-date one is there.

    ``on_step`` hears the name of each step as it starts (progress bars).
    """
    if precision not in MIN_COSINE:
        raise ValueError(f"precision must be one of {sorted(MIN_COSINE)}, got {precision!r}")
    target = export_path(folder, layers, precision)
    if not force and is_exported(folder, layers, precision, adapter_path):
        return target
    from onnxruntime import __version__ as ort_version

    logger.info("model export: %s (layers %s) from %s", precision, list(layers), folder)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".export-") as tmp_name:
        tmp = Path(tmp_name)
        if on_step:
            on_step("export")
        layer_list = ",".join(str(layer) for layer in layers)
        _in_child("graph", str(folder), layer_list, str(adapter_path or ""), str(tmp))
        if precision == "int8":
            if on_step:
                on_step("quantise")
            _in_child("quantise", str(tmp), str(folder))
            result = tmp / "int8.onnx"
        else:
            _in_child("fp32", str(tmp), str(folder))
            result = tmp / "fp32.onnx"
        if on_step:
            on_step("check")
        cosine = _check(folder, result, np.load(tmp / "want.npy"), layers, precision)
        versions = json.loads((tmp / "versions.json").read_text())
        shutil.move(str(result), target)
    info = {
        "version": EXPORT_VERSION,
        "source": _source_key(folder, adapter_path),
        "layers": list(layers),
        "precision": precision,
        "min_cosine": round(cosine, 6),
        "torch": versions["torch"],
        "transformers": versions["transformers"],
        "onnxruntime": ort_version,
    }
    _sidecar(target).write_text(json.dumps(info, indent=2, sort_keys=True) + "\n")
    logger.info("model export: %s written (min cosine to the model %.4f)", target.name, cosine)
    return target


def _main(argv: Sequence[str]) -> None:
    """Child entry point of :func:`_in_child`: ``graph FOLDER LAYERS ADAPTER TMP``, ``quantise TMP
    FOLDER`` or ``fp32 TMP FOLDER``."""
    if argv[0] == "graph":
        folder, layers, adapter_arg, tmp = argv[1:5]
        adapter_path = Path(adapter_arg) if adapter_arg else None
        _graph_step(Path(folder), [int(x) for x in layers.split(",")], adapter_path, Path(tmp))
    elif argv[0] == "quantise":
        _quantise_step(Path(argv[1]), Path(argv[2]))
    elif argv[0] == "fp32":
        _fp32_step(Path(argv[1]), Path(argv[2]))
    else:
        raise SystemExit(f"unknown step {argv[0]!r}")


if __name__ == "__main__":
    _main(sys.argv[1:])
