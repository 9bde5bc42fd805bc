"""``listener init`` writes the shipped config, which validates as it is and refuses to clobber."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from listener.cli import app
from listener.config import load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_init_writes_a_valid_config_identical_to_the_example(tmp_path: Path) -> None:
    target = tmp_path / "config.yaml"
    result = CliRunner().invoke(app, ["init", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == (ROOT / "config.yaml").read_text(encoding="utf-8")
    settings = load_settings(target)
    assert [t.id for t in settings.topics] == ["lumio", "ondea", "fibrix"]
    assert settings.sources.demo.enabled
    assert settings.database.url == f"sqlite:///{tmp_path / '.listener' / 'demo-stream.db'}"


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "config.yaml"
    target.write_text("# mine\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["init", str(target)])
    assert result.exit_code == 1
    assert target.read_text(encoding="utf-8") == "# mine\n"
