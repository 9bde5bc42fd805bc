"""``listener classify`` works in a folder without config.yaml (defaults, model in the user cache)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analysis import model_build
from analysis.analyzer import Analyzer
from listener.cli import app

pytestmark = pytest.mark.slow


def test_classify_runs_without_a_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_data_dir: Path, analyzer_model: Analyzer
) -> None:
    # The encoder built (and exported) by the session fixture is shared through LISTENER_MODEL_DIR,
    # as an operator would share one model folder; the cache folder comes from XDG_CACHE_HOME.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LISTENER_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv(model_build.MODEL_DIR_ENV, str(model_build.model_dir(model_data_dir)))
    result = CliRunner().invoke(app, ["classify"], input="Merci, service au top !\nMy order never arrived.\n")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [r["sentiment"]["label"] for r in rows] == ["positive", "negative"]
    said = " ".join(result.stderr.split())  # rich wraps long lines
    assert "no config.yaml here" in said and "pas de config.yaml ici" in said


def test_a_named_config_that_is_missing_is_still_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["classify", "--config", str(tmp_path / "nope.yaml")], input="hi\n")
    assert result.exit_code == 2
    assert "no such config file" in " ".join(result.output.split())
