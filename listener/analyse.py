"""Run the analysis stages over stored mentions, and retrain the heads from corrections.

Analysis is its own job (STYLE §6): it asks storage for mentions that have no annotation of a
stage at the current model version, annotates them in batches and saves the results. Because the
query is "not yet analysed at this version", the job is resumable (an interrupted run continues
where it stopped) and idempotent (a second run finds nothing to do). A new head version changes
the version string, so ``reanalyse`` is simply a run after training.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from analysis import intent, language, sentiment, signals
from analysis.analyzer import Analyzer
from listener.core.clock import from_environment
from listener.core.model import Annotation, Mention

logger = logging.getLogger(__name__)

Stage = Callable[..., list[Annotation]]
STAGES: tuple[tuple[str, Stage], ...] = (
    (language.STAGE, language.run),
    (sentiment.STAGE, sentiment.run),
    (intent.STAGE, intent.run),
    (signals.STAGE, signals.run),
)


class _Stored(Protocol):
    id: int
    mention: Mention


class AnalysisStore(Protocol):
    """The part of ``storage.Repository`` the runner needs."""

    def unanalysed(self, stage: str, version: str, limit: int = 500) -> Sequence[Any]: ...

    def save_annotations(self, items: Any) -> int: ...


@dataclass(frozen=True, slots=True)
class RunResult:
    """How many mentions each stage annotated in this run."""

    per_stage: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.per_stage.values())


def stage_version(stage: str, model: Analyzer) -> str:
    """The version an annotation of ``stage`` carries (language does not depend on the heads)."""
    return language.VERSION if stage == language.STAGE else model.version


def run(
    repo: AnalysisStore,
    model: Analyzer,
    *,
    batch_size: int = 64,
    now: datetime,
    limit: int | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> RunResult:
    """Annotate every mention not yet analysed at the current version, stage by stage."""
    done: dict[str, int] = {}
    for name, stage in STAGES:
        version = stage_version(name, model)
        count = 0
        previous: list[int] | None = None
        while limit is None or count < limit:
            size = batch_size if limit is None else min(batch_size, limit - count)
            stored = list(repo.unanalysed(name, version, size))
            if not stored:
                break
            ids = [s.id for s in stored]
            if ids == previous:
                raise RuntimeError(f"analyse: stage {name} made no progress on mentions {ids[:5]}")
            previous = ids
            annotations = stage([s.mention for s in stored], model=model, params={}, now=now)
            repo.save_annotations(annotations)
            count += len(stored)
            if progress:
                progress(name, count)
        done[name] = count
        logger.info("analyse: stage %s annotated %s mentions at version %s", name, count, version)
    return RunResult(per_stage=done)


def utcnow() -> datetime:
    """The current time from the one clock (``LISTENER_CLOCK`` or the wall clock)."""
    return from_environment()()


def stderr(message: str) -> None:
    """Progress messages go to stderr so stdout stays machine-readable."""
    print(message, file=sys.stderr)


def corrections_from(repo: Any) -> list[Any]:
    """Latest correction per mention and stage, with the mention's text read back from storage."""
    from analysis.training import Correction

    latest: dict[tuple[int, str], str] = {}
    for record in repo.labels():
        latest[(record.mention_id, record.stage)] = record.label
    out = []
    for (mention_id, stage), label in sorted(latest.items()):
        stored = repo.get_mention(mention_id)
        if stored is None:
            logger.warning("train: correction for missing mention %s skipped", mention_id)
            continue
        out.append(Correction(text=stored.mention.text, stage=stage, label=label))
    return out


def training_features(
    model: Analyzer, cache_path: Path, progress: Callable[[int, int], None] | None = None
) -> Callable[[Sequence[str]], Any]:
    """Features for training texts, with encoder vectors cached on disk by text digest."""
    from analysis.analyzer import FEATURE_LAYERS, combine
    from analysis.embedding_cache import EmbeddingCache

    cache = EmbeddingCache(cache_path, progress=progress)

    def features(texts: Sequence[str]) -> Any:
        clean = model.prepare(texts)
        vectors = cache.embed(
            clean, lambda t: model.encoder.embed_layers(t, FEATURE_LAYERS), dim=384 * len(FEATURE_LAYERS)
        )
        return combine(vectors, clean)

    return features


def forget_cached_texts(data_dir: Path, texts: Sequence[str]) -> int:
    """Drop the vectors of erased texts from every embedding cache under ``data_dir/cache``.

    The caches hold only sha1 digests and vectors, but a digest still proves a known text was there:
    erasure removes them too. Returns how many vectors went.
    """
    from analysis.embedding_cache import EmbeddingCache, text_key
    from analysis.text import normalise

    keys = {text_key(t) for t in texts} | {text_key(normalise(t)) for t in texts}
    folder = data_dir / "cache"
    gone = 0
    for path in sorted(folder.glob("*.npz")) if folder.is_dir() else []:
        if path.name.endswith(".tmp.npz"):
            continue
        gone += EmbeddingCache(path).forget(keys)
    return gone


def train_from_store(
    repo: Any,
    model: Analyzer,
    *,
    root: Path | None,
    data_dir: Path,
    now: datetime,
    limit_per_source: int | None = None,
    say: Callable[[str], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Path, int]:
    """Retrain every head on ``root`` plus the stored corrections; save a new version in the data dir."""
    from analysis import heads, training

    corrections = corrections_from(repo)
    if say:
        say(f"training on {root} with {len(corrections)} corrections (texts are embedded once, then cached)")
    features = training_features(model, data_dir / "cache" / f"{model.features_id}.npz", progress)
    headset = training.train(
        root,
        corrections,
        features,
        now=now,
        limit_per_source=limit_per_source,
        runtime=model.runtime,
        features_id=model.features_id,
    )
    folder = heads.trained_dir(data_dir) / headset.version
    heads.save(headset, folder)
    return folder, len(corrections)
