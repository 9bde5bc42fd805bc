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
from typing import Any, Literal
from zoneinfo import ZoneInfo

import jinja2

from listener.core.model import JSON, Alert

Lang = Literal["fr", "en"]

KIND_LABELS: Mapping[str, Mapping[str, str]] = {
    "en": {"negative_spike": "Negative spike", "negative_share": "High negative share",
           "influencer_negative": "Influential author unhappy", "keyword": "Crisis terms"},
    "fr": {"negative_spike": "Pic de mentions négatives", "negative_share": "Part de négatif élevée",
           "influencer_negative": "Auteur influent mécontent", "keyword": "Termes de crise"},
}

PHRASES: Mapping[str, Mapping[str, str]] = {
    "en": {
        "spike": "{count} negative mentions of {subject} in {span}, where {median} is usual "
                 "(alert limit {limit}, learned from {buckets} past windows).",
        "share": "{share} of the {analysed} analysed mentions of {subject} in {span} are negative "
                 "(threshold {threshold}).",
        "influencer": "@{author}, with a reach of {reach}, posted {count} negative mention(s) in {span} "
                      "(threshold {threshold}).",
        "keyword": "{count} mention(s) of {subject} in {span} match the crisis query {query}.",
        "resolved": "It has calmed down: nothing alert-worthy any more; the last message reported {peak}.",
        "update": "Update {sequence} of this alert: {count} now, {previous} at the last message.",
        "opened": "", "why": "Why it fired", "top_mentions": "Top mentions", "top_authors": "Top authors",
        "window": "Window", "reach": "reach", "mentions": "mentions", "prefix_update": "Update {sequence}: ",
        "prefix_resolved": "Resolved: ", "footer": "Sent by listener. Rule: {rule}.",
    },
    "fr": {
        "spike": "{count} mentions négatives de {subject} en {span}, pour {median} d'habitude "
                 "(seuil d'alerte {limit}, appris sur {buckets} fenêtres passées).",
        "share": "{share} des {analysed} mentions analysées de {subject} en {span} sont négatives "
                 "(seuil {threshold}).",
        "influencer": "@{author}, avec une audience de {reach}, a publié {count} mention(s) négative(s) "
                      "en {span} (seuil {threshold}).",
        "keyword": "{count} mention(s) de {subject} en {span} correspondent à la requête de crise {query}.",
        "resolved": "C'est retombé : plus rien d'alarmant ; le dernier message indiquait {peak}.",
        "update": "Mise à jour n°{sequence} de cette alerte : {count} maintenant, {previous} au message "
                  "précédent.",
        "opened": "", "why": "Pourquoi l'alerte", "top_mentions": "Mentions principales",
        "top_authors": "Auteurs principaux", "window": "Fenêtre", "reach": "audience",
        "mentions": "mentions", "prefix_update": "Mise à jour n°{sequence} : ",
        "prefix_resolved": "Résolu : ",
        "footer": "Envoyé par listener. Règle : {rule}.",
    },
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
    words = PHRASES[lang]
    label = KIND_LABELS[lang].get(alert.kind, alert.kind)
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
    words = PHRASES[lang]
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
    sentence = words[reason].format(**values) if reason in words else alert.summary
    if d.get("phase") == "update":
        sentence += " " + words["update"].format(sequence=d.get("sequence"), count=d.get("count"),
                                                 previous=d.get("previous_count"))
    return sentence


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
    words = PHRASES[lang]
    subject = subject_line(alert, lang)
    context: dict[str, Any] = {
        "alert": alert, "lang": lang, "words": words, "subject": subject,
        "headline": headline(alert, lang), "why": alert.details.get("why") or alert.summary,
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
