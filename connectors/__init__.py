"""Connectors: each source of mentions, registered by name (see ../shared/STYLE.md §1.3).

``REGISTRY`` maps a connector's name (also its config key under ``sources.`` and its module file)
to its class, explicitly; built-ins register exactly as a third-party connector would. ``build``
makes a connector from its settings section without importing ``listener.config`` (the layer rules
forbid it): any object with the fields the class names in ``options`` will do, and secrets that
expose ``get_secret_value()`` (pydantic ``SecretStr``) are revealed only here, at construction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from connectors._http import HttpClient
from connectors.bluesky import BlueskyConnector
from connectors.demo import DemoConnector
from connectors.hackernews import HackerNewsConnector
from connectors.mastodon import MastodonConnector
from connectors.reddit import RedditConnector
from connectors.rss import RssConnector
from connectors.twitter import TwitterConnector
from listener.core.clock import Clock, system_clock
from listener.core.errors import ConfigError
from listener.core.model import Connector, Query
from listener.core.query import SearchSyntax

REGISTRY: dict[str, type[Any]] = {
    TwitterConnector.name: TwitterConnector,
    RedditConnector.name: RedditConnector,
    MastodonConnector.name: MastodonConnector,
    BlueskyConnector.name: BlueskyConnector,
    HackerNewsConnector.name: HackerNewsConnector,
    RssConnector.name: RssConnector,
    DemoConnector.name: DemoConnector,
}
"""Connector name -> class: the one line a new source adds besides its own module.

Each class describes itself: ``name``, ``options`` (the ``sources.<name>`` keys it reads),
``search_syntax`` (what its native search understands, absent when it has none) and, for the demo,
a ``from_settings`` constructor.
"""

SEARCH_SYNTAXES: dict[str, SearchSyntax] = {
    cls.search_syntax.name: cls.search_syntax for cls in REGISTRY.values() if hasattr(cls, "search_syntax")
}
"""Provider name (``twitter``, ``news``...) -> its search syntax, collected from the registry."""


def search_syntax(provider: str) -> SearchSyntax:
    """Return the search syntax of ``provider`` (a ``SEARCH_SYNTAXES`` key); ValueError when unknown."""
    found = SEARCH_SYNTAXES.get(provider)
    if found is None:
        raise ValueError(f"query: unknown provider {provider!r} (known: {', '.join(SEARCH_SYNTAXES)})")
    return found


def collection_runs(connector: Connector, queries: Sequence[Query]) -> list[tuple[Connector, Query]]:
    """Return the (connector, query) runs a collection cycle makes: one per topic, by default.

    A connector may group them: RSS fetches its plain feeds once for every topic
    (``RssConnector.collection_runs``).
    """
    runs = getattr(connector, "collection_runs", None)
    if runs is None:
        return [(connector, query) for query in queries]
    chosen: list[tuple[Connector, Query]] = runs(queries)
    return chosen


def _value(settings: object, key: str) -> Any:
    value = settings.get(key) if isinstance(settings, Mapping) else getattr(settings, key, None)
    reveal = getattr(value, "get_secret_value", None)
    return reveal() if callable(reveal) else value


def build(name: str, settings: object, *, client: HttpClient | None = None,
          clock: Clock = system_clock) -> Connector:
    """Return the connector ``name`` configured from ``settings`` (a settings section or a mapping).

    A class with a ``from_settings(values, clock=...)`` constructor (the demo, whose world is anchored
    on "now") gets the option values through it; the others get them as keyword arguments.
    """
    cls = REGISTRY.get(name)
    if cls is None:
        known = ", ".join(sorted(REGISTRY))
        raise ConfigError(f"sources.{name}: unknown connector (known: {known})")
    from_settings = getattr(cls, "from_settings", None)
    if from_settings is not None:
        values = {key: _value(settings, key) for key in cls.options}
        built: Connector = from_settings(values, clock=clock)
        return built
    kwargs: dict[str, Any] = {}
    for key in cls.options:
        value = _value(settings, key)
        if value is not None:
            kwargs[key] = value
    if client is not None:
        kwargs["client"] = client
    connector: Connector = cls(**kwargs, clock=clock)
    return connector


__all__ = [
    "REGISTRY",
    "SEARCH_SYNTAXES",
    "BlueskyConnector",
    "DemoConnector",
    "HackerNewsConnector",
    "MastodonConnector",
    "RedditConnector",
    "RssConnector",
    "TwitterConnector",
    "build",
    "collection_runs",
    "search_syntax",
]
