"""The daily digest as a stored message: it goes through the same dispatch as alerts.

Why: a digest sent on the side (the first refusing channel raised, the others got nothing, nothing
was recorded) could be lost without a trace. As an :class:`~listener.core.model.Alert` of kind
``digest`` whose dedupe key names the day, it is stored before any send, delivered to each channel
independently, retried on the next cycle and every attempt is recorded, like any alert. The figures
travel in ``details["digest"]`` (JSON), so a retry sends the digest that was built, not a new one;
the chart is drawn again from the stored series when the message is rendered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from alerts.i18n import Lang
from alerts.messages import Rendered, render
from listener.core.model import JSON, Alert

if TYPE_CHECKING:  # pandas and matplotlib load only when a digest is built or shown
    from alerts.digest import Digest

DIGEST_RULE = "daily_digest"
"""The ``rule_id`` of stored digests (``listener alerts`` lists them under it)."""
KIND = "digest"


def _rows(rows: Sequence[Mapping[str, JSON]]) -> list[JSON]:
    return [dict(row) for row in rows]


def digest_to_json(digest: Digest) -> dict[str, JSON]:
    """Return the digest's figures as JSON (the chart is left out: it is drawn again from ``daily``)."""
    topics: list[JSON] = [
        {"topic": t.topic, "name": t.name, "role": t.role, "volume": t.volume, "negative": t.negative,
         "positive": t.positive, "previous_volume": t.previous_volume,
         "previous_negative": t.previous_negative,
         "week_avg_volume": t.week_avg_volume, "week_avg_negative": t.week_avg_negative,
         "share_of_voice": t.share_of_voice, "echoes": t.echoes}
        for t in digest.topics]
    daily: dict[str, JSON] = {topic: [[d.isoformat(), v, n] for d, v, n in series]
                              for topic, series in digest.daily.items()}
    return {"day": digest.day.isoformat(), "tz": digest.tz, "topics": topics, "daily": daily,
            "top_negative": _rows(digest.top_negative),
            "top_negative_authors": _rows(digest.top_negative_authors),
            "open_questions": _rows(digest.open_questions), "suggestions": _rows(digest.suggestions),
            "ideas": _rows(digest.ideas), "drivers": _rows(digest.drivers)}


def digest_from_json(data: Mapping[str, Any], *, with_chart: bool = True) -> Digest:
    """Return the digest stored by :func:`digest_to_json`, with its chart drawn again if asked."""
    from alerts.digest import Digest, TopicDay, chart

    topics = tuple(TopicDay(**{**row, "echoes": int(row.get("echoes", 0))}) for row in data["topics"])
    daily = {topic: tuple((date.fromisoformat(d), int(v), int(n)) for d, v, n in series)
             for topic, series in data["daily"].items()}
    rows: dict[str, Any] = {name: tuple(dict(row) for row in data.get(name, ()))
                            for name in ("top_negative", "top_negative_authors", "open_questions",
                                         "suggestions", "ideas", "drivers")}
    built = Digest(day=date.fromisoformat(data["day"]), tz=str(data["tz"]), topics=topics, daily=daily,
                   **rows)
    if not with_chart:
        return built
    fields = {f: getattr(built, f) for f in Digest.__dataclass_fields__}
    return Digest(**{**fields, "chart_png": chart(built)})


def digest_alert(digest: Digest, channels: Sequence[str]) -> Alert:
    """Return the message carrying ``digest`` to ``channels``; its dedupe key is one per local day."""
    # in UTC, as storage gives it back: the dedupe key must read the same before and after a restart
    start = datetime.combine(digest.day, time(), ZoneInfo(digest.tz)).astimezone(UTC)
    volume = sum(t.volume for t in digest.topics)
    return Alert(rule_id=DIGEST_RULE, kind=KIND, subject=digest.day.isoformat(), severity="info",
                 window_start=start, window_end=start + timedelta(days=1),
                 title=f"digest {digest.day.isoformat()}", summary=f"{volume} distinct post(s)",
                 details={"digest": digest_to_json(digest), "channels": list(channels)})


def digest_of(alert: Alert, *, with_chart: bool = False) -> Digest | None:
    """Return the digest an alert carries, or None for any other alert (the chart only for e-mail)."""
    raw = alert.details.get("digest")
    if alert.kind != KIND or not isinstance(raw, dict):
        return None
    return digest_from_json(cast(Mapping[str, Any], raw), with_chart=with_chart)


def render_any(alert: Alert, lang: Lang, *, tz: str = "UTC") -> Rendered:
    """Return how a channel shows ``alert``: the digest's subject and text for a digest, else the alert's."""
    digest = digest_of(alert)
    if digest is None:
        return render(alert, lang, tz=tz)
    from alerts.digest import render_digest

    subject, text, html = render_digest(digest, lang)
    return Rendered(subject=subject, text=text, html=html)
