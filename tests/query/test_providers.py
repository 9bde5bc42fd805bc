"""Translation to provider search syntaxes: never narrower than the topic, split where needed.

The syntaxes are the ones the connectors declare (``search_syntax`` on each class, collected in
``connectors.SEARCH_SYNTAXES``); the translation itself is the query language's.
"""

from __future__ import annotations

import pytest

from connectors import SEARCH_SYNTAXES, search_syntax
from listener.core.query import (
    ProviderQuery,
    QuerySyntaxError,
    UntranslatableQueryError,
)
from listener.core.query import translate as translate_to

PROVIDERS = tuple(SEARCH_SYNTAXES)


def translate(expression: str, provider: str) -> list[ProviderQuery]:
    return translate_to(expression, search_syntax(provider))


def texts(expression: str, provider: str) -> list[str]:
    return [q.text for q in translate(expression, provider)]


def test_every_provider_is_known() -> None:
    assert set(PROVIDERS) == {"twitter", "reddit", "mastodon", "bluesky", "hackernews", "news"}
    with pytest.raises(ValueError, match="unknown provider"):
        translate("acme", "myspace")


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_plain_word_is_exact_everywhere(provider: str) -> None:
    assert translate("ACME", provider) == [ProviderQuery("acme", False)]


@pytest.mark.parametrize("provider", ["twitter", "reddit", "news"])
def test_accented_words_are_searched_with_and_without_accents_where_or_exists(provider: str) -> None:
    assert texts("Crème", provider) == ["creme OR crème"]
    assert texts('"crème brûlée"', provider) == ['"creme brulee" OR "crème brûlée"']
    negation = "NOT " if provider == "reddit" else "-"
    # Under NOT only the folded spelling: an accent-sensitive search then excludes less, never more.
    assert texts("acme -brûlée", provider) == [f"acme {negation}brulee"]


@pytest.mark.parametrize("provider", ["mastodon", "bluesky", "hackernews"])
def test_providers_without_or_get_the_folded_spelling(provider: str) -> None:
    assert texts("Crème", provider) == ["creme"]


def test_twitter_keeps_its_operators() -> None:
    query = '(acme OR "acme corp") -job #AcmeDay @acme_fr site:acme.com author:acme_ceo lang:fr'
    assert translate(query, "twitter") == [ProviderQuery(
        '(acme OR "acme corp") -job #AcmeDay @acme_fr url:acme.com from:acme_ceo lang:fr', False)]


def test_proximity_is_widened_to_both_words_and_flagged() -> None:
    assert translate('"late delivery"~3', "twitter") == [ProviderQuery("late delivery", True)]
    assert translate('"late delivery"', "twitter") == [ProviderQuery('"late delivery"', False)]


def test_a_negated_proximity_is_narrowed_before_negation() -> None:
    # -"late delivery" excludes fewer mentions than -(late delivery), so the query stays wide enough.
    assert texts('acme -"late delivery"~3', "twitter") == ['acme -"late delivery"']


def test_a_wildcard_is_dropped_with_a_flag_or_refused_alone() -> None:
    assert translate("acme factur*", "twitter") == [ProviderQuery("acme", True)]
    assert texts("acme -factur*", "twitter") == ["acme -factur"]
    with pytest.raises(UntranslatableQueryError) as info:
        translate("factur*", "twitter")
    assert info.value.provider == "twitter"
    with pytest.raises(UntranslatableQueryError):
        translate("factur* -spam", "reddit")


def test_elisions_hyphens_and_accents_use_folded_tokens() -> None:
    assert texts("l'appli e-commerce Crème", "hackernews") == ['appli "e commerce" creme']
    assert texts("l’Œuvre", "news") == ["oeuvre OR œuvre"]


def test_reddit_spells_not_and_has_no_hashtags() -> None:
    assert translate("acme NOT (job OR hiring) #AcmeDay", "reddit") == [
        ProviderQuery("acme NOT (job OR hiring) acmeday", True)]
    assert translate("acme -job", "reddit") == [ProviderQuery("acme NOT job", False)]


@pytest.mark.parametrize("provider", ["mastodon", "bluesky", "hackernews"])
def test_providers_without_or_get_one_query_per_alternative(provider: str) -> None:
    result = texts("(acme OR widget) (review OR avis)", provider)
    assert sorted(result) == ["acme avis", "acme review", "widget avis", "widget review"]


def test_bluesky_cannot_negate_so_it_widens() -> None:
    assert translate("acme -job", "bluesky") == [ProviderQuery("acme", True)]
    assert translate("acme -job", "mastodon") == [ProviderQuery("acme -job", False)]


def test_negated_groups_become_negated_words_where_groups_are_not_allowed() -> None:
    assert translate("acme NOT (job OR hiring)", "news") == [ProviderQuery("acme -job -hiring", False)]
    assert translate("acme NOT (job offer)", "news") == [ProviderQuery("acme", True)]


def test_source_is_resolved_exactly() -> None:
    assert translate("acme source:reddit", "reddit") == [ProviderQuery("acme", False)]
    assert translate("acme source:reddit", "twitter") == []
    assert texts("acme OR (widget source:reddit)", "twitter") == ["acme"]
    assert texts("acme source:rss", "news") == ["acme"]


def test_the_x_length_limit_splits_into_queries_covering_every_term() -> None:
    words = [f"brandname{i}" for i in range(200)]
    result = translate("(" + " OR ".join(words) + ") -spam", "twitter")
    assert len(result) > 1
    assert all(len(q.text) <= 512 for q in result)
    assert not any(q.is_widened for q in result)
    written = " ".join(q.text.replace("(", " ").replace(")", " ") for q in result)
    covered = [w for w in written.split() if w.startswith("brand")]
    assert sorted(covered) == sorted(words)
    assert all(q.text.endswith("-spam") for q in result)


def test_a_long_conjunction_over_the_limit_is_widened_not_cut_arbitrarily() -> None:
    result = translate("acme " + " ".join(f"-excluded{i}" for i in range(100)), "twitter")
    assert len(result) == 1
    assert result[0].is_widened
    assert result[0].text.startswith("acme ")
    assert len(result[0].text) <= 512


def test_too_many_combinations_are_widened() -> None:
    query = " ".join(f"(a{i} OR b{i})" for i in range(8))  # 256 combinations
    result = translate(query, "hackernews")
    assert 1 <= len(result) <= 16
    assert all(q.is_widened for q in result)


def test_a_ten_thousand_term_query_translates() -> None:
    result = translate(" OR ".join(f"w{i}" for i in range(10_000)), "twitter")
    assert all(len(q.text) <= 512 for q in result)
    assert sum(q.text.count(" OR ") + 1 for q in result) == 10_000


def test_bad_syntax_is_reported_before_translation() -> None:
    with pytest.raises(QuerySyntaxError):
        translate("(acme", "twitter")
