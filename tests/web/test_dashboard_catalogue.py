"""Every sentence of the dashboard (templates and page modules) has a French and an English translation."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from alerts.i18n import LANGS, po_path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = (("listener/web/templates", [("**.html", "jinja2")]), ("listener/web/pages", [("**.py", "python")]))


def _messages() -> dict[str, str]:
    found: dict[str, str] = {}
    for folder, method_map in FOLDERS:
        for filename, line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=method_map, keywords={"_": None}
        ):
            assert isinstance(message, str), f"{folder}/{filename}:{line}: plural forms are not used"
            found.setdefault(message, f"{folder}/{filename}:{line}")
    return found


def _names(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_extraction_reads_templates_and_pages() -> None:
    messages = _messages()
    assert "Flag-bearers of discontent" in messages  # a template
    assert "in_progress" in messages  # a word the pages translate from data (labels.py)


@pytest.mark.parametrize("lang", LANGS)
def test_every_dashboard_message_is_translated(lang: str) -> None:
    with po_path(lang).open("rb") as source:
        catalog = read_po(source, locale=lang)
    problems = []
    for message, where in _messages().items():
        entry = catalog.get(message)
        if entry is None or not entry.string:
            problems.append(f"missing {where}: {message!r}")
        elif entry.fuzzy or _names(str(entry.string)) != _names(message):
            problems.append(f"fuzzy or placeholders differ {where}: {message!r}")
    assert problems == []
