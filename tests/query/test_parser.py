"""The query parser: canonical printing round-trips, precedence, and clear errors with columns."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from listener.core.errors import ConfigError
from listener.core.query import QuerySyntaxError, ast, parse, to_text
from listener.core.query.ast import And, Handle, Hashtag, Lang, Not, Or, Phrase, Prefix, Site, Source, Term

LETTERS = "abcdefghijklmnopqrstuvwxyzéèàçœæßüABCÉÀÇŒ0123456789"
word = st.text(alphabet=LETTERS, min_size=1, max_size=8).filter(lambda w: w not in {"AND", "OR", "NOT"})
compound = st.one_of(
    word,
    st.builds(lambda a, b: f"{a}-{b}", word, word),
    st.builds(lambda a: f"l'{a}", word),
    st.builds(lambda a: f"qu’{a}", word),
)
phrase_word = st.one_of(compound, st.builds(lambda a, c: a + c, word, st.sampled_from(['"', "\\", "!", "("])))
ascii_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
literal = st.one_of(
    compound.map(Term),
    st.builds(Phrase, st.lists(phrase_word, min_size=1, max_size=4).map(tuple),
              st.one_of(st.none(), st.integers(0, 100))),
    st.text(alphabet=LETTERS, min_size=1, max_size=8).map(Prefix),
    st.text(alphabet=LETTERS + "_", min_size=1, max_size=8).map(Hashtag),
    st.builds(lambda a, b: f"{a}{b}", ascii_word, st.sampled_from(["", "_fr", ".bsky.social", "@m.social"]))
    .map(Handle),
    st.builds(Site, st.builds(lambda a, b: f"{a}.{b}", ascii_word, st.sampled_from(["com", "fr", "co.uk"])),
              st.sampled_from(["", "/blog", "/fr/Produits"])),
    st.sampled_from(["fr", "en", "de", "fra"]).map(Lang),
    st.sampled_from(["reddit", "twitter", "rss", "hackernews"]).map(Source),
    st.one_of(ascii_word, st.builds(lambda a, b: f"{a} {b}", word, word),
              st.builds(lambda a: a + '"q', word)).map(ast.Author),
)
trees = st.recursive(
    literal,
    lambda children: st.one_of(
        st.lists(children, min_size=2, max_size=4).map(lambda xs: ast.and_(*xs)),
        st.lists(children, min_size=2, max_size=4).map(lambda xs: ast.or_(*xs)),
        children.map(ast.not_),
    ),
    max_leaves=12,
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(trees)
def test_printing_then_parsing_gives_back_the_same_tree(tree: ast.Node) -> None:
    assume(ast.is_anchored(tree))
    text = to_text(tree)
    assert parse(text) == tree, text


@settings(max_examples=400)
@given(st.text(alphabet=LETTERS + ' ()"*#@:-~_.\'/ ANDORNOT', max_size=40))
def test_any_text_parses_to_a_stable_tree_or_fails_with_a_column(text: str) -> None:
    try:
        tree = parse(text)
    except QuerySyntaxError as err:
        assert 1 <= err.column <= len(text) + 1
        assert err.caret_line.endswith("^")
        return
    assert parse(to_text(tree)) == tree


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("acme", Term("acme")),
        ("acme widget", And((Term("acme"), Term("widget")))),
        ("a OR b c", Or((Term("a"), And((Term("b"), Term("c")))))),
        ("a b OR c", Or((And((Term("a"), Term("b"))), Term("c")))),
        ("NOT a b", And((Not(Term("a")), Term("b")))),
        ("b NOT a OR c", Or((And((Term("b"), Not(Term("a")))), Term("c")))),
        ("b -a", And((Term("b"), Not(Term("a"))))),
        ("e-commerce", Term("e-commerce")),
        ("b NOT NOT a", And((Term("b"), Term("a")))),
        ("(a OR b) AND c", And((Or((Term("a"), Term("b"))), Term("c")))),
        ('"late delivery"~3', Phrase(("late", "delivery"), 3)),
        ('"late  delivery"', Phrase(("late", "delivery"), None)),
        ("factur*", Prefix("factur")),
        ("#Acme @acme_fr", And((Hashtag("Acme"), Handle("acme_fr")))),
        ("url:https://www.Acme.com/Blog/", Site("acme.com", "/Blog")),
        ("site:acme.com", Site("acme.com")),
        ("acme lang:FR source:Reddit", And((Term("acme"), Lang("fr"), Source("reddit")))),
        ('author:"Jean Dupont"', ast.Author("Jean Dupont")),
        ("author:@acme_support", ast.Author("acme_support")),
        ("and or not", And((Term("and"), Term("or"), Term("not")))),
        ("a.b+c", Term("a.b+c")),
    ],
)
def test_precedence_and_literals(text: str, expected: ast.Node) -> None:
    assert parse(text) == expected


def test_regex_metacharacters_are_plain_text() -> None:
    assert parse(r"c++ OR .NET OR [x] OR a|b OR \d") == Or(
        (Term("c++"), Term(".NET"), Term("[x]"), Term("a|b"), Term("\\d")))


@pytest.mark.parametrize(
    ("text", "column", "fragment"),
    [
        ("", 1, "empty query"),
        ("   ", 1, "empty query"),
        ("(acme OR widget", 1, "never closed"),
        ("acme OR widget)", 15, "no matching '('"),
        ("acme ((widget)", 6, "never closed"),
        ("acme OR", 8, "ends where a term is expected"),
        ("OR acme", 1, "OR needs a term"),
        ("acme AND AND widget", 10, "AND needs a term"),
        ('"late delivery', 1, "unclosed quote"),
        ('""', 1, "empty phrase"),
        ('"late delivery"~', 16, "proximity needs a number"),
        ('"late delivery"~500', 17, "at most"),
        ("fact*ure", 5, "only at the end"),
        ("e-*", 1, "one word"),
        ("lnag:fr acme", 1, "unknown field 'lnag:'"),
        ("acme lang:", 6, "lang: needs a value"),
        ("acme lang:french", 11, "language code"),
        ("acme site:not_a_domain!", 11, "site: takes a domain"),
        ("#", 1, "hashtag"),
        ("acme @", 6, "handle"),
        ("NOT acme", 1, "almost every mention"),
        ("lang:fr source:reddit", 1, "almost every mention"),
        ("acme OR NOT widget", 1, "almost every mention"),
        ("!!! ???", 1, "no letters"),
        ("()", 2, "empty parentheses"),
    ],
)
def test_errors_name_the_column(text: str, column: int, fragment: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse(text)
    err = info.value
    assert fragment in err.message
    assert err.column == column
    lines = str(err).splitlines()
    assert lines[1] == "  " + text
    assert lines[2] == "  " + " " * (column - 1) + "^"
    assert isinstance(err, ConfigError)


def test_deep_nesting_is_refused_not_a_recursion_error() -> None:
    with pytest.raises(QuerySyntaxError, match="nest more than"):
        parse("(" * 5000 + "acme" + ")" * 5000)
    assert parse("(" * 60 + "acme" + ")" * 60) == Term("acme")


def test_long_negation_chains_do_not_recurse() -> None:
    assert parse("acme " + "NOT " * 10_001 + "spam") == And((Term("acme"), Not(Term("spam"))))


def test_a_ten_thousand_term_query_parses() -> None:
    words = [f"brand{i}" for i in range(10_000)]
    tree = parse(" OR ".join(words))
    assert isinstance(tree, Or)
    assert len(tree.items) == 10_000
    tree = parse(" ".join(words))
    assert isinstance(tree, And)
    assert len(tree.items) == 10_000


def test_mixed_scripts_parse() -> None:
    tree = parse('東京 OR Москва OR "مرحبا بكم" OR Ελλάδα OR 🍕')
    assert isinstance(tree, Or)
    assert len(tree.items) == 5
