"""Hostile and odd text round-trips byte for byte; NUL and lone surrogates follow one documented rule."""

from __future__ import annotations

import pytest
from storage_builders import author, batch, mention

from listener.core.model import Reference
from storage import Repository
from storage._text import REPLACEMENT, clean, fold

HOSTILE = [
    "emoji 😀👍🏽🇫🇷 family 👨‍👩‍👧‍👦",
    "zero\u200bwidth\u200c\u200djoiners\ufeffbom",
    "RTL \u202eevil\u202c mark \u200f עברית العربية",
    "sql '; DROP TABLE mentions; -- \" ` \\ % _ $1 :name ? %(x)s",
    'fts " * NEAR( AND OR NOT ^ - : ( )',
    "control \x01\x07\x1b[31m red \t tab \r\n crlf",
    "combining e\u0301 vs é, ﬁ ligature, ß Straße, œuvre",
    "",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_round_trips_exactly(repo: Repository, text: str) -> None:
    odd_author = author(7, handle=text or "x", display_name=text, url="https://example.test/" + text)
    m = mention(
        1,
        text=text,
        title=text,
        author=odd_author,
        hashtags=(text,),
        links=(text,),
        references=(Reference(kind="quote", external_id=text),),
        raw={"text": text, text: [text]},
    )
    repo.upsert_batch(batch(m), source="testsrc", query_id="q")
    stored = repo.get_mention_by_key("testsrc", "m1")
    assert stored is not None
    got = stored.mention
    assert got.text.encode("utf-8") == text.encode("utf-8")
    assert got.title == text
    assert got.hashtags == (text,)
    assert got.links == (text,)
    assert got.references == (Reference(kind="quote", external_id=text),)
    assert got.raw == {"text": text, text: [text]}
    assert got.author.display_name == text


def test_a_one_megabyte_post_round_trips(repo: Repository) -> None:
    text = ("Électricité trop chère 😡 " * 45_000)[:1_000_000]
    repo.upsert_batch(batch(mention(1, text=text)), source="testsrc", query_id="q")
    stored = repo.get_mention_by_key("testsrc", "m1")
    assert stored is not None and stored.mention.text == text
    assert len(stored.mention.text) == 1_000_000


def test_external_ids_with_odd_characters_are_keys_like_any_other(repo: Repository) -> None:
    m = mention(1)
    odd = type(m)(**{**{f: getattr(m, f) for f in m.__slots__}, "external_id": "tag:x.org,2024:/a?b=1&c='2'"})  # type: ignore[attr-defined]
    repo.upsert_batch(batch(odd), source="testsrc", query_id="q")
    repo.upsert_batch(batch(odd), source="testsrc", query_id="q")
    assert repo.count_mentions() == 1
    assert repo.get_mention_by_key("testsrc", "tag:x.org,2024:/a?b=1&c='2'") is not None


def test_nul_becomes_replacement_character_in_text_but_raw_keeps_it(repo: Repository) -> None:
    m = mention(1, text="before\x00after", title="t\x00", raw={"body": "nul\x00inside", "k\x00": 1})
    repo.upsert_batch(batch(m), source="testsrc", query_id="q")
    stored = repo.get_mention_by_key("testsrc", "m1")
    assert stored is not None
    assert stored.mention.text == f"before{REPLACEMENT}after"
    assert stored.mention.title == f"t{REPLACEMENT}"
    assert stored.mention.raw == {"body": "nul\x00inside", "k\x00": 1}


def test_lone_surrogates_are_replaced_and_kept_escaped_in_raw(repo: Repository) -> None:
    m = mention(1, text="half \ud83d emoji", raw={"t": "half \ud83d emoji"})
    repo.upsert_batch(batch(m), source="testsrc", query_id="q")
    stored = repo.get_mention_by_key("testsrc", "m1")
    assert stored is not None
    assert stored.mention.text == f"half {REPLACEMENT} emoji"
    assert stored.mention.raw == {"t": "half \ud83d emoji"}


def test_nul_in_a_key_is_the_same_on_both_engines(repo: Repository) -> None:
    m = mention(1)
    keyed = type(m)(**{**{f: getattr(m, f) for f in m.__slots__}, "external_id": "a\x00b"})  # type: ignore[attr-defined]
    repo.upsert_batch(batch(keyed), source="testsrc", query_id="q")
    assert repo.get_mention_by_key("testsrc", clean("a\x00b")) is not None


def test_fold_removes_accents_case_and_ligatures() -> None:
    assert fold("Électricité ŒUVRE Straße Ærø") == "electricite oeuvre strasse aero"
    assert fold("ﬁnal e\u0301") == "final e"
