"""The ONNX Runtime encoder computes the same features as ``transformers``, and heals a bad export."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analysis import model_build, onnx_build
from analysis.analyzer import FEATURE_LAYERS
from analysis.encoder import Encoder, OnnxEncoder, load

TEXTS = [
    "Le service client ne répond jamais, je vais résilier",
    "I love this phone",
    "ok",
    "",
    "🔥🔥🔥",
    "Is the app down again? " * 60,
]


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    rows = []
    for k in range(len(FEATURE_LAYERS)):
        x, y = a[:, k * 384 : (k + 1) * 384], b[:, k * 384 : (k + 1) * 384]
        rows.append((x * y).sum(1) / (np.linalg.norm(x, axis=1) * np.linalg.norm(y, axis=1)))
    return np.stack(rows, axis=1)


@pytest.fixture(scope="module")
def reference(model_data_dir: Path) -> np.ndarray:
    encoder = Encoder(model_build.model_dir(model_data_dir))
    return encoder.embed_layers(TEXTS, FEATURE_LAYERS)


@pytest.mark.parametrize(("runtime", "floor"), [("onnx", 0.9999), ("onnx-int8", 0.95)])
def test_onnx_features_match_transformers(
    model_data_dir: Path, reference: np.ndarray, runtime: str, floor: float
) -> None:
    encoder = load(model_build.model_dir(model_data_dir), runtime=runtime, layers=FEATURE_LAYERS, threads=2)
    assert isinstance(encoder, OnnxEncoder)
    ours = encoder.embed_layers(TEXTS, FEATURE_LAYERS)
    assert ours.shape == reference.shape
    cos = _cosines(ours, reference)
    assert cos.min() >= floor, cos
    # in input order (batches are sorted by length inside): row i is text i
    assert np.argmax(ours @ reference[1]) == 1


def test_int8_graph_is_smaller_and_reused(model_data_dir: Path) -> None:
    folder = model_build.model_dir(model_data_dir)
    graph = onnx_build.export(folder, FEATURE_LAYERS, "int8")
    assert graph.stat().st_size < (folder / "model.safetensors").stat().st_size / 3
    before = graph.stat().st_mtime_ns
    assert onnx_build.export(folder, FEATURE_LAYERS, "int8") == graph
    assert graph.stat().st_mtime_ns == before


def test_wrong_layers_are_refused(model_data_dir: Path) -> None:
    encoder = load(model_build.model_dir(model_data_dir), runtime="onnx-int8", layers=FEATURE_LAYERS)
    with pytest.raises(ValueError, match="returns layers"):
        encoder.embed_layers(["bonjour"], (12,))


def test_corrupt_graph_is_exported_again(model_data_dir: Path, tmp_path: Path) -> None:
    import shutil

    onnx_build.export(model_build.model_dir(model_data_dir), FEATURE_LAYERS, "int8")
    folder = tmp_path / "e5"
    shutil.copytree(model_build.model_dir(model_data_dir), folder)
    graph = onnx_build.export_path(folder, FEATURE_LAYERS, "int8")
    assert onnx_build.is_exported(folder, FEATURE_LAYERS, "int8")
    graph.write_bytes(graph.read_bytes()[:1000])  # a truncated file, as after a full disk
    encoder = load(folder, runtime="onnx-int8", layers=FEATURE_LAYERS)
    vectors = encoder.embed_layers(["bonjour à tous"], FEATURE_LAYERS)
    assert np.isfinite(vectors).all() and abs(np.linalg.norm(vectors[0, :384]) - 1.0) < 1e-3
    assert graph.stat().st_size > 1_000_000


def test_export_follows_the_model_folder(model_data_dir: Path, tmp_path: Path) -> None:
    import shutil

    onnx_build.export(model_build.model_dir(model_data_dir), FEATURE_LAYERS, "int8")
    folder = tmp_path / "e5"
    shutil.copytree(model_build.model_dir(model_data_dir), folder)
    assert onnx_build.is_exported(folder, FEATURE_LAYERS, "int8")
    manifest = folder / model_build.MANIFEST
    manifest.write_text(manifest.read_text().replace("}", ', "rebuilt": true}', 1))
    assert not onnx_build.is_exported(folder, FEATURE_LAYERS, "int8")


def test_int8_vector_of_a_text_does_not_depend_on_its_batch(model_data_dir: Path) -> None:
    # Dynamic quantisation scales activations per run: batched, a tweet's vector moved with its
    # neighbours. One text per run must give the same vector alone and among others.
    encoder = load(
        model_build.model_dir(model_data_dir), runtime="onnx-int8", layers=FEATURE_LAYERS, threads=2
    )
    assert isinstance(encoder, OnnxEncoder) and encoder.per_text
    together = encoder.embed_layers(TEXTS, FEATURE_LAYERS)
    alone = np.concatenate([encoder.embed_layers([t], FEATURE_LAYERS) for t in TEXTS])
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_the_outlier_product_stays_fp32_in_the_int8_graph(model_data_dir: Path) -> None:
    import onnx

    graph = onnx_build.export(model_build.model_dir(model_data_dir), FEATURE_LAYERS, "int8")
    nodes = {node.name: node.op_type for node in onnx.load(str(graph)).graph.node}
    for name in onnx_build.FP32_NODES:
        assert nodes.get(name) == "MatMul", name  # not renamed by the exporter, not quantised
    quantised = [name for name, op in nodes.items() if op in ("MatMulInteger", "DynamicQuantizeMatMul")]
    assert len(quantised) >= 12 * 6 - len(onnx_build.FP32_NODES)


def test_fast_tokenizer_gives_the_ids_and_padding_of_transformers(model_data_dir: Path) -> None:
    from transformers import AutoTokenizer

    from analysis.tokenizer import FastTokenizer

    folder = model_build.model_dir(model_data_dir)
    reference = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    texts = [*TEXTS, "<script>alert(1)</script>", "\u202eevil\u200b", "日本語のテキスト", "x" * 5000]
    ours = FastTokenizer(folder, 128)
    assert ours.ids(texts) == reference(texts, truncation=True, max_length=128)["input_ids"]
    input_ids, mask = ours.padded(texts)
    want = reference(texts, padding=True, truncation=True, max_length=128, return_tensors="np")
    assert np.array_equal(input_ids, want["input_ids"]) and np.array_equal(mask, want["attention_mask"])
