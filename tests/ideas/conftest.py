"""Idea-box fixtures: a migrated repository on each engine, a hand-moved clock, the lexical embedder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from idea_world import Clock, World

from analysis.ideas.lexical import LexicalEmbedder
from storage import Repository


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def repo(db_url: str, clock: Clock) -> Iterator[Repository]:
    repository = Repository.from_url(db_url, clock=clock)
    repository.upgrade()
    yield repository
    repository.close()


@pytest.fixture
def world(repo: Repository) -> World:
    return World(repo)


@pytest.fixture(scope="session")
def lexical() -> LexicalEmbedder:
    return LexicalEmbedder()
