"""``listener topics`` lists and checks topic queries; ``listener topics try`` explains matches."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from listener.cli import app

CONFIG = """\
topics:
  - id: acme
    name: Acme
    query: 'acme OR "acme corp" -job'
  - id: invoices
    name: Invoices
    role: other
    query: 'factur* lang:fr'
"""


def test_topics_lists_every_topic_with_its_canonical_query(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    result = CliRunner().invoke(app, ["topics", "--config", str(config), "--providers"])
    assert result.exit_code == 0, result.output
    assert "acme" in result.output
    assert "invoices" in result.output
    assert "factur* AND lang:fr" in result.output
    assert "no native search" in result.output  # factur* alone cannot be searched natively


def test_a_bad_query_in_the_config_is_reported_with_line_and_column(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG.replace("factur* lang:fr", "factur* (lang:fr"), encoding="utf-8")
    result = CliRunner().invoke(app, ["topics", "--config", str(config)])
    assert result.exit_code == 2
    assert "never closed" in result.output
    assert "column 9" in result.output


def test_try_says_which_texts_match_and_why() -> None:
    result = CliRunner().invoke(app, ["topics", "try", 'acme OR "late delivery"~3 -job',
                                      "L'appli ACMÉ plante", "delivery was very late", "late job delivery",
                                      "acmeshop"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == 'query: acme OR ("late delivery"~3 AND NOT job)'
    assert lines[1].startswith("match") and lines[2].strip() == "terms: acme"
    assert lines[3].startswith("match") and lines[4].strip() == 'terms: "late delivery"~3'
    assert lines[5].startswith("no match")
    assert lines[6].startswith("no match")


def test_try_uses_the_declared_language() -> None:
    runner = CliRunner()
    assert "no match" in runner.invoke(app, ["topics", "try", "facture lang:fr", "ma facture"]).output
    result = runner.invoke(app, ["topics", "try", "--lang", "fr", "facture lang:fr", "ma facture"])
    assert result.output.splitlines()[1].startswith("match")


def test_try_reports_a_syntax_error_with_a_caret() -> None:
    result = CliRunner().invoke(app, ["topics", "try", "acme OR (widget", "some text"])
    assert result.exit_code == 2
    assert "never closed (column 9)" in result.output
    assert "  acme OR (widget\n          ^" in result.output
