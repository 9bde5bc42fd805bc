"""Erasing an author (GDPR) leaves none of their words in the idea box, on SQLite and PostgreSQL.

Their suggestions and votes go by cascade; what this checks is what the cascades miss: an idea
titled after their suggestion, the rename note and the replies drafted to the other supporters that
quote that title, and a title naming them. The people and texts are our own inventions.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from idea_world import QUERIES, World

from analysis.ideas.grouping import idea_vectors, short_title
from analysis.ideas.lexical import LexicalEmbedder
from listener.idea_box.grouping_job import refresh_ideas
from listener.idea_box.workflow import change_status
from storage import Repository
from storage.erasure import FORGOTTEN_TEXT
from storage.erasure_ideas import quotes
from storage.idea_records import IdeaRecord

SECRET_WORD = "zorglub"
"""A word only Bea wrote."""
IDEA_TABLES = ("ideas", "idea_events", "idea_replies")


def _dump(repo: Repository) -> str:
    def work(conn: sa.Connection) -> str:
        return "\n".join(
            " | ".join(str(v) for v in row)
            for table in IDEA_TABLES
            for row in conn.execute(sa.text(f"select * from {table}"))
        )

    return repo.database.read(work)


def _refresh(world: World, lexical: LexicalEmbedder) -> None:
    refresh_ideas(world.repo, lexical, QUERIES, threshold=0.3, cross_threshold=0.3)


@pytest.fixture
def idea(world: World, lexical: LexicalEmbedder) -> int:
    """One idea titled after Bea's suggestion, with Ann's close one and Dan's vote."""
    first = world.post(f"Lumio please add a {SECRET_WORD} dark mode to the mobile app", who="bea")
    _refresh(world, lexical)
    world.post("Lumio please add a dark mode to the mobile app", who="ann")
    world.post("@lumio +1", who="dan", reply_to=first, intents=())
    _refresh(world, lexical)
    [found] = world.repo.ideas().search()
    assert SECRET_WORD in found.title.lower()  # the probe: the title quotes Bea
    return found.id


def test_a_title_quoting_the_author_is_blanked_then_made_again(
    world: World, repo: Repository, lexical: LexicalEmbedder, idea: int
) -> None:
    change_status(repo, idea, "planned", actor="cm")
    assert SECRET_WORD in _dump(repo)  # Ann's and Dan's drafted replies quote the title

    repo.erase_author("t", "bea")

    assert SECRET_WORD not in _dump(repo).lower() and "bea" not in _dump(repo)
    found = repo.ideas().get(idea)
    assert found is not None and found.title == FORGOTTEN_TEXT
    replies = sorted((r.handle, r.text) for r in repo.ideas().replies(idea))
    assert [h for h, _ in replies] == ["ann", "dan"] and all(FORGOTTEN_TEXT in t for _, t in replies)
    assert repo.ideas().blanked() == [idea]
    _refresh(world, lexical)  # nothing new: the blanked title is made from the suggestions left
    again = repo.ideas().get(idea)
    assert again is not None and again.title == "Lumio please add a dark mode to the mobile app"
    assert repo.ideas().blanked() == []


def test_a_managers_title_stays_and_the_rename_note_loses_the_quote(
    world: World, repo: Repository, idea: int
) -> None:
    repo.ideas().rename(idea, "Dark mode", actor="cm")
    repo.erase_author("t", "bea")
    found = repo.ideas().get(idea)
    assert found is not None and (found.title, found.is_title_locked) == ("Dark mode", True)
    notes = [e.note for e in repo.ideas().history(idea) if e.kind == "renamed"]
    assert notes == [f"{FORGOTTEN_TEXT} -> Dark mode"]
    assert SECRET_WORD not in _dump(repo).lower()


def _idea_naming_bea(world: World, repo: Repository, lexical: LexicalEmbedder) -> IdeaRecord:
    """One idea from cat's suggestion naming @bea_h (who posted something else), grouped."""
    world.post("Lumio should export invoices as PDF files like @bea_h said", who="cat")
    world.post("Nice weather today in Lyon", who="bea_h", intents=())
    _refresh(world, lexical)
    [found] = repo.ideas().search()
    return found


def test_a_title_naming_the_author_loses_the_name(
    world: World, repo: Repository, lexical: LexicalEmbedder
) -> None:
    found = _idea_naming_bea(world, repo, lexical)
    assert "bea_h" in found.title.lower()
    repo.erase_author("t", "bea_h")
    again = repo.ideas().get(found.id)
    assert again is not None and "bea_h" not in again.title.lower() and "PDF" in again.title


@pytest.mark.parametrize(
    "text",
    [
        "Hello! @Lumio please add a #darkmode to the app https://x.example/y, it would help at night",
        "Bonjour, au fait: Lumio devrait ajouter le mode sombre. Merci d'avance pour tout le travail",
        "great app. Could you PLEASE add dark mode to the iPhone widget of Lumio, which is too bright?",
    ],
)
def test_every_short_title_of_a_text_quotes_it(text: str) -> None:
    for width in (80, 60, 30):
        assert quotes(short_title(text, width=width), [text])
    assert not quotes("Lumio please add PDF invoices", [text])
    assert not quotes("…", [text])


def _member_vectors(repo: Repository) -> dict[int, bytes]:
    query = sa.text("select mention_id, vector from idea_members")
    return repo.database.read(lambda conn: {int(m): bytes(v) for m, v in conn.execute(query)})


def test_a_scrubbed_suggestion_loses_its_vector_and_is_embedded_again(
    world: World, repo: Repository, lexical: LexicalEmbedder
) -> None:
    found = _idea_naming_bea(world, repo, lexical)
    [(member, old)] = _member_vectors(repo).items()
    assert old  # the probe: placed by the vector of the text naming her

    repo.erase_author("t", "bea_h")

    assert _member_vectors(repo) == {member: b""}  # nothing embedded from the old text is left
    [(stale, text)] = repo.ideas().unembedded()
    assert (stale, text) == (member, "Lumio should export invoices as PDF files like @[forgotten] said")
    _refresh(world, lexical)  # the next run embeds the scrubbed text, the suggestion keeps its idea
    assert _member_vectors(repo) == {member: idea_vectors(lexical, [text])[0].astype("<f4").tobytes()}
    assert repo.ideas().unembedded() == [] and repo.ideas().idea_of([member]) == {member: found.id}
