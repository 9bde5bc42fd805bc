"""Notifiers against real loopback receivers: aiosmtpd for e-mail, an HTTP sink for apprise webhooks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alert_receivers import Inbox, Webhook, free_port  # type: ignore[import-not-found]

from alerts.notifiers import EmailNotifier, LogNotifier, SmtpConfig, chat_notifier
from alerts.notifiers.chat import ChatNotifier, DiscordNotifier, MattermostNotifier, SlackNotifier
from alerts.notifiers.email import message_id
from listener.core.model import Alert

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def spike_alert(*, phase: str = "opened", text_len: int = 60, n: int = 3) -> Alert:
    mentions = [{"id": i, "url": f"https://social.example/p/{i}", "source": "demo", "author": f"critic{i}",
                 "reach": 1000.0 * (n - i), "text": ("Service client injoignable " * 20)[:text_len],
                 "title": None, "sentiment": "negative", "published_at": NOW.isoformat()} for i in range(n)]
    details = {"reason": "spike", "why": "31 negative mentions in 1h, above the limit 6.4", "topic": "acme",
               "count": 31, "total": 40, "negative": 31, "window_s": 3600.0, "threshold": 3.0,
               "baseline": {"median": 2.0, "mad": 1.0, "spread": 1.48, "limit": 6.4, "buckets": 336,
                            "seasonal": False},
               "top_mentions": mentions,
               "top_authors": [{"key": "demo:critic0", "handle": "critic0", "mentions": 4, "reach": 3000.0}],
               "phase": phase, "thread": "spike|acme|2026-03-10T14:00:00+00:00", "sequence": 1}
    return Alert(rule_id="spike", kind="negative_spike", subject="acme", severity="warning",
                 window_start=NOW - timedelta(hours=1), window_end=NOW,
                 title="Negative spike on acme: 31 negative mentions", summary=str(details["why"]),
                 details=details, mention_ids=(0, 1, 2))


def test_email_multipart_french(smtp_inbox: Inbox) -> None:
    smtp = SmtpConfig(host=smtp_inbox.host, port=smtp_inbox.port, sender="veille@acme.test")
    notifier = EmailNotifier("cm", smtp=smtp, to=("cm@acme.test", "boss@acme.test"), lang="fr",
                             tz="Europe/Paris")
    delivery = notifier.send(spike_alert())
    assert delivery.is_ok, delivery.error
    [(envelope, message)] = smtp_inbox.received
    assert envelope.rcpt_tos == ["cm@acme.test", "boss@acme.test"]
    assert envelope.mail_from == "veille@acme.test"
    assert message["Subject"] == "[listener] Pic de mentions négatives — acme"
    assert message["Message-ID"] == message_id("spike|acme|2026-03-10T14:00:00+00:00")
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    text_body, html_body = text.get_content(), html.get_content()
    assert "31 mentions négatives de acme en 1\u00a0h, pour 2,0 d'habitude" in text_body
    assert "16:00" in text_body  # window shown in Paris time (15:00 UTC)
    assert "<https://social.example/p/0>" in text_body
    assert 'href="https://social.example/p/0"' in html_body
    assert "Mentions principales" in html_body and "@critic0" in html_body


def test_email_update_threads_under_the_opening(smtp_inbox: Inbox) -> None:
    smtp = SmtpConfig(host=smtp_inbox.host, port=smtp_inbox.port)
    alert = spike_alert(phase="update")
    alert = Alert(**{**{f: getattr(alert, f) for f in ("rule_id", "kind", "subject", "severity", "title",
                                                         "summary", "mention_ids", "window_end")},
                     "window_start": NOW - timedelta(minutes=30),
                     "details": {**alert.details, "sequence": 2, "previous_count": 14}})
    assert EmailNotifier("cm", smtp=smtp, to=("cm@acme.test",)).send(alert).is_ok
    [(_, message)] = smtp_inbox.received
    assert message["Subject"] == "[listener] Update 2: Negative spike — acme"
    assert message["In-Reply-To"] == message_id("spike|acme|2026-03-10T14:00:00+00:00")
    body = message.get_body(("plain",))
    assert body is not None and "14 at the last message" in body.get_content()


def test_email_failure_is_a_recorded_delivery() -> None:
    smtp = SmtpConfig(host="127.0.0.1", port=free_port(), timeout_s=2)
    delivery = EmailNotifier("cm", smtp=smtp, to=("cm@acme.test",)).send(spike_alert())
    assert not delivery.is_ok
    assert delivery.error is not None and delivery.error.startswith("email: ConnectionRefusedError")


def test_webhook_payload(webhook: Webhook) -> None:
    notifier = chat_notifier("ops", f"json://{webhook.url}/hooks/listener", lang="en")
    assert type(notifier) is ChatNotifier
    delivery = notifier.send(spike_alert())
    assert delivery.is_ok, delivery.error
    [(path, payload)] = webhook.posts
    assert path == "/hooks/listener"
    assert payload["title"] == "Negative spike — acme"
    assert payload["message"].startswith("31 negative mentions of acme in 1\u00a0h, where 2.0 is usual")
    assert "https://social.example/p/0" in payload["message"]


def test_webhook_500_is_a_failed_delivery_then_retry_succeeds(webhook: Webhook) -> None:
    webhook.statuses = [500]
    notifier = chat_notifier("ops", f"json://{webhook.url}/hook")
    first = notifier.send(spike_alert())
    assert not first.is_ok
    assert first.error is not None and "500" in first.error
    assert str(webhook.port) not in first.error or "hook" not in first.error
    second = notifier.send(spike_alert())
    assert second.is_ok
    assert len(webhook.posts) == 2 and webhook.posts[0][1] == webhook.posts[1][1]


def test_webhook_body_is_cut_at_body_maxlen(webhook: Webhook) -> None:
    alert = spike_alert(text_len=400, n=5)
    roomy = chat_notifier("ops", f"json://{webhook.url}/hook")
    assert roomy.max_length == ChatNotifier.body_maxlen == 4000
    uncut = roomy.body(alert)[1]
    assert 600 < len(uncut) < 4000 and not uncut.endswith("…")
    tight = chat_notifier("sms", f"json://{webhook.url}/hook", max_length=600)
    assert tight.send(alert).is_ok
    [(_, payload)] = webhook.posts
    assert len(payload["title"]) + len(payload["message"]) <= 600
    assert payload["message"].endswith("…")
    assert payload["message"].startswith("31 negative mentions")  # the numbers survive the cut
    assert uncut.startswith(payload["message"][:-1])


def test_mattermost_goes_through_its_own_apprise_plugin(webhook: Webhook) -> None:
    notifier = chat_notifier("mm", f"mmost://{webhook.url}/abcdefghijklmnopqrstuvwxyz")
    assert isinstance(notifier, MattermostNotifier) and notifier.body_maxlen == 4000
    assert notifier.send(spike_alert()).is_ok
    [(path, payload)] = webhook.posts
    assert path == "/hooks/abcdefghijklmnopqrstuvwxyz"
    assert "31 negative mentions" in payload["text"]


def test_scheme_registry() -> None:
    assert isinstance(chat_notifier("s", "slack://T000/B000/XXXX"), SlackNotifier)
    assert isinstance(chat_notifier("d", "discord://1234/abcd"), DiscordNotifier)
    assert DiscordNotifier.body_maxlen == 2000
    assert "XXXX" not in repr(chat_notifier("s", "slack://T000/B000/XXXX"))


def test_log_notifier_keeps_rendered_alerts() -> None:
    notifier = LogNotifier(lang="fr")
    assert notifier.send(spike_alert()).is_ok
    [(alert, rendered)] = notifier.sent
    assert alert.rule_id == "spike" and rendered.subject == "Pic de mentions négatives — acme"
