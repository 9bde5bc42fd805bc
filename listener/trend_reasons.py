"""The reasons trends give for "not enough data", in the reader's language.

The trend functions (``analysis.rising``, ``analysis.themes``, ``analysis.bursts``...) sit below the
catalogue and give a :class:`analysis.trend_reasons.Reason`: a code and its numbers. This module holds the
catalogue message of each code and fills in the numbers, so the API, the pages and the CLI speak the
reader's language; ``tests/trends/test_trend_reasons.py`` fails when a code has no message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from alerts.i18n import translator

if TYPE_CHECKING:
    from analysis.aspects import AspectTag
    from analysis.trend_reasons import Reason, ReasonCode


def messages(_: Callable[[str], str]) -> dict[ReasonCode, str]:
    """The catalogue message of each reason code, through ``_`` (its English is ``Reason.english()``)."""
    return {
        "window_mentions": _("{count} mentions in the window (at least {needed} needed)"),
        "baseline_windows": _(
            "{count} earlier windows with mentions (at least {needed} needed for a baseline)"
        ),
        "theme_texts": _(
            "{count} mentions, {texts} distinct texts (at least {needed} mentions and {texts_needed} "
            "distinct texts needed)"
        ),
        "burst_history": _("bursts need at least {needed} days of history; this topic has {count}"),
        "no_theme": _("no group of similar mentions stands out from the noise"),
        "vectors_missing": _("some mentions have no vector yet"),
        "no_theme_encoder": _("this server has no theme encoder (use listener themes --aspects)"),
        "no_stored_vector": _("no mention with a stored vector in the period"),
    }


def reason_text(reason: Reason | None, lang: str) -> str:
    """Return ``reason`` told in ``lang`` with its numbers ("" when there is none)."""
    if reason is None:
        return ""
    return messages(translator(lang))[reason.code].format_map(reason.values)


def aspect_explanation(tag: AspectTag, lang: str) -> str:
    """Why a mention got its aspect (closest seed phrase, cue word or lead), in ``lang``."""
    from babel.numbers import format_decimal

    _ = translator(lang)

    def num(value: float) -> str:
        return format_decimal(round(value, 2), format="0.00", locale=lang)

    why = _("close to « {seed} » ({score})").format(seed=tag.seed, score=num(tag.score))
    if tag.cue is not None:
        why += ", " + _("cue « {cue} »").format(cue=tag.cue)
    elif tag.lead is not None:
        why += ", " + _("{lead} ahead of the next aspect").format(lead=num(tag.lead))
    return why
