"""The loaded model every stage shares: encoder + heads, and the features they agree on.

Sentiment, intent and signals read the same sentence features, so the analyzer computes them
once per text and keeps them for the other stages of the same batch. Features are the mean-pooled,
L2-normalised hidden states of five encoder layers (``FEATURE_LAYERS``), plus a handful of lexicon
cue strengths. Intermediate layers matter: on XLM-T French val a logistic regression on the last
layer alone reached macro-F1 0.674, on layers 4-6-8-10-12 0.721 (same data, same C).

The encoder runs on ONNX Runtime int8 by default (``analysis.onnx_build``): ~2x the throughput
of ``transformers`` on 2 cores. Heads are trained on the features of the runtime that serves them
(their metadata records which, ``heads_mismatch`` says when they differ), so int8 heads read int8
features.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from analysis import heads as heads_mod
from analysis import lexicon
from analysis.embedding_cache import text_key
from analysis.encoder import Encoder, OnnxEncoder
from analysis.text import has_words, normalise

logger = logging.getLogger(__name__)

FEATURE_LAYERS: tuple[int, ...] = (4, 6, 8, 10, 12)
ENCODER_ID = "e5-small-q4"
DEFAULT_RUNTIME = "onnx-int8"

Array = npt.NDArray[np.float32]

_LEX = (
    lexicon.CHURN,
    lexicon.DISAPPOINTMENT,
    lexicon.CONFUSION,
    lexicon.COMPLAINT,
    lexicon.QUESTION,
    lexicon.SUGGESTION,
    lexicon.PRAISE,
)


def lexicon_features(text: str) -> Array:
    """Cue strength per lexicon plus ``?`` / ``!`` marks: cheap signals the encoder can miss."""
    row = [max((w for _, w in lexicon.matches(text, cues)), default=0.0) for cues in _LEX]
    row.append(min(text.count("?"), 3) / 3.0)
    row.append(min(text.count("!"), 3) / 3.0)
    return np.asarray(row, dtype=np.float32)


N_LEXICON = len(_LEX) + 2


def combine(vectors: Array, texts: Sequence[str]) -> Array:
    """Encoder vectors + lexicon counts, the input of every head."""
    lex = np.stack([lexicon_features(t) for t in texts]) if texts else np.zeros((0, N_LEXICON), np.float32)
    return np.hstack([vectors, lex]).astype(np.float32)


def current_encoder_id() -> str:
    """The base encoder, plus the shipped adapter's digest when one is applied."""
    from analysis import adapter

    tuned = adapter.digest()
    return f"{ENCODER_ID}-lora-{tuned}" if tuned else ENCODER_ID


def features_id(runtime: str, encoder_id: str | None = None) -> str:
    """What this release computes as features on ``runtime``: recorded by the heads trained on them."""
    from analysis import onnx_build

    encoder_id = encoder_id or current_encoder_id()
    precision = onnx_build.precision_of(runtime)
    if precision:
        return f"{encoder_id}-{onnx_build.export_path(Path(), FEATURE_LAYERS, precision).stem}"
    return f"{encoder_id}-{runtime}-l{'-'.join(str(x) for x in FEATURE_LAYERS)}"


def heads_mismatch(meta: Mapping[str, Any], runtime: str) -> str | None:
    """Why heads cannot be trusted on this runtime's features (then: ``listener train``), or None.

    Heads are fitted on the exact features of one encoder, adapter, runtime and export; a head read
    on other features still answers, just worse (int8 heads on fp32 features, or on a re-exported
    graph, lost 1-3 points of macro-F1), so the mismatch is said rather than left silent.
    """
    version = meta.get("version")
    trained_on = meta.get("runtime", "torch")
    if trained_on != runtime:
        return f"heads {version} were trained on {trained_on} features but the runtime is {runtime}"
    fitted_on = meta.get("features")
    if fitted_on is None:
        if runtime != "torch":
            return f"heads {version} do not record their features (trained by an older listener)"
        return None
    expected = features_id(runtime)
    if fitted_on != expected:
        return f"heads {version} were fitted on features {fitted_on}, but {runtime} now computes {expected}"
    return None


@dataclass
class Analyzer:
    """Encoder + heads; ``features`` memoises per text so the three stages embed once."""

    encoder: Encoder | OnnxEncoder
    headset: heads_mod.HeadSet
    heads_path: Path
    _memo: dict[str, Array] = field(default_factory=dict)
    memo_limit: int = 20_000

    runtime: str = "torch"
    encoder_id: str = ENCODER_ID
    """The base encoder, plus the adapter's digest when one is applied."""

    @property
    def features_id(self) -> str:
        """What the feature vectors depend on (base, adapter, runtime, export): names caches of them."""
        return features_id(self.runtime, self.encoder_id)

    @property
    def version(self) -> str:
        """Encoder id, runtime + head version: changing any of them re-analyses stored mentions."""
        return f"{self.encoder_id}-{self.runtime}+{self.headset.version}"

    def prepare(self, texts: Sequence[str]) -> list[str]:
        """What the models read: normalised text (empty stays empty)."""
        return [normalise(t) for t in texts]

    def features(self, texts: Sequence[str]) -> Array:
        """Feature rows for ``texts`` (normalised), computing only those not seen recently."""
        keys = [text_key(t) for t in texts]
        todo = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in self._memo}.items())
        if todo:
            if len(self._memo) + len(todo) > self.memo_limit:
                self._memo.clear()
            vecs = self.encoder.embed_layers([t for _, t in todo], FEATURE_LAYERS)
            feats = combine(vecs, [t for _, t in todo])
            for (key, _), row in zip(todo, feats, strict=True):
                self._memo[key] = row
        dim = len(FEATURE_LAYERS) * 384 + N_LEXICON
        if not texts:
            return np.zeros((0, dim), dtype=np.float32)
        return np.stack([self._memo[k] for k in keys])

    def sentiment(self, texts: Sequence[str]) -> tuple[tuple[str, ...], Array]:
        """Labels and probability rows: the French or English head by detected language, else joint."""
        return self.route_sentiment(texts, self.features(texts))

    def route_sentiment(self, texts: Sequence[str], feats: Array) -> tuple[tuple[str, ...], Array]:
        """Apply the per-language sentiment heads to precomputed feature rows."""
        from analysis.language import detect

        head = self.headset["sentiment"]
        probs = head.predict(feats)
        for lang in ("fr", "en"):
            special = self.headset.heads.get(f"sentiment_{lang}")
            if special is None:
                continue
            rows = [i for i, t in enumerate(texts) if detect(t)[0] == lang]
            if rows:
                probs[rows] = special.predict(feats[rows])
        return head.labels, lean_on_cues(texts, head.labels, probs)

    def emotion(self, texts: Sequence[str]) -> tuple[tuple[str, ...], Array] | None:
        """Anger, joy, optimism, sadness probabilities, or None for heads trained without them."""
        head = self.headset.heads.get("emotion")
        if head is None:
            return None
        return head.labels, lean_emotions_on_cues(texts, head.labels, head.predict(self.features(texts)))

    def flag(self, name: str, texts: Sequence[str]) -> tuple[Array, float]:
        """Probability of a yes/no head (complaint, question, suggestion) and its threshold."""
        head = self.headset[name]
        return head.predict(self.features(texts)), head.threshold


def lean_on_cues(texts: Sequence[str], labels: Sequence[str], probs: Array) -> Array:
    """Move part of each row towards the label a sarcasm, negation or demand cue points to."""
    from analysis import cues

    for i, text in enumerate(texts):
        lean = cues.read(text).lean
        if lean is not None and lean in labels:
            target = np.zeros(len(labels), dtype=np.float32)
            target[list(labels).index(lean)] = 1.0
            probs[i] = pulled(probs[i], target)
    return probs


def pulled(row: Array, target: Any) -> Array:
    """``row`` moved the cue layer's share (``cues.PULL``) of the way to ``target``, for every head."""
    from analysis import cues

    moved: Array = (1.0 - cues.PULL) * row + cues.PULL * np.asarray(target, dtype=np.float32)
    return moved


EMOTION_POLARITY = {"anger": "negative", "sadness": "negative", "joy": "positive", "optimism": "positive"}
"""The sentiment each emotion goes with, so a cue that turns the sentiment turns the emotion too."""


def lean_emotions_on_cues(texts: Sequence[str], labels: Sequence[str], probs: Array) -> Array:
    """Move part of each row to the emotions of the sentiment a cue points to ("pas mal du tout": not anger).

    The emotion head, trained on English tweets only, reads the words ("mal", "disappointed") as the
    sentiment heads do; where the cue layer overrides the sentiment, the emotions of the other polarity
    lose the same share (``cues.PULL``), kept in the head's own proportions among the right ones.
    """
    from analysis import cues

    polarity = np.asarray([EMOTION_POLARITY.get(label) for label in labels])
    for i, text in enumerate(texts):
        lean = cues.read(text).lean
        right = polarity == lean
        if lean is None or not right.any():
            continue
        target = np.where(right, probs[i], 0.0)
        total = float(target.sum())
        target = target / total if total > 0 else right / right.sum()
        probs[i] = pulled(probs[i], target)
    return probs


def words_weight(text: str) -> float:
    """How much to trust a model reading ``text``: 1 with words, 0.5 emoji-only, 0 empty."""
    if not text.strip():
        return 0.0
    return 1.0 if has_words(text) else 0.5


def load(
    model_folder: Path,
    *,
    data_dir: Path | None = None,
    heads_folder: Path | None = None,
    runtime: str = DEFAULT_RUNTIME,
    **encoder_kwargs: Any,
) -> Analyzer:
    """Load the encoder from its built folder and the newest heads (data dir, else shipped)."""
    from analysis.encoder import load as load_encoder

    folder = heads_folder or heads_mod.latest(data_dir)
    headset = heads_mod.load(folder)
    logger.info("analyzer: heads %s from %s", headset.version, folder)
    mismatch = heads_mismatch(headset.meta, runtime)
    if mismatch:
        logger.warning("analyzer: %s; run `listener train` to fit them to this runtime", mismatch)
    encoder = load_encoder(model_folder, runtime=runtime, layers=FEATURE_LAYERS, **encoder_kwargs)
    return Analyzer(
        encoder=encoder, headset=headset, heads_path=folder, runtime=runtime, encoder_id=current_encoder_id()
    )
