"""The analysis job over a real SQLite database, and the correction -> retrain -> reanalyse loop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from analysis import analyzer as analyzer_mod
from analysis import heads, model_build
from analysis.analyzer import Analyzer
from listener.analyse import STAGES, run, stage_version, train_from_store
from listener.core.model import Author, Batch, Mention
from storage import Repository

pytestmark = pytest.mark.slow

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TEXTS = [
    "Je suis très déçu, ma box ne marche plus depuis une semaine.",
    "Merci à toute l'équipe, j'adore ce produit !",
    "How do I reset my router password?",
    "",
    "😡😡😡",
    "I'm switching to Ondea, cancelling my subscription today.",
]


def _mention(i: int, text: str) -> Mention:
    return Mention(
        source="testsrc",
        external_id=f"m{i}",
        text=text,
        author=Author(source="testsrc", external_id="u1", handle="user1"),
        published_at=T0 + timedelta(minutes=i),
        fetched_at=T0 + timedelta(hours=1),
    )


@pytest.fixture
def repo(sqlite_url: str) -> Repository:
    repository = Repository.from_url(sqlite_url)
    repository.upgrade()
    repository.upsert_batch(
        Batch(mentions=tuple(_mention(i, t) for i, t in enumerate(TEXTS)), next_cursor=None),
        source="testsrc",
        query_id="q1",
    )
    return repository


def test_run_annotates_every_mention_once(repo: Repository, analyzer_model: Analyzer) -> None:
    result = run(repo, analyzer_model, batch_size=4, now=T0)
    assert result.per_stage == {name: len(TEXTS) for name, _ in STAGES}
    for name, _ in STAGES:
        assert repo.unanalysed(name, stage_version(name, analyzer_model), 100) == []
    again = run(repo, analyzer_model, batch_size=4, now=T0)
    assert again.total == 0
    stored = repo.get_mention_by_key("testsrc", "m0")
    assert stored is not None
    by_stage = {a.stage: a for a in repo.annotations_for(stored.id)}
    assert by_stage["sentiment"].label == "negative"
    assert by_stage["language"].label == "fr"
    assert by_stage["intent"].scores["complaint"] >= 0.5
    empty = repo.get_mention_by_key("testsrc", "m3")
    assert empty is not None
    assert {a.stage for a in repo.annotations_for(empty.id)} == {name for name, _ in STAGES}


def test_run_resumes_after_a_partial_run(repo: Repository, analyzer_model: Analyzer) -> None:
    first = run(repo, analyzer_model, batch_size=2, now=T0, limit=2)
    assert first.per_stage["sentiment"] == 2
    rest = run(repo, analyzer_model, batch_size=2, now=T0)
    assert rest.per_stage["sentiment"] == len(TEXTS) - 2


def _with_heads(model: Analyzer, folder: Path) -> Analyzer:
    return analyzer_mod.Analyzer(encoder=model.encoder, headset=heads.load(folder), heads_path=folder)


def test_correction_changes_next_model(
    repo: Repository, analyzer_model: Analyzer, shared_data: Path, model_data_dir: Path, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    target = repo.get_mention_by_key("testsrc", "m1")  # clearly positive praise
    assert target is not None
    texts = [target.mention.text]
    base_folder, n = train_from_store(
        repo, analyzer_model, root=shared_data, data_dir=data_dir, now=T0, limit_per_source=60
    )
    assert n == 0
    before = _with_heads(analyzer_model, base_folder)
    labels, probs = before.sentiment(texts)
    assert labels[int(probs.argmax())] == "positive"

    repo.save_label(target.id, "sentiment", "negative")
    folder, n = train_from_store(
        repo,
        analyzer_model,
        root=shared_data,
        data_dir=data_dir,
        now=T0 + timedelta(minutes=1),
        limit_per_source=60,
    )
    assert n == 1
    assert folder != base_folder
    meta = heads.load(folder).meta
    assert meta["features"] == analyzer_model.features_id  # what they were fitted on, for mismatch checks
    assert analyzer_mod.heads_mismatch(meta, analyzer_model.runtime) is None
    labels, probs = _with_heads(analyzer_model, folder).sentiment(texts)
    assert labels[int(probs.argmax())] == "negative"

    # The newest version in the data dir wins, and reanalysing applies it to stored mentions.
    assert heads.latest(data_dir) == folder
    retrained = analyzer_mod.Analyzer(
        encoder=analyzer_model.encoder, headset=heads.load(folder), heads_path=folder
    )
    run(repo, analyzer_model, now=T0)
    redo = run(repo, retrained, now=T0)
    assert redo.per_stage["sentiment"] == len(TEXTS)
    assert redo.per_stage["language"] == 0
    by_stage = {a.stage: a for a in repo.annotations_for(target.id)}
    assert by_stage["sentiment"].label == "negative"
    assert by_stage["sentiment"].version == retrained.version
    _ = model_build
