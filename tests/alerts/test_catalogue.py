"""The message catalogue is complete in French and English, and French messages read French.

The messages are extracted from the code with Babel's own extractor (what ``pybabel extract`` does),
so a new ``_("...")`` without a translation fails here, as does a translation that loses a
placeholder. The behaviour tests render real alerts and digests in French.
"""

from __future__ import annotations

import logging
import string
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from alerts.digest import build_digest, render_digest
from alerts.i18n import LANGS, po_path
from alerts.messages import render
from alerts.notifiers import LogNotifier
from alerts.rules import Rule, evaluate
from alerts.window import Window, WindowMention
from listener.core.model import Alert

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("alerts", "listener")
"""Folders whose ``_("...")`` messages users read (e-mails, chat, the log channel, digests, the CLI and
what it prints: the demo's summary, reports, errors)."""


def _code_messages() -> dict[str, str]:
    found: dict[str, str] = {}
    for folder in SOURCES:
        for filename, line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords={"_": None}
        ):
            assert isinstance(message, str), f"{folder}/{filename}:{line}: plural forms are not used"
            found.setdefault(message, f"{folder}/{filename}:{line}")
    return found


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_extraction_finds_the_messages() -> None:
    messages = _code_messages()
    assert "Why it fired" in messages and "Nothing that day." in messages  # the probe works
    assert len(messages) > 40


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_has_a_translation_with_the_same_placeholders(lang: str) -> None:
    with po_path(lang).open("rb") as source:
        catalog = read_po(source, locale=lang)
    missing, fuzzy, broken = [], [], []
    for message, where in _code_messages().items():
        entry = catalog.get(message)
        if entry is None or not entry.string:
            missing.append(f"{where}: {message!r}")
        elif entry.fuzzy:
            fuzzy.append(f"{where}: {message!r}")
        elif _placeholders(str(entry.string)) != _placeholders(message):
            broken.append(f"{where}: {message!r} -> {entry.string!r}")
    assert not missing, f"{lang}: no translation for {missing}"
    assert not fuzzy, f"{lang}: fuzzy translations {fuzzy}"
    assert not broken, f"{lang}: placeholders differ in {broken}"


def test_the_catalogue_sources_ship_with_the_package() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"*.po"' in pyproject  # package data: a fresh install compiles them when first loaded


NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def _crisis_alert() -> Alert:
    mentions = tuple(
        WindowMention(id=i, source="demo", text=f"boycott acme now {i}",
                      published_at=NOW - timedelta(minutes=i),
                      author_key=f"demo:u{i}", author_handle=f"u{i}", topics=("acme",), sentiment="negative")
        for i in range(4)
    )
    rule = Rule(id="crisis", kind="keyword", query="boycott", matcher=lambda text: "boycott" in text)
    window = Window(start=NOW - timedelta(hours=1), end=NOW, mentions=mentions)
    [alert] = evaluate(rule, window, NOW)
    return alert


def test_a_french_alert_says_why_in_french() -> None:
    alert = _crisis_alert()
    french = render(alert, "fr", tz="Europe/Paris")
    assert "Pourquoi l'alerte: 4 mention(s) correspondent à la requête de crise boycott" in french.text
    assert "match" not in french.text and "match" not in french.html
    english = render(alert, "en")
    assert "Why it fired: 4 mention(s) match the crisis query boycott" in english.text


def test_the_log_channel_speaks_its_language(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    LogNotifier("log", lang="fr").send(_crisis_alert())
    assert any(r.getMessage().startswith("Alerte : Termes de crise") for r in caplog.records)


def _digest_window(day: date) -> Window:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(days=7)
    mentions = (
        WindowMention(id=1, source="demo", text="rival news", published_at=start + timedelta(days=7, hours=9),
                      author_key="demo:r", author_handle="r", topics=("alpha_rival",), sentiment="neutral"),
        WindowMention(id=2, source="demo", text="zeta is fine",
                      published_at=start + timedelta(days=7, hours=10),
                      author_key="demo:z", author_handle="z", topics=("zeta",), sentiment="positive",
                      intents=("question",)),
    )
    return Window(start=start, end=start + timedelta(days=8), mentions=mentions)


def test_french_digest_labels_brand_first_and_the_day_it_covers() -> None:
    day = date(2026, 3, 9)
    digest = build_digest(_digest_window(day), day, names={"zeta": "Zeta", "alpha_rival": "Alpha"},
                          roles={"zeta": "brand", "alpha_rival": "competitor"})
    assert [t.topic for t in digest.topics] == ["zeta", "alpha_rival"]  # the brand before competitors
    _subject, text, html = render_digest(digest, "fr")
    assert "Zeta (marque)" in text and "Alpha (concurrent)" in text
    assert "Rien ce jour-là." in text and "aujourd'hui" not in text
    assert "[question]" in text and "brand" not in text and "competitor" not in html
    _subject, english, _html = render_digest(digest, "en")
    assert "Zeta (brand)" in english and "Nothing that day." in english
