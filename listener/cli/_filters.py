"""Filters given on the command line, checked before any query runs.

A filter that cannot match anything (``--topic nosuch``, ``--sentiment furious``) or that does not parse
(``--search 'facture AND ('``) used to answer "0 mention(s)" with exit code 0, which reads as "nothing
happened" when the command was in fact mistyped. Each check raises :class:`ConfigError` with the valid
choices or the column of the mistake; ``user_errors`` turns it into exit code 2.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from alerts.i18n import translator
from listener.config import Settings
from listener.core.errors import ConfigError

SENTIMENTS = ("negative", "neutral", "positive")
INTENTS = ("complaint", "question", "suggestion", "praise")
"""The labels the analysis stages write (``analysis/intent.py``); kept here so ``--help`` stays light."""


def check_choices(option: str, values: Iterable[str] | None, choices: Sequence[str], lang: str = "en"
                  ) -> None:
    """Refuse a value that is not one of ``choices``, listing them (in the config's ``language``)."""
    _ = translator(lang)
    for value in values or ():
        if value not in choices:
            raise ConfigError(_("{option} {value}: unknown value; choose from {choices}").format(
                option=option, value=value, choices=", ".join(choices)))


def check_topics(settings: Settings, topics: Iterable[str | None] | None, stored: Iterable[str] = ()) -> None:
    """Refuse a topic id that neither the config declares nor any stored mention matches, listing both."""
    _ = translator(settings.language)
    known = list(dict.fromkeys([*(t.id for t in settings.topics), *stored]))
    for topic in topics or ():
        if topic is not None and topic not in known:
            if not known:
                raise ConfigError(_("--topic {topic}: unknown topic; no topic is configured or stored")
                                  .format(topic=topic))
            raise ConfigError(_("--topic {topic}: unknown topic; choose from {choices}").format(
                topic=topic, choices=", ".join(known)))


def check_search(text: str | None, lang: str = "en") -> None:
    """Refuse a search that does not parse (with its column) or that asks for what search cannot do.

    ``--search`` finds the mentions holding every word, "exact phrase" and prefix* given. It is parsed
    with the topic query language so a mistake points at its column; OR, NOT, groups and the field
    terms of topic queries are refused rather than silently read as plain words.
    """
    if text is None:
        return
    _ = translator(lang)
    from listener.core.query import QuerySyntaxError, parse
    from listener.core.query.ast import And, Handle, Hashtag, Phrase, Prefix, Term

    try:
        node = parse(text)
    except QuerySyntaxError as err:
        raise ConfigError(_("--search: {error}").format(error=err)) from err
    operator = _OPERATOR.search(_QUOTED.sub(lambda m: " " * len(m.group()), text))
    stack = [node]
    while stack and operator is None:
        current = stack.pop()
        if isinstance(current, And):
            stack.extend(current.items)
        elif not isinstance(current, Term | Prefix | Hashtag | Handle) and not (isinstance(current, Phrase)
                                                             and current.proximity is None):
            operator = _FIELD.search(text) or _OPERATOR.search(text)
            break
    if operator is not None or stack:
        column = operator.start() + 1 if operator is not None else 1
        raise ConfigError(_("--search {text!r} (column {column}): search finds mentions holding every word, "
                            "\"exact phrase\" and prefix* given (accents and case ignored); AND, OR, NOT, -, "
                            "~N and field terms belong to topic queries (try one: 'listener topics try')")
                          .format(text=text, column=column))


_QUOTED = re.compile(r'"[^"]*"(~\d+)?')
_OPERATOR = re.compile(r"(?<!\S)(AND|OR|NOT)(?!\S)|(?<!\S)-(?=\S)")
_FIELD = re.compile(r'\b(site|url|lang|source|author):|"~\d')
