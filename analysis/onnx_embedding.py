"""Keep the word-embedding table out of the heavy export steps, then put it back exactly.

The table (250,037 x 384 fp32, 384 of the model's 470 MB) made both export steps peak far above
the rest: the torch exporter held it three times (the model, the proto, the serialised bytes)
and the int8 quantiser four (loaded, flattened, scaled, rounded), 2.6 GB each. So the graph is
exported with a tiny stand-in table, the quantiser skips that one ``Gather``, and this module
writes the real table in afterwards from ``model.safetensors``, a block of rows at a time: as
fp32 for the fp32 graph, or quantised for the int8 graph the way ONNX Runtime quantises a
``Gather`` table (uint8, asymmetric, one scale over the whole table, ``onnxruntime.quantization``'s
own functions), so the int8 graph holds the same numbers as when ONNX Runtime did it whole.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

TABLE = "embeddings.word_embeddings.weight"
"""The table's name in ``model.safetensors`` (the adapter never changes it)."""
INITIALIZER = "bert." + TABLE
"""Its name in the exported graph."""
GATHER = "/bert/embeddings/word_embeddings/Gather"
"""The node that reads it, left to this module by the quantiser."""
STAND_IN_ROWS = 1024
"""Rows of the stand-in table the graph is traced with (token ids are folded into them)."""
_ROWS_PER_BLOCK = 16384


def _initializer(model: Any, name: str) -> Any:
    for tensor in model.graph.initializer:
        if tensor.name == name:
            return tensor
    raise ValueError(f"model export: initializer {name!r} not in the graph")


def _table_blocks(folder: Path) -> tuple[Any, tuple[int, ...]]:
    from safetensors import safe_open

    handle = safe_open(str(folder / "model.safetensors"), framework="numpy")
    shape = tuple(handle.get_slice(TABLE).get_shape())  # type: ignore[no-untyped-call]
    return handle, shape


def put_fp32(model: Any, folder: Path) -> None:
    """Replace the stand-in table in an fp32 graph by the real one."""
    handle, shape = _table_blocks(folder)
    table = handle.get_tensor(TABLE)
    if table.dtype != np.float32:
        raise ValueError(f"model export: {TABLE} is {table.dtype}, expected float32")
    raw = table.tobytes()  # one copy at a time: the table alone is 384 MB
    del table
    tensor = _initializer(model, INITIALIZER)
    del tensor.dims[:]
    tensor.dims.extend(shape)
    tensor.raw_data = raw


def put_uint8(model: Any, folder: Path) -> None:
    """Replace the stand-in table by the quantised real one, read by ``Gather`` then dequantised.

    The same nodes and initializers ONNX Runtime's dynamic quantiser writes for a ``Gather`` on a
    weight (``<table>_quantized``, ``_scale``, ``_zero_point``, a ``DequantizeLinear`` after it).
    """
    from onnx import TensorProto, helper, numpy_helper
    from onnxruntime.quantization.quant_utils import compute_data_quant_params, quantize_nparray

    handle, shape = _table_blocks(folder)
    rows = shape[0]
    sliced = handle.get_slice(TABLE)
    rmin = rmax = None
    blocks = [(start, min(start + _ROWS_PER_BLOCK, rows)) for start in range(0, rows, _ROWS_PER_BLOCK)]
    for start, end in blocks:
        block = sliced[start:end]
        low, high = block.min(), block.max()
        rmin = low if rmin is None else min(rmin, low)
        rmax = high if rmax is None else max(rmax, high)
    # The whole table's extremes, as ONNX Runtime finds them on the table itself.
    extremes = np.asarray([rmin, rmax], dtype=np.float32)
    zero_point, scale = compute_data_quant_params(extremes, TensorProto.UINT8, False, False, None)
    quantised = np.empty(shape, dtype=np.uint8)
    for start, end in blocks:
        quantised[start:end] = quantize_nparray(TensorProto.UINT8, sliced[start:end], scale, zero_point)
    graph = model.graph
    graph.initializer.remove(_initializer(model, INITIALIZER))
    graph.initializer.extend([
        numpy_helper.from_array(quantised, INITIALIZER + "_quantized"),
        numpy_helper.from_array(np.asarray(scale, dtype=np.float32), INITIALIZER + "_scale"),
        numpy_helper.from_array(np.asarray(zero_point, dtype=np.uint8), INITIALIZER + "_zero_point"),
    ])
    del quantised
    position, gather = next((i, n) for i, n in enumerate(graph.node) if n.name == GATHER)
    out = gather.output[0]
    gather.input[0] = INITIALIZER + "_quantized"
    gather.output[0] = out + "_quantized"
    dequantise = helper.make_node(
        "DequantizeLinear",
        [out + "_quantized", INITIALIZER + "_scale", INITIALIZER + "_zero_point"],
        [out],
        name=out + "_DequantizeLinear",
    )
    graph.node.insert(position + 1, dequantise)
