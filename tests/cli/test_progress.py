"""Long commands show rich progress bars (on stderr): ``reanalyse`` counts each stage to the total."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from listener.cli import app
from listener.core.model import Author, Batch, Mention
from storage import Repository

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def test_reanalyse_shows_a_bar_per_stage_up_to_the_total(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    config = tmp_path / "config.yaml"
    config.write_text(f"database:\n  url: sqlite:///{db}\n", encoding="utf-8")
    repo = Repository.from_url(f"sqlite:///{db}")
    repo.upgrade()
    who = Author(source="rss", external_id="a", handle="a")
    texts = ("the new box is great", "support never answers, I am leaving", "is the app down?")
    repo.upsert_batch(
        Batch(mentions=tuple(
            Mention(source="rss", external_id=f"m{i}", text=t, author=who,
                    published_at=NOW - timedelta(hours=i), fetched_at=NOW)
            for i, t in enumerate(texts)
        ), next_cursor=None),
        source="rss", query_id="q",
    )
    repo.close()
    result = CliRunner().invoke(app, ["reanalyse", "-c", str(config)])
    assert result.exit_code == 0, result.output
    lines = [" ".join(line.split()) for line in result.output.splitlines()]
    bars = [line for line in lines if "3/3" in line]
    assert any("sentiment" in line for line in bars), result.output
    assert "analysed with" in result.output
