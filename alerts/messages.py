"""Render an alert as a subject line, a plain-text body and an HTML body, in French or English.

Stored alerts keep numbers in ``details``; wording is chosen here, per channel language, so the same
alert reads naturally in a French e-mail and an English Slack channel. Times are shown in the
channel's time zone; everything stored stays UTC.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from alerts.i18n import Lang, translator
from listener.core.model import JSON, Alert


def kind_label(kind: str, lang: Lang) -> str:
    """Return the name of a rule kind as a subject line starts."""
    _ = translator(lang)
    labels = {"negative_spike": _("Negative spike"), "negative_share": _("High negative share"),
              "influencer_negative": _("Influential author unhappy"), "keyword": _("Crisis terms")}
    return labels.get(kind, kind)


def phrases(lang: Lang) -> dict[str, str]:
    """Return the sentences and labels of an alert message in ``lang`` (``str.format`` placeholders)."""
    _ = translator(lang)
    return {
        "spike": _("{count} negative mentions of {subject} in {span}, where {median} is usual "
                   "(alert limit {limit}, learned from {buckets} past windows)."),
        "share": _("{share} of the {analysed} analysed mentions of {subject} in {span} are negative "
                   "(threshold {threshold})."),
        "influencer": _("@{author}, with a reach of {reach}, posted {count} negative mention(s) in {span} "
                        "(threshold {threshold})."),
        "keyword": _("{count} mention(s) of {subject} in {span} match the crisis query {query}."),
        "resolved": _("It has calmed down: nothing alert-worthy any more; the last message reported {peak}."),
        "update": _("Update {sequence} of this alert: {count} now, {previous} at the last message."),
        "why": _("Why it fired"), "top_mentions": _("Top mentions"), "top_authors": _("Top authors"),
        "window": _("Window"), "reach": _("reach"), "mentions": _("mentions"),
        "prefix_update": _("Update {sequence}: "), "prefix_resolved": _("Resolved: "),
        "footer": _("Sent by listener. Rule: {rule}."),
        "why_spike": _("{count} negative mentions in {span}, above the limit {limit} (usual {median} ± "
                       "{spread}, k={k}, {buckets} past windows)"),
        "why_spike_seasonal": _("{count} negative mentions in {span}, above the limit {limit} (usual "
                                "{median} ± {spread}, k={k}, {buckets} past windows at the same hour)"),
        "why_share": _("{share} of {analysed} analysed mentions are negative, above {threshold}"),
        "why_influencer": _("@{author} (reach {reach}, threshold {threshold}) posted {count} negative "
                            "mention(s)"),
        "why_keyword": _("{count} mention(s) match the crisis query {query}"),
        "why_resolved": _("no longer alert-worthy; the last message reported {peak}"),
        "log_line": _("Alert: {subject}"),
        "posts": _("distinct posts"), "echoes": _("echoes"),
        "counting": _("Counts are distinct posts: a repost or copy counts once, under its original "
                      "(shown as +N echoes)."),
    }


@dataclass(frozen=True, slots=True)
class Rendered:
    """One alert as a channel shows it."""

    subject: str
    text: str
    html: str


def _num(value: JSON, lang: Lang, *, digits: int = 0) -> str:
    number = float(value) if isinstance(value, int | float) else 0.0
    text = f"{number:,.{digits}f}"
    return text.replace(",", "\u202f").replace(".", ",") if lang == "fr" else text


def _pct(value: JSON, lang: Lang) -> str:
    number = float(value) if isinstance(value, int | float) else 0.0
    return f"{number * 100:.0f}\u202f%" if lang == "fr" else f"{number:.0%}"


def span(seconds: JSON, lang: Lang) -> str:
    """Say a window length the way people do: ``1 h``, ``30 min``."""
    total = int(seconds) if isinstance(seconds, int | float) else 0
    minutes = total // 60
    if minutes % 60 == 0 and minutes:
        return f"{minutes // 60}\u00a0h"
    return f"{minutes}\u00a0min"


def subject_line(alert: Alert, lang: Lang) -> str:
    """Return the subject: the same words for every message of a thread, with an update prefix."""
    words = phrases(lang)
    label = kind_label(alert.kind, lang)
    subject = alert.details.get("author") or alert.subject
    base = f"{label} — {'@' if alert.kind == 'influencer_negative' else ''}{subject}"
    phase = alert.details.get("phase")
    if alert.is_resolution:
        return words["prefix_resolved"] + base
    if phase == "update":
        return words["prefix_update"].format(sequence=alert.details.get("sequence")) + base
    return base


def headline(alert: Alert, lang: Lang) -> str:
    """Return the sentence that says what happened, with the numbers."""
    d = alert.details
    words = phrases(lang)
    reason = str(d.get("reason", ""))
    raw_base = d.get("baseline")
    base: Mapping[str, JSON] = raw_base if isinstance(raw_base, dict) else {}
    values: dict[str, Any] = {
        "count": d.get("count"), "subject": alert.subject, "span": span(d.get("window_s"), lang),
        "median": _num(base.get("median"), lang, digits=1), "limit": _num(base.get("limit"), lang, digits=1),
        "buckets": base.get("buckets"), "share": _pct(d.get("share"), lang),
        "analysed": d.get("analysed"), "threshold": (_pct(d.get("threshold"), lang) if reason == "share"
                                                     else _num(d.get("threshold"), lang)),
        "author": d.get("author"), "reach": _num(d.get("reach"), lang), "query": d.get("query"),
        "peak": d.get("peak"),
    }
    sentence = words[reason].format(**values) if reason in _HEADLINES else alert.summary
    if d.get("phase") == "update":
        sentence += " " + words["update"].format(sequence=d.get("sequence"), count=d.get("count"),
                                                 previous=d.get("previous_count"))
    return sentence


_HEADLINES = ("spike", "share", "influencer", "keyword", "resolved")


def why_line(alert: Alert, lang: Lang) -> str:
    """Return why the rule fired, in ``lang``, from the stored numbers (else the stored English text)."""
    d = alert.details
    words = phrases(lang)
    reason = str(d.get("reason", ""))
    raw_base = d.get("baseline")
    base: Mapping[str, JSON] = raw_base if isinstance(raw_base, dict) else {}
    values: dict[str, Any] = {
        "count": d.get("count"), "span": span(d.get("window_s"), lang),
        "k": _num(d.get("threshold"), lang, digits=1),
        "limit": _num(base.get("limit"), lang, digits=1), "median": _num(base.get("median"), lang, digits=1),
        "spread": _num(base.get("spread"), lang, digits=1), "buckets": base.get("buckets"),
        "share": _pct(d.get("share"), lang), "analysed": d.get("analysed"), "author": d.get("author"),
        "reach": _num(d.get("reach"), lang), "query": d.get("query"), "peak": d.get("peak"),
        "threshold": _pct(d.get("threshold"), lang) if reason == "share" else _num(d.get("threshold"), lang),
    }
    key = "why_spike_seasonal" if reason == "spike" and base.get("seasonal") else f"why_{reason}"
    if key not in words:
        return str(d.get("why") or alert.summary)
    return words[key].format(**values)


def log_line(alert: Alert, lang: Lang) -> str:
    """Return the one line the log channel writes for an alert."""
    return phrases(lang)["log_line"].format(subject=subject_line(alert, lang))


def _local(value: datetime, tz: str) -> str:
    return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def _rows(value: JSON) -> Sequence[Mapping[str, JSON]]:
    return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []


@cache
def environment() -> jinja2.Environment:
    """Return the template environment (HTML autoescaped, templates shipped in ``alerts/templates``)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("alerts", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )


def render(alert: Alert, lang: Lang, *, tz: str = "UTC") -> Rendered:
    """Return the subject, text and HTML of ``alert`` for a channel speaking ``lang`` in zone ``tz``."""
    words = phrases(lang)
    subject = subject_line(alert, lang)
    context: dict[str, Any] = {
        "alert": alert, "lang": lang, "words": words, "subject": subject,
        "headline": headline(alert, lang), "why": why_line(alert, lang),
        "window": f"{_local(alert.window_start, tz)} → {_local(alert.window_end, tz)} ({tz})",
        "mentions": _rows(alert.details.get("top_mentions")),
        "authors": _rows(alert.details.get("top_authors")),
        "num": lambda v: _num(v, lang), "footer": words["footer"].format(rule=alert.rule_id),
        "colour": {"critical": "#b42318", "warning": "#b54708", "info": "#027a48"}[alert.severity],
        "drivers": drivers_text(alert.details.get("drivers"), lang),
    }
    env = environment()
    return Rendered(subject=subject, text=env.get_template("alert.txt").render(context),
                    html=env.get_template("alert.html").render(context))


def drivers_text(drivers: JSON, lang: Lang) -> str:
    """What drove the finding (``analysis.spike_story``), in ``lang``; empty when not known."""
    if not isinstance(drivers, dict) or "start" not in drivers:
        return ""
    from analysis.spike_story import from_json, render

    return render(from_json(drivers), lang)


def truncate(text: str, maxlen: int) -> str:
    """Cut ``text`` to at most ``maxlen`` characters at a line end, marking the cut with ``…``."""
    if maxlen <= 0 or len(text) <= maxlen:
        return text
    head = text[: maxlen - 1]
    cut = head.rfind("\n")
    if cut > maxlen // 2:
        head = head[:cut]
    return head.rstrip() + "…"
