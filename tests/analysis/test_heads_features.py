"""Heads say which features they were fitted on, and a mismatch with the runtime is reported."""

from __future__ import annotations

from analysis import heads, onnx_build
from analysis.analyzer import DEFAULT_RUNTIME, features_id, heads_mismatch


def test_shipped_heads_were_fitted_on_what_the_default_runtime_computes() -> None:
    # Changing the adapter or the export without retraining the shipped heads fails here.
    meta = heads.load(heads.SHIPPED_DIR).meta
    assert meta["features"] == features_id(DEFAULT_RUNTIME)
    assert heads_mismatch(meta, DEFAULT_RUNTIME) is None
    assert "xlmt" in meta["licences"]


def test_heads_from_an_older_export_are_flagged() -> None:
    current = features_id("onnx-int8")
    assert current.endswith(f"-int8-v{onnx_build.EXPORT_VERSION}")
    old = current.removesuffix(f"-v{onnx_build.EXPORT_VERSION}") + "-v1"
    message = heads_mismatch(
        {"version": "20261101T000000Z", "features": old, "runtime": "onnx-int8"}, "onnx-int8"
    )
    assert (
        message is not None and "20261101T000000Z were fitted on features" in message and current in message
    )


def test_heads_read_on_another_runtime_are_flagged() -> None:
    meta = {"version": "v", "features": features_id("onnx-int8"), "runtime": "onnx-int8"}
    assert heads_mismatch(meta, "onnx-int8") is None
    assert heads_mismatch(meta, "torch") is not None
    assert heads_mismatch(meta, "onnx") is not None


def test_heads_that_do_not_record_their_features() -> None:
    assert (
        heads_mismatch({"version": "v", "runtime": "torch"}, "torch") is None
    )  # torch features never changed
    assert "do not record their features" in str(
        heads_mismatch({"version": "v", "runtime": "onnx-int8"}, "onnx-int8")
    )
    assert "trained on onnx-int8 features but the runtime is torch" in str(
        heads_mismatch({"version": "v", "runtime": "onnx-int8"}, "torch")
    )
