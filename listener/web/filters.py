"""The inbox filter as query parameters, shared by the inbox, its facets, bulk actions and exports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import Query, Request

from listener.web.errors import ApiError
from storage import MentionFilter
from storage.web_records import InboxFilter, Status

Sort = Literal["time", "influence", "negativity"]
_LIST = Annotated[list[str] | None, Query(max_length=50)]


def parse_when(value: str | None, *, now: datetime, name: str) -> datetime | None:
    """Accept ``2d`` / ``6h`` (before now), an ISO date or datetime (UTC when no offset is given)."""
    if value is None or not value.strip():
        return None
    from listener.source_settings import _parse_duration

    try:
        delta: timedelta = _parse_duration(value)
        return now - delta
    except (ValueError, TypeError, OverflowError):
        pass
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as err:
        raise ApiError(400, "bad_filter", detail=f"{name}: expected 2d, 6h or an ISO date") from err
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _tuple(values: list[str] | None) -> tuple[str, ...]:
    return tuple(v for v in (values or ()) if v)


def inbox_filter(
    request: Request,
    q: Annotated[
        str | None, Query(max_length=500, description='Full text: words, "a phrase", prefix*')
    ] = None,
    topic: _LIST = None,
    source: _LIST = None,
    lang: _LIST = None,
    sentiment: _LIST = None,
    intent: _LIST = None,
    since: Annotated[str | None, Query(max_length=40, description="2d, 6h, or an ISO date")] = None,
    until: Annotated[str | None, Query(max_length=40)] = None,
    echoes: Annotated[bool, Query(description="Include reposts and copies grouped under another")] = True,
    status: Annotated[list[Status] | None, Query(max_length=4)] = None,
    assignee: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    unassigned: bool = False,
    department: _LIST = None,
    tag: _LIST = None,
    signal: _LIST = None,
    author: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    influence_above: Annotated[int | None, Query(ge=0, le=2**62)] = None,
    has_echoes: bool | None = None,
) -> InboxFilter:
    """Return the filter the query parameters describe (every criterion must hold)."""
    now = request.app.state.clock()
    base = MentionFilter(
        text=q or None,
        topics=_tuple(topic),
        sources=_tuple(source),
        langs=_tuple(lang),
        sentiments=_tuple(sentiment),
        intents=_tuple(intent),
        since=parse_when(since, now=now, name="since"),
        until=parse_when(until, now=now, name="until"),
        author_id=author,
        include_echoes=echoes,
        limit=None,
    )
    return InboxFilter(
        base=base,
        statuses=tuple(status or ()),
        assignee_id=assignee,
        is_unassigned=unassigned,
        departments=_tuple(department),
        tags=_tuple(tag),
        signals=_tuple(signal),
        influence_above=influence_above,
        has_echoes=has_echoes,
    )
