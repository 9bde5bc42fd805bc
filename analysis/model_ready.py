"""Make the local encoder ready to load: built once per machine, then exported for the ONNX runtime.

Both steps are one-offs (tens of seconds, reported through ``say`` and ``step`` so the CLI can show
progress bars); every later call only checks checksums and returns the folder.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from analysis import model_build, onnx_build
from analysis.analyzer import FEATURE_LAYERS


def ensure_model(data_dir: Path, runtime: str, *, say: Callable[[str], None] | None = None,
                 step: Callable[[str], None] | None = None) -> Path:
    """Return the model folder, building and exporting it first if this machine lacks them.

    ``step`` hears ``build``, ``export``, ``quantise`` and ``check`` as they start. Raises
    :class:`analysis.model_build.ModelBuildError` when a shipped file is missing or corrupt.
    """
    folder = model_build.model_dir(data_dir)
    if not model_build.is_built(folder):
        if say:
            say(f"building the local model into {folder} (first use on this machine)...")
        if step:
            step("build")
        model_build.build(data_dir)
    precision = onnx_build.precision_of(runtime)
    if precision and not onnx_build.is_exported(folder, FEATURE_LAYERS, precision):
        if say:
            say(f"exporting the model for ONNX Runtime ({precision}, first use, ~30 s)...")
        onnx_build.export(folder, FEATURE_LAYERS, precision, on_step=step)
    return folder
