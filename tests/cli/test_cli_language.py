"""The command line speaks the config's ``language``: its notes and refusals, and ``status``.

The demo's own config (read when there is no config.yaml) is written with ``language: fr`` here, so the
note saying which file was read, the error heading and the refusal itself must all be French; the same
folder with ``language: en`` must read English.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from listener.cli import app
from storage import Repository


def _demo_config(folder: Path, lang: str, db: Path) -> None:
    (folder / ".listener").mkdir()
    (folder / ".listener" / "demo.yaml").write_text(
        f"language: {lang}\ndatabase:\n  url: sqlite:///{db}\n", encoding="utf-8")


@pytest.mark.parametrize(("lang", "note", "heading", "refusal"), [
    ("fr", "pas de config.yaml ici : lecture du .listener/demo.yaml de la démo", "erreur :",
     "n'existe pas encore : lancez d'abord 'listener db upgrade'"),
    ("en", "no config.yaml here: using the demo's .listener/demo.yaml", "error:",
     "does not exist yet: run 'listener db upgrade' first"),
])
def test_a_missing_database_is_refused_in_the_config_language(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, lang: str, note: str, heading: str, refusal: str
) -> None:
    monkeypatch.chdir(tmp_path)
    _demo_config(tmp_path, lang, tmp_path / "absent.db")
    result = CliRunner().invoke(app, ["status"])
    flat = " ".join(result.output.split())
    assert result.exit_code == 1, result.output
    assert note in flat and heading in flat and refusal in flat


def test_status_and_sources_read_french(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "listener.db"
    repository = Repository.from_url(f"sqlite:///{db}")
    repository.upgrade()
    repository.close()
    _demo_config(tmp_path, "fr", db)
    result = CliRunner().invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    assert "Canaux d'alerte" in result.output and "état général :" in result.output
    assert "overall" not in result.output and "Alert channels" not in result.output
    sources = CliRunner().invoke(app, ["sources"])
    assert sources.exit_code == 0 and "aucune collecte enregistrée" in sources.output, sources.output


def test_check_reads_french(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _demo_config(tmp_path, "fr", tmp_path / "absent.db")
    result = CliRunner().invoke(app, ["check"])
    flat = " ".join(result.output.split())
    assert "n'existe pas encore ; lancez 'listener db upgrade'" in flat, flat
    assert "avertissement(s)" in flat and "warning" not in flat


def test_mentions_alerts_and_authors_read_french(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "listener.db"
    repository = Repository.from_url(f"sqlite:///{db}")
    repository.upgrade()
    repository.close()
    _demo_config(tmp_path, "fr", db)
    runner = CliRunner()
    listed = runner.invoke(app, ["mentions"])
    assert listed.exit_code == 0, listed.output
    assert "0 mention(s), heures en" in listed.output
    alerts = runner.invoke(app, ["alerts"])
    assert alerts.exit_code == 0 and "aucune alerte sur cette période" in alerts.output, alerts.output
    authors = runner.invoke(app, ["authors", "--role", "leader"])
    assert authors.exit_code == 0, authors.output
    assert "Leaders d'opinion (tous les sujets, toutes les sources, 30 derniers jours)" in authors.output
    unknown = runner.invoke(app, ["author", "demo:@nobody"])
    assert unknown.exit_code == 1 and "aucun auteur 'demo:@nobody'" in unknown.output, unknown.output


def test_db_upgrade_reads_french(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _demo_config(tmp_path, "fr", tmp_path / "new.db")
    result = CliRunner().invoke(app, ["db", "upgrade"])
    said = " ".join(result.output.split())  # rich wraps at the terminal's width, wherever the path ends
    assert result.exit_code == 0 and "mise à jour de vide à la révision" in said, result.output


@pytest.mark.parametrize(("lang", "said"), [
    ("fr", ("utilisateur camille ajouté comme analyst", "identifiant",
            "le mot de passe doit compter au moins 12 caractères", "aucun sujet configuré")),
    ("en", ("user camille added as analyst", "username",
            "the password needs at least 12 characters", "no topics configured")),
])
def test_users_and_topics_speak_the_config_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str, said: tuple[str, str, str, str]
) -> None:
    added, header, refusal, topics = said
    monkeypatch.chdir(tmp_path)
    _demo_config(tmp_path, lang, tmp_path / "listener.db")
    runner = CliRunner()
    made = runner.invoke(app, ["users", "add", "camille", "--role", "analyst", "--password-stdin"],
                         input="a long enough secret\n")
    assert made.exit_code == 0 and added in made.output, made.output
    short = runner.invoke(app, ["users", "add", "dominique", "--password-stdin"], input="short\n")
    assert short.exit_code == 2 and refusal in " ".join(short.output.split()), short.output
    listed = runner.invoke(app, ["users", "list"])
    assert listed.exit_code == 0 and header in listed.output and "camille" in listed.output, listed.output
    assert "dominique" not in listed.output
    shown = runner.invoke(app, ["topics"])
    assert shown.exit_code == 0 and topics in shown.output, shown.output
