"""The ``analysis:`` section of ``config.yaml``: the local model, and the aspects customers complain about.

Split from ``listener/config.py`` (which re-exports both names). Aspects are data: the six built-in
ones (billing, delivery, outage, support, app, contract) hold seed phrases in French and English tuned
on labelled complaints (``benchmarks/aspects.py``); a config adds its own, or replaces a built-in one by
giving its id, and ``default_aspects: false`` keeps only the config's.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator

from listener.source_settings import Duration, _Section

if TYPE_CHECKING:
    from analysis.aspects import Aspect


class AspectSettings(_Section):
    """One thing customers complain about: seed phrases (say it in both languages) and cue words."""

    id: str = Field(pattern=r"^[a-z0-9_-]{1,40}$")
    name_fr: str = Field(min_length=1, max_length=80)
    name_en: str = Field(min_length=1, max_length=80)
    seeds: tuple[str, ...] = Field(min_length=2, max_length=100)
    """Short sentences a customer would write about it, in French and in English."""
    cues: tuple[str, ...] = ()
    """Words that, present in a mention, let it join the aspect at a lower similarity."""

    @field_validator("seeds", "cues")
    @classmethod
    def _no_blank(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        if any(not v.strip() for v in values):
            raise ValueError("an empty seed phrase or cue word")
        return tuple(v.strip() for v in values)


class AnalysisSettings(_Section):
    """Local models; nothing is sent to a third party and nothing is downloaded from a hub."""

    enabled: bool = True
    interval: Duration = timedelta(minutes=1)
    batch_size: int = Field(default=64, ge=1, le=4096)
    runtime: Literal["onnx-int8", "onnx", "torch"] = "onnx-int8"
    """How the encoder runs: ONNX Runtime int8 (fastest, the default), ONNX fp32, or transformers."""
    threads: int | None = Field(default=None, ge=1, le=64)
    """Batches encoded side by side; default: up to 2 (the machine's cores)."""
    theme_vectors: bool = False
    """Also store plain e5 vectors of new unhappy mentions, so spike alerts can name their themes."""
    aspects: tuple[AspectSettings, ...] = ()
    """Aspects of the config: added to the built-in ones; the same id replaces a built-in aspect."""
    default_aspects: bool = True
    """Keep the built-in aspects beside the config's (false: only the config's)."""

    @field_validator("aspects")
    @classmethod
    def _unique_ids(cls, aspects: tuple[AspectSettings, ...]) -> tuple[AspectSettings, ...]:
        ids = [a.id for a in aspects]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"aspect id declared twice: {', '.join(twice)}")
        return aspects

    def aspect_list(self) -> tuple[Aspect, ...]:
        """The aspects in force: the built-in ones (unless turned off), then the config's."""
        from analysis.aspects import DEFAULT_ASPECTS, Aspect

        own = {a.id: Aspect(id=a.id, name_fr=a.name_fr, name_en=a.name_en, seeds=a.seeds,
                            cues=tuple(_fold(c) for c in a.cues)) for a in self.aspects}
        kept = [own.pop(a.id, a) for a in DEFAULT_ASPECTS] if self.default_aspects else []
        return (*kept, *own.values())


def _fold(word: str) -> str:
    """Cue words are compared folded (case and accents), as the mentions' words are."""
    from listener.core.query.normalize import fold

    return fold(word)
