"""The shipped low-rank adapter changes the encoder, and is part of what identifies a model version."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analysis import adapter, model_build, onnx_build
from analysis.analyzer import FEATURE_LAYERS, Analyzer
from analysis.encoder import Encoder


def test_shipped_adapter_is_small_and_described() -> None:
    assert adapter.SHIPPED.is_file()
    assert adapter.SHIPPED.stat().st_size < 5_000_000
    meta = adapter.describe()
    assert meta["rank"] == 8 and meta["modules"] and meta["seeds"] == [0, 1, 2]
    assert set(meta["trained_on"]) == {"xlm-t french train", "xlm-t english train"}
    deltas = adapter.deltas(adapter.SHIPPED)
    assert len(deltas) == 12 * len(adapter.TARGETS)
    some = deltas["encoder.layer.11.attention.self.query"]
    assert some.shape == (384, 384) and 0 < float(np.abs(some).max()) < 1.0


def test_soup_update_is_the_mean_of_the_runs_updates() -> None:
    from analysis.finetune import soup

    rng = np.random.default_rng(0)
    runs = [{"0.output.dense": (rng.normal(size=(8, 1536)), rng.normal(size=(384, 8)))} for _ in range(3)]
    a, b = soup(runs)["0.output.dense"]  # type: ignore[arg-type]
    assert a.shape == (24, 1536) and b.shape == (384, 24)
    mean = sum(run_b @ run_a for run_a, run_b in (run["0.output.dense"] for run in runs)) / 3
    np.testing.assert_allclose(b @ a, mean, rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError):
        soup([])


def test_adapter_moves_the_vectors(model_data_dir: Path) -> None:
    folder = model_build.model_dir(model_data_dir)
    texts = ["Franchement déçue par la dernière mise à jour", "best support team ever"]
    tuned = Encoder(folder).embed_layers(texts, FEATURE_LAYERS)
    plain = Encoder(folder, adapter_path=None).embed_layers(texts, FEATURE_LAYERS)
    first = (tuned[:, :384] * plain[:, :384]).sum(1)  # layer 4: slightly moved
    last = (tuned[:, -384:] * plain[:, -384:]).sum(1)  # layer 12: moved more
    assert np.all(first > 0.9) and np.all(last < 0.999)


def test_version_names_the_adapter(analyzer_model: Analyzer) -> None:
    assert f"lora-{adapter.digest()}" in analyzer_model.version
    assert analyzer_model.runtime in analyzer_model.version


def test_a_new_adapter_means_a_new_export(model_data_dir: Path, tmp_path: Path) -> None:
    folder = model_build.model_dir(model_data_dir)
    onnx_build.export(folder, FEATURE_LAYERS, "int8")
    other = tmp_path / "other.npz"
    other.write_bytes(adapter.SHIPPED.read_bytes() + b"\0")
    assert onnx_build.is_exported(folder, FEATURE_LAYERS, "int8")
    assert not onnx_build.is_exported(folder, FEATURE_LAYERS, "int8", adapter_path=other)


def test_wrong_shape_is_refused(model_data_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.npz"
    a = np.zeros((8, 100), np.float32)
    b = np.zeros((384, 8), np.float32)
    adapter.save(bad, {"0.attention.self.query": (a, b)}, scale=1.0, info={})
    with pytest.raises(ValueError, match=r"attention\.self\.query"):
        Encoder(model_build.model_dir(model_data_dir), adapter_path=bad)


def test_finetune_trains_factors_that_move_the_encoder(
    shared_data: Path, model_data_dir: Path, tmp_path: Path
) -> None:
    """A smoke run of the maintainer step on 48 real tweets, one epoch (the shipped one uses 3,678)."""
    from analysis import finetune

    folder = model_build.model_dir(model_data_dir)
    factors = finetune.finetune(shared_data, folder, FEATURE_LAYERS, epochs=1, limit=48)
    assert len(factors) == 12 * len(adapter.TARGETS)
    a, b = factors["11.attention.self.query"]
    assert a.shape == (finetune.RANK, 384) and b.shape == (384, finetune.RANK)
    assert float(np.abs(b).max()) > 0.0  # B starts at zero: training moved it
    path = tmp_path / "smoke.npz"
    adapter.save(path, factors, scale=finetune.SCALE, info={"rank": finetune.RANK})
    assert adapter.describe(path)["rank"] == finetune.RANK
    plain = Encoder(folder, adapter_path=None).embed_layers(["service client injoignable"], FEATURE_LAYERS)
    tuned = Encoder(folder, adapter_path=path).embed_layers(["service client injoignable"], FEATURE_LAYERS)
    assert not np.allclose(plain, tuned)


def test_batches_cover_every_row_once_and_pad_little() -> None:
    from analysis.finetune import BATCH, batches

    rng = np.random.default_rng(0)
    lengths = [int(n) for n in rng.integers(5, 280, size=1000)]
    got = batches(lengths, np.random.default_rng(1))
    assert sorted(i for batch in got for i in batch) == list(range(1000))
    assert all(0 < len(batch) <= BATCH for batch in got)
    # each batch holds texts of similar length: far less padding than batches in random order
    padded = sum(max(lengths[i] for i in b) * len(b) for b in got)
    order = np.random.default_rng(1).permutation(1000)
    chunks = [order[s : s + BATCH] for s in range(0, 1000, BATCH)]
    plain = sum(max(lengths[i] for i in chunk) * len(chunk) for chunk in chunks)
    assert padded < 0.7 * plain


def test_recipes_keep_what_they_measure_on_out_of_training(shared_data: Path) -> None:
    from analysis import datasets
    from analysis.finetune import sanders_split, training_rows

    plain = training_rows(shared_data, "xlmt")
    assert {task for _, task in plain} == {0}
    more = training_rows(shared_data, "xlmt+english")
    assert {task for _, task in more} == {0, 1}
    held = {e.text for e in sanders_split(shared_data)[1]}
    assert held and not held & {e.text for e, _ in more}  # the held-out fifth never trains
    val = {e.text for e in datasets.xlmt(shared_data, "english", "val")}
    assert not val & {e.text for e, _ in more}


def test_one_seed_files_soup_like_the_runs(tmp_path: Path) -> None:
    from analysis.finetune import load, soup

    rng = np.random.default_rng(2)
    runs = [{"0.output.dense": (rng.normal(size=(8, 1536)), rng.normal(size=(384, 8)))} for _ in range(2)]
    paths = []
    for n, run in enumerate(runs):
        paths.append(tmp_path / f"s{n}.npz")
        adapter.save(paths[-1], run, scale=2.0, info={"rank": 8})  # type: ignore[arg-type]
    from_files = soup([load(p) for p in paths])["0.output.dense"]
    direct = soup(runs)["0.output.dense"]  # type: ignore[arg-type]
    # the files hold float16: the soup read back matches the one in memory to that precision
    np.testing.assert_allclose(from_files[1] @ from_files[0], direct[1] @ direct[0], rtol=0.02, atol=0.05)
