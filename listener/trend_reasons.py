"""The reasons trends give for "not enough data", in the reader's language.

The trend functions (``analysis.rising``, ``analysis.themes``...) sit below the catalogue and write
their reason in English, with the numbers in it. This module recognises each of those sentences and
returns the catalogue's translation with the same numbers, so the API and the CLI speak the
configured language. ``tests/trends/test_trend_reasons.py`` produces every reason from the real
functions and fails when one is not recognised.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from alerts.i18n import translator

if TYPE_CHECKING:
    from analysis.aspects import AspectTag


def _known(_: Callable[[str], str]) -> list[tuple[re.Pattern[str], str]]:
    return [
        (
            re.compile(r"(?P<count>\d+) mentions in the window \(at least (?P<needed>\d+) needed\)"),
            _("{count} mentions in the window (at least {needed} needed)"),
        ),
        (
            re.compile(
                r"(?P<count>\d+) earlier windows with mentions "
                r"\(at least (?P<needed>\d+) needed for a baseline\)"
            ),
            _("{count} earlier windows with mentions (at least {needed} needed for a baseline)"),
        ),
        (
            re.compile(
                r"(?P<count>\d+) mentions, (?P<texts>\d+) distinct texts \(at least (?P<needed>\d+) mentions "
                r"and (?P<texts_needed>\d+) distinct texts needed\)"
            ),
            _("{count} mentions, {texts} distinct texts (at least {needed} mentions and {texts_needed} "
              "distinct texts needed)"),
        ),
        (
            re.compile(
                r"bursts need at least (?P<needed>\d+) days of history; this topic has (?P<count>\d+)"
            ),
            _("bursts need at least {needed} days of history; this topic has {count}"),
        ),
        (
            re.compile(r"no group of similar mentions stands out from the noise"),
            _("no group of similar mentions stands out from the noise"),
        ),
        (re.compile(r"some mentions have no vector yet"), _("some mentions have no vector yet")),
        (
            re.compile(r"this server has no theme encoder \(use listener themes --aspects\)"),
            _("this server has no theme encoder (use listener themes --aspects)"),
        ),
        (
            re.compile(r"no mention with a stored vector in the period"),
            _("no mention with a stored vector in the period"),
        ),
    ]


def reason_text(reason: str, lang: str) -> str:
    """Return ``reason`` in ``lang`` (unchanged when it is not a known reason, or empty)."""
    for pattern, message in _known(translator(lang)):
        found = pattern.fullmatch(reason)
        if found:
            return message.format(**found.groupdict())
    return reason


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
