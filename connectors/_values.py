"""Small value conversions every connector needs: timestamps to aware UTC, payloads to plain JSON."""

from __future__ import annotations

import calendar
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from listener.core.model import JSON


def parse_time(value: object) -> datetime | None:
    """Return an aware UTC datetime from ISO 8601 text, epoch seconds or a UTC ``struct_time``."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, time.struct_time):
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return None


def jsonable(value: Any, *, depth: int = 0) -> JSON:
    """Return ``value`` as plain JSON types (feedparser dicts, struct_time and bytes included)."""
    if depth > 20:
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, time.struct_time):
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC).isoformat()
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, Mapping):
        return {str(k): jsonable(v, depth=depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v, depth=depth + 1) for v in value]
    return str(value)


def as_int(value: object) -> int | None:
    """Return an int count, or None when the source gives none (``None`` is not zero)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


__all__ = ["as_int", "jsonable", "parse_time"]
