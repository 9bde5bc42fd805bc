"""The daily digest e-mail: how each topic did yesterday against the day before and the week before.

The aggregates are computed with pandas here, inside the alerts layer; only plain dataclasses leave
this module (no DataFrame crosses a layer boundary). The chart is a small PNG drawn with matplotlib's
Agg backend and embedded in the HTML part by ``cid:`` so it shows on phones without remote images.

Every figure counts distinct posts, as the alerts do: an echo (a repost or copy grouped under its
original by the echo stage) is not another post nor another voice; it shows as "+N echoes" beside its
original and in the topic's line.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from typing import Any
from zoneinfo import ZoneInfo

import matplotlib
import pandas as pd

from alerts.i18n import Lang, translator
from alerts.messages import environment
from alerts.rules import top_authors, top_mentions
from alerts.window import Window, WindowMention
from listener.core.model import JSON

matplotlib.use("Agg")

QUESTION_INTENTS = ("question", "complaint")
SUGGESTION_INTENTS = ("suggestion",)


@dataclass(frozen=True, slots=True, kw_only=True)
class TopicDay:
    """One topic's figures for the digest day, with the comparisons a community manager asks for."""

    topic: str
    name: str
    role: str
    volume: int
    negative: int
    positive: int
    previous_volume: int
    previous_negative: int
    week_avg_volume: float
    week_avg_negative: float
    share_of_voice: float
    """This topic's share of all watched topics' volume that day (brand vs competitors)."""
    echoes: int = 0
    """Reposts and copies of the day's posts, grouped under their original (not in ``volume``)."""

    @property
    def negative_share(self) -> float:
        """Return the share of negatives among the day's mentions (0 when there were none)."""
        return self.negative / self.volume if self.volume else 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Digest:
    """Everything the digest e-mail shows; :func:`build_digest` fills it, :func:`render_digest` shows it."""

    day: date
    tz: str
    topics: tuple[TopicDay, ...]
    daily: Mapping[str, tuple[tuple[date, int, int], ...]]
    """Per topic, ``(day, volume, negative)`` for the eight days ending on ``day`` (the chart data)."""
    top_negative: tuple[Mapping[str, JSON], ...] = ()
    top_negative_authors: tuple[Mapping[str, JSON], ...] = ()
    open_questions: tuple[Mapping[str, JSON], ...] = ()
    suggestions: tuple[Mapping[str, JSON], ...] = ()
    ideas: tuple[Mapping[str, JSON], ...] = ()
    """New and rising ideas (``title``, ``people``, ``new_people``, ``status``), filled by the idea box."""
    drivers: tuple[Mapping[str, JSON], ...] = ()
    """What drove the day's spikes (``analysis.spike_story`` JSON), added by the application."""
    chart_png: bytes = field(default=b"", repr=False)


def digest_span(day: date, tz: str) -> tuple[datetime, datetime]:
    """Return the UTC instants bounding the eight local days the digest of ``day`` reads."""
    zone = ZoneInfo(tz)
    start = datetime.combine(day - timedelta(days=7), time(), zone)
    end = datetime.combine(day + timedelta(days=1), time(), zone)
    return start, end


def _frame(mentions: Sequence[WindowMention], tz: str) -> pd.DataFrame:
    rows = [{"topic": t, "day": m.published_at.astimezone(ZoneInfo(tz)).date(),
             "negative": int(m.sentiment == "negative"), "positive": int(m.sentiment == "positive")}
            for m in mentions for t in m.topics]
    return pd.DataFrame(rows, columns=["topic", "day", "negative", "positive"])


def build_digest(window: Window, day: date, *, tz: str = "UTC", names: Mapping[str, str] | None = None,
                 roles: Mapping[str, str] | None = None) -> Digest:
    """Aggregate ``window`` (the eight local days ending on ``day``) into the digest figures."""
    names = names or {}
    roles = roles or {}
    distinct = [m for m in window.mentions if m.echo_of is None]
    frame = _frame(distinct, tz)
    days = [day - timedelta(days=k) for k in range(7, -1, -1)]
    topics = sorted(set(frame["topic"]) | set(names)) if len(frame) or names else []
    topics.sort(key=lambda t: (roles.get(t, "brand") != "brand", t))  # the brand first, then competitors
    grouped = frame.groupby(["topic", "day"]).agg(volume=("negative", "size"), negative=("negative", "sum"),
                                                 positive=("positive", "sum"))
    full = pd.MultiIndex.from_product([topics, days], names=["topic", "day"])
    grouped = grouped.reindex(full, fill_value=0)
    day_total = int(grouped.xs(day, level="day")["volume"].sum()) if topics else 0
    rows: list[TopicDay] = []
    daily: dict[str, tuple[tuple[date, int, int], ...]] = {}
    for topic in topics:
        series = grouped.loc[topic]
        week = series.loc[days[:7]]
        today, before = series.loc[day], series.loc[days[6]]
        rows.append(TopicDay(
            topic=topic, name=names.get(topic, topic), role=roles.get(topic, "brand"),
            volume=int(today["volume"]), negative=int(today["negative"]), positive=int(today["positive"]),
            previous_volume=int(before["volume"]), previous_negative=int(before["negative"]),
            week_avg_volume=float(week["volume"].mean()), week_avg_negative=float(week["negative"].mean()),
            share_of_voice=int(today["volume"]) / day_total if day_total else 0.0))
        daily[topic] = tuple((d, int(series.loc[d, "volume"]), int(series.loc[d, "negative"])) for d in days)
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(), zone)
    end = start + timedelta(days=1)
    of_day = [m for m in distinct if start <= m.published_at < end]
    echoes = Counter(t for m in window.mentions if m.echo_of is not None and start <= m.published_at < end
                     for t in m.topics)
    rows = [replace(row, echoes=echoes.get(row.topic, 0)) for row in rows]
    negatives = [m for m in of_day if m.is_negative]
    questions = [m for m in of_day if set(m.intents) & set(QUESTION_INTENTS) and not m.is_answered]
    ideas = [m for m in of_day if set(m.intents) & set(SUGGESTION_INTENTS)]
    digest = Digest(day=day, tz=tz, topics=tuple(rows), daily=daily,
                    top_negative=tuple(top_mentions(negatives, 5)),
                    top_negative_authors=tuple(top_authors(negatives, 5)),
                    open_questions=tuple(_with_intent(top_mentions(questions, 10), questions)),
                    suggestions=tuple(top_mentions(ideas, 5)))
    return Digest(**{**{f: getattr(digest, f) for f in Digest.__dataclass_fields__},
                     "chart_png": chart(digest)})


def _with_intent(rows: list[dict[str, JSON]], mentions: Sequence[WindowMention]) -> list[dict[str, JSON]]:
    intents = {m.id: ", ".join(m.intents) for m in mentions}
    return [{**row, "intents": intents.get(int(row["id"]) if isinstance(row["id"], int) else -1, "")}
            for row in rows]


def chart(digest: Digest) -> bytes:
    """Return a small PNG: daily volume (line) and negatives (dashed) per topic over eight days."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(6, 2.6), dpi=100)
    axes = figure.add_subplot()
    highest = 0
    order = [t.topic for t in digest.topics if t.topic in digest.daily]  # the brand first, as in the table
    order += sorted(set(digest.daily) - set(order))
    for index, topic in enumerate(order):
        series = digest.daily[topic]
        highest = max([highest, *(v for _, v, _ in series)])
        colour = f"C{index % 10}"
        labels = [d.strftime("%d/%m") for d, _, _ in series]
        axes.plot(labels, [v for _, v, _ in series], color=colour, label=topic, linewidth=2)
        axes.plot(labels, [n for _, _, n in series], color=colour, linestyle="--", linewidth=1)
    axes.set_ylim(bottom=0, top=None if highest else 1)  # an empty chart reads 0-1, not 0.00-0.05
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(axis="y", alpha=0.3)
    axes.tick_params(labelsize=8)
    if digest.daily:
        axes.legend(fontsize=8, loc="upper left", frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def digest_words(lang: Lang) -> dict[str, str]:
    """Return the digest's labels in ``lang``."""
    _ = translator(lang)
    return {
        "title": _("Daily digest for {day}"), "topic": _("Topic"), "volume": _("Mentions"),
        "negative": _("Negative"), "vs_day": _("vs day before"), "vs_week": _("vs 7-day avg"),
        "sov": _("Share of voice"), "top_negative": _("Top negative mentions"),
        "authors": _("Most active negative authors"), "questions": _("Open questions and complaints"),
        "suggestions": _("Suggestions"), "nothing": _("Nothing that day."),
        "chart": _("Mentions per day (dashed: negative)"), "footer": _("Sent by listener."),
        "mentions": _("mentions"), "reach": _("reach"), "new": _("new"),
        "ideas": _("New and rising ideas"), "supporters": _("supporters"),
        "new_supporters": _("new supporters"),
        "posts": _("distinct posts"), "echoes": _("echoes"),
        "counting": _("Counts are distinct posts: a repost or copy counts once, under its original "
                      "(shown as +N echoes)."),
    }


def role_label(role: str, lang: Lang) -> str:
    """Return the name of a topic's role (the brand, or a competitor)."""
    _ = translator(lang)
    return {"brand": _("brand"), "competitor": _("competitor")}.get(role, role)


def intent_labels(intents: str, lang: Lang) -> str:
    """Return a comma-separated list of intents in ``lang``."""
    _ = translator(lang)
    names = {"question": _("question"), "complaint": _("complaint"), "suggestion": _("suggestion"),
             "praise": _("praise")}
    return ", ".join(names.get(i.strip(), i.strip()) for i in intents.split(",") if i.strip())


def _delta(now: float, then: float, new: str) -> str:
    if then == 0:
        return new if now else "="
    change = (now - then) / then
    return f"{change:+.0%}"


def render_digest(digest: Digest, lang: Lang) -> tuple[str, str, str]:
    """Return ``(subject, text, html)``; the HTML refers to the chart as ``cid:chart``."""
    words = digest_words(lang)
    day_text = digest.day.strftime("%d/%m/%Y") if lang == "fr" else digest.day.isoformat()
    rows = [{"t": t, "role": role_label(t.role, lang), "share": f"{t.negative_share:.0%}",
             "vs_day": _delta(t.volume, t.previous_volume, words["new"]),
             "vs_week": _delta(t.volume, t.week_avg_volume, words["new"]), "sov": f"{t.share_of_voice:.0%}"}
            for t in digest.topics]
    from alerts.messages import drivers_text

    questions = tuple({**m, "intents": intent_labels(str(m.get("intents") or ""), lang)}
                      for m in digest.open_questions)
    context: dict[str, Any] = {"d": replace(digest, open_questions=questions), "w": words, "rows": rows,
                               "lang": lang, "title": words["title"].format(day=day_text),
                               "drivers": [drivers_text(dict(d), lang) for d in digest.drivers]}
    env = environment()
    return (context["title"], env.get_template("digest.txt").render(context),
            env.get_template("digest.html").render(context))


def digest_message(digest: Digest, lang: Lang, *, sender: str, to: Sequence[str], now: datetime,
                   message_id: str | None = None) -> EmailMessage:
    """Return the digest e-mail: text part, HTML part with the chart inline as a related image."""
    subject, text, html = render_digest(digest, lang)
    message = EmailMessage()
    message["Subject"] = f"[listener] {subject}"
    message["From"] = formataddr(("listener", sender))
    message["To"] = ", ".join(to)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id or make_msgid(domain="listener.local")
    message["X-Listener-Digest"] = digest.day.isoformat()
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    html_part = message.get_body(("html",))
    assert isinstance(html_part, EmailMessage)
    html_part.add_related(digest.chart_png, maintype="image", subtype="png", cid="<chart>",
                          filename="chart.png", disposition="inline")
    return message
