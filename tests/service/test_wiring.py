"""Config to objects: rules with compiled crisis queries, channels to notifiers, secrets from the env."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from alerts.notifiers import EmailNotifier, LogNotifier
from alerts.notifiers.chat import MattermostNotifier
from listener.config import parse_settings
from listener.core.errors import ConfigError
from listener.wiring import build_notifiers, build_rule, keyword_matcher

CONFIG = """
timezone: Europe/Paris
alerts:
  channels:
    - {id: mail, type: email, to: [cm@example.org], lang: fr}
    - {id: mm, type: apprise, url: "${LISTENER_TEST_MM_URL}", max_length: 500}
  smtp: {host: 127.0.0.1, port: 2525, security: starttls, username: "${LISTENER_TEST_SMTP_USER}",
         password: "${LISTENER_TEST_SMTP_PASSWORD}"}
  rules:
    - {id: crisis, kind: keyword, query: 'boycott OR arnaque OR "data breach"', channels: [mail]}
    - {id: spike, kind: negative_spike, window: 30m, seasonal: true, growth: 3, channels: [mm]}
"""


def test_keyword_query_uses_the_topic_language() -> None:
    matches = keyword_matcher('boycott OR arnaque OR "data breach"')
    assert matches("Appel au BOYCOTT de la marque")
    assert matches("c'est une arnaque")
    assert matches("They confirmed a data   breach yesterday")
    assert not matches("a breach of data contracts")  # the phrase must be adjacent
    assert not matches("boycotting")  # whole words only
    with pytest.raises(ConfigError, match=r"alerts\.rules\.bad\.query"):
        keyword_matcher('"unclosed', rule_id="bad")


def test_rules_and_channels_from_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LISTENER_TEST_MM_URL", "mmost://127.0.0.1:8065/abcdefghijklmnopqrstuvwxyz")
    monkeypatch.setenv("LISTENER_TEST_SMTP_USER", "listener")
    monkeypatch.setenv("LISTENER_TEST_SMTP_PASSWORD", "s3cret-value")
    settings = parse_settings(CONFIG)
    crisis, spike = (build_rule(r) for r in settings.alerts.rules)
    assert crisis.kind == "keyword" and crisis.matcher is not None and crisis.matcher("boycott!")
    assert spike.window == timedelta(minutes=30) and spike.seasonal and spike.growth == 3
    notifiers = build_notifiers(settings)
    mail, chat = notifiers["mail"], notifiers["mm"]
    assert isinstance(mail, EmailNotifier) and mail.lang == "fr" and mail.tz == "Europe/Paris"
    assert mail.smtp.security == "starttls" and mail.smtp.password == "s3cret-value"
    assert "s3cret-value" not in repr(mail.smtp)
    assert isinstance(chat, MattermostNotifier) and chat.max_length == 500
    assert "abcdefghij" not in repr(chat)
    dry = build_notifiers(settings, dry_run=True)
    assert all(isinstance(n, LogNotifier) for n in dry.values()) and set(dry) == {"mail", "mm"}


def test_keyword_rule_needs_a_query() -> None:
    with pytest.raises(ConfigError, match="needs a 'query'"):
        parse_settings("alerts:\n  rules:\n    - {id: k, kind: keyword}\n")


def test_built_service_has_one_job_per_source_and_topic_and_a_local_digest_cron(tmp_path: Path) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from listener.wiring import build_full_service, open_repository

    settings = parse_settings(f"""
database: {{url: "sqlite:///{tmp_path / 'listener.db'}"}}
data_dir: {tmp_path / 'data'}
timezone: Europe/Paris
topics:
  - {{id: acme, name: Acme, query: acme}}
  - {{id: rival, name: Rival, role: competitor, query: rival}}
sources:
  demo: {{enabled: true, interval: 10m, max_interval: 1h}}
analysis: {{enabled: false}}
alerts:
  channels: [{{id: console, type: log}}]
  digest: {{enabled: true, at: "07:30", channels: [console]}}
""")
    repository = open_repository(settings)
    service = build_full_service(settings, repository)
    try:
        assert [(s.id, s.kind) for s in service.specs.values()] == [
            ("demo:acme", "collect"), ("demo:rival", "collect"), ("echoes", "echoes"), ("alerts", "alerts"),
            ("digest", "digest")]
        collect = service.specs["demo:acme"]
        assert collect.interval == timedelta(minutes=10) and collect.max_interval == timedelta(hours=1)
        assert collect.is_adaptive
        service.start(now=datetime(2030, 1, 1, tzinfo=ZoneInfo("UTC")))
        assert service.scheduler is not None
        digest_job = service.scheduler.get_job("digest")
        local = digest_job.next_run_time.astimezone(ZoneInfo("Europe/Paris"))
        assert (local.hour, local.minute) == (7, 30)
        for job in service.scheduler.get_jobs():
            assert job.max_instances == 1 and job.coalesce is True and job.misfire_grace_time == 300
        [digest] = service.run_once(("digest",))[-1:]
        assert (digest.id, digest.outcome, digest.items) == ("digest", "ok", 1)
    finally:
        service.shutdown(wait=False)
        repository.close()


def test_source_without_credentials_gets_no_job_and_one_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from listener.config import parse_settings
    from listener.wiring import build_collect_jobs
    from storage import Repository

    monkeypatch.delenv("LISTENER_TEST_NO_TOKEN", raising=False)
    settings = parse_settings(
        "topics:\n  - {id: acme, name: Acme, query: acme}\n"
        "sources:\n  demo: {enabled: false}\n"
        "  twitter: {enabled: true, bearer_token: '${LISTENER_TEST_NO_TOKEN}'}\n"
    )
    repository = Repository.from_url(f"sqlite:///{tmp_path / 'l.db'}")
    try:
        with caplog.at_level("WARNING"):
            jobs = build_collect_jobs(settings, repository)
    finally:
        repository.close()
    assert jobs == []
    assert [r.getMessage() for r in caplog.records if "twitter disabled" in r.getMessage()]


def test_retention_runs_as_a_daily_job_of_the_service(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from listener.core.model import Author, Batch, Mention
    from listener.wiring import build_full_service, open_repository

    settings = parse_settings(f"""
database: {{url: "sqlite:///{tmp_path / 'listener.db'}"}}
data_dir: {tmp_path / 'data'}
analysis: {{enabled: false}}
sources: {{demo: {{enabled: false}}}}
alerts: {{channels: [{{id: console, type: log}}]}}
retention: {{mentions_days: 20}}
""")
    now = datetime(2030, 3, 31, 1, 30, tzinfo=UTC)
    repository = open_repository(settings)
    who = Author(source="rss", external_id="a", handle="a")
    repository.upsert_batch(Batch(mentions=tuple(
        Mention(source="rss", external_id=f"m{d}", text="t", author=who, published_at=now - timedelta(days=d),
                fetched_at=now) for d in (2, 19, 21, 300)), next_cursor=None), source="rss", query_id="q")
    service = build_full_service(settings, repository, clock=lambda: now)
    try:
        assert service.specs["retention"].at is not None
        status = {s.id: s for s in service.run_once(("retention",))}["retention"]
        assert (status.outcome, status.items) == ("ok", 2)
        assert sorted(s.mention.external_id for s in repository.search_mentions()) == ["m19", "m2"]
    finally:
        service.shutdown(wait=False)
        repository.close()


def test_retention_below_the_spike_history_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"retention\.mentions_days"):
        parse_settings("retention:\n  mentions_days: 7\n")


def test_httpx_request_lines_show_only_at_debug(capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    from listener.logging_setup import configure_logging

    try:
        configure_logging(parse_settings("logging: {level: INFO}\n"))
        logging.getLogger("httpx").info('HTTP Request: GET http://127.0.0.1/feed "HTTP/1.1 200 OK"')
        logging.getLogger("listener.collect").info("rss: fetched 3")
        quiet = capsys.readouterr().err
        assert "rss: fetched 3" in quiet and "HTTP Request" not in quiet
        configure_logging(parse_settings("logging: {level: DEBUG}\n"))
        logging.getLogger("httpx").info('HTTP Request: GET http://127.0.0.1/feed "HTTP/1.1 200 OK"')
        assert "HTTP Request" in capsys.readouterr().err
    finally:
        logging.getLogger().handlers.clear()
        logging.getLogger().setLevel(logging.WARNING)
        logging.getLogger("httpx").setLevel(logging.NOTSET)
