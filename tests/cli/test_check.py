"""``listener check`` lists every problem with what to do, and fails only on errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from listener.cli import app


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(f"database:\n  url: sqlite:///{tmp_path / 'l.db'}\n{body}", encoding="utf-8")
    return path


def test_clean_config_passes_and_reports_the_empty_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LISTENER_MODEL_DIR")  # this machine (an empty cache folder) has no model yet
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = _config(tmp_path, "topics:\n  - {id: acme, name: Acme, query: 'acme OR #acme'}\n")
    result = CliRunner().invoke(app, ["check", "-c", str(path)])
    assert result.exit_code == 0, result.output
    assert "run 'listener db upgrade'" in result.output
    assert "model not built yet" in result.output  # built on first use: a warning, not an error
    assert "no source is enabled" in result.output  # the demo no longer runs unless asked for
    assert "0 error(s), 3 warning(s)" in result.output


def test_heads_trained_for_another_runtime_are_flagged(tmp_path: Path) -> None:
    from analysis import model_build

    model_build.build(tmp_path / ".listener")  # ~2 s; torch needs no export
    body = "topics:\n  - {id: acme, name: Acme, query: acme}\nanalysis:\n  runtime: torch\n"
    path = _config(tmp_path, body)
    result = CliRunner().invoke(app, ["check", "-c", str(path)])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "model built in" in out
    assert "were trained on onnx-int8 features but the runtime is torch: run 'listener train'" in out


def test_enabled_source_without_credentials_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LISTENER_TEST_X", raising=False)
    path = _config(
        tmp_path,
        "topics:\n  - {id: acme, name: Acme, query: acme}\n"
        "sources:\n  twitter:\n    enabled: true\n    bearer_token: ${LISTENER_TEST_X}\n",
    )
    result = CliRunner().invoke(app, ["check", "-c", str(path), "--quiet"])
    assert result.exit_code == 1
    flat = "".join(result.output.split())  # the message column wraps long paths anywhere
    assert f"{path}:8:sources.twitter.bearer_tokenneedstheenvironmentvariableLISTENER_TEST_X" in flat


def test_unset_smtp_password_and_chat_url_are_named_with_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("LISTENER_TEST_SMTP_USER", "LISTENER_TEST_SMTP_PW", "LISTENER_TEST_SLACK"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LISTENER_TEST_SMTP_USER", "cm@example.org")
    path = _config(
        tmp_path,
        "alerts:\n"
        "  smtp:\n"
        "    username: ${LISTENER_TEST_SMTP_USER}\n"
        "    password: ${LISTENER_TEST_SMTP_PW}\n"
        "  channels:\n"
        "    - {id: mail, type: email, to: [cm@example.org]}\n"
        "    - id: slack\n"
        "      type: apprise\n"
        "      url: ${LISTENER_TEST_SLACK}\n",
    )
    result = CliRunner().invoke(app, ["check", "-c", str(path), "--quiet"])
    assert result.exit_code == 1
    flat = "".join(result.output.split())
    assert f"{path}:6:alerts.smtp.passwordneedstheenvironmentvariableLISTENER_TEST_SMTP_PW" in flat
    assert f"{path}:11:alerts.channels.slack.urlneedstheenvironmentvariableLISTENER_TEST_SLACK" in flat
    assert "LISTENER_TEST_SMTP_USER" not in flat  # that one is set


def test_unsupported_database_is_a_finding_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("database:\n  url: mysql://u@localhost/x\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "-c", str(path)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    flat = " ".join(result.output.split())
    assert "unsupported database 'mysql://u@localhost/x' (use sqlite:/// or postgresql+psycopg://)" in flat
    assert "Traceback" not in result.output and "1 error(s)" in flat


def test_version_prints_the_version() -> None:
    from listener import __version__

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"listener {__version__}"


def test_enabled_search_source_shows_translated_queries(tmp_path: Path) -> None:
    path = _config(
        tmp_path,
        "topics:\n  - {id: acme, name: Acme, query: 'acme factur*'}\n"
        "sources:\n  hackernews:\n    enabled: true\n",
    )
    result = CliRunner().invoke(app, ["check", "-c", str(path)])
    flat = " ".join(result.output.split())
    assert "hackernews searches:" in flat
    assert "widened" in flat  # factur* cannot be searched on Algolia: widened, filtered locally


def test_unreachable_database_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("database:\n  url: postgresql+psycopg://nobody@127.0.0.1:1/none\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "-c", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "127.0.0.1" in result.output


def test_failing_source_health_is_reported(tmp_path: Path) -> None:
    from storage import Repository

    path = _config(tmp_path, "topics:\n  - {id: acme, name: Acme, query: acme}\n")
    repository = Repository.from_url(f"sqlite:///{tmp_path / 'l.db'}")
    repository.upgrade()
    repository.record_run("rss", "acme", outcome="error", error="SourceUnavailable: rss: status 502")
    repository.record_run("hackernews", "acme", outcome="ok", items=4)
    repository.close()
    result = CliRunner().invoke(app, ["check", "-c", str(path)])
    flat = " ".join(result.output.split())
    assert "1 failure(s) in a row; last error: SourceUnavailable: rss: status 502" in flat
    assert "health hackernews:acme" in flat and "4 items" in flat
