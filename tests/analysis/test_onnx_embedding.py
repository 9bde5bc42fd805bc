"""The word table written in after the export equals what ONNX Runtime's quantiser writes itself."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnxruntime.quantization import QuantType, quantize_dynamic
from safetensors.numpy import save_file

from analysis import onnx_embedding


def _gather_graph(table: np.ndarray) -> onnx.ModelProto:
    """The embedding lookup as the exporter writes it: a ``Gather`` on the table, then an ``Add``."""
    ids = helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"])
    out = helper.make_tensor_value_info("out", TensorProto.FLOAT, ["batch", "tokens", table.shape[1]])
    nodes = [
        helper.make_node("Gather", [onnx_embedding.INITIALIZER, "input_ids"], ["looked_up"],
                         name=onnx_embedding.GATHER),
        helper.make_node("Add", ["looked_up", "looked_up"], ["out"], name="add"),
    ]
    weights = [numpy_helper.from_array(table, onnx_embedding.INITIALIZER)]
    graph = helper.make_graph(nodes, "g", [ids], [out], weights)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_table_quantised_by_blocks_equals_the_quantisers_own(tmp_path: Path) -> None:
    logging.getLogger().setLevel(logging.ERROR)
    rng = np.random.default_rng(0)
    table = (rng.standard_normal((40_000, 8)) * 0.3).astype(np.float32)  # three blocks, the last partial
    table[123, 4] = -1.7  # the extremes sit in different blocks
    table[39_999, 0] = 1.1
    save_file({onnx_embedding.TABLE: table}, str(tmp_path / "model.safetensors"))
    onnx.save_model(_gather_graph(table), str(tmp_path / "whole.onnx"))
    quantize_dynamic(str(tmp_path / "whole.onnx"), str(tmp_path / "whole-int8.onnx"),
                     weight_type=QuantType.QInt8, per_channel=True, reduce_range=True)
    stand_in = table[: onnx_embedding.STAND_IN_ROWS].copy()
    onnx.save_model(_gather_graph(stand_in), str(tmp_path / "stand-in.onnx"))
    quantize_dynamic(str(tmp_path / "stand-in.onnx"), str(tmp_path / "stand-in-int8.onnx"),
                     weight_type=QuantType.QInt8, per_channel=True, reduce_range=True,
                     nodes_to_exclude=[onnx_embedding.GATHER])
    ours = onnx.load(str(tmp_path / "stand-in-int8.onnx"))
    onnx_embedding.put_uint8(ours, tmp_path)
    theirs = onnx.load(str(tmp_path / "whole-int8.onnx"))

    def initializers(model: onnx.ModelProto) -> dict[str, np.ndarray]:
        return {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}

    mine, ort = initializers(ours), initializers(theirs)
    assert sorted(mine) == sorted(ort)
    for name, value in ort.items():
        assert mine[name].dtype == value.dtype and np.array_equal(mine[name], value), name
    def wiring(model: onnx.ModelProto) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
        return sorted((n.op_type, tuple(n.input), tuple(n.output)) for n in model.graph.node)

    assert wiring(ours) == wiring(theirs)


def test_fp32_table_is_put_back_as_is(tmp_path: Path) -> None:
    table = np.arange(3000 * 4, dtype=np.float32).reshape(3000, 4) / 7
    save_file({onnx_embedding.TABLE: table}, str(tmp_path / "model.safetensors"))
    model = _gather_graph(table[: onnx_embedding.STAND_IN_ROWS].copy())
    onnx_embedding.put_fp32(model, tmp_path)
    assert model.SerializeToString() == _gather_graph(table).SerializeToString()
