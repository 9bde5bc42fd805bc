"""The digest goes through the alerts' dispatch: stored first, each channel on its own, retried, recorded.

A real service (the wiring's digest and alert jobs, SQLite) sends to a real aiosmtpd server that
refuses the message and to a loopback webhook that works. Before, the first refusing channel raised:
the webhook got nothing and no attempt was recorded anywhere.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from alert_receivers import Webhook, free_port  # type: ignore[import-not-found]
from typer.testing import CliRunner


@dataclass
class SwitchableInbox:
    """An SMTP receiver that refuses every message while ``refusing`` is set, then accepts them."""

    refusing: bool = True
    accepted: list[bytes] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refusing:
            return "554 5.7.1 message refused by policy"
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        with self.lock:
            self.accepted.append(raw)
        return "250 OK"


@pytest.fixture
def switchable_smtp() -> Iterator[tuple[int, SwitchableInbox]]:
    port = free_port()
    inbox = SwitchableInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


def test_refused_mail_channel_neither_blocks_the_webhook_nor_is_lost(
    tmp_path: Path, switchable_smtp: tuple[int, SwitchableInbox], webhook: Webhook,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from listener.cli import app
    from listener.config import load_settings
    from listener.wiring import build_full_service, open_repository

    port, inbox = switchable_smtp
    monkeypatch.setenv("LISTENER_TEST_DIGEST_HOOK", f"json://{webhook.url}/digest")
    config = tmp_path / "config.yaml"
    config.write_text(f"""
database: {{url: "sqlite:///{tmp_path / 'listener.db'}"}}
data_dir: {tmp_path / 'data'}
timezone: Europe/Paris
topics: [{{id: acme, name: Acme, query: acme}}]
sources: {{demo: {{enabled: false}}}}
analysis: {{enabled: false}}
alerts:
  smtp: {{host: 127.0.0.1, port: {port}, timeout: 5s}}
  channels:
    - {{id: mail, type: email, to: [cm@acme.test], lang: fr}}
    - {{id: hook, type: apprise, url: "${{LISTENER_TEST_DIGEST_HOOK}}"}}
  digest: {{enabled: true, at: "07:30"}}
""", encoding="utf-8")
    settings = load_settings(config)
    now = [datetime(2026, 11, 20, 6, 30, tzinfo=UTC)]
    def clock() -> datetime:
        return now[0]

    repository = open_repository(settings, clock=clock)
    service = build_full_service(settings, repository, clock=clock)
    try:
        [digest] = service.run_once(("digest",))[-1:]
        assert (digest.outcome, digest.items, digest.backlog) == ("ok", 1, 1)  # the webhook got it
        assert [path for path, _ in webhook.posts] == ["/digest"]
        assert inbox.accepted == []
        [stored] = repository.alerts(since=now[0] - timedelta(days=3), limit=None)
        assert stored.alert.rule_id == "daily_digest" and stored.alert.subject == "2026-11-19"
        attempts = {(d.channel, d.outcome) for d in repository.deliveries(stored.id)}
        assert attempts == {("mail", "failed"), ("hook", "sent")}

        listed = CliRunner().invoke(app, ["alerts", "-c", str(config), "--days", "3650"])
        assert listed.exit_code == 0, listed.output
        assert "daily_digest" in listed.output and "mail:failed#1" in listed.output
        assert "hook:sent#1" in listed.output

        # the next cycle: the mail server is back; the alert job's delivery pass retries the digest
        inbox.refusing = False
        now[0] += timedelta(minutes=2)
        service.run_once(("alerts",))
        assert len(inbox.accepted) == 1 and b"X-Listener-Digest: 2026-11-19" in inbox.accepted[0]
        assert len(webhook.posts) == 1  # the webhook is not sent the digest twice

        # the digest job running again that day stores and sends nothing new
        now[0] += timedelta(minutes=2)
        [again] = service.run_once(("digest",))[-1:]
        assert (again.items, again.backlog) == (0, 0)
        assert len(inbox.accepted) == 1 and len(webhook.posts) == 1
        assert len(repository.alerts(since=now[0] - timedelta(days=3), limit=None)) == 1
        outcomes = sorted((d.channel, d.outcome) for d in repository.deliveries(stored.id))
        assert outcomes == [("hook", "sent"), ("mail", "failed"), ("mail", "sent")]
    finally:
        service.shutdown(wait=False)
        repository.close()
