"""Config loading: defaults, secrets from the environment, and errors that name file, line and key."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from listener.config import load_settings, parse_settings
from listener.core.errors import ConfigError


def test_empty_file_is_a_working_default_config() -> None:
    settings = parse_settings("")
    assert settings.database.url.startswith("sqlite:///")
    assert not settings.sources.demo.enabled  # fictional data only when asked for (issue 21)


def test_error_names_file_line_and_key_path() -> None:
    text = "topics:\n  - id: acme\n    name: Acme\n    query: acme\n    languages: [fr]\n    colour: red\n"
    with pytest.raises(ConfigError) as info:
        parse_settings(text, source="config.yaml")
    assert "config.yaml:6: topics.0.colour: unknown key" in str(info.value)


def test_bad_duration_says_what_was_expected() -> None:
    with pytest.raises(ConfigError) as info:
        parse_settings("sources:\n  rss:\n    interval: soon\n", source="c.yaml")
    assert "c.yaml:3: sources.rss.interval" in str(info.value)
    assert "'15m'" in str(info.value)


def test_durations_parse() -> None:
    settings = parse_settings("sources:\n  rss:\n    interval: 2h\n")
    assert settings.sources.rss.interval == timedelta(hours=2)


def test_secret_literal_is_refused() -> None:
    with pytest.raises(ConfigError) as info:
        parse_settings("sources:\n  twitter:\n    bearer_token: AAAA1234\n", source="c.yaml")
    assert "c.yaml:3: sources.twitter.bearer_token" in str(info.value)
    assert "${ENV_VAR}" in str(info.value)
    assert "AAAA1234" not in str(info.value)


def test_secret_resolved_from_environment_and_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LISTENER_TEST_TOKEN", "s3cr3t-value")
    settings = parse_settings("sources:\n  twitter:\n    bearer_token: ${LISTENER_TEST_TOKEN}\n")
    token = settings.sources.twitter.bearer_token
    assert token is not None and token.get_secret_value() == "s3cr3t-value"
    assert "s3cr3t-value" not in repr(settings)


def test_unset_secret_disables_instead_of_failing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LISTENER_ABSENT", raising=False)
    settings = parse_settings("sources:\n  twitter:\n    bearer_token: ${LISTENER_ABSENT}\n")
    assert settings.sources.twitter.bearer_token is None


def test_invalid_yaml_points_at_line() -> None:
    with pytest.raises(ConfigError) as info:
        parse_settings("topics:\n  - id: a\n   name: [unclosed\n", source="c.yaml")
    assert str(info.value).startswith("c.yaml:")


def test_duplicate_topic_ids_rejected() -> None:
    text = "topics:\n  - {id: a, name: A, query: a}\n  - {id: a, name: B, query: b}\n"
    with pytest.raises(ConfigError, match="declared twice"):
        parse_settings(text)


def test_missing_file_suggests_init(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="listener init"):
        load_settings(tmp_path / "nope.yaml")


def test_relative_sqlite_path_follows_config_file(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("database:\n  url: sqlite:///data/l.db\n", encoding="utf-8")
    settings = load_settings(path)
    assert settings.database.url == f"sqlite:///{tmp_path}/data/l.db"


def test_bad_topic_query_names_line_and_column() -> None:
    text = "topics:\n  - id: acme\n    name: Acme\n    query: '(acme OR acmé'\n"
    with pytest.raises(ConfigError) as info:
        parse_settings(text, source="c.yaml")
    message = str(info.value)
    assert message.startswith("c.yaml:4: topics.0.query:")
    assert "column" in message and "^" in message


def test_negative_margins_per_language() -> None:
    settings = parse_settings("alerts:\n  negative_margin: 0.5\n  negative_margin_by_language: {EN: 0.6}\n")
    assert settings.alerts.negative_margin_by_language == {"en": 0.6}
    with pytest.raises(ConfigError) as err:
        parse_settings("alerts:\n  negative_margin_by_language: {fr: 1.5}\n", source="config.yaml")
    assert "negative_margin_by_language" in str(err.value)


def test_starter_config_gives_french_and_english_their_measured_margins() -> None:
    """The starter margins are the ones the README's curves pick (benchmarks/_accuracy_curve.py)."""
    from listener.cli.init import starter_config

    alerts = parse_settings(starter_config(), source="starter config").alerts
    assert alerts.negative_margin_by_language == {"fr": 0.6, "en": 0.6}
    assert alerts.negative_margin == 0.5


ASPECTS = """analysis:
  aspects:
    - {id: network, name_fr: réseau mobile, name_en: mobile network,
       seeds: [pas de réseau mobile depuis ce matin, no mobile signal since this morning], cues: [Réseau, 4G]}
    - {id: billing, name_fr: factures, name_en: bills, seeds: [facture fausse, my bill is wrong]}
"""


def test_aspects_in_config_add_to_and_replace_the_built_in_ones() -> None:
    from analysis.aspects import DEFAULT_ASPECTS

    chosen = parse_settings(ASPECTS).analysis.aspect_list()
    assert [a.id for a in chosen] == [a.id for a in DEFAULT_ASPECTS] + ["network"]
    billing = next(a for a in chosen if a.id == "billing")
    assert (billing.name_en, billing.cues) == ("bills", ())
    assert billing.seeds == ("facture fausse", "my bill is wrong")
    assert chosen[-1].cues == ("reseau", "4g")  # folded as the mentions' words are
    only = parse_settings(ASPECTS.replace("analysis:\n", "analysis:\n  default_aspects: false\n"))
    assert [a.id for a in only.analysis.aspect_list()] == ["network", "billing"]
    assert parse_settings("").analysis.aspect_list() == DEFAULT_ASPECTS


@pytest.mark.parametrize(("text", "said"), [
    (ASPECTS.replace("id: billing", "id: network"), "aspect id declared twice: network"),
    (ASPECTS.replace("[facture fausse, my bill is wrong]", "[facture fausse]"), "analysis.aspects.1.seeds"),
    (ASPECTS.replace("cues: [Réseau, 4G]", "cues: [' ']"), "an empty seed phrase or cue word"),
])
def test_a_wrong_aspect_is_refused_with_its_key(text: str, said: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_settings(text, source="config.yaml")
    assert said in str(info.value)


def test_a_key_written_twice_is_refused_not_silently_overwritten() -> None:
    text = "analysis:\n  theme_vectors: false\n  batch_size: 32\n  theme_vectors: true\n"
    with pytest.raises(ConfigError) as info:
        parse_settings(text, source="config.yaml")
    assert "config.yaml:4: analysis.theme_vectors: written twice (line 2 too)" in str(info.value)
