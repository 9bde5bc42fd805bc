"""The pure idea-box logic: votes, refusals, placement, titles, ranking and the workflow's rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from analysis.ideas.candidates import is_agreement, is_demand, refusal
from analysis.ideas.grouping import IdeaIndex, focus, group, short_title, unit
from analysis.ideas.ranking import Contribution, rank, support
from listener.idea_box.workflow import WorkflowError, check

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "+1",
        "@lumio_fr +1 !",
        "Moi aussi !",
        "moi aussi",
        "same here",
        "Je plussoie",
        "oui !",
        "Oui!!",
        "👍",
        "👍🏽👍🏽",
        "+100",
        "Me too!",
        "Yes please",
        "This!",
        "Agreed",
        "Carrément !",
        "I agree 100%",
    ],
)
def test_short_agreeing_replies_are_votes(text: str) -> None:
    assert is_agreement(text)


@pytest.mark.parametrize(
    "text",
    [
        "non",
        "+1 but not on my plan",
        "Oui, mais le prix est trop élevé pour moi franchement",
        "😂😂",
        "no",
        "Same here, and also please add a dark mode to the app",
        "pas d'accord",
        "",
        "x" * 300,
    ],
)
def test_other_replies_are_not_votes(text: str) -> None:
    assert not is_agreement(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dear Lumio, refund me or I'm leaving", True),
        ("Remboursez-moi ou je résilie", True),
        ("I am leaving for Ondea if this goes on", True),
        ("Please add a dark mode to the app", False),
        ("Ce serait top d'ajouter l'export des factures en PDF", False),
    ],
)
def test_demands_inside_complaints_are_told_apart(text: str, expected: bool) -> None:
    assert is_demand(text) is expected


def test_refusals_say_why() -> None:
    assert refusal("please add " * 200_000) == "too_long"
    assert refusal("@lumio 🙏🙏 #lumio https://x.example/y") == "no_words"
    assert refusal("Lumio, rembourse-moi ou je pars") == "demand"
    assert refusal("Lumio please add a dark mode") is None


def test_focus_and_title_keep_the_request() -> None:
    assert (
        focus("Ce serait top si Lumio ajoutait le mode sombre dans l'appli, merci")
        == "le mode sombre dans l'appli"
    )
    assert focus("It would be great if Lumio added PDF export of invoices") == "PDF export of invoices"
    assert focus("No request verb here at all") == "No request verb here at all"
    assert (
        short_title("Hello ! Au fait, @lumio devrait ajouter le mode sombre. Merci !")
        == "Lumio devrait ajouter le mode sombre."
    )
    assert len(short_title("please add " + "word " * 100)) <= 80


def _clustered(n: int, dim: int = 24, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((n // 10, dim)) * 2
    return unit(np.repeat(centres, 10, axis=0) + rng.standard_normal((n, dim)))


def test_blocked_placement_equals_one_by_one_placement() -> None:
    rows = _clustered(400)
    langs = [("fr", "en", None, "und")[i % 4] for i in range(len(rows))]
    one = IdeaIndex(rows.shape[1], threshold=0.8, cross_threshold=0.7, capacity=4)
    many = IdeaIndex(rows.shape[1], threshold=0.8, cross_threshold=0.7, capacity=4)
    singles = [one.place(r, lang) for r, lang in zip(rows, langs, strict=True)]
    blocked = many.place_many(rows, langs, block=37)
    assert [p.slot for p in singles] == [p.slot for p in blocked]
    assert 10 < len(one) < 400


def test_a_third_language_is_kept_apart_and_identical_texts_join() -> None:
    v = unit(np.ones((1, 8)))[0]
    labels = group(np.stack([v, v, v]), langs=["en", "fr", "de"])
    assert labels[0] == labels[1] != labels[2]


def test_a_cross_language_suggestion_needs_the_idea_to_lack_its_language() -> None:
    index = IdeaIndex(2, threshold=0.95, cross_threshold=0.8)
    en = unit(np.array([[1.0, 0.0]]))[0]
    fr = unit(np.array([[0.9, 0.436]]))[0]  # cosine 0.9 with en
    assert index.place(en, "en").is_new
    assert not index.place(fr, "fr").is_new  # no French member yet: 0.9 >= 0.8
    other_fr = unit(np.array([[0.6, -0.8]]))[0]  # cosine 0.6 with en, far from the French member
    assert index.place(other_fr, "fr").is_new


def _c(who: str, kind: str = "suggestion", days_ago: float = 1.0, engagement: int = 0) -> Contribution:
    return Contribution(author_key=who, kind=kind, at=NOW - timedelta(days=days_ago), engagement=engagement)  # type: ignore[arg-type]


def test_one_loud_account_cannot_outrank_several_people() -> None:
    loud = support(1, [_c("star", engagement=10**9) for _ in range(500)], now=NOW, influence={"star": 100.0})
    crowd = support(2, [_c("a"), _c("b"), _c("c", "vote")], now=NOW)
    assert loud.people == 1 and crowd.people == 3 and crowd.voters == 1
    assert [s.idea_id for s in rank([loud, crowd])] == [2, 1]


def test_bots_are_left_out_and_each_voter_counts_once() -> None:
    farm = [_c(f"bot{i}", "vote") for i in range(50)]
    result = support(
        1,
        [_c("ann"), _c("bob", "vote"), _c("bob", "vote"), *farm],
        now=NOW,
        bots=frozenset(f"bot{i}" for i in range(50)),
    )
    assert (result.people, result.voters, result.bots_left_out) == (2, 1, 50)


def test_recency_and_influence_weigh_in_but_stay_bounded() -> None:
    old = support(1, [_c("a", days_ago=60), _c("b", days_ago=60)], now=NOW)
    new = support(2, [_c("a"), _c("b")], now=NOW)
    famous = support(3, [_c("a"), _c("b")], now=NOW, influence={"a": 100.0, "b": 100.0})
    assert old.score < new.score < famous.score < new.score * 1.5 + 0.01
    assert support(4, [_c("a", days_ago=0)], now=NOW, since=NOW - timedelta(days=1)).new_people == 1


@pytest.mark.parametrize(
    ("old", "new"), [("new", "under_review"), ("under_review", "planned"), ("planned", "shipped")]
)
def test_the_workflow_moves_forward(old: str, new: str) -> None:
    check(old, new, None)


def test_the_workflow_refuses_what_it_does_not_allow() -> None:
    with pytest.raises(WorkflowError, match="cannot become"):
        check("shipped", "new", None)
    with pytest.raises(WorkflowError, match="reason"):
        check("new", "declined", "  ")
    with pytest.raises(WorkflowError, match="inconnu"):
        check("new", "done", None, "fr")
    check("new", "declined", "already on the roadmap of the app v3")
