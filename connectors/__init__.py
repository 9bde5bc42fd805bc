"""Connectors: each source of mentions, registered by name (see ../shared/STYLE.md §1.3).

``REGISTRY`` maps a connector's name (also its config key under ``sources.`` and its module file)
to its class, explicitly; built-ins register exactly as a third-party connector would. ``build``
makes a connector from its settings section without importing ``listener.config`` (the layer rules
forbid it): any object with the fields the class names in ``options`` will do, and secrets that
expose ``get_secret_value()`` (pydantic ``SecretStr``) are revealed only here, at construction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors._http import HttpClient
from connectors.bluesky import BlueskyConnector
from connectors.hackernews import HackerNewsConnector
from connectors.mastodon import MastodonConnector
from connectors.reddit import RedditConnector
from connectors.rss import RssConnector
from connectors.twitter import TwitterConnector
from listener.core.errors import ConfigError
from listener.core.model import Connector

REGISTRY: dict[str, type[Any]] = {
    RssConnector.name: RssConnector,
    HackerNewsConnector.name: HackerNewsConnector,
    MastodonConnector.name: MastodonConnector,
    BlueskyConnector.name: BlueskyConnector,
    TwitterConnector.name: TwitterConnector,
    RedditConnector.name: RedditConnector,
}
"""Connector name -> class. Other helpers' connectors (twitter, reddit) add their lines here."""


def _value(settings: object, key: str) -> Any:
    value = settings.get(key) if isinstance(settings, Mapping) else getattr(settings, key, None)
    reveal = getattr(value, "get_secret_value", None)
    return reveal() if callable(reveal) else value


def build(name: str, settings: object, *, client: HttpClient | None = None) -> Connector:
    """Return the connector ``name`` configured from ``settings`` (a settings section or a mapping)."""
    cls = REGISTRY.get(name)
    if cls is None:
        known = ", ".join(sorted(REGISTRY))
        raise ConfigError(f"sources.{name}: unknown connector (known: {known})")
    kwargs: dict[str, Any] = {}
    for key in cls.options:
        value = _value(settings, key)
        if value is not None:
            kwargs[key] = value
    if client is not None:
        kwargs["client"] = client
    connector: Connector = cls(**kwargs)
    return connector


__all__ = [
    "REGISTRY",
    "BlueskyConnector",
    "HackerNewsConnector",
    "MastodonConnector",
    "RedditConnector",
    "RssConnector",
    "TwitterConnector",
    "build",
]
