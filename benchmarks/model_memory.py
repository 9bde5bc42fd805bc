"""Peak resident memory of each step of a first model build, and of a loaded analyzer.

Run: ``python benchmarks/model_memory.py [--keep DIR]``. Each step runs in its own child Python,
as ``analysis.model_ready.ensure_model`` runs them, into an empty model folder; the peak of each
child comes from ``wait4`` (its ``ru_maxrss``). Issue 21 asks for a first build under 1.5 GB
and #20 for a loaded model under 1 GB. The baseline is what the same steps peaked at when the
torch exporter and the quantiser still held the 384 MB word table (``analysis.onnx_embedding``),
measured on this kind of machine (2 cores, same libraries): running the old code again would
need the old module, so it is printed as a figure, not re-run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BASELINE_MB = {"build": 936, "graph": 2627, "quantise": 2540, "check": 823}
"""Peak RSS of each step measured on 2026-12-03 with the word table inside the export steps (MB)."""

LIMIT_MB = {"first build": 1536, "loaded analyzer": 1024}


def _child(code: str, *args: str) -> tuple[float, float]:
    """Run ``code`` in a fresh Python; return (peak RSS in MB, seconds)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], env=env, cwd=ROOT)
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"step failed (exit {proc.returncode}): {code.splitlines()[0]}")
    return usage.ru_maxrss / 1024, time.perf_counter() - start


BUILD = """
import sys
from pathlib import Path
from analysis import model_build
model_build.build(Path(sys.argv[1]))
"""
GRAPH = """
import sys
from analysis import adapter, onnx_build
onnx_build._main(["graph", sys.argv[1], sys.argv[2], str(adapter.SHIPPED), sys.argv[3]])
"""
QUANTISE = """
import sys
from analysis import onnx_build
onnx_build._main(["quantise", sys.argv[1], sys.argv[2]])
"""
CHECK = """
import sys
from pathlib import Path
import numpy as np
from analysis import onnx_build
from analysis.analyzer import FEATURE_LAYERS
tmp = Path(sys.argv[2])
print("min cosine", onnx_build._check(Path(sys.argv[1]), tmp / "int8.onnx", np.load(tmp / "want.npy"),
      FEATURE_LAYERS, "int8"))
"""
ANALYZER = """
import sys
from pathlib import Path
from analysis import analyzer
model = analyzer.load(Path(sys.argv[1]), heads_folder=analyzer.heads_mod.SHIPPED_DIR)
texts = ["Le service client ne répond jamais", "I love this phone", "Is the app down again?"] * 40
model.sentiment(texts)
rss = [int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines()
       if line.startswith("VmRSS:")][0]
print(f"loaded analyzer: {rss / 1024:.0f} MB resident after classifying {len(texts)} texts")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="build into this folder and keep it")
    args = parser.parse_args()
    from analysis import adapter, onnx_build
    from analysis.analyzer import FEATURE_LAYERS

    with tempfile.TemporaryDirectory(prefix="model-memory-") as scratch:
        folder = args.keep or Path(scratch) / "model"
        os.environ["LISTENER_MODEL_DIR"] = str(folder)
        tmp = Path(scratch) / "export"
        tmp.mkdir()
        layers = ",".join(str(layer) for layer in FEATURE_LAYERS)
        peaks: dict[str, tuple[float, float]] = {}
        peaks["build"] = _child(BUILD, str(Path(scratch) / "data"))
        peaks["graph"] = _child(GRAPH, str(folder), layers, str(tmp))
        peaks["quantise"] = _child(QUANTISE, str(tmp), str(folder))
        peaks["check"] = _child(CHECK, str(folder), str(tmp))
        # Put the checked graph in place as ``export`` does, so the analyzer loads it as is.
        target = onnx_build.export_path(folder, FEATURE_LAYERS, "int8")
        (tmp / "int8.onnx").replace(target)
        source = onnx_build._source_key(folder, adapter.SHIPPED)
        info = {"version": onnx_build.EXPORT_VERSION, "source": source}
        target.with_suffix(".json").write_text(json.dumps(info))
        analyzer_peak, _ = _child(ANALYZER, str(folder))
        print(f"{'step':<10} {'peak MB':>8} {'baseline':>9} {'ratio':>6} {'seconds':>8}")
        for step, (peak, seconds) in peaks.items():
            base = BASELINE_MB[step]
            print(f"{step:<10} {peak:>8.0f} {base:>9} {peak / base:>6.2f} {seconds:>8.1f}")
        first = max(peak for peak, _ in peaks.values())
        print(f"first build peak: {first:.0f} MB (baseline {max(BASELINE_MB.values())} MB, "
              f"limit {LIMIT_MB['first build']} MB)")
        print(f"loaded analyzer peak: {analyzer_peak:.0f} MB (limit {LIMIT_MB['loaded analyzer']} MB)")


if __name__ == "__main__":
    main()
