"""The message catalogue: every sentence a user reads in e-mails, chat, the log channel and digests.

Strings are written in English in the code, wrapped in ``_("...")`` so Babel's extractor finds them,
and translated in ``alerts/locale/<lang>/LC_MESSAGES/listener.po`` (the committed sources, French and
English). The ``.po`` files are compiled to gettext catalogues when first loaded, in memory, so a
fresh ``pip install -e .`` needs no build step. ``tests/alerts/test_catalogue.py`` fails when a
message of the code has no translation in either language or when a translation drops a placeholder.

Placeholders use ``str.format`` names (``{count}``), so a translation can reorder them.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Literal

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = ("fr", "en")
DOMAIN = "listener"
LOCALE_DIR = Path(__file__).parent / "locale"


def po_path(lang: str) -> Path:
    """Return the catalogue source of one language."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> Translations:
    """Return the compiled catalogue of ``lang`` (read from its ``.po`` once per process)."""
    with po_path(lang).open("rb") as source:
        catalog = read_po(source, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def translator(lang: str) -> Callable[[str], str]:
    """Return ``_`` for one language: the translated message, or the English one if it is missing."""
    return translations(lang).gettext
