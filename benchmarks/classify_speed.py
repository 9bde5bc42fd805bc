"""Throughput of ``analysis.classify`` on real tweets versus a naive one-text-at-a-time pipeline.

Run: ``python benchmarks/classify_speed.py [--n 1000] [--threads 2] [--runtimes onnx-int8,onnx,torch]``.
Both paths run in the same process on the same texts (XLM-T French + English val tweets, then
TweetEval val): the naive baseline is a plain ``transformers`` forward pass per text with no
batching (what a first version would do); ours sorts by length, pads per batch, runs the
configured runtime (ONNX Runtime int8 by default; ONNX fp32 and torch for comparison) and adds
language, heads and lexicons. Each runtime is measured in the same run on the same texts. Also
prints the resident memory each loaded model adds. On a shared machine, note the load average.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    """Current resident set size in MB (from /proc), and the peak as a fallback."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_line() -> str:
    """The CPU and whether it has VNNI: int8 products run ~2x faster with it than on plain AVX2."""
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return "cpu unknown"
    model = next(
        (line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("model name")), "?"
    )
    flags = next(
        (line.split(":", 1)[1].split() for line in info.splitlines() if line.startswith("flags")), []
    )
    vnni = [f for f in ("avx512_vnni", "avx_vnni", "amx_int8") if f in flags]
    isa = ", ".join(vnni) if vnni else ("AVX2, no VNNI" if "avx2" in flags else "no AVX2")
    return f"cpu {model} ({isa})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".listener-bench")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--naive-n", type=int, default=200)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--runtimes", default="onnx-int8,onnx,torch", help="comma-separated runtimes")
    args = parser.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"

    import torch

    from analysis import analyzer, datasets, model_build
    from analysis.classify import classify

    torch.set_num_threads(args.threads)
    folder = model_build.build(args.data_dir)
    root = args.data
    rows = (
        datasets.xlmt(root, "french", "val")
        + datasets.xlmt(root, "english", "val")
        + datasets.tweeteval(root, "sentiment", "val")
    )
    texts = [e.text for e in rows][: args.n]
    print(f"{cpu_line()}; load average {os.getloadavg()}, {args.threads} threads, {len(texts)} tweets")
    rates = {}
    for runtime in args.runtimes.split(","):
        base = rss_mb()
        model = analyzer.load(
            folder, data_dir=args.data_dir, batch_size=args.batch, threads=args.threads, runtime=runtime
        )
        loaded = rss_mb()
        classify(texts[:32], model)  # warm-up
        model._memo.clear()
        t0 = time.perf_counter()
        results = classify(texts, model)
        rates[runtime] = len(texts) / (time.perf_counter() - t0)
        assert len(results) == len(texts)
        print(
            f"listener classify, {runtime:<9}: {rates[runtime]:6.1f} mentions/s "
            f"(resident memory +{loaded - base:.0f} MB for model + heads, {loaded:.0f} MB in all)"
        )
        del model

    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    naive_model = AutoModel.from_pretrained(str(folder), local_files_only=True, add_pooling_layer=False)
    naive = texts[: args.naive_n]
    t0 = time.perf_counter()
    with torch.no_grad():
        for t in naive:
            batch = tokenizer(["query: " + t], truncation=True, max_length=512, return_tensors="pt")
            naive_model(**batch)
    base_rate = len(naive) / (time.perf_counter() - t0)
    print(f"naive one-at-a-time transformers forward: {base_rate:.1f} mentions/s on {len(naive)} tweets")
    for runtime, rate in rates.items():
        print(f"ratio {runtime}: {rate / base_rate:.2f}x the naive baseline")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB; load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
