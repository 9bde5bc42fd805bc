"""Why a trend could not answer: a code and its numbers, put into words only where someone reads them.

The trend functions (``analysis.rising``, ``analysis.themes``, ``analysis.bursts``...) sit below the
message catalogue, so they give a :class:`Reason` instead of a sentence; ``listener.trend_reasons``
tells it in the reader's language, as it does for aspect tags. ``english()`` keeps the English sentence
the functions used to return, for logs and anything that stores or prints English.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Literal, get_args

ReasonCode = Literal[
    "window_mentions",
    "baseline_windows",
    "theme_texts",
    "burst_history",
    "no_theme",
    "vectors_missing",
    "no_theme_encoder",
    "no_stored_vector",
]
"""Every reason a trend gives; ``listener.trend_reasons`` has a catalogue message for each."""

CODES: Final[tuple[ReasonCode, ...]] = get_args(ReasonCode)

ENGLISH: Final[Mapping[ReasonCode, str]] = MappingProxyType({
    "window_mentions": "{count} mentions in the window (at least {needed} needed)",
    "baseline_windows": "{count} earlier windows with mentions (at least {needed} needed for a baseline)",
    "theme_texts": "{count} mentions, {texts} distinct texts (at least {needed} mentions and {texts_needed} "
    "distinct texts needed)",
    "burst_history": "bursts need at least {needed} days of history; this topic has {count}",
    "no_theme": "no group of similar mentions stands out from the noise",
    "vectors_missing": "some mentions have no vector yet",
    "no_theme_encoder": "this server has no theme encoder (use listener themes --aspects)",
    "no_stored_vector": "no mention with a stored vector in the period",
})
"""The English sentence of each code; the catalogue's English messages are the same words."""


def placeholders(template: str) -> frozenset[str]:
    """The ``{names}`` a message template fills in."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a trend answered ``not_enough_data``: its code and the numbers its sentence names."""

    code: ReasonCode
    values: Mapping[str, int | str] = field(default_factory=dict)
    """One value per placeholder of the code's sentence (checked when the reason is made)."""

    def __post_init__(self) -> None:
        if self.code not in ENGLISH:
            raise ValueError(f"trend reason: unknown code {self.code!r}")
        wanted = placeholders(ENGLISH[self.code])
        if set(self.values) != wanted:
            raise ValueError(f"trend reason: {self.code} needs {sorted(wanted)}, got {sorted(self.values)}")
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted(self.values.items()))))

    def english(self) -> str:
        """The reason in English (what the trend functions returned before reasons had codes)."""
        return ENGLISH[self.code].format_map(self.values)

    def __str__(self) -> str:
        return self.english()
