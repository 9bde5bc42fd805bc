"""The ``web:`` section of config.yaml: where the API listens and how sessions and logins behave."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field

from listener.source_settings import Duration


class WebSettings(BaseModel):
    """The web API (``listener web``, or inside ``listener run`` when ``enabled``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    """Serve the API inside ``listener run`` too."""
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    session_lifetime: Duration = timedelta(hours=12)
    secure_cookie: bool = False
    """Mark the session cookie ``Secure``: turn on behind HTTPS (a reverse proxy)."""
    login_attempts: int = Field(default=5, ge=1)
    """Failed logins allowed per username and per client address within ``login_window``."""
    login_window: Duration = timedelta(minutes=15)
    max_export_rows: int = Field(default=5_000_000, ge=1)
    max_bulk: int = Field(default=10_000, ge=1)
    """Most mentions one bulk action may change."""
