"""Throughput of ``analysis.classify`` on real tweets versus a naive one-text-at-a-time pipeline.

Run: ``python benchmarks/classify_speed.py [--n 1000] [--threads 2] [--int8]``.
Both paths run in the same process on the same texts (XLM-T French + English val tweets, then
TweetEval val): the naive baseline is a plain ``transformers`` forward pass per text with no
batching (what a first version would do); ours sorts by length, pads per batch, runs under
``torch.inference_mode`` and adds language, heads and lexicons. Also prints the resident memory
of the process after loading the model. The machine is shared: note the load average printed.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".listener-bench")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--naive-n", type=int, default=200)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--int8", action="store_true", help="dynamic int8 quantisation of the linear layers")
    args = parser.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"

    import torch

    from analysis import analyzer, datasets, model_build
    from analysis.classify import classify

    torch.set_num_threads(args.threads)
    base = rss_mb()
    folder = model_build.build(args.data_dir)
    model = analyzer.load(
        folder, data_dir=args.data_dir, batch_size=args.batch, threads=args.threads, quantize=args.int8
    )
    loaded = rss_mb()
    root = args.data
    rows = (
        datasets.xlmt(root, "french", "val")
        + datasets.xlmt(root, "english", "val")
        + datasets.tweeteval(root, "sentiment", "val")
    )
    texts = [e.text for e in rows][: args.n]
    print(f"load average {os.getloadavg()}, torch threads {torch.get_num_threads()}, int8 {args.int8}")
    print(f"resident memory: {base:.0f} MB before load, {loaded:.0f} MB with model + heads loaded")

    classify(texts[:32], model)  # warm-up
    model._memo.clear()
    t0 = time.perf_counter()
    results = classify(texts, model)
    ours = len(texts) / (time.perf_counter() - t0)
    assert len(results) == len(texts)
    print(
        f"listener classify (batched, sorted, dynamic padding): {ours:.1f} mentions/s on {len(texts)} tweets"
    )

    enc = model.encoder
    naive = texts[: args.naive_n]
    t0 = time.perf_counter()
    with torch.no_grad():
        for t in naive:
            batch = enc.tokenizer(["query: " + t], truncation=True, max_length=512, return_tensors="pt")
            enc.model(**batch)
    base_rate = len(naive) / (time.perf_counter() - t0)
    print(
        f"naive one-at-a-time transformers forward: {base_rate:.1f} mentions/s on {len(naive)} tweets"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"ratio: {ours / base_rate:.2f}x; peak RSS {peak:.0f} MB")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
