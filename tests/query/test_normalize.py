"""Text folding and tokenisation, shared by the matcher and storage search."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from listener.core.query import fold, tokens
from listener.core.query.normalize import fold_unicode, handles, hashtags, hosts


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Élève", "eleve"),
        ("ŒUVRE cœur", "oeuvre coeur"),
        ("Æsop", "aesop"),
        ("Straße STRASSE", "strasse strasse"),
        ("ﬁnance ﬂeur", "finance fleur"),
        ("l’appli l‘appli lʼappli l`appli", "l'appli l'appli l'appli l'appli"),
        ("Ça coûte 10 €", "ca coute 10 €"),
        ("Øresund Łódź", "oresund lodz"),
        ("ＡＣＭＥ", "acme"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("L'appli d'Acme n'est qu'une blague", ["appli", "acme", "est", "une", "blague"]),
        ("j'adore, c'est m'a t'as s'il", ["adore", "est", "a", "as", "il"]),
        ("aujourd'hui jusqu'à", ["aujourd", "hui", "jusqu", "a"]),
        ("e-commerce Saint-Étienne", ["e", "commerce", "saint", "etienne"]),
        ("Acme's app can't", ["acme", "s", "app", "can", "t"]),
        ("voir https://www.acme.com/fr/l'offre?x=1 ici", ["voir", "ici"]),
        ("#Acme_FR @bob", ["acme", "fr", "bob"]),
        ("top 🔥🔥 👍🏽!", ["top", "🔥", "🔥", "👍"]),
        ("東京タワー", ["東", "京", "タ", "ワ", "ー"]),
        ("Москва и Ελλάδα", ["москва", "и", "ελλαδα"]),
        ("a.*+?[](){}|^$\\b", ["a", "b"]),
        ("", []),
    ],
)
def test_tokens(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


def test_tags_handles_and_hosts_come_from_folded_text() -> None:
    text = fold("Merci #Acmé et @Acme_Support (mail: a@b.fr) https://WWW.Acme.com/x http://shop.acme.fr:8080")
    assert hashtags(text) == ["acme"]
    assert handles(text) == ["acme_support"]
    assert hosts(text) == ["acme.com", "shop.acme.fr"]


@given(st.text())
def test_folding_is_idempotent_and_accent_free(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert not any(unicodedata.combining(c) for c in once)
    assert tokens(once) == tokens(text)


LATIN = [chr(c) for c in [*range(0x80), *range(0xA0, 0x180), *range(0x2010, 0x205F)] if c != 0x130]


def test_the_latin_shortcut_folds_every_character_like_unicode_normalisation() -> None:
    assert [fold(c) for c in LATIN] == [fold_unicode(c) for c in LATIN]


SYMBOLS = [chr(c) for c in [*range(0x200B, 0x2010), *range(0x2190, 0x2C00), *range(0xFE00, 0xFE10),
                             *range(0x1F000, 0x1FB00)]]


@given(st.text(alphabet=st.sampled_from([*LATIN, "İ", "東", "\u0301", "🔥", "\u200d"])))
def test_the_latin_shortcut_is_invisible(text: str) -> None:
    assert fold(text) == fold_unicode(text)


def test_emoji_and_symbols_next_to_latin_fold_like_unicode_normalisation() -> None:
    texts = [f"Électricité{c}Œuvre e\u0301{c}\u0301 ß{c}" for c in SYMBOLS]
    assert [fold(t) for t in texts] == [fold_unicode(t) for t in texts]


@given(st.text(alphabet=st.sampled_from([*LATIN[::7], *SYMBOLS[::5], "\u0301", "\ufe0f", "\U0001f3fd"])))
def test_the_shortcut_with_emoji_is_invisible(text: str) -> None:
    assert fold(text) == fold_unicode(text)


def test_no_folded_latin_character_folds_again() -> None:
    """The Latin shortcut replaces characters one kind at a time: no result may hold another key."""
    from listener.core.query.normalize import _LATIN_FOLD, _LATIN_KEYS

    assert not [(k, v) for k, v in _LATIN_FOLD.items() if _LATIN_KEYS.intersection(v)]
