"""The ideas job on real storage (SQLite and PostgreSQL): grouping, votes, refusals, scopes, idempotence."""

from __future__ import annotations

from idea_world import QUERIES, World

from analysis.ideas.lexical import LexicalEmbedder
from listener.idea_box.grouping_job import IdeasRun, refresh_ideas
from storage import Repository

LEX_THRESHOLD = 0.45


def _run(repo: Repository, embed: LexicalEmbedder) -> IdeasRun:
    return refresh_ideas(repo, embed, QUERIES, threshold=LEX_THRESHOLD, cross_threshold=LEX_THRESHOLD)


def test_suggestions_group_votes_count_and_a_second_run_changes_nothing(
    world: World, repo: Repository, lexical: LexicalEmbedder
) -> None:
    first = world.post("Lumio please add a dark mode to the mobile app", who="ann")
    world.post("A dark mode in the Lumio mobile app please, my eyes hurt", who="bob")
    world.post("Lumio should export invoices as PDF files", who="cat")
    world.post("@lumio +1", who="dan", reply_to=first, intents=())
    world.post("@lumio moi aussi !", who="eve", reply_to=first, intents=(), lang="fr")
    world.post("Lumio my bill doubled, this is a disgrace", who="fay", intents=("complaint",))
    run = _run(repo, lexical)
    assert (run.opened, run.placed, run.votes) == (2, 3, 2)
    ideas = repo.ideas().search()
    assert sorted(len(p) for p in repo.ideas().posts([i.id for i in ideas]).values()) == [1, 4]
    dark = next(i for i in ideas if "dark mode" in i.title.lower())
    assert dark.scope == "brand:lumio" and dark.status == "new"
    again = _run(repo, lexical)
    assert (again.opened, again.placed, again.votes, again.scanned) == (
        0,
        0,
        0,
        1,
    )  # the complaint is re-read
    assert len(repo.ideas().search()) == 2


def test_a_later_suggestion_joins_the_idea_opened_in_an_earlier_run(
    world: World, repo: Repository, lexical: LexicalEmbedder
) -> None:
    world.post("Lumio please add a dark mode to the mobile app", who="ann")
    _run(repo, lexical)
    world.post("Please Lumio, a dark mode for the mobile app", who="bob")
    run = _run(repo, lexical)
    assert (run.opened, run.placed) == (0, 1)
    (idea,) = repo.ideas().search()
    assert len(repo.ideas().posts([idea.id])[idea.id]) == 2


def test_competitor_and_campaign_ideas_are_ranked_apart(
    world: World, repo: Repository, lexical: LexicalEmbedder
) -> None:
    world.post("Ondea should add a dark mode to its app", who="ann", topic="ondea")
    world.post("Lumio please add a dark mode to the mobile app", who="bob")
    world.post(
        "#LumioIdees une appli pour suivre ma consommation", who="cat", topic="idees", intents=(), lang="fr"
    )
    _run(repo, lexical)
    assert sorted(i.scope for i in repo.ideas().search()) == [
        "brand:lumio",
        "campaign:idees",
        "competitor:ondea",
    ]


def test_bad_input_is_refused_with_a_reason_or_kept_apart(
    world: World, repo: Repository, lexical: LexicalEmbedder
) -> None:
    world.post("Lumio please add " + "a dark mode " * 90_000, who="spam")  # ~1 MB
    world.post("@lumio 🙏🙏🙏 ✨ #lumio", who="emoji")
    world.post("Lumio refund me or I'm leaving, add a discount!", who="angry")
    world.post("@lumio +1", who="late", reply_to="deleted-post", intents=())
    world.post("@lumio 👍", who="thumb", reply_to="deleted-post-2", intents=())
    world.post("Lumio bitte einen dunklen Modus in der App", who="de", lang="de")
    world.post("Lumio bitte einen dunklen Modus in der App hinzufügen", who="en", lang="en")
    run = _run(repo, lexical)
    assert dict(run.refused) == {"too_long": 1, "no_words": 1, "demand": 1, "parent_unknown": 2}
    assert repo.ideas().refusals() == dict(run.refused)
    langs = sorted(i.lang or "" for i in repo.ideas().search())
    assert langs == ["de", "en"]  # same words, but German is kept apart from the French/English pool


def test_the_same_suggestion_500_times_by_one_account_is_one_idea_with_one_supporter(
    world: World, repo: Repository, lexical: LexicalEmbedder
) -> None:
    from listener.idea_box.board import Crowd, board

    world.repeat("Lumio add a dark mode now", 500, who="loud", likes=10_000)
    world.post("Lumio please export invoices as PDF", who="ann")
    world.post("Lumio, PDF export of invoices would help", who="bob")
    run = _run(repo, lexical)
    assert run.opened == 2
    rows = board(repo, now=world.repo.ideas().search()[0].created_at, crowd=Crowd())
    assert [r.support.people for r in rows] == [2, 1]  # two people beat one very loud account
