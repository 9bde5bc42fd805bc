""""Not enough data" reasons and the trend commands speak the configured language.

The reasons are produced by the real trend functions (too few mentions, no baseline, too few distinct
texts, no theme, too short a history for bursts) and by the glue that has no vectors or no encoder;
each must have a catalogue message, in English the words ``Reason.english()`` gives, in French other
words with the same numbers. ``listener trends`` and ``listener sov`` on an empty database must print
French under ``language: fr`` and English under ``language: en``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from alerts.i18n import translator
from analysis import themes
from analysis.bursts import bursts_on_history
from analysis.rising import rising_terms
from analysis.trend_input import TrendMention
from analysis.trend_reasons import CODES, ENGLISH, Reason, placeholders
from listener.cli import app
from listener.trend_reasons import messages, reason_text

NOW = datetime(2026, 3, 16, tzinfo=UTC)


def _m(i: int, text: str, at: datetime) -> TrendMention:
    return TrendMention(id=i, text=text, published_at=at, author=f"a{i}")


def _produced() -> list[Reason | None]:
    """One reason of each code, from the function that gives it."""
    rng = np.random.default_rng(2)
    alike = (rng.normal(size=64) + rng.normal(scale=0.1, size=(60, 64))).astype(np.float32)
    emoji = [_m(i, f"{'😡' * (1 + i % 4)} https://t.co/x{i}", NOW) for i in range(60)]
    return [
        rising_terms([], now=NOW).reason,
        rising_terms([_m(i, f"panne {i}", NOW - timedelta(hours=1)) for i in range(12)], now=NOW).reason,
        themes.find_themes([_m(i, "😀", NOW) for i in range(3)], np.zeros((3, 8), dtype=np.float32)).reason,
        themes.find_themes(emoji, alike, dims=10).reason,
        bursts_on_history({NOW - timedelta(hours=5): 4}, since=NOW - timedelta(days=1), until=NOW).reason,
        # told by the glue above analysis (``tests/web/test_trends_ideas_api.py`` gets the first two there)
        Reason("vectors_missing"),
        Reason("no_theme_encoder"),
        Reason("no_stored_vector"),
    ]


def test_every_reason_the_trend_functions_give_reads_french() -> None:
    produced = [r for r in _produced() if r is not None]
    assert sorted(r.code for r in produced) == sorted(CODES)  # a new code is produced here too
    for reason in produced:
        english, french = reason_text(reason, "en"), reason_text(reason, "fr")
        assert english == reason.english() == str(reason), reason
        assert french != english, reason
        assert re.findall(r"\d+", english) == re.findall(r"\d+", french), (english, french)
    assert reason_text(produced[0], "fr") == "0 mentions dans la fenêtre (il en faut au moins 10)"
    assert reason_text(produced[4], "en") == "bursts need at least 2 days of history; this topic has 0"
    assert reason_text(None, "fr") == ""


def test_every_code_has_a_catalogue_message_in_the_words_of_its_english() -> None:
    english = messages(lambda message: message)  # the msgids
    assert sorted(english) == sorted(CODES) == sorted(ENGLISH)
    french = messages(translator("fr"))
    for code in CODES:
        assert english[code] == ENGLISH[code], code
        assert french[code] != english[code], code
        assert placeholders(french[code]) == placeholders(english[code]), code


def test_a_reason_is_made_with_exactly_the_numbers_its_sentence_names() -> None:
    made = Reason("window_mentions", {"count": 3, "needed": 10})
    assert made.english() == "3 mentions in the window (at least 10 needed)"
    assert made == Reason("window_mentions", {"needed": 10, "count": 3}) and hash(made) == hash(
        Reason("window_mentions", {"needed": 10, "count": 3})
    )
    with pytest.raises(ValueError, match="needs"):
        Reason("window_mentions", {"count": 3})
    with pytest.raises(ValueError, match="unknown code"):
        Reason("no_such_reason")  # type: ignore[arg-type]


@pytest.mark.parametrize(("lang", "rising", "voice"), [
    ("fr", "Termes en hausse : pas assez de données (0 mentions dans la fenêtre", "Part de voix par semaine"),
    ("en", "Rising terms: not enough data (0 mentions in the window", "Share of voice per week"),
])
def test_the_trend_commands_speak_the_config_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str, rising: str, voice: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.yaml").write_text(
        f"language: {lang}\ndatabase: {{url: 'sqlite:///{tmp_path / 'l.db'}'}}\ntopics:\n"
        "  - {id: lumio, name: Lumio, role: brand, query: lumio}\n"
        "  - {id: ondea, name: Ondea, role: competitor, query: ondea}\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    trends = runner.invoke(app, ["trends", "--at", "2026-03-16T00:00:00"], terminal_width=200)
    assert trends.exit_code == 0, trends.output
    assert rising in " ".join(trends.output.split())
    sov = runner.invoke(app, ["sov", "--at", "2026-03-16T00:00:00"], terminal_width=200)
    assert sov.exit_code == 0, sov.output
    assert voice in " ".join(sov.output.split())
