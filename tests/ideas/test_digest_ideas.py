"""The digest shows new and rising ideas, in the reader's language, only when there are some."""

from __future__ import annotations

from datetime import date

from alerts.digest import Digest, render_digest


def _digest(**fields: object) -> Digest:
    return Digest(day=date(2026, 3, 9), tz="Europe/Paris", topics=(), daily={}, **fields)  # type: ignore[arg-type]


def test_the_digest_lists_new_and_rising_ideas_in_both_languages() -> None:
    idea = {
        "title": "Mode sombre dans l'appli",
        "people": 7,
        "new_people": 3,
        "status": "new",
        "status_label": "nouvelle",
    }
    _, text_fr, html_fr = render_digest(_digest(ideas=(idea,)), "fr")
    assert "Idées nouvelles et en hausse" in text_fr and "7 soutiens, +3 nouveaux" in text_fr
    assert "Mode sombre dans l&#39;appli" in html_fr or "Mode sombre dans l'appli" in html_fr
    _, text_en, _ = render_digest(_digest(ideas=({**idea, "status_label": "new"},)), "en")
    assert "New and rising ideas" in text_en and "7 supporters" in text_en
    _, empty, _ = render_digest(_digest(), "en")
    assert "New and rising ideas" not in empty
