"""The topic matcher: a hand-written table of French and English cases, properties, and bad input."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.matching import TopicMatch, TopicMatcher
from listener.core.model import Author, Mention
from listener.core.query import QuerySyntaxError, fold

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def mention(text: str, **fields: object) -> Mention:
    author = fields.pop("author", None) or Author(source="twitter", external_id="42", handle="someone")
    source = str(fields.pop("source", "twitter"))
    external_id = str(fields.pop("external_id", "1"))
    return Mention(source=source, external_id=external_id, text=text, author=author,  # type: ignore[arg-type]
                   published_at=NOW, fetched_at=NOW, **fields)


def matches(query: str, text: str, **fields: object) -> bool:
    return bool(TopicMatcher.compile([("t", query)]).match(mention(text, **fields)))


# (query, text, expected): written by hand, French and English.
CASES = [
    # case, accents, ligatures
    ("acme", "I love ACME", True),
    ("Crème", "la creme brulee", True),
    ("creme", "la CRÈME brûlée", True),
    ("œuvre", "une belle OEUVRE", True),
    ("oeuvre", "une belle Œuvre", True),
    ("coeur", "de tout cœur", True),
    ("Straße", "die STRASSE", True),
    ("strasse", "die Straße", True),
    ("finance", "la ﬁnance", True),
    ("ecole", "l’École est fermée", True),
    # never inside another word
    ("acme", "acmeshop is great", False),
    ("acme", "the pacme thing", False),
    ("cat", "concatenate", False),
    ("art", "d'art", True),
    ("ban", "bandwidth banal", False),
    # elisions and apostrophes
    ("appli", "L'appli plante encore", True),
    ("l'appli", "mon appli plante", True),
    ("appli", "j’adore l’appli", True),
    ("offre", "qu'offre la marque ?", True),
    ("avis", "c'est n'importe quoi, s'avis", True),
    ('"service client"', "le service-client d'Acme", True),
    # hyphens
    ("e-commerce", "le e-commerce explose", True),
    ("e-commerce", "le e commerce explose", True),
    ("e-commerce", "le ecommerce explose", False),
    ('"saint etienne"', "à Saint-Étienne", True),
    # phrases and proximity
    ('"late delivery"', "a late delivery again", True),
    ('"late delivery"', "delivery was late", False),
    ('"late delivery"~3', "delivery was very late", True),
    ('"late delivery"~1', "the delivery was very late", False),
    ('"livraison retard"~2', "la livraison est en retard", True),
    ('"very very good"~0', "very good, good", False),
    ('"very very good"~0', "good very very", True),
    ('"very very good"~1', "very good very", True),
    # wildcards
    ("factur*", "Ma facture est fausse", True),
    ("factur*", "la FACTURATION bloque", True),
    ("factur*", "refacturé", False),
    ("rembours*", "remboursement refusé", True),
    # boolean logic
    ("acme -job", "acme is hiring, great job", False),
    ("acme -job", "acme is great", True),
    ("acme NOT (job OR hiring)", "acme is hiring", False),
    ("(acme OR widget) AND (broken OR cassé)", "Mon widget est cassé", True),
    ("(acme OR widget) AND (broken OR cassé)", "Mon widget est neuf", False),
    ("acme OR widget refund", "widget without", False),
    ("acme OR widget refund", "refund my widget", True),
    ("and or not", "this and that or not", True),
    # emoji
    ("🔥", "acme 🔥🔥", True),
    ("acme 👍", "acme 👍🏽 super", True),
    ("acme 👎", "acme 👍", False),
    # URLs, hashtags, handles
    ("acme", "see https://acme.example/path", False),
    ("site:acme.com", "read https://blog.acme.com/post", True),
    ("site:acme.com", "read https://notacme.com/post", False),
    ("site:acme.com/blog", "https://acme.com/blog/2024/x", True),
    ("site:acme.com/blog", "https://acme.com/blogging", False),
    ("#AcmeDay", "Happy #acmeday everyone", True),
    ("#AcmeDay", "Happy acmeday everyone", False),
    ("acmeday", "Happy #AcmeDay everyone", True),
    ("@acme_support", "Hey @ACME_Support help", True),
    ("@acme_support", "mail acme_support@example.com", False),
    # regex metacharacters are plain text
    ("c++", "I write c++ and c", True),
    (".NET", "we use .net here", True),
    ("a|b", "a b", True),
    ('"(acme)"', "[acme] rocks", True),
    # mixed scripts
    ("東京", "東京タワーに行った", True),
    ("Москва", "я люблю МОСКВА", True),
    ("ελλαδα", "Ελλάδα!", True),
]


@pytest.mark.parametrize(("query", "text", "expected"), CASES)
def test_hand_written_cases(query: str, text: str, expected: bool) -> None:
    assert matches(query, text) is expected


def test_the_table_is_large_enough() -> None:
    assert len(CASES) >= 40


def test_fields_lang_source_author_and_structured_tags() -> None:
    acme_fr = Author(source="mastodon", external_id="109", handle="acme_fr@mastodon.social")
    assert matches("acme lang:fr", "acme", lang="fr-CA")
    assert not matches("acme lang:fr", "acme", lang="en")
    assert not matches("acme lang:fr", "acme")
    assert matches("acme source:reddit", "acme", source="reddit")
    assert not matches("acme source:reddit", "acme", source="twitter")
    assert matches("author:acme_fr", "anything", author=acme_fr)
    assert matches("author:@ACME_FR@mastodon.social", "anything", author=acme_fr)
    assert matches("#acme", "no tag in text", hashtags=("Acme",))
    assert matches("@acme", "no handle in text", mentioned_handles=("acme@mastodon.social",))
    assert matches("site:acme.com", "no link in text", links=("https://www.acme.com/x",))
    assert matches("site:acme.com", "article", url="https://news.acme.com/a")


def test_title_and_body_both_count_but_a_phrase_never_spans_them() -> None:
    assert matches("recall", "details inside", title="Acme recall")
    assert not matches('"recall details"', "details inside", title="Acme recall")


def test_terms_explain_the_match_and_skip_negated_ones() -> None:
    matcher = TopicMatcher.compile([
        ("acme", 'acme OR "late delivery"~3 OR factur* -spam'),
        ("widget", "widget"),
        ("competitor", "globex"),
    ])
    result = matcher.match(mention("Acme: delivery really late, facture fausse"))
    assert result == [TopicMatch("acme", ("acme", '"late delivery"~3', "factur*"))]
    many = matcher.match_many([mention("widget and globex"), mention("nothing here")])
    assert many == [[TopicMatch("widget", ("widget",)), TopicMatch("competitor", ("globex",))], []]
    assert matcher.topic_ids == ("acme", "widget", "competitor")


def test_prefixes_of_different_lengths_are_all_found() -> None:
    matcher = TopicMatcher.compile([("short", "fa*"), ("long", "factur*"), ("other", "refund*")])
    assert [m.topic_id for m in matcher.match(mention("Ta facture, l'facturation"))] == ["short", "long"]
    assert [m.topic_id for m in matcher.match(mention("pre_refunding_x"))] == ["other"]
    assert matcher.match(mention("prefacture")) == []


def test_a_bad_topic_query_names_the_topic_and_column() -> None:
    with pytest.raises(QuerySyntaxError) as info:
        TopicMatcher.compile([("ok", "acme"), ("broken", "acme OR (widget")])
    assert "topic 'broken'" in str(info.value)
    assert info.value.column == 9


def test_a_ten_thousand_term_query_compiles_and_matches() -> None:
    words = [f"brand{i}" for i in range(10_000)]
    matcher = TopicMatcher.compile([("big", " OR ".join(words)), ("all", " ".join(words[:2000]))])
    assert matcher.match(mention("we talk about brand9999 today")) == [TopicMatch("big", ("brand9999",))]
    assert matcher.match(mention("brand1 brand12")) == [TopicMatch("big", ("brand1", "brand12"))]
    assert matcher.match(mention(" ".join(words[:2000]))) != []


def test_long_hostile_text_stays_fast_enough_to_finish() -> None:
    # Classic catastrophic-backtracking inputs for naive regexes; here they are just long texts.
    matcher = TopicMatcher.compile([("t", '"a a a a a b"~5 OR aaaa* OR "x y"')])
    assert matcher.match(mention("a " * 20_000)) == []
    assert matcher.match(mention("a" * 50_000 + "!")) != []
    assert matcher.match(mention("x " * 10_000 + "y")) != []


TOPICS = [
    ("brand", 'acme OR "acme corp" OR #acme OR @acme_fr'),
    ("complaint", '(acme OR widget) ("late delivery"~2 OR rembours* OR arnaque OR cassé)'),
    ("fr", "(crème OR œuvre OR straße OR l'appli) -spam"),
    ("emoji", "widget 👎"),
    ("site", "site:acme.com OR élève"),
]
_matcher = TopicMatcher.compile(TOPICS)
alphabet = "acmeACMEwidgetWIDGETlatedeliveryrembourséèêëœŒßÆæﬁ'’- #@👎🔥.:/crmunppliaeoEOLtrS"
words = st.sampled_from([
    "acme", "ACMÉ", "Acme", "corp", "widget", "WIDGET", "late", "délivery", "delivery", "Remboursement",
    "arnaque", "ARNAQUÉ", "cassé", "CASSE", "crème", "CREME", "œuvre", "OEUVRE", "Straße", "STRASSE",
    "l'appli", "L’APPLI", "spam", "SPÄM", "👎", "#acme", "#ÀCME", "@acme_fr", "élève", "ELEVE",
    "https://acme.com/x", "le", "la", "très", "and",
])


@settings(max_examples=300)
@given(st.lists(st.one_of(words, st.text(alphabet=alphabet, max_size=6)), max_size=20))
def test_folding_case_and_accents_of_the_text_never_changes_the_result(parts: list[str]) -> None:
    text = " ".join(parts)
    expected = _matcher.match(mention(text))
    for variant in (fold(text), text.upper(), text.lower(), unicodedata.normalize("NFD", text),
                    unicodedata.normalize("NFKC", text)):
        assert _matcher.match(mention(variant)) == expected, variant


@settings(max_examples=200)
@given(st.lists(words, min_size=1, max_size=12))
def test_folding_the_query_never_changes_the_result(parts: list[str]) -> None:
    text = " ".join(parts)
    def fold_words(query: str) -> str:
        return " ".join(w if w in {"OR", "AND", "NOT"} else fold(w) for w in query.split(" "))

    folded_topics = TopicMatcher.compile([(tid, fold_words(q)) for tid, q in TOPICS])
    assert [m.topic_id for m in folded_topics.match(mention(text))] == [
        m.topic_id for m in _matcher.match(mention(text))]
